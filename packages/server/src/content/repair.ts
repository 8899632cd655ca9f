// Rows that claim bytes the chunk store does not have. Uploads write bytes before rows
// (blobs.ts), so a crash cannot make one; but data written before that order, a garbage
// collection killed between deleting bytes and committing, or a chunk file removed by hand can.
// Such a row would tell a client the chunk is present, so it would never send it again and a
// checkpoint listing it could never be downloaded. Dropping the row makes the chunk "missing":
// the next publish that needs it uploads it, and every checkpoint listing it is whole again.
//
// - At start-up, every project's rows are merged with its store's listing (both in ascending id
//   order, so memory stays one page) and the temp files of killed writers are removed.
// - When checkpoint admission finds a listed chunk absent from the store, its row is dropped in
//   the background, once the refused operation has rolled back.
//
// A row is only dropped after the store is asked again under the project lock: an upload records
// its rows under that lock only once its bytes are durable, so a row seen then without bytes
// really has none.
import type { ChunkStore } from '@backlot/storage';
import { inTransaction, type AppDeps } from '../context.js';
import { lockProject } from '../db/project-lock.js';
import { batches } from './blobs.js';
import { track } from './background.js';

const PAGE = 1000;

export interface RepairReport {
  projects: number;
  rows: number;
  /** Rows dropped because their bytes were absent. */
  dropped: number;
  /** Temp files of killed writers removed. */
  tempFiles: number;
}

/** Checks every project's rows against its store; logs what it dropped. */
export async function repairContent(deps: AppDeps): Promise<RepairReport> {
  const report: RepairReport = { projects: 0, rows: 0, dropped: 0, tempFiles: 0 };
  const projects = await deps.db.selectFrom('projects').select('id').orderBy('id').execute();
  for (const { id } of projects) {
    const store = deps.chunks.store(id);
    report.projects++;
    report.tempFiles += await store.cleanTemp({ olderThanMs: 60 * 60 * 1000, deadWriters: true });
    const { rows, absent } = await rowsWithoutBytes(deps, id, store);
    report.rows += rows;
    if (!absent.length) continue;
    const dropped = await dropRowsWithoutBytes(deps, id, store, absent);
    report.dropped += dropped.length;
    if (dropped.length) {
      const broken = await checkpointsListing(deps, id, dropped);
      deps.log.warn(`project ${id}: ${dropped.length} stored chunk(s) were missing from the chunk store; their records were dropped so that clients upload them again`
        + (broken ? ` (${broken} checkpoint(s) list them and cannot be downloaded until then)` : ''));
    }
  }
  return report;
}

/** Rows of the project whose ids the store does not list: a merge of two ascending sequences. */
async function rowsWithoutBytes(deps: AppDeps, projectId: string, store: ChunkStore): Promise<{ rows: number; absent: string[] }> {
  const listing = store.list()[Symbol.asyncIterator]();
  let stored = await listing.next();
  const absent: string[] = [];
  let rows = 0;
  let after = '';
  for (;;) {
    const page = await deps.db
      .selectFrom('project_chunks').select('chunk_id')
      .where('project_id', '=', projectId).where('chunk_id', '>', after)
      .orderBy('chunk_id').limit(PAGE).execute();
    for (const { chunk_id: id } of page) {
      rows++;
      while (!stored.done && stored.value < id) stored = await listing.next();
      if (stored.done || stored.value !== id) absent.push(id);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1].chunk_id;
  }
  await listing.return?.();
  return { rows, absent };
}

/** Drops the rows of `ids` whose bytes the store still lacks, under the project lock. */
export async function dropRowsWithoutBytes(deps: AppDeps, projectId: string, store: ChunkStore, ids: readonly string[]): Promise<string[]> {
  const dropped: string[] = [];
  for (const part of batches(ids)) {
    await inTransaction(deps, async (trx) => {
      await lockProject(trx, projectId);
      const present = await store.has(part);
      const gone = part.filter((id) => !present.has(id));
      if (!gone.length) return;
      await trx.deleteFrom('project_chunks').where('project_id', '=', projectId).where('chunk_id', 'in', gone).execute();
      dropped.push(...gone);
    });
  }
  return dropped;
}

async function checkpointsListing(deps: AppDeps, projectId: string, chunkIds: readonly string[]): Promise<number> {
  const checkpoints = new Set<string>();
  for (const part of batches(chunkIds)) {
    const rows = await deps.db.selectFrom('checkpoint_chunks').select('checkpoint_id').distinct().where('project_id', '=', projectId).where('chunk_id', 'in', part).execute();
    for (const r of rows) checkpoints.add(r.checkpoint_id);
  }
  return checkpoints.size;
}

/** Drops, in the background, the rows of chunks that admission found absent from the store. */
export function scheduleRowRepair(deps: AppDeps, projectId: string, ids: readonly string[]): void {
  // It waits for the project lock, which the current (refused, rolling back) transaction holds.
  const work = dropRowsWithoutBytes(deps, projectId, deps.chunks.store(projectId), ids)
    .then((dropped) => {
      if (dropped.length) deps.log.warn(`project ${projectId}: ${dropped.length} stored chunk(s) were missing from the chunk store; their records were dropped so that clients upload them again`);
    })
    .catch((err) => deps.log.error(`project ${projectId}: could not drop the records of chunks missing from the store`, err));
  track(deps.chunks, work);
}
