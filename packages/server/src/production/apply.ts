// The one function that applies an operation, used by the REST routes and the sync push alike:
// take the next revision, load the caller's current role and view, authorize against current
// state, apply, and write change log + audit in the same transaction.
import { authorizeOp, BacklotError, isProjectMember, memberView, type MemberView, type OpCheck, type ProjectActor, type ProjectGraph, assertProjectWritable } from '@backlot/core';
import { afterCommit, inTransaction, type Ctx, type Trx } from '../context.js';
import type { ProjectsTable } from '../db/schema.js';
import { appendAudit } from '../audit/log.js';
import { check, loadProjectAccess } from '../services/access.js';
import { nextRevision, writeChanges, type ChangeEntry } from './change-log.js';
import { graphAt } from './graph-cache.js';
import type { Op, OpOf, OpType } from './ops.js';
import { HANDLERS } from './handlers.js';
import { scheduleGc } from '../content/gc.js';

export interface OpEnv {
  ctx: Ctx;
  trx: Trx;
  project: ProjectsTable;
  actor: ProjectActor;
  graph: ProjectGraph;
  view: MemberView;
  revision: number;
  at: string;
  opId: string | null;
  changes: ChangeEntry[];
  /** Refuses (and lets the HTTP layer audit) unless core's policy allows; `view` overrides env.view. */
  authorize(op: OpCheck, view?: MemberView): void;
  audit(action: string, target: { type: string; id: string }, before?: unknown, after?: unknown): Promise<void>;
}

export type Handler<T extends OpType> = (env: OpEnv, op: OpOf<T>) => Promise<unknown>;

export interface Applied {
  revision: number;
  result: unknown;
  /** True when this op id had been applied before and the stored result is returned. */
  replayed?: boolean;
}

export async function applyOp(ctx: Ctx, projectId: string, op: Op, opId: string | null = null): Promise<Applied> {
  const applied = await inTransaction(ctx, async (trx) => {
    const actorId = ctx.user?.id;
    const storedResult = async () => {
      if (!opId || !actorId) return undefined;
      const done = await trx.selectFrom('applied_ops').select(['revision', 'result']).where('project_id', '=', projectId).where('actor_id', '=', actorId).where('op_id', '=', opId).executeTakeFirst();
      return done && { revision: Number(done.revision), result: JSON.parse(done.result) as unknown, replayed: true as const };
    };
    // A replay answers without taking a revision.
    const done = await storedResult();
    if (done) return done;
    const revision = await nextRevision(trx, projectId);
    // A concurrent retry of this op may have committed while this one waited for the project's
    // lock (taken by nextRevision): answer its result (the revision taken here stays unused).
    const raced = await storedResult();
    if (raced) return raced;
    const { project, actor } = await loadProjectAccess(ctx, projectId, trx);
    const refusal = (action: string) => ({ studioId: project.studio_id, projectId, action });
    if (!isProjectMember(actor)) check({ allowed: false, error: new BacklotError('not_found', 'project not found') }, refusal(op.type));
    assertProjectWritable(project);
    const graph = await graphAt(trx, projectId, revision - 1);
    const view = memberView(graph, actor);
    const at = ctx.clock.now().toISOString();
    const env: OpEnv = {
      ctx, trx, project, actor, graph, view, revision, at, opId, changes: [],
      authorize: (c, v) => check(authorizeOp(actor, v ?? view, c), refusal(op.type)),
      audit: (action, target, before, after) =>
        appendAudit(trx, { studioId: project.studio_id, projectId, actorId: actor.userId, action, targetType: target.type, targetId: target.id, before, after, ip: ctx.ip }, at),
    };
    const result = await (HANDLERS[op.type] as Handler<OpType>)(env, op as never);
    await writeChanges(trx, projectId, revision, { opId, actorId: actor.userId, at }, env.changes);
    if (opId)
      await trx.insertInto('applied_ops').values({ project_id: projectId, op_id: opId, actor_id: actor.userId, revision, result: JSON.stringify(result ?? null), created_at: at }).execute();
    return { revision, result, replayed: false };
  });
  if (!applied.replayed) ctx.events?.projectChanged(projectId, applied.revision);
  // A purge may leave chunks unreferenced: collect them once it has committed.
  if (!applied.replayed && op.type === 'trash.purge') scheduleGc(ctx, projectId);
  return applied;
}

/**
 * A project change made on behalf of another action (a member leaving the project or the
 * studio), inside that action's transaction: it takes a revision and writes change log + audit
 * like any operation, but its authorization was done by the caller.
 */
export async function applyConsequence<T>(ctx: Ctx, trx: Trx, projectId: string, fn: (env: OpEnv) => Promise<T>): Promise<T> {
  const revision = await nextRevision(trx, projectId);
  const { project, actor } = await loadProjectAccess(ctx, projectId, trx);
  const graph = await graphAt(trx, projectId, revision - 1);
  const at = ctx.clock.now().toISOString();
  let view: MemberView | undefined;
  const env: OpEnv = {
    ctx, trx, project, actor, graph, revision, at, opId: null, changes: [],
    // Most consequences only write change entries: the actor's view is built if one reads it.
    get view() {
      return (view ??= memberView(graph, actor));
    },
    authorize: () => {
      throw new Error('consequences are authorized by the action that causes them');
    },
    audit: (action, target, before, after) =>
      appendAudit(trx, { studioId: project.studio_id, projectId, actorId: actor.userId, action, targetType: target.type, targetId: target.id, before, after, ip: ctx.ip }, at),
  };
  const result = await fn(env);
  await writeChanges(trx, projectId, revision, { opId: null, actorId: actor.userId, at }, env.changes);
  // Live events once the causing action (member removal, ...) has committed.
  afterCommit(trx, () => ctx.events?.projectChanged(projectId, revision));
  return result;
}
