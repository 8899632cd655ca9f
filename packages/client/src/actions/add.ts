// `backlot add`: files become assets (resources, or tasks with kind 'task'), the folders on their
// way become collections. Each new item gets its id here, so the operations can be queued now and
// sent by the next sync; every op is checked against core's schema before it is kept.
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssetKind, Op } from '@backlot/core';
import { opCheck, type OpCheck } from '../project/op-check.js';
import { assetViewOf, collectionViewOf } from '../project/local-views.js';
import { commitOp } from '../project/outbox.js';
import type { ProjectDb } from '../project/project-db.js';
import { assetNameOf, ProjectTree } from '../project/tree.js';
import type { IgnoreRules } from '../worktree/ignore.js';
import { walkFolder } from '../worktree/walk.js';

export interface AddResult {
  added: string[];
  folders: string[];
  alreadyTracked: string[];
  ignored: string[];
}

export async function addPaths(db: ProjectDb, paths: readonly string[], options: { kind?: AssetKind; rules: IgnoreRules; assigneeId?: string | null }): Promise<AddResult> {
  const parseOp = await opCheck();
  const { userId } = db.meta();
  const tree = new ProjectTree(db);
  const result: AddResult = { added: [], folders: [], alreadyTracked: [], ignored: [] };
  const folderIds = new Map([...tree.folderByPath].map(([p, f]) => [p, f.id]));
  const files = await filesUnder(db, paths, options.rules, result);
  const folderOf = (dir: string): string | null => {
    if (dir === '') return null;
    const known = folderIds.get(dir);
    if (known) return known;
    const slash = dir.lastIndexOf('/');
    const parentId = folderOf(slash < 0 ? '' : dir.slice(0, slash));
    const op = checked(parseOp, { type: 'collection.create', id: randomUUID(), parentId, name: dir.slice(slash + 1) }, dir);
    commitOp(db, op, [{ entity: 'collection', id: op.id!, data: collectionViewOf({ ...op, id: op.id! }, userId) }]);
    folderIds.set(dir, op.id!);
    result.folders.push(dir);
    return op.id!;
  };
  // One transaction: a name the contract refuses leaves nothing half-added.
  db.tx(() => {
    for (const path of files) {
      if (tree.assetByPath.has(path)) {
        result.alreadyTracked.push(path);
        continue;
      }
      const slash = path.lastIndexOf('/');
      const { name, extension } = assetNameOf(path.slice(slash + 1));
      const collectionId = folderOf(slash < 0 ? '' : path.slice(0, slash));
      const op = checked(parseOp, { type: 'asset.create', id: randomUUID(), collectionId, name, extension, kind: options.kind ?? 'resource', ...(options.kind === 'task' && { assigneeId: options.assigneeId ?? null }) }, path);
      commitOp(db, op, [{ entity: 'asset', id: op.id!, data: assetViewOf({ ...op, id: op.id! }, userId) }]);
      result.added.push(path);
    }
  });
  return result;
}

/** Every file named, or inside a folder named, that the ignore rules let through. */
async function filesUnder(db: ProjectDb, paths: readonly string[], rules: IgnoreRules, result: AddResult): Promise<string[]> {
  const out = new Set<string>();
  let everything: Map<string, unknown> | undefined;
  for (const p of paths) {
    const st = await stat(join(db.root, p)).catch(() => null);
    if (!st) throw new Error(`${p || '.'}: no such file or folder`);
    if (st.isDirectory()) {
      everything ??= await walkFolder(db.root, rules);
      for (const f of everything.keys()) if (p === '' || f.startsWith(`${p}/`)) out.add(f);
    } else if (rules.ignores(p)) result.ignored.push(p);
    else out.add(p);
  }
  return [...out].sort();
}

/** Checks an op against the wire contract (a bad name is refused here, with the same words). */
function checked<T extends Op>(parseOp: OpCheck, op: T, path: string): T & { id?: string } {
  try {
    parseOp(op);
  } catch (err) {
    throw new Error(`${path}: cannot be added: ${(err as Error).message}`);
  }
  return op;
}
