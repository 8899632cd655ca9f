// Recording stored bytes: the project_chunks rows (sizes for usage and quotas, uploader and time
// for presence and garbage collection) and the bytes in the chunk store, in an order that keeps
// the two consistent with concurrent garbage collection:
//
//   1. the caller verifies every blob (decode + SHA-256, storage's verifyChunk) before anything is
//      recorded; the store is handed that proof and does not verify a second time;
//   2. one short transaction takes the project lock, checks the quota for the bytes that are new
//      to the project, and upserts the rows (created_at = now, created_by = the uploader);
//   3. the bytes are written to the store (idempotent).
//
// Garbage collection takes the same project lock and only deletes rows older than its grace
// period, deleting their bytes before it commits. So an upload either happens entirely after a
// collection (its row is new, its bytes are written anew) or renews the row before the collector
// looks (the collector skips it). If writing the bytes fails, rows that this call created and
// that nothing references yet are removed again.
import { BacklotError } from '@backlot/core';
import type { ChunkStore, VerifiedChunk } from '@backlot/storage';
import { inTransaction, nowIso, type Ctx, type Trx } from '../context.js';
import type { Db } from '../db/connect.js';
import type { ProjectsTable } from '../db/schema.js';

/** IN lists stay within every database's parameter limit. */
export const IN_BATCH = 500;

export function batches<T>(items: readonly T[], size = IN_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && failed === null) {
      try {
        await fn(items[next++]);
      } catch (err) {
        failed ??= err;
      }
    }
  });
  await Promise.all(runners);
  if (failed !== null) throw failed;
}

/**
 * Serialises content bookkeeping of one project (uploads, checkpoint admission, garbage
 * collection) with every operation on it: a no-op UPDATE of the project row takes its row lock on
 * PostgreSQL and the write lock on SQLite, like applyOp's revision bump does.
 */
export async function lockProject(trx: Trx, projectId: string): Promise<void> {
  await trx.updateTable('projects').set((eb) => ({ revision: eb.ref('revision') })).where('id', '=', projectId).execute();
}

export interface Usage {
  /** Stored (encoded, deduplicated) bytes: what quotas count. */
  bytes: number;
  /** Raw bytes of the same chunks. */
  rawBytes: number;
  chunks: number;
}

export async function projectUsage(exec: Db | Trx, projectId: string): Promise<Usage> {
  const r = await exec
    .selectFrom('project_chunks')
    .select((eb) => [eb.fn.sum<number>('stored_size').as('bytes'), eb.fn.sum<number>('size').as('raw'), eb.fn.countAll<number>().as('n')])
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return { bytes: Number(r?.bytes ?? 0), rawBytes: Number(r?.raw ?? 0), chunks: Number(r?.n ?? 0) };
}

/** A studio's storage: the sum over its projects that are not deleted. */
export async function studioUsage(exec: Db | Trx, studioId: string): Promise<Usage> {
  const r = await exec
    .selectFrom('project_chunks as pc')
    .innerJoin('projects as p', 'p.id', 'pc.project_id')
    .select((eb) => [eb.fn.sum<number>('pc.stored_size').as('bytes'), eb.fn.sum<number>('pc.size').as('raw'), eb.fn.countAll<number>().as('n')])
    .where('p.studio_id', '=', studioId)
    .where('p.deleted_at', 'is', null)
    .executeTakeFirst();
  return { bytes: Number(r?.bytes ?? 0), rawBytes: Number(r?.raw ?? 0), chunks: Number(r?.n ?? 0) };
}

/** The project's and its studio's quotas in bytes (null: none). */
export async function quotasOf(exec: Db | Trx, projectId: string): Promise<{ project: number | null; studio: number | null }> {
  const q = await exec
    .selectFrom('projects as p')
    .innerJoin('studios as s', 's.id', 'p.studio_id')
    .select(['p.quota_bytes as project_quota', 's.quota_bytes as studio_quota'])
    .where('p.id', '=', projectId)
    .executeTakeFirst();
  const bytes = (v: number | string | bigint | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return { project: bytes(q?.project_quota), studio: bytes(q?.studio_quota) };
}

/**
 * Refuses (413 quota_exceeded) when adding `addBytes` would take the project or its studio past
 * its quota. With addBytes = 0 it refuses only when usage is already above a quota (a lowered
 * quota): a checkpoint of chunks already stored adds nothing.
 */
export async function assertWithinQuota(exec: Db | Trx, project: Pick<ProjectsTable, 'id' | 'studio_id'>, addBytes: number): Promise<void> {
  const { project: projectQuota, studio: studioQuota } = await quotasOf(exec, project.id);
  const refuse = (scope: 'project' | 'studio', quota: number, used: number) =>
    new BacklotError('quota_exceeded', `the ${scope}'s storage quota of ${quota} bytes would be exceeded (${used} bytes used, ${addBytes} more needed)`, {
      scope, quotaBytes: quota, usedBytes: used, neededBytes: addBytes,
    });
  if (projectQuota !== null) {
    const used = (await projectUsage(exec, project.id)).bytes;
    if (used + addBytes > projectQuota) throw refuse('project', projectQuota, used);
  }
  if (studioQuota !== null) {
    const used = (await studioUsage(exec, project.studio_id)).bytes;
    if (used + addBytes > studioQuota) throw refuse('studio', studioQuota, used);
  }
}

/**
 * A blob whose encoded bytes were decoded and hashed to its id (storage's VerifiedChunk): it is
 * stored with `putVerified`, so each upload is verified exactly once, on arrival.
 */
export type VerifiedBlob = VerifiedChunk;

/** Parallel writes per request. */
const PUT_CONCURRENCY = 4;

/**
 * Records and stores verified blobs for `userId`. Returns the ids that were new to the project.
 * Throws quota_exceeded before storing anything of this batch.
 */
export async function storeVerifiedBlobs(
  ctx: Ctx, store: ChunkStore, project: Pick<ProjectsTable, 'id' | 'studio_id'>, userId: string, blobs: readonly VerifiedBlob[],
): Promise<string[]> {
  const unique = [...new Map(blobs.map((b) => [b.id, b])).values()];
  if (!unique.length) return [];
  const at = nowIso(ctx);
  const fresh = await inTransaction(ctx, async (trx) => {
    await lockProject(trx, project.id);
    const existing = new Set<string>();
    for (const part of batches(unique.map((b) => b.id))) {
      const rows = await trx.selectFrom('project_chunks').select('chunk_id').where('project_id', '=', project.id).where('chunk_id', 'in', part).execute();
      for (const r of rows) existing.add(r.chunk_id);
    }
    const added = unique.filter((b) => !existing.has(b.id));
    const addBytes = added.reduce((n, b) => n + b.encoded.length, 0);
    if (addBytes > 0) await assertWithinQuota(trx, project, addBytes);
    // Upsert: a known chunk is renewed (grace period) and now counts as this caller's upload,
    // the caller having just proved it holds the bytes.
    for (const part of batches(unique, 200)) {
      await trx
        .insertInto('project_chunks')
        .values(part.map((b) => ({ project_id: project.id, chunk_id: b.id, size: b.size, stored_size: b.encoded.length, created_at: at, created_by: userId })))
        .onConflict((oc) => oc.columns(['project_id', 'chunk_id']).doUpdateSet({ created_at: at, created_by: userId }))
        .execute();
    }
    return added.map((b) => b.id);
  });
  try {
    await eachLimit(unique, PUT_CONCURRENCY, (b) => store.putVerified(b));
  } catch (err) {
    await forgetUnreferenced(ctx, project.id, fresh).catch((cleanupErr) =>
      ctx.log.warn(`could not remove rows of chunks that failed to store in project ${project.id}: ${(cleanupErr as Error).message}`));
    throw err;
  }
  return fresh;
}

/** Removes rows (not bytes) of chunks nothing references; used when storing their bytes failed. */
async function forgetUnreferenced(ctx: Ctx, projectId: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await inTransaction(ctx, async (trx) => {
    await lockProject(trx, projectId);
    for (const part of batches(ids)) {
      await trx
        .deleteFrom('project_chunks')
        .where('project_id', '=', projectId)
        .where('chunk_id', 'in', part)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('checkpoint_chunks as cc').select('cc.seq').whereRef('cc.project_id', '=', 'project_chunks.project_id').whereRef('cc.chunk_id', '=', 'project_chunks.chunk_id'))))
        .execute();
    }
  });
}
