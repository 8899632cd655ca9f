// What `backlot checkpoint PATH...` checkpoints: a tracked file is itself; a folder (or the whole
// working folder, ".") stands for its tracked files that changed here, as `backlot status`
// reports them. A changed task held by someone else inside a named folder is skipped and named,
// not a refusal of the whole command: the user asked for "what I changed here", not for that file.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { softLock } from '@backlot/core';
import { getItem } from '../project/items.js';
import type { ProjectDb } from '../project/project-db.js';
import { ProjectTree } from '../project/tree.js';
import type { IgnoreRules } from '../worktree/ignore.js';
import { folderStatus, type FileState } from '../worktree/status.js';

/** States with content here that no checkpoint has yet. */
const CHANGED: ReadonlySet<FileState> = new Set(['modified', 'diverged', 'added']);

export interface CheckpointTargets {
  files: string[];
  /** Changed files inside a named folder that this user may not checkpoint, and why. */
  skipped: { path: string; reason: string }[];
  /** Folders named that held nothing changed. */
  unchangedFolders: string[];
}

/** Folder paths expanded; file paths (tracked or not) kept as given, for checkpointPaths to judge. */
export async function checkpointTargets(db: ProjectDb, paths: readonly string[], rules: IgnoreRules): Promise<CheckpointTargets> {
  const tree = new ProjectTree(db);
  const folders = paths.filter((p) => !tree.assetByPath.has(p) && (p === '' || tree.folderByPath.has(p) || isFolderOnDisk(db, p)));
  const out: CheckpointTargets = { files: paths.filter((p) => !folders.includes(p)), skipped: [], unchangedFolders: [] };
  if (folders.length === 0) return out;
  const changed = (await folderStatus(db, rules)).filter((f) => f.assetId && CHANGED.has(f.state) && f.size !== undefined /* on disk */);
  const meta = db.meta();
  for (const folder of folders) {
    const inside = changed.filter((f) => folder === '' || f.path.startsWith(`${folder}/`));
    if (inside.length === 0) out.unchangedFolders.push(folder);
    for (const f of inside) {
      if (out.files.includes(f.path) || out.skipped.some((s) => s.path === f.path)) continue;
      const asset = tree.assetByPath.get(f.path)!;
      if (!meta.personal && !softLock(meta.userId, asset.kind === 'task', asset.assigneeId).allowed) {
        const holder = asset.assigneeId ? getItem(db, 'member', asset.assigneeId)?.name ?? 'another member' : null;
        out.skipped.push({ path: f.path, reason: holder ? `a task held by ${holder}` : 'an unassigned task' });
      } else out.files.push(f.path);
    }
  }
  return out;
}

function isFolderOnDisk(db: ProjectDb, path: string): boolean {
  try {
    return statSync(join(db.root, path)).isDirectory();
  } catch {
    return false;
  }
}
