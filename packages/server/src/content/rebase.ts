// Keeping every file's newest version whole ("reverse deltas", as git's packs do). Clients upload a
// new version as patches against the previous one: small on the wire. Once its checkpoint is
// admitted, this turns it around in the background: each of the new version's patch chunks is
// stored whole, and each of its bases (the previous version, stored whole until now) becomes a
// patch against it. Restoring the newest version then reads whole chunks, as fast as before
// patches existed; older versions decode through chains that stay within MAX_PATCH_DEPTH; what is
// stored stays about one whole version plus small patches.
//
// A base stays whole when it is the newest version of some other file (a copy), when the chains
// resting on it already have the maximum length (it becomes a "key"), or when the patch would not
// be much smaller.
//
// Every step leaves every chunk decodable, whenever the process dies:
//   1. a patch chunk C is replaced by its whole encoding (the same bytes), then its chunk_bases
//      rows go; a row left by a crash only keeps a base longer;
//   2. for a base B turned into a patch on C, the row B -> C is committed first, then B's
//      encoding is replaced. A crash between them leaves a row without need (harmless), never a
//      patch whose base garbage collection could take.
// Encodings change outside the project lock (readers see one encoding or the other); rows and
// stored sizes change inside it, as garbage collection reads them under it.
//
// A newest version can also be left as patches: by a server that stopped (or died) before its
// rebase ran, or when it becomes the newest again (the version after it deleted, or restored from
// the trash). Those are found by what is stored (pendingRebases), not by a queue that a kill
// could lose: at start-up and after such operations.
import { sql } from 'kysely';
import {
  BaseCache, basesFrom, encodeChunk, encodePatch, MAX_PATCH_DEPTH, PATCH_GAIN, patchHeaderOf, verifyMadeHere, type VerifiedChunk,
} from '@backlot/storage';
import { inTransaction, type AppDeps, type Trx } from '../context.js';
import { lockProject } from '../db/project-lock.js';
import { isStopping, track } from './background.js';
import { batches } from './blobs.js';
import { storedChecksum } from './stored-checksum.js';

export interface RebaseResult {
  /** Patch chunks now stored whole. */
  madeWhole: number;
  /** Bases now stored as patches against them. */
  madePatches: number;
}

/** Chunks re-encoded per group: each group's writes share one sync of the store and one transaction. */
const GROUP = 64;

/** Stores the chunks of checkpoint `checkpointId` whole and its previous version as patches on them. */
export async function rebaseCheckpoint(deps: AppDeps, projectId: string, checkpointId: string): Promise<RebaseResult> {
  const result: RebaseResult = { madeWhole: 0, madePatches: 0 };
  const listed = new Set(
    (await deps.db.selectFrom('checkpoint_chunks').select('chunk_id').where('checkpoint_id', '=', checkpointId).execute()).map((r) => r.chunk_id),
  );
  if (!listed.size) return result;
  const basesOf = new Map<string, string[]>();
  for (const part of batches([...listed])) {
    const rows = await deps.db.selectFrom('chunk_bases').select(['chunk_id', 'base_id']).where('project_id', '=', projectId).where('chunk_id', 'in', part).execute();
    for (const r of rows) basesOf.set(r.chunk_id, [...(basesOf.get(r.chunk_id) ?? []), r.base_id]);
  }
  const store = deps.chunks.store(projectId);
  const read = basesFrom(store, new BaseCache(64 * 1024 * 1024));
  const locked = (fn: (trx: Trx) => Promise<void>) =>
    inTransaction(deps, async (trx) => {
      await lockProject(trx, projectId);
      await fn(trx);
    });
  const setSizes = async (trx: Trx, chunks: readonly VerifiedChunk[]) => {
    for (const c of chunks) await trx.updateTable('project_chunks').set({ stored_size: c.encoded.length, stored_crc: storedChecksum(c.encoded) }).where('project_id', '=', projectId).where('chunk_id', '=', c.id).execute();
  };

  for (const group of batches([...basesOf.keys()], GROUP)) {
    if (isStopping(deps.chunks)) break; // every group leaves a consistent state; the next start finishes
    // 1. The new version whole: durable first, then its rows go.
    const wholes: VerifiedChunk[] = [];
    const raws = new Map<string, Buffer>();
    for (const id of group) {
      const encoded = await store.get(id);
      if (!encoded || !patchHeaderOf(encoded)) continue; // already whole (an earlier run)
      const { raw } = await read(id);
      raws.set(id, raw);
      wholes.push(verifyMadeHere(id, encodeChunk(raw), raw));
    }
    await store.replaceVerifiedMany(wholes);
    await locked(async (trx) => {
      for (const part of batches(group)) await trx.deleteFrom('chunk_bases').where('project_id', '=', projectId).where('chunk_id', 'in', part).execute();
      await setSizes(trx, wholes);
    });
    result.madeWhole += wholes.length;

    // 2. The previous version as patches on it: rows first, then the encodings.
    const patches: VerifiedChunk[] = [];
    for (const id of raws.keys()) {
      for (const base of basesOf.get(id)!) {
        if (listed.has(base) || patches.some((p) => p.id === base)) continue;
        const old = await store.get(base);
        if (!old || patchHeaderOf(old)) continue; // gone, or already part of a chain
        if ((await newestSomewhere(deps, projectId, base)) || (await chainsResting(deps, projectId, base)) + 1 > MAX_PATCH_DEPTH) continue;
        const onto = { id, raw: raws.get(id)!, depth: 0 };
        const baseRaw = (await read(base)).raw;
        const patch = encodePatch(baseRaw, [onto]);
        if (!patch || patch.length > old.length * PATCH_GAIN) continue;
        patches.push(verifyMadeHere(base, patch, baseRaw, [onto]));
      }
    }
    if (!patches.length) continue;
    await locked(async (trx) => {
      const rows = patches.flatMap((p) => p.bases.map((b) => ({ project_id: projectId, chunk_id: p.id, base_id: b })));
      for (const part of batches(rows, 200)) await trx.insertInto('chunk_bases').values(part).onConflict((oc) => oc.doNothing()).execute();
    });
    await store.replaceVerifiedMany(patches);
    await locked((trx) => setSizes(trx, patches));
    result.madePatches += patches.length;
  }
  return result;
}

/** Whether `chunkId` belongs to the newest live checkpoint of a live asset (which must stay fast to restore). */
async function newestSomewhere(deps: AppDeps, projectId: string, chunkId: string): Promise<boolean> {
  const r = await sql<{ one: number }>`
    SELECT 1 AS one FROM checkpoint_chunks cc
    JOIN checkpoints c ON c.id = cc.checkpoint_id
    JOIN assets a ON a.id = c.asset_id
    WHERE cc.project_id = ${projectId} AND cc.chunk_id = ${chunkId} AND c.deleted_at IS NULL AND a.deleted_at IS NULL
      AND c.number = (SELECT MAX(c2.number) FROM checkpoints c2 WHERE c2.asset_id = c.asset_id AND c2.deleted_at IS NULL)
    LIMIT 1`.execute(deps.db);
  return r.rows.length > 0;
}

/** The longest chain of stored patches resting on `chunkId` (0: none). */
async function chainsResting(deps: AppDeps, projectId: string, chunkId: string): Promise<number> {
  const r = await sql<{ h: number | string | null }>`
    WITH RECURSIVE dep(id, h) AS (
      SELECT chunk_id, 1 FROM chunk_bases WHERE project_id = ${projectId} AND base_id = ${chunkId}
      UNION ALL
      SELECT cb.chunk_id, dep.h + 1 FROM chunk_bases cb JOIN dep ON cb.base_id = dep.id
      WHERE cb.project_id = ${projectId} AND dep.h < ${2 * MAX_PATCH_DEPTH}
    )
    SELECT MAX(h) AS h FROM dep`.execute(deps.db);
  return Number(r.rows[0]?.h ?? 0);
}

/** Newest live versions of live files with chunks still stored as patches, in the order they were made. */
export async function pendingRebases(deps: AppDeps, projectId?: string): Promise<{ projectId: string; checkpointId: string }[]> {
  const r = await sql<{ project_id: string; id: string; created_at: string }>`
    SELECT DISTINCT c.project_id, c.id, c.created_at FROM chunk_bases cb
    JOIN checkpoint_chunks cc ON cc.project_id = cb.project_id AND cc.chunk_id = cb.chunk_id
    JOIN checkpoints c ON c.id = cc.checkpoint_id
    JOIN assets a ON a.id = c.asset_id
    WHERE c.deleted_at IS NULL AND a.deleted_at IS NULL
      AND c.number = (SELECT MAX(c2.number) FROM checkpoints c2 WHERE c2.asset_id = c.asset_id AND c2.deleted_at IS NULL)
      ${projectId === undefined ? sql`` : sql`AND cb.project_id = ${projectId}`}
    ORDER BY c.project_id, c.created_at, c.id`.execute(deps.db);
  return r.rows.map((row) => ({ projectId: row.project_id, checkpointId: row.id }));
}

// ---- background runs ------------------------------------------------------------------------------

/** One rebase at a time per project, in the order they were asked for. */
const queued = new Map<string, Promise<unknown>>();

function enqueue(deps: AppDeps, projectId: string, what: string, work: () => Promise<unknown>): void {
  const previous = queued.get(projectId) ?? Promise.resolve();
  const run: Promise<unknown> = previous
    .catch(() => {})
    .then(() => (isStopping(deps.chunks) ? undefined : work()))
    .catch((err) => deps.log.error(`${what} of project ${projectId} failed (its chunks stay as they are stored)`, err))
    .finally(() => {
      if (queued.get(projectId) === run) queued.delete(projectId);
    });
  queued.set(projectId, run);
  track(deps.chunks, run);
}

/** Rebases a newly admitted checkpoint soon, without holding up its request; failures are logged. */
export function scheduleRebase(deps: AppDeps, projectId: string, checkpointId: string): void {
  enqueue(deps, projectId, `rebasing checkpoint ${checkpointId}`, () => rebaseCheckpoint(deps, projectId, checkpointId));
}

/** After an operation that may make an older version the newest again: rebases whichever are left as patches. */
export function scheduleNewestWhole(deps: AppDeps, projectId: string): void {
  enqueue(deps, projectId, 'rebasing the newest versions', async () => {
    for (const { checkpointId } of await pendingRebases(deps, projectId)) {
      if (isStopping(deps.chunks)) return;
      await rebaseCheckpoint(deps, projectId, checkpointId);
    }
  });
}

/** At start-up: schedules the rebases a stopped server left pending; answers how many. */
export async function resumeRebases(deps: AppDeps): Promise<number> {
  const pending = await pendingRebases(deps);
  for (const { projectId, checkpointId } of pending) scheduleRebase(deps, projectId, checkpointId);
  return pending.length;
}
