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
import { getItem, itemFieldsSql, latestCheckpoint, latestCheckpointsSql } from '../project/items.js';
import type { ProjectDb } from '../project/project-db.js';
import { fileNameOf, ProjectTree } from '../project/tree.js';
import type { IgnoreRules } from './ignore.js';
import { walkFolder, type DiskFile } from './walk.js';
import { currentHash, workingFiles } from './working-files.js';

export type FileState = 'normal' | 'modified' | 'outdated' | 'diverged' | 'added' | 'untracked' | 'missing' | 'rebuild';

/** States whose content here no checkpoint holds yet (what `backlot checkpoint FOLDER` takes). */
export const UNCHECKPOINTED: ReadonlySet<FileState> = new Set(['modified', 'diverged', 'added']);

export interface FileStatus {
  path: string;
  state: FileState;
  assetId?: string;
  kind?: 'resource' | 'task';
  /** A task's assignee (null: unassigned), the only member who may checkpoint it. */
  assigneeId?: string | null;
  /** The latest checkpoint's number, where there is one. */
  latest?: number;
  /** Checkpoints made here that the server has not acknowledged yet. */
  unsynced?: number;
  size?: number;
}

/**
 * One asset as status reads it: the asset, its newest checkpoint (number, checkpoints not synced)
 * and its working-file record, with 1 in the last column when the record's content is the newest
 * checkpoint's. Rows come as arrays: on 100,000 files, making objects costs more than the query.
 */
type StatusRow = [
  id: string, collectionId: string | null, name: string, extension: string, kind: 'resource' | 'task', assigneeId: string | null,
  latest: number | null, unsynced: number | null,
  recordPath: string | null, size: number | null, mtimeMs: number | null, recordIsLatest: number | null,
];

export async function folderStatus(db: ProjectDb, rules: IgnoreRules): Promise<FileStatus[]> {
  const tree = new ProjectTree(db, { assets: false });
  const disk = walkFolder(db.root, rules);
  // One query joins each asset with its newest checkpoint and its record, and compares the
  // hashes itself: on 100,000 files, the values handed to JavaScript are most of the time.
  const rows = db
    .stmt(
      `SELECT a.id, a.collectionId, a.name, a.extension, a.kind, a.assigneeId, l.number AS latest, l.unsynced, f.path AS recordPath, f.size, f.mtime_ms AS mtimeMs,
         f.file_hash = l.fileHash AS recordIsLatest
       FROM (${itemFieldsSql(db, 'asset', ['id', 'collectionId', 'name', 'extension', 'kind', 'assigneeId', 'url'])}) a
       LEFT JOIN (${latestCheckpointsSql(db)}) l ON l.assetId = a.id
       LEFT JOIN files f ON f.asset_id = a.id
       WHERE a.url IS NULL`,
    )
    .raw()
    .all() as StatusRow[];
  const out: FileStatus[] = [];
  for (const [id, collectionId, name, extension, kind, assigneeId, latest, unsynced, recordPath, size, mtimeMs, recordIsLatest] of rows) {
    const path = tree.pathIn(collectionId, fileNameOf({ name, extension }));
    if (path === undefined) continue; // in a folder this member cannot see
    const base: FileStatus = { path, state: 'normal', assetId: id, kind, ...(kind === 'task' && { assigneeId }), latest: latest ?? undefined, ...(unsynced && { unsynced }) };
    const onDisk = disk.get(path);
    disk.delete(path);
    if (!onDisk) {
      if (recordPath === path) out.push({ ...base, state: 'missing' });
      else out.push({ ...base, state: latest !== null ? 'rebuild' : 'added' });
      continue;
    }
    base.size = onDisk.size;
    if (latest === null) out.push({ ...base, state: 'added' });
    // Unchanged size and mtime: the record says what the file is, without a read.
    else if (recordPath === path && size === onDisk.size && mtimeMs === onDisk.mtimeMs && recordIsLatest) out.push(base);
    else out.push({ ...base, state: await changedState(db, path, onDisk, id) });
  }
  for (const f of disk.values()) out.push({ path: f.path, state: 'untracked', size: f.size });
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

/** A file that may differ from the newest checkpoint (rare): read it if need be, and compare. */
async function changedState(db: ProjectDb, path: string, onDisk: DiskFile, assetId: string): Promise<FileState> {
  const record = workingFiles.byAsset(db, assetId);
  const latest = latestCheckpoint(db, assetId)!;
  const hash = await currentHash(db, join(db.root, path), record?.path === path ? record : undefined, onDisk);
  if (hash === latest.fileHash) return 'normal';
  // Changed or older: which checkpoint the file came from tells the two apart.
  const from = record?.checkpointId ? getItem(db, 'checkpoint', record.checkpointId) : undefined;
  if (from && hash === from.fileHash) return 'outdated';
  return from && from.id !== latest.id ? 'diverged' : 'modified';
}
