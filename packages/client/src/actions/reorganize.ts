// `backlot mv` and `backlot rm`: renaming or moving a file's asset (its folders made as needed) and
// sending it to the trash. The working file follows; a removed file that holds changes, or whose
// content the server never had, stays in the folder as an untracked file.
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Op } from '@backlot/core';
import { opCheck } from '../project/op-check.js';
import { randomUUID } from 'node:crypto';
import { collectionViewOf } from '../project/local-views.js';
import { getItem } from '../project/items.js';
import { commitOp } from '../project/outbox.js';
import type { ProjectDb } from '../project/project-db.js';
import { assetNameOf, ProjectTree } from '../project/tree.js';
import { currentHash, workingFiles } from '../worktree/working-files.js';

export class ReorganizeError extends Error {}

export async function moveFile(db: ProjectDb, from: string, to: string): Promise<void> {
  const parseOp = await opCheck();
  const { userId } = db.meta();
  const tree = new ProjectTree(db);
  const asset = tree.assetByPath.get(from);
  if (!asset) throw new ReorganizeError(`${from} is not part of the project`);
  if (tree.assetByPath.has(to) || (await stat(join(db.root, to)).catch(() => null))) throw new ReorganizeError(`${to} exists already`);
  const slash = to.lastIndexOf('/');
  const { name, extension } = assetNameOf(to.slice(slash + 1));
  const folders: Op[] = [];
  const folderOf = (dir: string): string | null => {
    if (dir === '') return null;
    const known = tree.folderByPath.get(dir);
    if (known) return known.id;
    const s = dir.lastIndexOf('/');
    const op = { type: 'collection.create' as const, id: randomUUID(), parentId: folderOf(s < 0 ? '' : dir.slice(0, s)), name: dir.slice(s + 1) };
    parseOp(op);
    folders.push(op);
    tree.folderByPath.set(dir, { id: op.id, parentId: op.parentId, name: op.name, path: dir });
    return op.id;
  };
  const collectionId = folderOf(slash < 0 ? '' : to.slice(0, slash));
  const op = { type: 'asset.update' as const, id: asset.id, name, extension, collectionId };
  try {
    parseOp(op);
  } catch (err) {
    throw new ReorganizeError(`${to}: ${(err as Error).message}`);
  }
  const fileThere = await stat(join(db.root, from)).catch(() => null);
  if (fileThere) {
    await mkdir(dirname(join(db.root, to)), { recursive: true });
    await rename(join(db.root, from), join(db.root, to));
  }
  db.tx(() => {
    for (const f of folders) commitOp(db, f, [{ entity: 'collection', id: (f as { id: string }).id, data: collectionViewOf(f as Parameters<typeof collectionViewOf>[0], userId) }]);
    commitOp(db, op, [{ entity: 'asset', id: asset.id, data: { ...getItem(db, 'asset', asset.id), name, extension, collectionId } }]);
    const rec = workingFiles.byPath(db, from);
    if (rec) workingFiles.put(db, { ...rec, path: to });
  });
}

/** Trashes the assets of `paths`; returns the files kept in the folder (changed or never sent). */
export async function removeFiles(db: ProjectDb, paths: readonly string[]): Promise<{ removed: string[]; kept: string[] }> {
  const tree = new ProjectTree(db);
  const out = { removed: [] as string[], kept: [] as string[] };
  for (const path of paths) {
    const asset = tree.assetByPath.get(path);
    if (!asset) throw new ReorganizeError(`${path} is not part of the project`);
    const abs = join(db.root, path);
    const st = await stat(abs).catch(() => null);
    const rec = workingFiles.byPath(db, path);
    const safeToDelete = st && rec?.onServer && (await currentHash(db, abs, rec, st)) === rec.fileHash;
    if (safeToDelete) await rm(abs, { force: true });
    else if (st) out.kept.push(path);
    db.tx(() => {
      commitOp(db, { type: 'asset.delete', id: asset.id }, [{ entity: 'asset', id: asset.id, data: 'removed' }]);
      workingFiles.remove(db, path);
    });
    out.removed.push(path);
  }
  return out;
}
