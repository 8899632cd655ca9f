// Bringing the working files in line with the mirror after a pull, without ever touching work:
//   - a visible asset's latest checkpoint is written where its file is absent (never written here,
//     not freed) or where the file is an unchanged older version (outdated);
//   - the project's folders are made, a file whose asset moved or was renamed on the server moves
//     with it (when the place is free);
//   - a file whose asset is gone (removed, or no longer visible) is deleted when unchanged, and
//     left as an untracked file when it holds changes;
//   - a folder left empty by those deletions and moves goes too, unless it is still a collection.
// Modified files and files the user put where an asset's file goes are never overwritten.
// Written files are recorded in groups once in place; a killed sync finds the files of a group it
// did not record in place next time, checks their hash and records them, so it resumes where it
// stopped.
import { mkdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BacklotApi } from '@backlot/api';
import type { LocalStore } from '../project/local-store.js';
import { downloadRefusals } from '../project/download-refusals.js';
import { latestCheckpoint, type LocalCheckpointView } from '../project/items.js';
import type { ProjectDb } from '../project/project-db.js';
import { ProjectTree } from '../project/tree.js';
import { isHeldError, writeVersions } from './write-versions.js';
import { currentHash, workingFiles, type WorkingFile } from '../worktree/working-files.js';
import { isFreed } from '../worktree/freed.js';
import { GroupedWrites } from '../project/grouped-writes.js';

export interface MaterializeProgress {
  /** Once the plan is known. */
  onPlan?: (files: number, bytes: number) => void;
  /** After each file is in place. */
  onFile?: (path: string, bytes: number) => void;
}

export interface MaterializeResult {
  written: string[];
  moved: { from: string; to: string }[];
  deleted: string[];
  /** Files of removed assets kept because they hold changes. */
  keptChanged: string[];
  /** Files of items the server never had (their creation was refused), kept as untracked files. */
  keptUnsent: string[];
  /** Files left alone because they hold changes the server does not have. */
  skippedModified: string[];
  /** Files that could not be written, moved or deleted because another program holds them (or they are read-only); the next sync retries. */
  locked: { path: string; reason: string }[];
  /** Files whose content the server refused: visible to this member, not downloadable (`forbidden`), or gone meanwhile (`not_found`). */
  notDownloaded: { path: string; code: 'forbidden' | 'not_found'; message: string }[];
  bytesWritten: number;
  bytesFetched: number;
  bytesReused: number;
}

interface Planned {
  path: string;
  assetId: string;
  checkpoint: LocalCheckpointView;
}

const exists = (p: string) => stat(p).then((s) => s, () => null);

export async function materialize(api: BacklotApi | null, db: ProjectDb, store: LocalStore, progress: MaterializeProgress = {}): Promise<MaterializeResult> {
  const out: MaterializeResult = { written: [], moved: [], deleted: [], keptChanged: [], keptUnsent: [], skippedModified: [], locked: [], notDownloaded: [], bytesWritten: 0, bytesFetched: 0, bytesReused: 0 };
  const tree = new ProjectTree(db);
  const abs = (p: string) => join(db.root, p);

  // Assets that are gone: their unchanged files go, changed ones stay (as untracked files), and so
  // does any file whose content the server never had (an item made here that it refused).
  for (const rec of workingFiles.all(db)) {
    if (tree.assets.has(rec.assetId)) continue;
    const st = await exists(abs(rec.path));
    if (st && !rec.onServer) out.keptUnsent.push(rec.path);
    else if (st && (await currentHash(db, abs(rec.path), rec, st)) !== rec.fileHash) out.keptChanged.push(rec.path);
    else if (st) {
      // unlink, not rm: rm turns an unlink refused with EPERM into a directory walk and ENOTDIR.
      const removed = await held(out, rec.path, () => unlink(abs(rec.path)).catch((e) => { if (e.code !== 'ENOENT') throw e; }));
      if (!removed) continue; // stays recorded: retried next time
      out.deleted.push(rec.path);
    }
    workingFiles.remove(db, rec.path);
  }

  // The project's folders exist even before they hold a file: an artist given a task with no
  // checkpoint yet finds the folder to save it in.
  for (const folder of tree.folders.values()) await mkdir(abs(folder.path), { recursive: true });

  const plan: Planned[] = [];
  for (const [path, asset] of tree.assetByPath) {
    let rec = workingFiles.byAsset(db, asset.id);
    if (rec && rec.path !== path) rec = await follow(db, rec, path, out);
    const latest = latestCheckpoint(db, asset.id);
    if (!latest || latest.pending) continue; // nothing to write, or the newest is this folder's own
    const st = await exists(abs(path));
    if (!st) {
      if (!rec && !isFreed(db, asset.id)) plan.push({ path, assetId: asset.id, checkpoint: latest });
      continue; // a file deleted here stays deleted until `backlot rebuild`
    }
    const hash = await currentHash(db, abs(path), rec?.path === path ? rec : undefined, st);
    if (hash === latest.fileHash) {
      if (!rec || rec.checkpointId !== latest.id) recordExisting(db, path, asset.id, latest, st, rec);
    } else if (rec?.path === path && rec.onServer && rec.fileHash === hash && rec.checkpointId !== latest.id) {
      // An unchanged older version. Only content the server has counts: a file recorded from a
      // checkpoint made here that the server refused is the user's own work.
      plan.push({ path, assetId: asset.id, checkpoint: latest });
    } else if (rec?.checkpointId !== latest.id || !rec) out.skippedModified.push(path);
  }
  if (plan.length > 0) await writeFiles(api, db, store, plan, out, progress);
  await removeEmptiedFolders(db.root, [...out.deleted, ...out.moved.map((m) => m.from)], tree);
  return out;
}

/**
 * The folders that held files this sync deleted or moved away, and their parents, when nothing is
 * left in them and the project has no such collection (any more, or in the member's sight). Only
 * empty folders go (rmdir), so nothing a user put there is touched.
 */
async function removeEmptiedFolders(root: string, leftPaths: readonly string[], tree: ProjectTree): Promise<void> {
  const dirs = new Set<string>();
  for (const p of leftPaths) for (let d = dirname(p); d !== '.' && d !== ''; d = dirname(d)) dirs.add(d);
  // Deepest first, so a parent is tried once its children are gone.
  for (const d of [...dirs].sort((a, b) => b.split('/').length - a.split('/').length)) {
    if (tree.folderByPath.has(d)) continue;
    await rmdir(join(root, d)).catch(() => {}); // not empty, not there, or not ours to remove: it stays
  }
}

/** The asset moved on the server: move its file along when the new place is free. */
async function follow(db: ProjectDb, rec: WorkingFile, path: string, out: MaterializeResult): Promise<WorkingFile | undefined> {
  const from = join(db.root, rec.path);
  const to = join(db.root, path);
  if (!(await exists(from)) || (await exists(to))) {
    workingFiles.remove(db, rec.path);
    return undefined;
  }
  if (!(await held(out, rec.path, async () => {
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
  }))) return rec;
  const moved = { ...rec, path };
  workingFiles.put(db, moved);
  out.moved.push({ from: rec.path, to: path });
  return moved;
}

/** Runs a change to a working file; false (and the file listed as locked) when it is held. */
async function held(out: MaterializeResult, path: string, change: () => Promise<unknown>): Promise<boolean> {
  try {
    await change();
    return true;
  } catch (err) {
    if (!isHeldError(err)) throw err;
    out.locked.push({ path, reason: heldReason(err) });
    return false;
  }
}

const heldReason = (err: NodeJS.ErrnoException) => (err.code === 'EROFS' ? 'on a read-only file system' : `in use or not writable (${err.code})`);

function recordExisting(db: ProjectDb, path: string, assetId: string, cp: LocalCheckpointView, st: { size: number; mtimeMs: number }, rec?: WorkingFile): void {
  const chunks = cp.chunks && cp.chunkSizes ? cp.chunks.map((id, i) => [id, cp.chunkSizes![i]] as [string, number]) : (rec?.fileHash === cp.fileHash ? rec.chunks : []);
  workingFiles.put(db, { path, assetId, checkpointId: cp.id, fileHash: cp.fileHash, size: st.size, mtimeMs: st.mtimeMs, chunks, onServer: !cp.pending });
}

/** Files at least this large are recorded as soon as they are in place. */
const RECORD_AT_ONCE_BYTES = 64 * 1024 * 1024;

async function writeFiles(api: BacklotApi | null, db: ProjectDb, store: LocalStore, plan: Planned[], out: MaterializeResult, progress: MaterializeProgress): Promise<void> {
  // Records are committed in groups (grouped-writes.ts): a sync killed before a group's commit
  // finds those files in place next time, hashes them and records them then (recordExisting).
  const records = new GroupedWrites(db);
  try {
    const stats = await writeVersions(api, db, store, plan.map((p) => ({ dest: join(db.root, p.path), checkpoint: p.checkpoint })), {
      onPlan: progress.onPlan,
      keepPristine: true,
      onWritten: (i, m, st) => {
        const p = plan[i];
        const record: WorkingFile = {
          path: p.path, assetId: p.assetId, checkpointId: p.checkpoint.id, fileHash: m.fileHash, size: st.size, mtimeMs: st.mtimeMs,
          chunks: m.chunks.map((id, k) => [id, m.chunkSizes[k]]), onServer: !p.checkpoint.pending,
        };
        records.add(() => workingFiles.put(db, record));
        // A large file is recorded at once: hashing it again after a kill costs more than a flush.
        if (m.size >= RECORD_AT_ONCE_BYTES) records.commit();
        out.written.push(p.path);
        progress.onFile?.(p.path, m.size);
      },
      onLocked: (i, err) => out.locked.push({ path: plan[i].path, reason: heldReason(err) }),
      // A role may see files it may not download: the rest of the project still comes down.
      onRefused: (i, refusal) => {
        out.notDownloaded.push({ path: plan[i].path, ...refusal });
        if (refusal.code === 'forbidden') records.add(() => downloadRefusals.record(db, plan[i].assetId));
      },
    });
    out.bytesWritten += stats.bytesWritten;
    out.bytesFetched += stats.bytesFetched;
    out.bytesReused += stats.bytesReused;
  } finally {
    records.commit();
  }
}
