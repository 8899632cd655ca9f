// Facts for content decisions: the caller's project seat and member view (core decides with
// them), and which chunks a caller may know about.
//
// A chunk id is a SHA-256, and a file smaller than one chunk has its file hash as its only
// chunk id; file hashes are metadata that members with view_all may see without being allowed to
// download. So presence is never answered from the store alone: a chunk counts as present for a
// caller only when a live checkpoint of a live asset the caller may download lists it, or when
// the caller uploaded it (proving they hold the bytes). Everything else is "missing", exactly like
// a random hash, and a checkpoint may only list chunks present for its author in this sense.
import { authorizeContent, chunkIsPresentFor, type ContentCheck, type MemberView, type ProjectActor, type ProjectGraph } from '@backlot/core';
import { MAX_CHUNK_SIZE } from '@backlot/storage';
import type { Ctx, Trx } from '../context.js';
import type { Db } from '../db/connect.js';
import type { ProjectsTable } from '../db/schema.js';
import { check, loadProjectAccess } from '../access/access.js';
import { graphAt } from '../projection/graph-cache.js';
import type { IndexedAsset } from '../projection/asset-index.js';
import { viewOf } from '../projection/read-context.js';
import { batches } from './blobs.js';

export interface ContentAccess {
  project: ProjectsTable;
  actor: ProjectActor;
  view: MemberView;
  /** The project's structure the view was computed from (folders of shared files). */
  graph: ProjectGraph<IndexedAsset>;
}

/** The caller's seat and view of a project, as of its current revision. */
export async function loadContentAccess(ctx: Ctx, projectId: string): Promise<ContentAccess> {
  const { project, actor } = await loadProjectAccess(ctx, projectId);
  const revision = Number(project.revision);
  // The view reads memoise per revision: chunk checks and fetches in a row share one closure.
  const graph = await graphAt(ctx.db, projectId, revision);
  return { project, actor, view: viewOf(graph, revision, actor), graph };
}

/** Refuses (audited by the HTTP layer) unless core's content policy allows. */
export function authorizeContentAccess(access: ContentAccess, c: ContentCheck): void {
  check(authorizeContent(access.actor, access.view, c), { studioId: access.project.studio_id, projectId: access.project.id, action: c.kind });
}

/** The subset of `ids` listed by a live checkpoint of a live asset that `view` may download. */
export async function downloadableChunks(exec: Db | Trx, projectId: string, view: MemberView, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of batches([...new Set(ids)])) {
    const rows = await exec
      .selectFrom('checkpoint_chunks as cc')
      .innerJoin('checkpoints as c', 'c.id', 'cc.checkpoint_id')
      .innerJoin('assets as a', 'a.id', 'c.asset_id')
      .select(['cc.chunk_id', 'c.asset_id'])
      .distinct()
      .where('cc.project_id', '=', projectId)
      .where('cc.chunk_id', 'in', part)
      .where('c.deleted_at', 'is', null)
      .where('a.deleted_at', 'is', null)
      .execute();
    for (const r of rows) if (view.canDownload(r.asset_id)) out.add(r.chunk_id);
  }
  return out;
}

/**
 * The chunks of `ids` present for the caller (see the header), with their raw sizes. Blobs larger
 * than a chunk (preview images) are never chunks.
 */
export async function chunksPresentFor(
  exec: Db | Trx, projectId: string, userId: string, view: MemberView, ids: readonly string[],
): Promise<Map<string, number>> {
  const rows = new Map<string, { size: number; uploadedBy: string | null }>();
  for (const part of batches([...new Set(ids)])) {
    const found = await exec.selectFrom('project_chunks').select(['chunk_id', 'size', 'created_by']).where('project_id', '=', projectId).where('chunk_id', 'in', part).execute();
    for (const r of found) if (Number(r.size) <= MAX_CHUNK_SIZE) rows.set(r.chunk_id, { size: Number(r.size), uploadedBy: r.created_by });
  }
  // Which chunks are listed by downloadable checkpoints is only asked for the ones that need it.
  const others = [...rows].filter(([, r]) => r.uploadedBy !== userId).map(([id]) => id);
  const downloadable = others.length ? await downloadableChunks(exec, projectId, view, others) : new Set<string>();
  const present = new Map<string, number>();
  for (const [id, r] of rows) if (chunkIsPresentFor(userId, r, downloadable.has(id))) present.set(id, r.size);
  return present;
}
