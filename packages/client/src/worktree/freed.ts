// Assets whose local copy the user dropped with `backlot free`: their history stays, their file
// stays away until `backlot rebuild` brings it back.
import type { ProjectDb } from '../project/project-db.js';

export function isFreed(db: ProjectDb, assetId: string): boolean {
  return db.stmt('SELECT 1 FROM freed WHERE asset_id = ?').get(assetId) !== undefined;
}

export function setFreed(db: ProjectDb, assetId: string, freed: boolean): void {
  if (freed) db.stmt('INSERT OR IGNORE INTO freed (asset_id) VALUES (?)').run(assetId);
  else db.stmt('DELETE FROM freed WHERE asset_id = ?').run(assetId);
}
