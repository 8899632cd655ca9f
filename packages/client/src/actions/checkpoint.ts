// `backlot checkpoint`: each file's content into the local chunk store, then one transaction that
// queues the checkpoint op, shows the checkpoint as pending and records the working file as that
// version. The chunks are durable before the transaction names them, so a kill at any point
// leaves either no checkpoint or a whole one; the working file is only read, never written.
// In a studio project the checkpointed file also becomes its version's pristine file (a second
// name, pristine-files.ts): once a tool saves the next version by renaming a new file over it, the
// next checkpoint reads its bases from there, whole, instead of decoding the local patch chain.
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BacklotError, type OpOf } from '@backlot/core';
import { opCheck } from '../project/op-check.js';
import { storeFileAgainst, type PreviousVersion } from '@backlot/storage';
import { checkpointsOf, getItem } from '../project/items.js';
import { checkpointViewOf } from '../project/local-views.js';
import { commitOp } from '../project/outbox.js';
import type { ProjectDb } from '../project/project-db.js';
import { ProjectTree } from '../project/tree.js';
import { workingFiles } from '../worktree/working-files.js';
import { keepPreview, previewTypeOf } from '../project/previews.js';
import { recordLocalBases, type LocalStore } from '../project/local-store.js';
import { checkpointLock } from '../project/soft-lock.js';
import { GroupedWrites } from '../project/grouped-writes.js';

/** Files up to this size are read in one go, and up to READ_AHEAD at a time (4x faster on 1,000 small files than one by one). */
const SMALL_FILE = 1024 * 1024;
const READ_AHEAD = 32;

export interface CheckpointOptions {
  comment?: string;
  statusId?: string;
  /** A preview image (png, jpeg, webp) for the checkpoints made. */
  preview?: string;
  /** Bytes read so far of the file being checkpointed. */
  onProgress?: (path: string, bytesRead: number, size: number) => void;
}

export interface CheckpointResult {
  made: { path: string; number: number; size: number; newChunks: number; newBytes: number }[];
  unchanged: string[];
}

/** Refusals a user can act on, before anything is read or written. */
export class CheckpointRefused extends Error {
  constructor(message: string, readonly reason: 'untracked' | 'missing' | 'soft_lock' | 'changed_while_read' | 'status_on_resource') {
    super(message);
  }
}

export async function checkpointPaths(db: ProjectDb, store: LocalStore, paths: readonly string[], options: CheckpointOptions = {}): Promise<CheckpointResult> {
  const parseOp = await opCheck();
  const meta = db.meta();
  const tree = new ProjectTree(db);
  // Everything is checked before any file is read: one refused file refuses the whole command.
  const targets = [...new Set(paths)].map((path) => {
    const asset = tree.assetByPath.get(path);
    if (!asset && !existsSync(join(db.root, path))) throw new CheckpointRefused(`${path}: no such file or folder in the project`, 'missing');
    if (!asset) throw new CheckpointRefused(`${path} is not part of the project yet; add it first: backlot add ${path}`, 'untracked');
    if (options.statusId && asset.kind !== 'task')
      throw new CheckpointRefused(`${path} is a resource: only tasks have a status (checkpoint it without --status)`, 'status_on_resource');
    const lock = checkpointLock(db, asset);
    if (!lock.allowed) {
      throw new CheckpointRefused(
        lock.holder ? `${path} is a task held by ${lock.holder}; only its assignee may checkpoint it (ask for it: backlot request ${path})`
          : `${path} is an unassigned task; nobody may checkpoint it until it is assigned (backlot take-over ${path}, or ask a supervisor)`,
        'soft_lock',
      );
    }
    return { path, asset };
  });
  if (options.preview) previewTypeOf(options.preview);
  const result: CheckpointResult = { made: [], unchanged: [] };
  // Records are committed in groups (grouped-writes.ts): a command killed midway keeps the groups
  // committed before, and acknowledges nothing before it ends.
  const records = new GroupedWrites(db);
  // Small files are read and stored a few at a time: each one's cost is mostly waiting for its
  // chunk to reach the disk, and those waits overlap. Large ones go one by one (with progress).
  const sizes = await Promise.all(targets.map(({ path }) => stat(join(db.root, path)).then((st) => st.size, () => 0)));
  const reads = new Map<number, Promise<StoredFile>>();
  const readAhead = (i: number) => {
    if (i >= targets.length || reads.has(i)) return;
    // The version the working file was last recorded at: new chunks are stored as patches against it.
    const previous = workingFiles.byAsset(db, targets[i].asset.id) ?? null;
    const r = readAndStore(db, targets[i].path, store, previous, options.onProgress);
    r.catch(() => {}); // observed when its turn comes
    reads.set(i, r);
  };
  for (const [i, { path, asset }] of targets.entries()) {
    readAhead(i);
    for (let k = i + 1; k < i + READ_AHEAD && k < targets.length && sizes[k] <= SMALL_FILE; k++) readAhead(k);
    const { stored, after } = await reads.get(i)!;
    reads.delete(i);
    const history = checkpointsOf(db, asset.id);
    const latest = history[history.length - 1];
    if (latest?.fileHash === stored.fileHash) {
      result.unchanged.push(path);
      continue;
    }
    const chunks = stored.chunks.map((c) => c.id);
    const op: OpOf<'checkpoint.create'> & { id: string } = {
      type: 'checkpoint.create', id: randomUUID(), assetId: asset.id, fileHash: stored.fileHash, size: stored.size, chunks,
      ...(options.comment !== undefined && { comment: options.comment }), ...(options.statusId && { statusId: options.statusId }),
    };
    try {
      parseOp(op);
    } catch (err) {
      throw new BacklotError('validation_failed', `${path}: ${(err as Error).message}`);
    }
    const number = (latest?.number ?? 0) + 1;
    if (options.preview) await keepPreview(db, op.id, options.preview);
    const chunkList = stored.chunks.map((c): [string, number] => [c.id, c.size]);
    // A cache entry: one that could not be made only costs the next checkpoint a decode. A link
    // only (no copy where links fail: another device, a file system without them): the chunk
    // store already holds this version, and copying a large file at every checkpoint would cost
    // more than that decode. Small files go without: decoding their chain is cheap, and a link
    // each would slow a checkpoint of thousands of them.
    const pristine = !meta.personal && stored.size > SMALL_FILE && (await store.pristine.add(join(db.root, path), stored.fileHash, { linkOnly: true }));
    const view = checkpointViewOf(op, number, meta.userId, stored.chunks.map((c) => c.size), !meta.personal);
    records.add(() => {
      // A status set with the checkpoint shows on the task at once, as the server will set it.
      const task = options.statusId ? getItem(db, 'asset', asset.id) : undefined;
      commitOp(db, op, [{ entity: 'checkpoint', id: op.id, data: view }, ...(task ? [{ entity: 'asset' as const, id: asset.id, data: { ...task, statusId: options.statusId } }] : [])]);
      workingFiles.put(db, {
        path, assetId: asset.id, checkpointId: op.id, fileHash: stored.fileHash, size: after.size, mtimeMs: after.mtimeMs,
        chunks: chunkList, onServer: false,
      });
      if (pristine) store.pristine.record([{ fileHash: stored.fileHash, chunks: chunkList }]);
    });
    result.made.push({ path, number, size: stored.size, newChunks: stored.newChunks, newBytes: stored.newBytes });
  }
  records.commit();
  return result;
}

interface StoredFile {
  stored: Awaited<ReturnType<typeof storeFileAgainst>>;
  /** The file's stat once read (a change while reading refuses the checkpoint). */
  after: { size: number; mtimeMs: number };
}

/** Reads a working file into the store; refused when the file changes while it is read. */
async function readAndStore(
  db: ProjectDb, path: string, store: LocalStore, previous: PreviousVersion | null, onProgress: CheckpointOptions['onProgress'],
): Promise<StoredFile> {
  const abs = join(db.root, path);
  const before = await stat(abs).catch(() => null);
  if (!before?.isFile()) throw new CheckpointRefused(`${path} is not in the folder (nothing to checkpoint)`, 'missing');
  const stored = await storeFileAgainst(counted(abs, path, before.size, onProgress), store, previous, {
    onPatches: (patches) => recordLocalBases(db, patches),
  });
  const after = await stat(abs);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || stored.size !== before.size)
    throw new CheckpointRefused(`${path} changed while it was being read; save it, then checkpoint again`, 'changed_while_read');
  return { stored, after };
}

/** The file as a stream of blocks, reporting how much was read. */
async function* counted(abs: string, path: string, size: number, onProgress?: CheckpointOptions['onProgress']): AsyncIterable<Uint8Array> {
  if (size <= SMALL_FILE) {
    // One read into a buffer of the file's size (a stream would allocate 1 MiB for a few bytes).
    yield await readFile(abs);
    return;
  }
  let read = 0;
  for await (const block of createReadStream(abs, { highWaterMark: 1024 * 1024 })) {
    read += (block as Buffer).length;
    onProgress?.(path, read, size);
    yield block as Buffer;
  }
}
