// Recording stored bytes: the project_chunks rows (sizes for usage and quotas, uploader and time
// for presence and garbage collection) and the bytes in the chunk store. The rule: a row claims
// bytes only once they are durable in the store, so presence answered from the rows never points
// at bytes a crash took away. An upload, after the caller verified every blob (decode + SHA-256,
// storage's verifyChunk; the store is handed that proof and does not verify again):
//
//   1. claim: one short transaction takes the project lock, checks the quota for the bytes new to
//      the project, and renews the rows the project already has (created_at = now), so garbage
//      collection, which takes the same lock and only deletes rows older than its grace period,
//      leaves those bytes alone while they are written;
//   2. write: the store writes the bytes durably (fsync, rename, fsync the folder);
//   3. record: a second short transaction under the lock checks the quota again (a concurrent
//      upload may have used it) and upserts the rows (created_by = the uploader).
//
// A patch (storage's encoding 2) also records its bases (chunk_bases). Its bases' rows must exist
// at the claim, which renews them like the rest: from then on garbage collection keeps them, as
// long as the patch lives.
//
// A crash after 2 leaves bytes without rows: the client's retry asks which chunks are missing,
// sends them again and step 3 records them. Rows without bytes (data from before this order, a
// collection killed between deleting bytes and committing, a file removed by hand) are dropped at
// start-up (repair.ts), and checkpoint admission checks the store itself.
import { BacklotError } from '@backlot/core';
import type { ChunkStore, VerifiedChunk } from '@backlot/storage';
import { inTransaction, nowIso, type Ctx, type Trx } from '../context.js';
import type { Db } from '../db/connect.js';
import type { ProjectsTable } from '../db/schema.js';
import { lockProject } from '../db/project-lock.js';
import { storedChecksum } from './stored-checksum.js';

/** IN lists stay within every database's parameter limit. */
export const IN_BATCH = 500;

export function batches<T>(items: readonly T[], size = IN_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
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
  // 1. claim
  const bases = [...new Set(unique.flatMap((b) => b.bases))];
  const fresh = await inTransaction(ctx, async (trx) => {
    await lockProject(trx, project.id);
    const known = await knownIds(trx, project.id, unique);
    await assertRoomFor(trx, project, unique.filter((b) => !known.has(b.id)));
    const stillThere = await knownIds(trx, project.id, bases.map((id) => ({ id })));
    const gone = bases.filter((id) => !stillThere.has(id) && !unique.some((b) => b.id === id));
    if (gone.length)
      throw new BacklotError('missing_chunks', `${gone.length} base chunk(s) of the uploaded patches are no longer on the server; upload those chunks whole`, { missing: gone.slice(0, 100), count: gone.length, reason: 'base_missing' });
    for (const part of batches([...known, ...stillThere]))
      await trx.updateTable('project_chunks').set({ created_at: at }).where('project_id', '=', project.id).where('chunk_id', 'in', part).execute();
    return unique.filter((b) => !known.has(b.id)).map((b) => b.id);
  });
  // 2. write. Bytes without a row are a killed upload's leftovers, possibly in another encoding
  // (a patch against other bases): they go, so what is stored is what step 3 records.
  await store.delete(fresh);
  await store.putVerifiedMany(unique);
  // 3. record: upsert, so a known chunk now counts as this caller's upload too (they just proved
  // they hold its bytes).
  return inTransaction(ctx, async (trx) => {
    await lockProject(trx, project.id);
    const known = await knownIds(trx, project.id, unique);
    const added = unique.filter((b) => !known.has(b.id));
    await assertRoomFor(trx, project, added);
    for (const part of batches(unique, 200)) {
      await trx
        .insertInto('project_chunks')
        .values(part.map((b) => ({ project_id: project.id, chunk_id: b.id, size: b.size, stored_size: b.encoded.length, stored_crc: storedChecksum(b.encoded), created_at: at, created_by: userId })))
        .onConflict((oc) => oc.columns(['project_id', 'chunk_id']).doUpdateSet({ created_at: at, created_by: userId }))
        .execute();
    }
    const baseRows = added.flatMap((b) => b.bases.map((base) => ({ project_id: project.id, chunk_id: b.id, base_id: base })));
    for (const part of batches(baseRows, 200)) await trx.insertInto('chunk_bases').values(part).onConflict((oc) => oc.doNothing()).execute();
    return added.map((b) => b.id);
  });
}

/** Which of the blobs the project has rows for. */
async function knownIds(trx: Trx, projectId: string, blobs: readonly { id: string }[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (const part of batches(blobs.map((b) => b.id))) {
    const rows = await trx.selectFrom('project_chunks').select('chunk_id').where('project_id', '=', projectId).where('chunk_id', 'in', part).execute();
    for (const r of rows) known.add(r.chunk_id);
  }
  return known;
}

/** Refuses (quota_exceeded) when storing these new blobs would pass a quota. */
async function assertRoomFor(trx: Trx, project: Pick<ProjectsTable, 'id' | 'studio_id'>, added: readonly VerifiedBlob[]): Promise<void> {
  const addBytes = added.reduce((n, b) => n + b.encoded.length, 0);
  if (addBytes > 0) await assertWithinQuota(trx, project, addBytes);
}
