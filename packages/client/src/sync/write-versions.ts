// Writing checkpoints' files (a sync's new versions, `show`, `revert`, `rebuild`): chunks come from
// this folder when it has them (its chunk store, unchanged working files holding the same chunks)
// and from the server otherwise, in batched requests; each file is written to a temp file,
// checked against its hash and size, then renamed into place (storage's restoreFile).
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApiError, ROUTES, type BacklotApi } from '@backlot/api';
import { restoreFile, sharedWorkerPool, VersionAligner } from '@backlot/storage';
import { ChunkFetcher, fetchCheckpointManifests, type CheckpointManifest, type ManifestRefusal } from '../content/restore.js';
import { ChunkApi } from '../remote/chunks.js';
import type { LocalCheckpointView } from '../project/items.js';
import type { ProjectDb } from '../project/project-db.js';
import { LocalChunks } from './local-chunks.js';
import { workingFiles } from '../worktree/working-files.js';
import { keepsPristine } from '../project/soft-lock.js';
import type { LocalStore } from '../project/local-store.js';
import { GroupedWrites } from '../project/grouped-writes.js';

export interface VersionToWrite {
  /** Absolute destination path. */
  dest: string;
  checkpoint: LocalCheckpointView;
}

export interface WriteHooks {
  onPlan?: (files: number, bytes: number) => void;
  /** After file `index` is in place (its manifest and the written file's stat). */
  onWritten?: (index: number, manifest: CheckpointManifest, st: { size: number; mtimeMs: number }) => void;
  /**
   * File `index` could not be put in place because its file or folder is held (locked, read-only,
   * in use): the others are still written. Without this hook such a failure ends the call.
   */
  onLocked?: (index: number, err: NodeJS.ErrnoException) => void;
  /**
   * The server refused file `index`'s content: its asset is visible but this member's role may
   * not download it (`forbidden`), or it is gone (`not_found`). The others are still written.
   * Without this hook a refusal ends the call (as an ApiError).
   */
  onRefused?: (index: number, refusal: ManifestRefusal) => void;
  /**
   * The versions written become the working files' recorded versions: keep each as a pristine
   * file (project/pristine-files.ts; what the next checkpoints patch against), for the files this
   * member may checkpoint (project/soft-lock.ts). A Personal project's store holds them already.
   */
  keepPristine?: boolean;
}

/** Files up to this size are written several at a time. */
const SMALL_FILE = 1024 * 1024;
const SMALL_FILES_AT_ONCE = 8;

/** Pristine files being made at once. */
const PRISTINE_AT_ONCE = 2;

/** Errors of a destination another program holds or that may not be written, as opposed to the disk, network or content failing. */
const HELD = new Set(['EPERM', 'EACCES', 'EBUSY', 'ETXTBSY', 'EROFS']);
export const isHeldError = (err: unknown): err is NodeJS.ErrnoException => HELD.has((err as NodeJS.ErrnoException)?.code ?? '');

export interface WriteStats {
  bytesWritten: number;
  /** Encoded bytes received from the server. */
  bytesFetched: number;
  /** Raw bytes read from this folder instead. */
  bytesReused: number;
}

export async function writeVersions(api: BacklotApi | null, db: ProjectDb, store: LocalStore, wanted: readonly VersionToWrite[], hooks: WriteHooks = {}): Promise<WriteStats> {
  const { manifests, refused } = await manifestsOf(api, db, wanted.map((p) => p.checkpoint));
  wanted.forEach((p, i) => {
    const refusal = refused.get(p.checkpoint.id);
    if (!refusal) return;
    if (!hooks.onRefused) throw new ApiError(refusal.code === 'forbidden' ? 403 : 404, refusal.code, refusal.message, { checkpointId: p.checkpoint.id }, ROUTES['content.manifests'].method, ROUTES['content.manifests'].path);
    hooks.onRefused(i, refusal);
  });
  // Indices stay those of `wanted` for the hooks.
  const plan = wanted.map((p, index) => ({ ...p, index })).filter((p) => manifests.has(p.checkpoint.id));
  // The version of each asset this folder holds now is what new versions are patched against (by
  // whoever checkpointed them, or by the server for us): its chunks are indexed as bases too.
  const recorded = new Map(plan.map((p) => [p.checkpoint.id, workingFiles.byAsset(db, p.checkpoint.assetId)?.chunks ?? []]));
  const local = await LocalChunks.index(db, store, [...[...manifests.values()].flatMap((m) => m.chunks), ...[...recorded.values()].flat().map(([id]) => id)]);
  const remote: { id: string; size: number }[] = [];
  const heldFor = new Map<string, string[]>();
  let total = 0;
  for (const p of plan) {
    const m = manifests.get(p.checkpoint.id)!;
    total += m.size;
    const aligner = new VersionAligner(recorded.get(p.checkpoint.id)!, (id) => local.has(id));
    let at = 0;
    m.chunks.forEach((id, i) => {
      const held = aligner.next(id, at, m.chunkSizes[i]);
      at += m.chunkSizes[i];
      if (local.has(id)) return;
      remote.push({ id, size: m.chunkSizes[i] });
      if (held.length && !heldFor.has(id)) heldFor.set(id, held);
    });
  }
  // Nothing left to write (every file refused): no plan to show.
  if (plan.length > 0) hooks.onPlan?.(plan.length, total);
  const chunkApi = api ? new ChunkApi(api, db.meta().projectId, { pool: sharedWorkerPool }) : null;
  const bases = (id: string) => (local.has(id) ? local.read(id) : Promise.resolve(null));
  const keeps = hooks.keepPristine && !db.meta().personal ? keepsPristine(db) : null;
  const copies = new PristineKeeping(store, db);
  const fetcher = remote.length > 0 ? new ChunkFetcher(need(chunkApi), remote, { bases, held: (id) => heldFor.get(id) }) : null;
  const chunkOf = async (id: string): Promise<Buffer> => {
    if (local.has(id)) {
      const raw = await local.read(id);
      if (raw) return raw;
      // Changed under us since indexed: ask the server for this one.
      for await (const c of await need(chunkApi).fetch([id], { bases })) return c.raw;
    }
    return need(fetcher).get(id);
  };
  const stats: WriteStats = { bytesWritten: 0, bytesFetched: 0, bytesReused: 0 };
  // Each folder is made once per call, not once per file (a clone of thousands of small files in
  // a few folders paid a recursive mkdir for each).
  const folders = new Map<string, Promise<unknown>>();
  const folderOf = (dest: string) => {
    const dir = dirname(dest);
    let made = folders.get(dir);
    if (!made) folders.set(dir, (made = mkdir(dir, { recursive: true })));
    return made;
  };
  const writeOne = async (p: (typeof plan)[number]): Promise<void> => {
    const m = manifests.get(p.checkpoint.id)!;
    try {
      await folderOf(p.dest);
      await restoreFile(m.chunks, chunkOf, p.dest, m.fileHash, { expectedSize: m.size, concurrency: 8 });
    } catch (err) {
      if (!hooks.onLocked || !isHeldError(err)) throw err;
      hooks.onLocked(p.index, err);
      return;
    }
    stats.bytesWritten += m.size;
    if (keeps?.(p.checkpoint.assetId)) await copies.start(p.dest, m);
    hooks.onWritten?.(p.index, m, await stat(p.dest));
  };
  // Small files are written several at a time: each one's cost is mostly waiting on the file
  // system (a folder, a temp file, a rename), and those waits overlap. Large ones go one by one.
  const running = new Set<Promise<void>>();
  let failed: { err: unknown } | undefined;
  for (const p of plan) {
    const small = manifests.get(p.checkpoint.id)!.size <= SMALL_FILE;
    while (running.size > 0 && (!small || running.size >= SMALL_FILES_AT_ONCE)) await Promise.race(running);
    if (failed) break;
    const writing: Promise<void> = writeOne(p)
      .catch((err: unknown) => {
        failed ??= { err };
      })
      .finally(() => running.delete(writing));
    running.add(writing);
  }
  await Promise.all(running);
  await copies.finished();
  if (failed) throw failed.err;
  stats.bytesFetched = fetcher?.stats.bytes ?? 0;
  stats.bytesReused = local.bytesRead;
  return stats;
}

/**
 * Makes the pristine files of written files (links, else copies made while the next file
 * downloads, a few at a time) and records them in groups (grouped-writes.ts).
 */
class PristineKeeping {
  private readonly making = new Set<Promise<unknown>>();
  private readonly records: GroupedWrites;

  constructor(private readonly store: LocalStore, db: ProjectDb) {
    this.records = new GroupedWrites(db);
  }

  async start(file: string, m: CheckpointManifest): Promise<void> {
    while (this.making.size >= PRISTINE_AT_ONCE) await Promise.race(this.making);
    const version = { fileHash: m.fileHash, chunks: m.chunks.map((id, k) => [id, m.chunkSizes[k]] as const) };
    // A cache entry: one that could not be made only costs a future patch.
    const making: Promise<unknown> = this.store.pristine
      .add(file, m.fileHash)
      .then((made) => made && this.records.add(() => this.store.pristine.record([version])), () => {})
      .finally(() => this.making.delete(making));
    this.making.add(making);
  }

  async finished(): Promise<void> {
    await Promise.all(this.making);
    this.records.commit();
  }
}

/** Chunk lists of the checkpoints to write: kept here for this folder's own, else asked of the server. */
async function manifestsOf(api: BacklotApi | null, db: ProjectDb, cps: LocalCheckpointView[]): Promise<{ manifests: Map<string, CheckpointManifest>; refused: Map<string, ManifestRefusal> }> {
  const kept = new Map<string, CheckpointManifest>();
  const ask: string[] = [];
  for (const c of cps) {
    if (c.chunks && c.chunkSizes) kept.set(c.id, { id: c.id, assetId: c.assetId, fileName: '', fileHash: c.fileHash, size: c.size, chunks: c.chunks, chunkSizes: c.chunkSizes });
    else ask.push(c.id);
  }
  if (ask.length === 0) return { manifests: kept, refused: new Map() };
  const fetched = await fetchCheckpointManifests(need(api), db.meta().projectId, ask);
  for (const [id, m] of kept) fetched.manifests.set(id, m);
  return fetched;
}

/** What only a server can give; a Personal project has everything it needs in its own store. */
function need<T>(x: T | null): T {
  if (x === null) throw new Error('some content is not in this folder and there is no server to fetch it from');
  return x;
}
