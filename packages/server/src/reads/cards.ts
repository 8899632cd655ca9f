// Asset cards, the shape the board and the lists answer with: the asset's view, its assignee's
// name, its folder, a summary of its latest checkpoint and its cover. Three queries for a whole
// page, whatever its size. Checkpoint details need checkpoint.view; callers pass only ids the
// member may see.
import { authorizeRead } from '@backlot/core';
import type { Reader } from '../projection/read-context.js';
import { assetView, type AssetView } from '../db/views.js';
import { folderPaths } from '../projection/folder-paths.js';

export interface CheckpointSummary {
  id: string;
  number: number;
  createdAt: string;
  previewHash: string | null;
}

export interface Card extends AssetView {
  assigneeName: string | null;
  /** The collections above it, top first, joined by "/" (null at the project's top level). */
  folder: string | null;
  latestCheckpoint: CheckpointSummary | null;
  /** The cover image: the chosen cover checkpoint's preview, else the latest one's, if any. */
  cover: { checkpointId: string; previewHash: string } | null;
}

const IN_CHUNK = 500;

export async function loadCards(r: Reader, ids: string[]): Promise<Card[]> {
  if (!ids.length) return [];
  const db = r.ctx.db;
  const rows = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    rows.push(...(await db
      .selectFrom('assets as a')
      .leftJoin('users as u', 'u.id', 'a.assignee_id')
      .selectAll('a')
      .select('u.name as assignee_name')
      .select((eb) => eb
        .selectFrom('checkpoints as c').select('c.id')
        .whereRef('c.asset_id', '=', 'a.id').where('c.deleted_at', 'is', null)
        .orderBy('c.number', 'desc').limit(1)
        .as('latest_checkpoint_id'))
      // By id alone (project and trash are checked below): a planner without statistics would
      // rather walk a project-wide index than look ids up.
      .where('a.id', 'in', ids.slice(i, i + IN_CHUNK))
      .execute()).filter((a) => a.project_id === r.project.id && a.deleted_at === null));
  }
  const checkpoints = new Map<string, CheckpointSummary>();
  if (authorizeRead(r.actor, 'checkpoint.view').allowed) {
    const wanted = [...new Set(rows.flatMap((a) => [a.latest_checkpoint_id, a.cover_checkpoint_id]).filter((x): x is string => !!x))];
    for (let i = 0; i < wanted.length; i += IN_CHUNK) {
      const cps = await db.selectFrom('checkpoints').select(['id', 'number', 'created_at', 'preview_hash'])
        .where('id', 'in', wanted.slice(i, i + IN_CHUNK)).where('deleted_at', 'is', null).execute();
      for (const c of cps) checkpoints.set(c.id, { id: c.id, number: Number(c.number), createdAt: c.created_at, previewHash: c.preview_hash });
    }
  }
  const folderOf = await folderPaths(r, rows.map((a) => a.collection_id));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const cards: Card[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    if (!row) continue; // trashed between the page query and this one
    const { assignee_name, latest_checkpoint_id, ...asset } = row;
    const latest = latest_checkpoint_id ? checkpoints.get(latest_checkpoint_id) ?? null : null;
    const chosen = asset.cover_checkpoint_id ? checkpoints.get(asset.cover_checkpoint_id) : undefined;
    const coverFrom = chosen?.previewHash ? chosen : latest?.previewHash ? latest : null;
    cards.push({
      ...assetView(asset),
      assigneeName: assignee_name ?? null,
      folder: folderOf(asset.collection_id),
      latestCheckpoint: latest,
      cover: coverFrom ? { checkpointId: coverFrom.id, previewHash: coverFrom.previewHash! } : null,
    });
  }
  return cards;
}
