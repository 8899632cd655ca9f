// Each file's state in a working folder, against the project as this folder knows it:
//   normal     the file is the latest checkpoint
//   modified   changed since the checkpoint it came from
//   outdated   unchanged, but a newer checkpoint exists (sync brings it)
//   diverged   changed here, and a newer checkpoint exists on the server too
//   added      an asset made here that has no checkpoint yet
//   untracked  a file that is no asset (backlot add makes it one)
//   missing    written here once, deleted since (backlot rebuild brings it back)
//   rebuild    not in the folder (freed, or not downloaded yet); backlot rebuild or sync brings it
// Files whose size and mtime match their record are not read.
import { join } from 'node:path';
import { getItem, latestCheckpoints } from '../project/items.js';
import type { ProjectDb } from '../project/project-db.js';
import { ProjectTree } from '../project/tree.js';
import type { IgnoreRules } from './ignore.js';
import { walkFolder } from './walk.js';
import { currentHash, workingFiles } from './working-files.js';

export type FileState = 'normal' | 'modified' | 'outdated' | 'diverged' | 'added' | 'untracked' | 'missing' | 'rebuild';

export interface FileStatus {
  path: string;
  state: FileState;
  assetId?: string;
  kind?: 'resource' | 'task';
  /** The latest checkpoint's number, where there is one. */
  latest?: number;
  /** Checkpoints made here that the server has not acknowledged yet. */
  unsynced?: number;
  size?: number;
}

export async function folderStatus(db: ProjectDb, rules: IgnoreRules): Promise<FileStatus[]> {
  const tree = new ProjectTree(db);
  const disk = await walkFolder(db.root, rules);
  const records = new Map(workingFiles.summaries(db).map((r) => [r.assetId, r]));
  const newest = latestCheckpoints(db);
  const out: FileStatus[] = [];
  for (const [path, asset] of tree.assetByPath) {
    const record = records.get(asset.id);
    const latest = newest.get(asset.id);
    const unsynced = latest?.unsynced ?? 0;
    const base: FileStatus = { path, state: 'normal', assetId: asset.id, kind: asset.kind, latest: latest?.number, ...(unsynced && { unsynced }) };
    const onDisk = disk.get(path);
    disk.delete(path);
    if (!onDisk) {
      if (record?.path === path) out.push({ ...base, state: 'missing' });
      else out.push({ ...base, state: latest ? 'rebuild' : 'added' });
      continue;
    }
    base.size = onDisk.size;
    const hash = await currentHash(db, join(db.root, path), record?.path === path ? record : undefined, onDisk);
    if (!latest) out.push({ ...base, state: 'added' });
    else if (hash === latest.fileHash) out.push(base);
    else {
      // Rare: changed or older. Which checkpoint the file came from tells the two apart.
      const from = record?.checkpointId ? getItem(db, 'checkpoint', record.checkpointId) : undefined;
      if (from && hash === from.fileHash) out.push({ ...base, state: 'outdated' });
      else out.push({ ...base, state: from && from.id !== latest.id ? 'diverged' : 'modified' });
    }
  }
  for (const f of disk.values()) out.push({ path: f.path, state: 'untracked', size: f.size });
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
