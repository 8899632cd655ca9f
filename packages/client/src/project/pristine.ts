// Which working files keep a pristine copy (their recorded version's chunks in .backlot/chunks,
// the bases the next checkpoint is patched against): only files this member may checkpoint. A
// task belongs to its assignee alone (the soft lock), so a copy of anyone else's task would cost
// disk and download time for a patch that can never be made. A task handed over later is patched
// against the version its new holder fetches next, or goes up whole once.
import { softLock } from '@backlot/core';
import { getItem } from './items.js';
import type { ProjectDb } from './project-db.js';

export function keepsPristine(db: ProjectDb, assetId: string): boolean {
  const meta = db.meta();
  if (meta.personal) return true;
  const asset = getItem(db, 'asset', assetId);
  return asset !== undefined && softLock(meta.userId, asset.kind === 'task', asset.assigneeId).allowed;
}
