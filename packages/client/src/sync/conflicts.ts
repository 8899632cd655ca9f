// Resolving a name conflict (a file made here whose name the server already uses in that place):
//   rename  keep both: the item made here takes a new name, and so does its working file
//   merge   one item: the local checkpoints are stacked on the server's item, whose history they
//           continue; the item made here is dropped
import { rename as renameFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Op } from '@backlot/core';
import { opCheck } from '../project/op-check.js';
import { getItem } from '../project/items.js';
import { queuedOps, renameId, replaceOp, settleOp } from '../project/outbox.js';
import type { ProjectDb } from '../project/project-db.js';
import { assetNameOf, ProjectTree } from '../project/tree.js';
import { workingFiles } from '../worktree/working-files.js';
import type { NameConflict } from './push.js';

/** The path of the item a conflict is about, as this folder shows it. */
export function conflictPath(db: ProjectDb, c: NameConflict): string {
  return new ProjectTree(db).pathOfAsset.get(c.localId) ?? (c.op as { name?: string }).name ?? c.localId;
}

export async function renameConflicted(db: ProjectDb, c: NameConflict, newFileName: string): Promise<string> {
  if (c.op.type !== 'asset.create') throw new Error('only files can be renamed to resolve a conflict');
  if (newFileName.includes('/')) throw new Error('give the new file name alone, without folders');
  const tree = new ProjectTree(db);
  const oldPath = tree.pathOfAsset.get(c.localId);
  if (!oldPath) throw new Error('the conflicting item is no longer here');
  const dir = oldPath.includes('/') ? oldPath.slice(0, oldPath.lastIndexOf('/') + 1) : '';
  const newPath = dir + newFileName;
  if (tree.assetByPath.has(newPath) || (await stat(join(db.root, newPath)).catch(() => null)))
    throw new Error(`${newPath} exists already; choose another name`);
  const { name, extension } = assetNameOf(newFileName);
  const op = { ...c.op, name, extension } as Op;
  (await opCheck())(op);
  const fileThere = await stat(join(db.root, oldPath)).catch(() => null);
  if (fileThere) await renameFile(join(db.root, oldPath), join(db.root, newPath));
  db.tx(() => {
    replaceOp(db, c.seq, op);
    const view = getItem(db, 'asset', c.localId);
    if (view) db.stmt("UPDATE overlay SET data = ? WHERE entity = 'asset' AND id = ?").run(JSON.stringify({ ...view, name, extension }), c.localId);
    const rec = workingFiles.byAsset(db, c.localId);
    if (rec) workingFiles.put(db, { ...rec, path: newPath });
  });
  return newPath;
}

export function mergeConflicted(db: ProjectDb, c: NameConflict): void {
  const existingId = c.existingId;
  if (!existingId) throw new Error('the file in the way is one you may not see, so yours cannot continue it: rename yours instead');
  db.tx(() => {
    if (!queuedOps(db).some((q) => q.seq === c.seq)) return;
    settleOp(db, c.seq);
    renameId(db, c.localId, existingId);
  });
}
