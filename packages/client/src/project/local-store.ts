// The folder's own chunk store: the chunk files of .backlot/chunks, and the chunks inside its
// pristine files (pristine-files.ts), read as one store.
//   .backlot/chunks holds the chunks of checkpoints made here (until the server has them, in a
//   studio project; for good, in a Personal one, where they are the history) and stays the
//   recorded version of a file checkpointed here.
//   .backlot/pristine holds downloaded and checkpointed versions whole (links to the files).
// Together they keep each working file's recorded version (its "pristine" copy, for files this
// member may checkpoint: soft-lock.ts), which the next checkpoint of that file is stored against
// as patches (storage's store-against.ts). A patch's bases are recorded in project.db
// (chunk_bases) and kept while the patch is. Writes go to .backlot/chunks.
import { BaseCache, encodeChunk, forEachLimit, FsChunkStore, readChunk, type ChunkStore, type VerifiedChunk } from '@backlot/storage';
import { PROJECT_DIR, CHUNKS_DIR, type ProjectDb } from './project-db.js';
import { join } from 'node:path';
import { queuedOps } from './outbox.js';
import { workingFiles } from '../worktree/working-files.js';
import { keepsPristine } from './soft-lock.js';
import { PristineFiles } from './pristine-files.js';

/** Local chains of pristine patches this long are stored whole again at the next prune. */
const REKEY_DEPTH = 4;

export class LocalStore implements ChunkStore {
  readonly namespace = CHUNKS_DIR;
  readonly files: FsChunkStore;
  readonly pristine: PristineFiles;

  constructor(db: ProjectDb) {
    this.files = new FsChunkStore({ dir: join(db.root, PROJECT_DIR), namespace: CHUNKS_DIR });
    this.pristine = new PristineFiles(db);
  }

  async has(ids: readonly string[]): Promise<Set<string>> {
    const found = await this.files.has(ids);
    for (const id of await this.pristine.holding(ids.filter((id) => !found.has(id)))) found.add(id);
    return found;
  }

  /**
   * The chunk for reading its content: from a private pristine file first (whole, so nothing to
   * decode; a chunk file may be a patch at the end of a chain), else as its chunk file stores it.
   */
  async get(id: string): Promise<Buffer | null> {
    return (await this.pristine.read(id)) ?? (await this.files.get(id));
  }

  /** The chunk for sending: as its chunk file stores it (compressed, or a patch), else whole from a pristine file. */
  async stored(id: string): Promise<Buffer | null> {
    return (await this.files.get(id)) ?? (await this.pristine.read(id));
  }

  put(id: string, encoded: Buffer): Promise<void> {
    return this.files.put(id, encoded);
  }

  putVerified(chunk: VerifiedChunk): Promise<void> {
    return this.files.putVerified(chunk);
  }

  putVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void> {
    return this.files.putVerifiedMany(chunks);
  }

  replaceVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void> {
    return this.files.replaceVerifiedMany(chunks);
  }

  async delete(ids: readonly string[]): Promise<void> {
    await this.files.delete(ids);
    await this.pristine.forget(ids);
  }

  /** Both stores' ids, merged in ascending order (an id in both once). */
  async *list(): AsyncIterable<string> {
    const pristine = this.pristine.ids();
    let k = 0;
    for await (const id of this.files.list()) {
      while (k < pristine.length && pristine[k] < id) yield pristine[k++];
      if (pristine[k] === id) k++;
      yield id;
    }
    while (k < pristine.length) yield pristine[k++];
  }

  async cleanTemp(options: { olderThanMs: number; deadWriters?: boolean }): Promise<number> {
    return (await this.files.cleanTemp(options)) + (await this.pristine.clean(options));
  }
}

export function localStore(db: ProjectDb): LocalStore {
  return new LocalStore(db);
}

/** Remembers that stored chunks are patches against their bases (call before anything names them). */
export function recordLocalBases(db: ProjectDb, patches: readonly { id: string; bases: readonly string[] }[]): void {
  db.tx(() => {
    for (const { id, bases } of patches) for (const base of bases) db.stmt('INSERT OR IGNORE INTO chunk_bases (chunk_id, base_id) VALUES (?, ?)').run(id, base);
  });
}

/**
 * Removes the chunk files of chunks that a private pristine file holds intact (checked here, once):
 * read from there they need no decoding, and the bases only their patches needed can go. The
 * chunk files of queued checkpoints stay, since they are sent as stored.
 */
async function dropSuperseded(
  db: ProjectDb, store: LocalStore, fileIds: readonly string[], pristineIds: readonly string[], queued: ReadonlySet<string>,
): Promise<Set<string>> {
  const inPristine = new Set(pristineIds);
  const superseded = new Set<string>();
  // A read answers only from a private pristine file, and checks the bytes (a few at a time: the
  // reads overlap the hashing).
  const candidates = fileIds.filter((id) => inPristine.has(id) && !queued.has(id));
  await forEachLimit(candidates, 4, async (id) => {
    if (await store.pristine.read(id)) superseded.add(id);
  });
  if (superseded.size === 0) return superseded;
  await store.files.delete([...superseded]);
  // A row a crash leaves behind only keeps a base a little longer.
  db.tx(() => {
    for (const id of superseded) db.stmt('DELETE FROM chunk_bases WHERE chunk_id = ?').run(id);
  });
  return superseded;
}

/**
 * Drops the chunks a studio project no longer needs here: those no queued checkpoint lists and
 * no working file's recorded version holds, unless a kept patch is built on them. A Personal
 * project keeps everything. Returns how many were removed.
 */
export async function pruneLocalStore(db: ProjectDb, store: LocalStore, options: { cleanTemp?: boolean } = {}): Promise<number> {
  // The folder is locked: a temp file in the store is a killed writer's (leftovers.ts says when to look).
  if (options.cleanTemp ?? true) await store.cleanTemp({ olderThanMs: 60_000, deadWriters: true });
  if (db.meta().personal) return 0;
  const keep = new Set<string>();
  for (const q of queuedOps(db)) if (q.op.type === 'checkpoint.create') for (const c of q.op.chunks) keep.add(c);
  const queued = new Set(keep);
  // The chunk files are listed once (the folder is locked: nothing else writes them meanwhile).
  const fileIds: string[] = [];
  for await (const id of store.files.list()) fileIds.push(id);
  const pristineIds = store.pristine.ids();
  const superseded = await dropSuperseded(db, store, fileIds, pristineIds, queued);
  const pristine = new Set<string>();
  const keeps = keepsPristine(db);
  for (const f of workingFiles.all(db)) {
    if (!keeps(f.assetId)) continue;
    for (const [id] of f.chunks) if (!queued.has(id)) pristine.add(id);
  }
  // A pristine patch on a chain this long is stored whole again, so its bases (older versions) can
  // go and the next checkpoint's patches start a short chain. Shorter chains are kept as they are:
  // re-encoding costs a compression per chunk, paid once every few syncs instead of every time.
  const basesOf = new Map<string, string[]>();
  for (const r of db.stmt('SELECT chunk_id, base_id FROM chunk_bases').all() as { chunk_id: string; base_id: string }[])
    basesOf.set(r.chunk_id, [...(basesOf.get(r.chunk_id) ?? []), r.base_id]);
  const depths = new Map<string, number>();
  const depthOf = (id: string, guard = 0): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    const d = guard > 64 ? 0 : Math.max(0, ...(basesOf.get(id) ?? []).map((b) => 1 + depthOf(b, guard + 1)));
    depths.set(id, d);
    return d;
  };
  // Chunks of one file often share links of their chains: decode each link once.
  const cache = new BaseCache(64 * 1024 * 1024);
  const rekeyed: string[] = [];
  for (const id of pristine) {
    keep.add(id);
    if (depthOf(id) < REKEY_DEPTH) continue;
    // A pristine copy is a cache (the server has it): no sync to disk, and a crash costs a patch at most.
    const raw = await readChunk(store, id, undefined, cache).catch(() => null);
    if (raw) await store.files.putCached(id, encodeChunk(raw), { replace: true });
    else await store.delete([id]);
    rekeyed.push(id);
  }
  // Rows of chunks now whole go in one commit (a row a crash leaves only keeps a base longer).
  db.tx(() => {
    for (const id of rekeyed) db.stmt('DELETE FROM chunk_bases WHERE chunk_id = ?').run(id);
  });
  // Bases of kept patches, and theirs (chains are at most MAX_PATCH_DEPTH long).
  let frontier = [...keep];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const { base_id } of db.stmt('SELECT base_id FROM chunk_bases WHERE chunk_id = ?').all(id) as { base_id: string }[]) {
        if (!keep.has(base_id)) {
          keep.add(base_id);
          next.push(base_id);
        }
      }
    }
    frontier = next;
  }
  const drop = new Set<string>();
  for (const id of fileIds) if (!superseded.has(id) && !keep.has(id)) drop.add(id);
  for (const id of pristineIds) if (!keep.has(id)) drop.add(id); // one the re-keying dropped is ignored
  await store.delete([...drop]);
  db.tx(() => {
    for (const id of drop) db.stmt('DELETE FROM chunk_bases WHERE chunk_id = ?').run(id);
  });
  return drop.size;
}
