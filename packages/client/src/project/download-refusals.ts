// Files this member may see but not download (their role does not allow it for them): a sync
// or clone records the server's refusal here, and status shows those files as "restricted"
// instead of offering a rebuild that would be refused again. A row goes when a file of the asset
// is recorded here (working-files.ts: the role changed); the server decides again at every sync.
import type { ProjectDb } from './project-db.js';

export const downloadRefusals = {
  /** Remembers that the server refused an asset's file for lack of permission. */
  record(db: ProjectDb, assetId: string): void {
    db.stmt('INSERT OR IGNORE INTO download_refusals (asset_id) VALUES (?)').run(assetId);
  },

  /** Forgets a refusal: the asset's file came down. */
  clear(db: ProjectDb, assetId: string): void {
    db.stmt('DELETE FROM download_refusals WHERE asset_id = ?').run(assetId);
  },

  /** The assets whose file the server refused. */
  all(db: ProjectDb): Set<string> {
    return new Set((db.stmt('SELECT asset_id FROM download_refusals').all() as { asset_id: string }[]).map((r) => r.asset_id));
  },
};
