// What `status` says of the moves and trashings made here that wait to sync. Checkpoints and new
// files show on their own rows; these would otherwise show only in a count. Paths come from the
// tree as the server last sent it (before) and with this folder's changes (after).
import type { QueuedOp } from './outbox.js';
import type { ProjectDb } from './project-db.js';
import { ProjectTree } from './tree.js';

export type PendingChange = { kind: 'moved'; from: string; to: string } | { kind: 'trashed'; path: string };

/** The queued moves and trashings of files the server already has, in the order they were made. */
export function pendingChanges(db: ProjectDb, queued: readonly QueuedOp[]): PendingChange[] {
  const about = queued.filter((q) => q.op.type === 'asset.update' || q.op.type === 'asset.delete');
  // Most folders have none: the two trees are built only when there is something to name.
  if (about.length === 0) return [];
  const before = new ProjectTree(db, { mirrorOnly: true });
  const after = new ProjectTree(db);
  const out: PendingChange[] = [];
  const seen = new Set<string>();
  for (const { op } of about) {
    const id = (op as { id: string }).id;
    const from = before.pathOfAsset.get(id);
    // A file made here and not synced yet shows as added, wherever it was moved since.
    if (!from || seen.has(id)) continue;
    seen.add(id);
    const to = after.pathOfAsset.get(id);
    if (!to) out.push({ kind: 'trashed', path: from });
    else if (to !== from) out.push({ kind: 'moved', from, to });
  }
  return out;
}
