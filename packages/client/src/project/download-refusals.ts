// Files this member may see but not download (their role does not allow it for them): a sync
// or clone records the server's refusal here, and status shows those files as "restricted"
// instead of offering a rebuild that would be refused again. A row goes when a file of the asset
// is recorded here (working-files.ts: the role changed); the server decides again at every sync.
import type { ProjectDb } from './project-db.js';

export interface DownloadRefusal {
  code: 'forbidden' | 'not_found';
  message: string;
}

export const downloadRefusals = {
  /** Remembers the server's refusal of an asset's file. */
  record(db: ProjectDb, assetId: string, refusal: DownloadRefusal): void {
    db.stmt('INSERT INTO download_refusals (asset_id, code, message) VALUES (?, ?, ?) ON CONFLICT (asset_id) DO UPDATE SET code = excluded.code, message = excluded.message')
      .run(assetId, refusal.code, refusal.message);
  },

  /** Forgets a refusal: the asset's file came down. */
  clear(db: ProjectDb, assetId: string): void {
    db.stmt('DELETE FROM download_refusals WHERE asset_id = ?').run(assetId);
  },

  /** The assets whose file the server refused for lack of permission. */
  forbidden(db: ProjectDb): Set<string> {
    return new Set((db.stmt("SELECT asset_id FROM download_refusals WHERE code = 'forbidden'").all() as { asset_id: string }[]).map((r) => r.asset_id));
  },
};
