// The one function that applies an operation, used by the REST routes and the sync push alike:
// lock the project, load the caller's current role and view, authorize against current state,
// apply, and write change log (under the next revision) + audit in the same transaction.
import { createHash } from 'node:crypto';
import { authorizeOp, BacklotError, isProjectMember, memberView, type MemberView, assertProjectWritable } from '@backlot/core';
import { afterCommit, inTransaction, type Ctx, type Trx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { check, loadProjectAccess } from '../access/access.js';
import { lockLiveProject, takeRevision, writeChanges, type ChangeEntry } from './change-log.js';
import { graphAt } from '../projection/graph-cache.js';
import type { Op, OpType } from '@backlot/core';
import { withRecording, type Handler, type OpEnv } from './env.js';
import { HANDLERS } from './handlers.js';
import { scheduleGc } from '../content/gc.js';
import { scheduleNewestWhole, scheduleRebase } from '../content/rebase.js';

export interface Applied {
  revision: number;
  result: unknown;
  /** True when this op id had been applied before and the stored result is returned. */
  replayed?: boolean;
}

/**
 * A fingerprint of an operation: SHA-256 of its JSON with object keys sorted, so the same op sent
 * again (keys in any order) matches and a different op under a reused op id does not.
 */
export function opFingerprint(op: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(op))).digest('hex');
}

export async function applyOp(ctx: Ctx, projectId: string, op: Op, opId: string | null = null): Promise<Applied> {
  const opHash = opId ? opFingerprint(op) : null;
  const applied = await inTransaction(ctx, async (trx) => {
    const actorId = ctx.user?.id;
    const storedResult = async () => {
      if (!opId || !actorId) return undefined;
      const done = await trx.selectFrom('applied_ops').select(['revision', 'result', 'op_hash']).where('project_id', '=', projectId).where('actor_id', '=', actorId).where('op_id', '=', opId).executeTakeFirst();
      if (!done) return undefined;
      if (done.op_hash !== null && done.op_hash !== opHash)
        throw new BacklotError('op_id_reused', `op id ${opId} was already used for a different operation; give each operation its own id`, { opId });
      return { revision: Number(done.revision), result: JSON.parse(done.result) as unknown, replayed: true as const };
    };
    // A replay answers without locking the project.
    const done = await storedResult();
    if (done) return done;
    const current = await lockLiveProject(trx, projectId);
    // A concurrent retry of this op may have committed while this one waited for the lock.
    const raced = await storedResult();
    if (raced) return raced;
    const { project, actor } = await loadProjectAccess(ctx, projectId, trx);
    const refusal = (action: string) => ({ studioId: project.studio_id, projectId, action });
    if (!isProjectMember(actor)) check({ allowed: false, error: new BacklotError('not_found', 'project not found') }, refusal(op.type));
    assertProjectWritable(project);
    const graph = await graphAt(trx, projectId, current);
    const view = memberView(graph, actor);
    const at = ctx.clock.now().toISOString();
    // Handlers stamp what they create with the revision this op takes if it changes anything.
    const env = withRecording({
      ctx, trx, project, actor, graph, view, revision: current + 1, at, opId, changes: [],
      authorize: (c, v) => check(authorizeOp(actor, v ?? view, c), refusal(op.type)),
      audit: (action, target, before, after) =>
        appendAudit(trx, { studioId: project.studio_id, projectId, actorId: actor.userId, action, targetType: target.type, targetId: target.id, before, after, ip: ctx.ip }, at),
    });
    const result = await (HANDLERS[op.type] as Handler<OpType>)(env, op as never);
    // An op that changes nothing (a status set to the one it has) is applied at the current
    // revision: revisions are taken only with change-log entries, so the log has no gaps.
    const revision = await commitChanges(trx, projectId, current, { opId, actorId: actor.userId, at }, env.changes);
    if (opId)
      await trx.insertInto('applied_ops').values({ project_id: projectId, op_id: opId, actor_id: actor.userId, revision, result: JSON.stringify(result ?? null), op_hash: opHash, created_at: at }).execute();
    return { revision, result, replayed: false, changed: revision > current };
  });
  if (!applied.replayed && applied.changed) ctx.events?.projectChanged(projectId, applied.revision);
  // A purge may leave chunks unreferenced: collect them once it has committed.
  if (!applied.replayed && op.type === 'trash.purge') scheduleGc(ctx, projectId);
  // A new version arrived as patches against the previous one: store it whole, the previous as patches.
  const made = applied.result as { id?: unknown } | null;
  if (!applied.replayed && (op.type === 'checkpoint.create' || op.type === 'checkpoint.revert') && typeof made?.id === 'string') scheduleRebase(ctx, projectId, made.id);
  // Deleting a newest version, or restoring one, changes which version is newest: that one is stored whole too.
  if (!applied.replayed && applied.changed && (op.type === 'checkpoint.delete' || op.type === 'trash.restore')) scheduleNewestWhole(ctx, projectId);
  return { revision: applied.revision, result: applied.result, replayed: applied.replayed };
}

/** Takes the next revision and writes the entries, when there are any; answers the op's revision. */
async function commitChanges(trx: Trx, projectId: string, current: number, meta: { opId: string | null; actorId: string | null; at: string }, changes: ChangeEntry[]): Promise<number> {
  if (!changes.length) return current;
  await takeRevision(trx, projectId, current + 1);
  await writeChanges(trx, projectId, current + 1, meta, changes);
  return current + 1;
}

/**
 * A project change made on behalf of another action (a member leaving the project or the
 * studio), inside that action's transaction: it takes a revision and writes change log + audit
 * like any operation, but its authorization was done by the caller.
 */
export async function applyConsequence<T>(ctx: Ctx, trx: Trx, projectId: string, fn: (env: OpEnv) => Promise<T>): Promise<T> {
  const current = await lockLiveProject(trx, projectId);
  const { project, actor } = await loadProjectAccess(ctx, projectId, trx);
  const graph = await graphAt(trx, projectId, current);
  const at = ctx.clock.now().toISOString();
  let view: MemberView | undefined;
  const env = withRecording({
    ctx, trx, project, actor, graph, revision: current + 1, at, opId: null, changes: [],
    // Most consequences only write change entries: the actor's view is built if one reads it.
    get view() {
      return (view ??= memberView(graph, actor));
    },
    authorize: () => {
      throw new Error('consequences are authorized by the action that causes them');
    },
    audit: (action, target, before, after) =>
      appendAudit(trx, { studioId: project.studio_id, projectId, actorId: actor.userId, action, targetType: target.type, targetId: target.id, before, after, ip: ctx.ip }, at),
  });
  const result = await fn(env);
  const revision = await commitChanges(trx, projectId, current, { opId: null, actorId: actor.userId, at }, env.changes);
  // Live events once the causing action (member removal, ...) has committed.
  if (revision > current) afterCommit(trx, () => ctx.events?.projectChanged(projectId, revision));
  return result;
}
