// Each file's state in a working folder, against the project as this folder knows it:
//   normal     the file is the latest checkpoint
//   modified   changed since the checkpoint it came from
//   outdated   unchanged, but a newer checkpoint exists (sync brings it)
//   diverged   changed here, and a newer checkpoint exists on the server too
//   added      an asset made here that has no checkpoint yet
//   untracked  a file that is no asset (backlot add makes it one)
//   missing    written here once, deleted since (backlot rebuild brings it back)
//   rebuild    not in the folder: freed (backlot rebuild brings it back)
//   incoming   not in the folder yet: new on the server, or moved here on it (sync brings it)
//   removed    unchanged, and its asset is gone from the server or from the member's sight (sync
//              deletes it; a changed one is untracked, and sync keeps it)
//   moved      its asset moved on the server (sync moves the file to `movedTo`, changes and all)
//   restricted not in the folder: the server refused its file (the member's role may see it, not
//              download it; project/download-refusals.ts)
// incoming, removed and moved show what `status --fetch` learnt before a sync acts on it
// (sync/materialize.ts does what they say). Files whose size and mtime match their record are not
// read. As in git, ignore rules apply to files that are not assets: an asset's file is seen
// whatever the rules say (a rule added later must not make it look deleted), and only the rest are
// checked against them (on 100,000 files, checking every file cost a warm status about 200 ms).
import { join } from 'node:path';
import { downloadRefusals } from '../project/download-refusals.js';
import { checkpointsOf, getItem, latestCheckpoint } from '../project/items.js';
import type { ProjectDb } from '../project/project-db.js';
import { isFreed } from './freed.js';
import type { IgnoreRules } from './ignore.js';
import { walkFolder, type DiskFile } from './walk.js';
import { statusRows, type StatusRow } from './status-rows.js';
import { currentHash, workingFiles } from './working-files.js';

export type FileState =
  | 'normal' | 'modified' | 'outdated' | 'diverged' | 'added' | 'untracked' | 'missing' | 'rebuild' | 'restricted' | 'incoming' | 'removed' | 'moved';

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
  /**
   * With `unsynced`: the server's checkpoints of the file made meanwhile elsewhere, numbered like
   * this folder's (known after a pull, e.g. `status --fetch`); the sync puts this folder's on top.
   */
  madeMeanwhile?: { from: number; to: number };
  size?: number;
  /** `moved`: the path the asset has on the server now. */
  movedTo?: string;
}

export async function folderStatus(db: ProjectDb, rules: IgnoreRules): Promise<FileStatus[]> {
  const rows = statusRows(db);
  const disk = walkFolder(db.root, rules, { checkFiles: false, holdsAssets: (dir) => hasPathUnder(rows, dir) });
  const refused = downloadRefusals.all(db);
  const out: FileStatus[] = [];
  /** Assets whose file is still at the path it had here, while their new path is free. */
  const arriving = new Map<string, FileStatus>();
  for (const [id, path, kind, assigneeId, latest, unsynced, recordHere, size, mtimeMs, recordIsLatest] of rows) {
    const base: FileStatus = { path, state: 'normal', assetId: id, kind, ...(kind === 'task' && { assigneeId }), latest: latest ?? undefined, ...(unsynced && { unsynced }) };
    if (unsynced) {
      const meanwhile = madeMeanwhile(db, id);
      if (meanwhile) base.madeMeanwhile = meanwhile;
    }
    const onDisk = disk.get(path);
    disk.delete(path);
    if (!onDisk) {
      if (recordHere) out.push({ ...base, state: 'missing' });
      else if (latest === null) out.push({ ...base, state: 'added' });
      else if (refused.has(id)) out.push({ ...base, state: 'restricted' });
      else if (isFreed(db, id)) out.push({ ...base, state: 'rebuild' });
      else if (movingHere(db, id, path, disk)) arriving.set(id, base); // listed at the path it leaves, as moved
      else out.push({ ...base, state: 'incoming' });
      continue;
    }
    base.size = onDisk.size;
    if (latest === null) out.push({ ...base, state: 'added' });
    // Unchanged size and mtime: the record says what the file is, without a read.
    else if (recordHere && size === onDisk.size && mtimeMs === onDisk.mtimeMs && recordIsLatest) out.push(base);
    else out.push({ ...base, state: await changedState(db, path, onDisk, id) });
  }
  let pathOfAsset: Map<string, string> | undefined;
  // Records of files at paths no asset has now: only then is a file left over worth looking up
  // (a folder with thousands of untracked renders must not cost a query each).
  const strayRecords = disk.size > 0 && workingFiles.count(db) > rows.reduce((n, r) => n + r[6], 0);
  for (const f of disk.values()) {
    // A file once written here for an asset this folder no longer shows at that path.
    const rec = strayRecords ? workingFiles.summaryByPath(db, f.path) : undefined;
    if (rec) {
      pathOfAsset ??= new Map(rows.map((r) => [r[0], r[1]]));
      const movedTo = pathOfAsset.get(rec.assetId);
      if (movedTo !== undefined && arriving.delete(rec.assetId)) {
        out.push({ path: f.path, state: 'moved', assetId: rec.assetId, movedTo, size: f.size });
        continue;
      }
      // Gone from the server (or from sight): its file goes if unchanged, and if the server had it
      // (a file whose creation was refused is the user's own). An asset still shown elsewhere whose
      // new path is taken here leaves this file be: untracked.
      const gone = movedTo === undefined && rec.onServer;
      if (gone && rec.size === f.size && (rec.mtimeMs === f.mtimeMs || (await currentHash(db, join(db.root, f.path), rec, f)) === rec.fileHash)) {
        out.push({ path: f.path, state: 'removed', assetId: rec.assetId, size: f.size });
        continue;
      }
    }
    if (!rules.ignores(f.path)) out.push({ path: f.path, state: 'untracked', size: f.size });
  }
  // Moving from a path another asset has now: the sync moves it all the same.
  for (const base of arriving.values()) out.push({ ...base, state: 'incoming' });
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

/** The server's checkpoints numbered like (or past) the first one this folder has not synced. */
function madeMeanwhile(db: ProjectDb, assetId: string): { from: number; to: number } | undefined {
  const all = checkpointsOf(db, assetId);
  const firstHere = Math.min(...all.filter((c) => c.pending).map((c) => c.number));
  const theirs = all.filter((c) => !c.pending && c.number >= firstHere).map((c) => c.number);
  return theirs.length ? { from: Math.min(...theirs), to: Math.max(...theirs) } : undefined;
}

/** The asset's file is still at the path it had here (a sync moves it to `path`). */
function movingHere(db: ProjectDb, assetId: string, path: string, disk: ReadonlyMap<string, DiskFile>): boolean {
  const rec = workingFiles.summaryByAsset(db, assetId);
  return rec !== undefined && rec.path !== path && disk.has(rec.path);
}

/** Whether an asset's path lies under `dir` (rows are in path order: a binary search). */
function hasPathUnder(rows: readonly StatusRow[], dir: string): boolean {
  const prefix = `${dir}/`;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid][1] < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo < rows.length && rows[lo][1].startsWith(prefix);
}

/** A file that may differ from the newest checkpoint (rare): read it if need be, and compare. */
async function changedState(db: ProjectDb, path: string, onDisk: DiskFile, assetId: string): Promise<FileState> {
  const record = workingFiles.byAsset(db, assetId);
  const latest = latestCheckpoint(db, assetId)!;
  // Changed or older: which checkpoint the file came from tells the two apart.
  const from = record?.checkpointId ? getItem(db, 'checkpoint', record.checkpointId) : undefined;
  const changed = from && from.id !== latest.id ? 'diverged' : 'modified';
  // A size that neither version has: changed, known without reading it. A modified file stays
  // so until it is checkpointed, and status would otherwise hash all its gigabytes at every run.
  if (onDisk.size !== latest.size && onDisk.size !== from?.size) return changed;
  const hash = await currentHash(db, join(db.root, path), record?.path === path ? record : undefined, onDisk);
  if (hash === latest.fileHash) return 'normal';
  if (from && hash === from.fileHash) return 'outdated';
  return changed;
}
