// Many checkpoint manifests in one answer: a clone or sync that writes thousands of files asks
// for their chunk lists in a few requests, not one round trip each. Every id is decided on its
// own by core's rule for one manifest (content.download on a visible asset): an unknown,
// deleted or invisible checkpoint is `not_found` (one answer for all three, so ids reveal
// nothing), a visible one the caller may not download is `forbidden`. Refusals do not fail the
// request: a role may see files it may not download, and a client learns which only by asking.
// So `forbidden` alone is routine (every sync of such a member has some) and is not audited,
// while a request naming checkpoints the caller cannot see (a tampered client, or a checkpoint
// deleted since the pull) is, once per request.
import { authorizeContent, notFound, type CheckpointManifest, type CheckpointManifests } from '@backlot/core';
import { appendAudit } from '../audit/log.js';
import { inTransaction, type Ctx } from '../context.js';
import { authorizeContentAccess, loadContentAccess } from './access.js';
import { batches } from './blobs.js';
import { chunkListsOf, fileNameOf } from './files.js';

/** Ids per request. */
export const MAX_MANIFEST_IDS = 1000;
/** Chunks per answer (about 100 bytes of JSON each); manifests past it are deferred. */
export const MAX_MANIFEST_CHUNKS = 100_000;

export async function checkpointManifests(ctx: Ctx, projectId: string, ids: readonly string[], route: string): Promise<CheckpointManifests> {
  const access = await loadContentAccess(ctx, projectId);
  authorizeContentAccess(access, { kind: 'chunks.check' });
  const asked = [...new Set(ids)];

  const found = new Map<string, { assetId: string; fileName: string; fileHash: string; size: number; chunkCount: number }>();
  for (const part of batches(asked)) {
    const rows = await ctx.db
      .selectFrom('checkpoints as c')
      .innerJoin('assets as a', 'a.id', 'c.asset_id')
      .select(['c.id', 'c.asset_id', 'c.file_hash', 'c.size', 'a.name', 'a.extension'])
      .select((eb) => eb.selectFrom('checkpoint_chunks as cc').select((e) => e.fn.countAll().as('n')).whereRef('cc.checkpoint_id', '=', 'c.id').as('chunk_count'))
      .where('c.project_id', '=', projectId)
      .where('c.id', 'in', part)
      .where('c.deleted_at', 'is', null)
      .where('a.deleted_at', 'is', null)
      .execute();
    for (const r of rows)
      found.set(r.id, { assetId: r.asset_id, fileName: fileNameOf(r), fileHash: r.file_hash, size: Number(r.size), chunkCount: Number(r.chunk_count ?? 0) });
  }

  const answer: CheckpointManifests = { manifests: [], refused: [], deferred: [] };
  const allowed: { id: string; chunks: number }[] = [];
  for (const id of asked) {
    const cp = found.get(id);
    const decision = cp ? authorizeContent(access.actor, access.view, { kind: 'content.download', assetId: cp.assetId }) : null;
    if (cp && decision?.allowed) allowed.push({ id, chunks: cp.chunkCount });
    else {
      const error = decision && !decision.allowed ? decision.error : notFound('checkpoint');
      answer.refused.push({ id, code: error.code === 'forbidden' ? 'forbidden' : 'not_found', message: error.message });
    }
  }
  const { granted, deferred } = withinChunkBound(allowed, MAX_MANIFEST_CHUNKS);
  answer.deferred = deferred;

  const lists = await chunkListsOf(ctx.db, granted);
  for (const id of granted) {
    const { chunkCount: _, ...cp } = found.get(id)!;
    const manifest: CheckpointManifest = { id, ...cp, chunks: lists.get(id)! };
    answer.manifests.push(manifest);
  }
  if (answer.refused.some((r) => r.code === 'not_found')) await auditRefused(ctx, access.project.studio_id, projectId, route, answer.refused);
  return answer;
}

/** The leading manifests whose chunks stay within `bound` (always at least one); the rest deferred. */
export function withinChunkBound(manifests: readonly { id: string; chunks: number }[], bound: number): { granted: string[]; deferred: string[] } {
  const granted: string[] = [];
  let total = 0;
  for (const m of manifests) {
    if (granted.length > 0 && total + m.chunks > bound) break;
    granted.push(m.id);
    total += m.chunks;
  }
  return { granted, deferred: manifests.slice(granted.length).map((m) => m.id) };
}

/** One entry per request: a client asking for ids it should not know shows up in the log. */
async function auditRefused(ctx: Ctx, studioId: string, projectId: string, route: string, refused: CheckpointManifests['refused']): Promise<void> {
  const count = (code: string) => refused.filter((r) => r.code === code).length;
  await inTransaction(ctx, (trx) => appendAudit(trx, {
    studioId, projectId, actorId: ctx.user!.id, action: 'request.refused', targetType: 'route', targetId: route,
    after: { action: 'content.download', notFound: count('not_found'), forbidden: count('forbidden'), ids: refused.slice(0, 20).map((r) => r.id) },
    ip: ctx.ip,
  }, ctx.clock.now().toISOString()));
}
