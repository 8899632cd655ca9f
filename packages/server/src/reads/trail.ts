// A task's trail: every status change and every checkpoint, interleaved in time order, each with
// who and when ("WFA on Mar 6 with this image, Retake on Mar 8"), and the linear checkpoint
// history newest first. Checkpoints need checkpoint.view; the asset must be visible.
import { authorizeRead, BacklotError, notFound } from '@backlot/core';
import { check } from '../access/access.js';
import type { Reader } from '../projection/read-context.js';

interface StatusRef {
  id: string;
  name: string;
  shortLabel: string;
  color: string;
  category: string;
  /** The status has since been deleted (the trail keeps it). */
  deleted: boolean;
}

interface CheckpointRef {
  id: string;
  number: number;
  previewHash: string | null;
}

export type TrailEntry =
  | { type: 'checkpoint'; at: string; actor: { id: string; name: string | null }; checkpoint: CheckpointRef & { comment: string; fileHash: string; size: number; status: StatusRef | null; revertedFrom: CheckpointRef | null } }
  | { type: 'status'; at: string; actor: { id: string; name: string | null }; from: StatusRef | null; to: StatusRef | null; checkpoint: CheckpointRef | null };

function requireVisible(r: Reader, assetId: string) {
  if (!r.view.canSeeAsset(assetId)) throw notFound('asset');
}

async function statusRefs(r: Reader): Promise<Map<string, StatusRef>> {
  // Deleted statuses too: an old trail entry still names what it was.
  const rows = await r.ctx.db.selectFrom('statuses').select(['id', 'name', 'short_label', 'color', 'category', 'deleted_at']).where('project_id', '=', r.project.id).execute();
  return new Map(rows.map((s) => [s.id, { id: s.id, name: s.name, shortLabel: s.short_label, color: s.color, category: s.category, deleted: s.deleted_at !== null }]));
}

export async function trailOf(r: Reader, assetId: string) {
  requireVisible(r, assetId);
  const db = r.ctx.db;
  const withCheckpoints = authorizeRead(r.actor, 'checkpoint.view').allowed;
  const [statuses, changes, checkpoints] = await Promise.all([
    statusRefs(r),
    db.selectFrom('status_changes as sc').leftJoin('users as u', 'u.id', 'sc.actor_id')
      .select(['sc.id', 'sc.from_status_id', 'sc.to_status_id', 'sc.checkpoint_id', 'sc.actor_id', 'sc.created_at', 'u.name as actor_name'])
      .where('sc.asset_id', '=', assetId).where('sc.project_id', '=', r.project.id)
      .orderBy('sc.created_at').orderBy('sc.id').execute(),
    withCheckpoints
      ? db.selectFrom('checkpoints as c').leftJoin('users as u', 'u.id', 'c.author_id')
          .select(['c.id', 'c.number', 'c.file_hash', 'c.size', 'c.comment', 'c.status_id', 'c.preview_hash', 'c.reverted_from', 'c.author_id', 'c.created_at', 'u.name as author_name'])
          .where('c.asset_id', '=', assetId).where('c.project_id', '=', r.project.id).where('c.deleted_at', 'is', null)
          .orderBy('c.number').execute()
      : Promise.resolve([]),
  ]);
  const cpById = new Map(checkpoints.map((c) => [c.id, { id: c.id, number: Number(c.number), previewHash: c.preview_hash }]));
  const st = (id: string | null) => (id ? statuses.get(id) ?? null : null);
  // Sort key: time, then checkpoints before the status change they carried, then sequence.
  const keyed: { at: string; rank: number; seq: number; entry: TrailEntry }[] = [];
  for (const c of checkpoints)
    keyed.push({
      at: c.created_at, rank: 0, seq: Number(c.number),
      entry: {
        type: 'checkpoint', at: c.created_at, actor: { id: c.author_id, name: c.author_name },
        checkpoint: {
          id: c.id, number: Number(c.number), previewHash: c.preview_hash, comment: c.comment, fileHash: c.file_hash, size: Number(c.size),
          status: st(c.status_id), revertedFrom: c.reverted_from ? cpById.get(c.reverted_from) ?? null : null,
        },
      },
    });
  changes.forEach((s, i) =>
    keyed.push({
      at: s.created_at, rank: 1, seq: i,
      entry: {
        type: 'status', at: s.created_at, actor: { id: s.actor_id, name: s.actor_name }, from: st(s.from_status_id), to: st(s.to_status_id),
        checkpoint: s.checkpoint_id ? cpById.get(s.checkpoint_id) ?? null : null,
      },
    }));
  keyed.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.rank - b.rank || a.seq - b.seq));
  return { assetId, checkpoints: withCheckpoints, entries: keyed.map((k) => k.entry) };
}

/** Linear checkpoint history, newest first; `before` continues after a checkpoint number. */
export async function checkpointHistory(r: Reader, assetId: string, before: number | undefined, limit: number) {
  requireVisible(r, assetId);
  check(authorizeRead(r.actor, 'checkpoint.view'), { studioId: r.project.studio_id, projectId: r.project.id, action: 'checkpoint.view' });
  if (before !== undefined && (!Number.isSafeInteger(before) || before < 1)) throw new BacklotError('validation_failed', 'invalid cursor', { field: 'cursor' });
  const rows = await r.ctx.db.selectFrom('checkpoints as c').leftJoin('users as u', 'u.id', 'c.author_id')
    .leftJoin('checkpoints as rf', 'rf.id', 'c.reverted_from')
    .select(['c.id', 'c.number', 'c.file_hash', 'c.size', 'c.comment', 'c.status_id', 'c.preview_hash', 'c.reverted_from', 'rf.number as reverted_from_number',
      'c.author_id', 'u.name as author_name', 'c.created_at'])
    .where('c.asset_id', '=', assetId).where('c.project_id', '=', r.project.id).where('c.deleted_at', 'is', null)
    .$if(before !== undefined, (q) => q.where('c.number', '<', before!))
    .orderBy('c.number', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    checkpoints: page.map((c) => ({
      id: c.id, assetId, number: Number(c.number), fileHash: c.file_hash, size: Number(c.size), comment: c.comment, statusId: c.status_id,
      previewHash: c.preview_hash, revertedFrom: c.reverted_from, revertedFromNumber: c.reverted_from_number === null ? null : Number(c.reverted_from_number),
      author: { id: c.author_id, name: c.author_name }, createdAt: c.created_at,
    })),
    nextCursor: rows.length > limit ? String(page[page.length - 1].number) : null,
  };
}
