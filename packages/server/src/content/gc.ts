// Garbage collection of a project's stored blobs (chunks and preview images).
//
// A blob survives while any surviving checkpoint references it: live or in the trash (only a
// purge ends a checkpoint), through its chunk list (checkpoint_chunks) or as its preview
// (checkpoints.preview_hash), and while a stored patch names it as a base (chunk_bases). A base
// freed by deleting its last patch goes in a later pass of the same run. An unreferenced blob is only deleted once its row is older than the
// grace period, so chunks uploaded for a checkpoint that is not created yet are safe; re-uploading
// a chunk renews its row (blobs.ts).
//
// Each round runs in one transaction holding the project lock (change-log.ts lockProject, also taken
// by uploads and, through the revision bump, by every operation): it picks up to ROUND candidates,
// deletes their rows, deletes their bytes, and commits. If deleting bytes fails the transaction
// rolls back and the rows stay (the next run retries).
import type { AppDeps } from '../context.js';
import { inTransaction } from '../context.js';
import { lockProject } from '../db/project-lock.js';
import { track } from './background.js';

export const GC_GRACE_MS = 60 * 60 * 1000;
const ROUND = 500;

export interface GcResult {
  deleted: number;
  bytes: number;
}

export interface GcOptions {
  /** Blobs whose row is younger than this are kept (default GC_GRACE_MS). */
  graceMs?: number;
  /** Blobs examined per transaction (default 500; small values exercise the paging in tests). */
  roundSize?: number;
}

export async function gc(deps: AppDeps, projectId: string, options: GcOptions = {}): Promise<GcResult> {
  const graceMs = options.graceMs ?? GC_GRACE_MS;
  const cutoff = new Date(deps.clock.now().getTime() - graceMs).toISOString();
  const store = deps.chunks.store(projectId);
  const roundSize = Math.max(1, options.roundSize ?? ROUND);
  const result: GcResult = { deleted: 0, bytes: 0 };
  // Candidates are walked in id order; previews (checked in memory: checkpoints has no index on
  // preview_hash) are skipped by moving the cursor past them.
  // Temp files of writers killed mid-upload (their age is measured by the file system, not the
  // server's clock).
  await store.cleanTemp({ olderThanMs: GC_GRACE_MS });
  let after = '';
  // Set when a deleted patch named bases: they may have become garbage behind the cursor.
  let freedBases = false;
  for (;;) {
    const round = await inTransaction(deps, async (trx) => {
      await lockProject(trx, projectId);
      const candidates = await trx
        .selectFrom('project_chunks as pc')
        .select(['pc.chunk_id', 'pc.stored_size'])
        .where('pc.project_id', '=', projectId)
        .where('pc.chunk_id', '>', after)
        .where('pc.created_at', '<', cutoff)
        .where(({ not, exists, selectFrom }) => not(exists(
          selectFrom('checkpoint_chunks as cc').select('cc.seq').whereRef('cc.project_id', '=', 'pc.project_id').whereRef('cc.chunk_id', '=', 'pc.chunk_id'),
        )))
        .where(({ not, exists, selectFrom }) => not(exists(
          selectFrom('chunk_bases as cb').select('cb.chunk_id').whereRef('cb.project_id', '=', 'pc.project_id').whereRef('cb.base_id', '=', 'pc.chunk_id'),
        )))
        .orderBy('pc.chunk_id')
        .limit(roundSize)
        .execute();
      if (!candidates.length) return null;
      const previews = new Set(
        (await trx.selectFrom('checkpoints').select('preview_hash').distinct().where('project_id', '=', projectId).where('preview_hash', 'is not', null).execute())
          .map((r) => r.preview_hash),
      );
      const victims = candidates.filter((c) => !previews.has(c.chunk_id));
      const ids = victims.map((v) => v.chunk_id);
      if (ids.length) {
        await trx.deleteFrom('project_chunks').where('project_id', '=', projectId).where('chunk_id', 'in', ids).execute();
        freedBases = (await trx.deleteFrom('chunk_bases').where('project_id', '=', projectId).where('chunk_id', 'in', ids).executeTakeFirst()).numDeletedRows > 0n || freedBases;
        await store.delete(ids);
      }
      return { last: candidates[candidates.length - 1].chunk_id, full: candidates.length === roundSize, deleted: ids.length, bytes: victims.reduce((n, v) => n + Number(v.stored_size), 0) };
    });
    if (round) {
      result.deleted += round.deleted;
      result.bytes += round.bytes;
      if (round.full) {
        after = round.last;
        continue;
      }
    }
    if (!freedBases) return result;
    freedBases = false;
    after = '';
  }
}

// ---- background runs (after a purge) ------------------------------------------------------------

/** One run per project at a time; a request during a run schedules exactly one more. */
const queued = new Map<string, Promise<unknown>>();

/** Collects a project's garbage soon, without holding up the caller; failures are logged. */
export function scheduleGc(deps: AppDeps, projectId: string): void {
  const previous = queued.get(projectId);
  const run: Promise<unknown> = (previous ?? Promise.resolve())
    .catch(() => {})
    .then(() => gc(deps, projectId))
    .catch((err) => deps.log.error(`garbage collection of project ${projectId} failed`, err))
    .finally(() => {
      if (queued.get(projectId) === run) queued.delete(projectId);
    });
  queued.set(projectId, run);
  track(deps.chunks, run);
}
