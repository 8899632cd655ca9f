// The soft lock as this folder sees it (core's softLock on the local mirror): only a task's
// assignee may checkpoint or revert it; resources are open. A Personal project has one member.
// The server decides again on every pushed operation; this only refuses early, with a name.
import { softLock } from '@backlot/core';
import { getItem } from './items.js';
import type { ProjectDb, ProjectMeta } from './project-db.js';

export interface LockHolder {
  /** Whether this folder's member may checkpoint the asset. */
  allowed: boolean;
  /** Who holds the task when someone else does (null: unassigned, or allowed). */
  holder: string | null;
}

/** `meta`: the folder's, when the caller already has it (a loop over every file reads it once). */
export function checkpointLock(db: ProjectDb, asset: { kind: string; assigneeId: string | null }, meta: ProjectMeta = db.meta()): LockHolder {
  if (meta.personal || softLock(meta.userId, asset.kind === 'task', asset.assigneeId).allowed) return { allowed: true, holder: null };
  return { allowed: false, holder: asset.assigneeId ? getItem(db, 'member', asset.assigneeId)?.name ?? 'another member' : null };
}

/**
 * Tells which working files keep a pristine copy (their recorded version's chunks in .backlot/chunks,
 * the bases the next checkpoint is patched against): only files this member may checkpoint. A
 * copy of anyone else's task would cost disk and download time for a patch that can never be
 * made. A task handed over later is patched against the version its new holder fetches next, or
 * goes up whole once.
 */
export function keepsPristine(db: ProjectDb): (assetId: string) => boolean {
  const meta = db.meta();
  return (assetId) => {
    const asset = getItem(db, 'asset', assetId);
    return asset !== undefined && checkpointLock(db, asset, meta).allowed;
  };
}
