// What `backlot checkpoint PATH...` checkpoints: a tracked file is itself; a folder (or the whole
// working folder, ".") stands for its tracked files that changed here, as `backlot status`
// reports them. A changed task held by someone else inside a named folder is skipped and named,
// not a refusal of the whole command: the user asked for "what I changed here", not for that file.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectDb } from '../project/project-db.js';
import { checkpointLock } from '../project/soft-lock.js';
import { ProjectTree } from '../project/tree.js';
import type { IgnoreRules } from '../worktree/ignore.js';
import { folderStatus, UNCHECKPOINTED } from '../worktree/status.js';

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
  const changed = (await folderStatus(db, rules)).filter((f) => f.assetId && UNCHECKPOINTED.has(f.state) && f.size !== undefined /* on disk */);
  const taken = new Set(out.files);
  for (const folder of folders) {
    const inside = changed.filter((f) => folder === '' || f.path.startsWith(`${folder}/`));
    if (inside.length === 0) out.unchangedFolders.push(folder);
    for (const f of inside) {
      if (taken.has(f.path)) continue;
      taken.add(f.path);
      const lock = checkpointLock(db, { kind: f.kind!, assigneeId: f.assigneeId ?? null });
      if (lock.allowed) out.files.push(f.path);
      else out.skipped.push({ path: f.path, reason: lock.holder ? `a task held by ${lock.holder}` : 'an unassigned task' });
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
