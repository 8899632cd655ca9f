// What a checkpoint operation needs from the content store, inside applyOp's transaction:
//   - admission: every listed chunk is present *for the author* (access.ts: uploaded by them, or
//     listed by a checkpoint they may download) and its bytes are in the chunk store (a record
//     alone is not trusted with someone's work: repair.ts), the declared size is the sum of the chunks' raw
//     sizes, a preview hash names an image the author may use, and the project is not above a
//     storage quota (a checkpoint of stored chunks adds no bytes; see docs/content.md);
//   - the ordered chunk list as checkpoint_chunks rows (batched), copied by a revert.
import { BacklotError, previewIsUsableBy } from '@backlot/core';
import type { OpEnv } from './env.js';
import { chunksPresentFor } from '../content/access.js';
import { assertWithinQuota, batches } from '../content/blobs.js';
import { scheduleRowRepair } from '../content/repair.js';

/** Missing ids listed in the error details at most (the count is always exact). */
const MAX_LISTED_MISSING = 10_000;
const ROWS_PER_INSERT = 1000;

export async function admitCheckpointContent(env: OpEnv, op: { chunks: string[]; size: number; previewHash?: string | null }): Promise<void> {
  const present = await chunksPresentFor(env.trx, env.project.id, env.actor.userId, env.view, op.chunks);
  const missing = [...new Set(op.chunks)].filter((id) => !present.has(id));
  if (missing.length)
    throw new BacklotError('missing_chunks', `${missing.length} of the checkpoint's chunks are not on the server; upload them, then retry`, {
      missing: missing.slice(0, MAX_LISTED_MISSING), count: missing.length,
    });
  await assertChunksStored(env, [...present.keys()]);
  let total = 0;
  for (const id of op.chunks) total += present.get(id)!;
  if (total !== op.size)
    throw new BacklotError('validation_failed', `size ${op.size} is not the total size of the listed chunks (${total})`, { field: 'size', expected: total });
  if (op.previewHash) await assertPreviewUsable(env, op.previewHash);
  await assertWithinQuota(env.trx, env.project, 0);
}

/** A preview hash must name an image the caller may use (core's previewIsUsableBy). */
export async function assertPreviewUsable(env: OpEnv, hash: string): Promise<void> {
  const row = await env.trx.selectFrom('project_chunks').select('created_by').where('project_id', '=', env.project.id).where('chunk_id', '=', hash).executeTakeFirst();
  const shownOn = row && row.created_by !== env.actor.userId
    ? await env.trx
      .selectFrom('checkpoints')
      .select('asset_id')
      .where('project_id', '=', env.project.id)
      .where('preview_hash', '=', hash)
      .where('deleted_at', 'is', null)
      .execute()
    : [];
  if (row && previewIsUsableBy(env.actor.userId, { uploadedBy: row.created_by }, shownOn.map((c) => c.asset_id), env.view)) return;
  throw new BacklotError('missing_chunks', 'the preview image is not on the server; upload it first', { missing: [hash], count: 1, field: 'previewHash' });
}

/**
 * Refuses (missing_chunks) a checkpoint listing chunks whose bytes the store lacks, and has their
 * records dropped once this operation has rolled back, so the client's next check asks for them.
 */
async function assertChunksStored(env: OpEnv, ids: readonly string[]): Promise<void> {
  const stored = await env.ctx.chunks.store(env.project.id).has(ids);
  const lost = ids.filter((id) => !stored.has(id));
  if (!lost.length) return;
  scheduleRowRepair(env.ctx, env.project.id, lost);
  throw new BacklotError('missing_chunks', `${lost.length} of the checkpoint's chunks are not on the server; upload them, then retry`, {
    missing: lost.slice(0, MAX_LISTED_MISSING), count: lost.length,
  });
}

export async function recordCheckpointChunks(env: OpEnv, checkpointId: string, chunks: readonly string[]): Promise<void> {
  const rows = chunks.map((chunkId, seq) => ({ checkpoint_id: checkpointId, seq, project_id: env.project.id, chunk_id: chunkId }));
  for (const part of batches(rows, ROWS_PER_INSERT)) await env.trx.insertInto('checkpoint_chunks').values(part).execute();
}

/** A revert's new checkpoint lists exactly the old one's chunks, which must still be stored. */
export async function copyCheckpointChunks(env: OpEnv, fromId: string, toId: string): Promise<void> {
  const rows = await env.trx.selectFrom('checkpoint_chunks').select(['seq', 'chunk_id']).where('checkpoint_id', '=', fromId).orderBy('seq').execute();
  const chunks = rows.map((r) => r.chunk_id);
  await assertChunksStored(env, [...new Set(chunks)]);
  await recordCheckpointChunks(env, toId, chunks);
}
