// Chunks as files: DIR/<namespace>/<first two hex digits>/<id>.
//
// One level of 256 fan-out folders keeps directories small enough (a million 512 KiB chunks is
// ~4000 entries per folder) while `list()` stays a walk of 256 folders. A chunk is written to a
// temp file beside its final name (<id>.<pid>.<random>.tmp) and renamed into place: rename is
// atomic, so a crash leaves at worst a stray temp file (named after its writer's pid, so start-up
// can remove those of dead writers), never a half-written chunk under its final name. A put is
// durable when it resolves: the temp file is fsynced before the rename, and the folder after it
// (and a new folder's parent), so the server may record the chunk as stored and a power cut cannot
// take it back. Batches share the folder syncs.
// Why beside it: with one temp folder for the whole store, every file creation of a batch queued
// on that folder's lock, and every rename out of it was a cross-folder rename, which the kernel
// serialises store-wide (a 664 MiB checkpoint spent ~12% of its CPU spinning on that lock). Stores
// written before keep their temp files in DIR/<namespace>/.tmp, which cleanTemp still empties.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  assertNamespace,
  forEachLimit,
  assertWithinLimit,
  verifyChunkWith,
  basesFrom,
  type VerifiedChunk,
  type ChunkBackend,
  type ChunkStore,
  type StoreLimits,
} from './chunk-store.js';
import { maxEncodedSize } from './compress.js';
import { fdClose, fdOpen, fdRead, fdStat } from './fd-io.js';
import { CorruptChunkError } from './errors.js';
import { MAX_CHUNK_SIZE } from './fastcdc.js';
import { assertChunkId, isChunkId } from './hash.js';
import { processIsAlive } from './processes.js';

const FS_CONCURRENCY = 32;
/** Where stores written before temp files moved beside their chunks kept them (cleanTemp empties it). */
const LEGACY_TMP = '.tmp';
/** A fan-out folder's name: the first two hex digits of its chunks' ids. */
const FAN_OUT = /^[0-9a-f]{2}$/;
/** A temp file beside its chunk: <id>.<writer pid>.<random hex>.tmp. */
const TEMP_NAME = /^[0-9a-f]{64}\.(\d+)\.[0-9a-f]+\.tmp$/;
/** Fan-out folders `list` reads ahead of the one it yields from (and `cleanTemp` reads at once). */
const LIST_AHEAD = 8;
/** Above this many ids, `has` lists the fan-out folders before asking for any file. */
const LIST_FIRST = 16;

export interface FsChunkStoreOptions extends StoreLimits {
  /** Root data folder; one subfolder per namespace is created inside. */
  dir: string;
}

export class FsChunkBackend implements ChunkBackend {
  constructor(private readonly options: FsChunkStoreOptions) {}

  store(namespace: string): FsChunkStore {
    return new FsChunkStore({ ...this.options, namespace });
  }

  async close(): Promise<void> {}
}

export class FsChunkStore implements ChunkStore {
  readonly namespace: string;
  /** The data folder (FsChunkStoreOptions.dir): with `namespace`, enough to open this store again elsewhere. */
  readonly dir: string;
  readonly root: string;
  private readonly maxChunkSize: number;
  /** Fan-out folders known to exist, to skip a mkdir syscall per put. */
  private readonly madeDirs = new Set<string>();


  constructor(options: FsChunkStoreOptions & { namespace: string }) {
    assertNamespace(options.namespace);
    this.namespace = options.namespace;
    this.dir = options.dir;
    this.root = join(options.dir, options.namespace);
    this.maxChunkSize = options.maxChunkSize ?? MAX_CHUNK_SIZE;
  }

  /** Where chunk `id` lives (exposed for tests and tooling). */
  pathOf(id: string): string {
    assertChunkId(id);
    return join(this.root, id.slice(0, 2), id);
  }

  async has(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    let wanted = [...new Set(ids)];
    // Many ids: one listing of the fan-out folders first, and no stat for an id whose folder does
    // not exist (a fresh clone asks for hundreds of ids of an empty store).
    if (wanted.length > LIST_FIRST) {
      const folders = new Set(await namesIn(this.root));
      wanted = wanted.filter((id) => {
        assertChunkId(id);
        return folders.has(id.slice(0, 2));
      });
    }
    await forEachLimit(wanted, FS_CONCURRENCY, async (id) => {
      if (await exists(this.pathOf(id))) found.add(id);
    });
    return found;
  }

  async put(id: string, encoded: Buffer): Promise<void> {
    await this.putVerified(await verifyChunkWith(id, encoded, basesFrom(this, undefined, this.maxChunkSize), this.maxChunkSize));
  }

  async putVerified(chunk: VerifiedChunk): Promise<void> {
    await this.putVerifiedMany([chunk]);
  }

  async putVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void> {
    for (const chunk of chunks) assertWithinLimit(chunk, this.maxChunkSize);
    const unique = [...new Map(chunks.map((c) => [c.id, c])).values()];
    try {
      await this.writeDurably(unique);
    } catch (err) {
      // A folder removed behind our back (cache says it exists): recreate once and retry.
      if (!isNotFound(err)) throw err;
      this.madeDirs.clear();
      await this.writeDurably(unique);
    }
  }

  async replaceVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void> {
    for (const chunk of chunks) assertWithinLimit(chunk, this.maxChunkSize);
    await this.writeDurably(chunks, true);
  }

  /** Write each new chunk to a synced temp file, rename it into place, then sync the folders. */
  private async writeDurably(chunks: readonly VerifiedChunk[], replace = false): Promise<void> {
    const folders = new Set<string>();
    await forEachLimit(chunks, FS_CONCURRENCY, async ({ id, encoded }) => {
      const final = this.pathOf(id);
      if (!replace && (await exists(final))) return;
      for (const dir of await this.ensureDir(dirname(final))) folders.add(dir);
      const temp = this.tempFor(id);
      try {
        const handle = await open(temp, 'wx');
        try {
          await handle.writeFile(encoded);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        await rename(temp, final);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      folders.add(dirname(final));
    });
    await forEachLimit([...folders], FS_CONCURRENCY, syncDir);
  }

  /**
   * Keeps an already verified chunk as a cache entry: written atomically (temp + rename) but not
   * synced, and not verified again. A crash may lose it or leave it empty; every read verifies
   * (readChunk), so such an entry is only ever a miss. For copies that can be fetched again
   * (a working folder's pristine versions), never for the only copy of anything. With `replace`,
   * an entry already there is replaced (atomically: another encoding of the same bytes).
   */
  async putCached(id: string, encoded: Uint8Array, options: { replace?: boolean } = {}): Promise<void> {
    const final = this.pathOf(id);
    if (!options.replace && (await exists(final))) return;
    await this.ensureDir(dirname(final));
    const temp = this.tempFor(id);
    try {
      await writeFile(temp, encoded);
      await rename(temp, final);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  /** A temp file's name says which chunk and which process wrote it (cleanTemp's deadWriters). */
  private tempFor(id: string): string {
    return join(this.root, id.slice(0, 2), `${id}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  }

  async get(id: string): Promise<Buffer | null> {
    // Plain descriptors, not FileHandles (fd-io.ts): open, fstat, one read of the size learned
    // (FileHandle.readFile would stat again and read once more to find the end), close.
    let fd: number;
    try {
      fd = await fdOpen(this.pathOf(id), 'r');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    try {
      // Bound the read by what a valid chunk can be, before allocating for it.
      const { size } = await fdStat(fd);
      const limit = maxEncodedSize(this.maxChunkSize);
      if (size > limit) throw new CorruptChunkError(id, `stored size ${size} exceeds ${limit}`);
      const out = Buffer.allocUnsafe(size);
      let at = 0;
      while (at < size) {
        const n = await fdRead(fd, out, at, size - at, at);
        if (n === 0) break;
        at += n;
      }
      return at === size ? out : out.subarray(0, at);
    } finally {
      await fdClose(fd);
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    await forEachLimit([...new Set(ids)], FS_CONCURRENCY, async (id) => {
      try {
        await unlink(this.pathOf(id));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
  }

  async *list(): AsyncIterable<string> {
    const fans = (await namesIn(this.root)).filter((f) => FAN_OUT.test(f)).sort();
    // A few folders are read ahead: one at a time, a small store's 256 folders cost ~20 ms of waits.
    const reading: Promise<string[]>[] = [];
    let asked = 0;
    try {
      for (const fan of fans) {
        while (asked < fans.length && reading.length < LIST_AHEAD) reading.push(namesIn(join(this.root, fans[asked++])));
        const names = await reading.shift()!;
        for (const name of names.sort()) if (isChunkId(name) && name.startsWith(fan)) yield name;
      }
    } finally {
      for (const r of reading) r.catch(() => {}); // a caller that stopped early leaves these unread
    }
  }

  /**
   * Removes temp files older than `olderThanMs`, and with `deadWriters` those of processes that no
   * longer run: beside the chunks, and in the temp folder of stores written before.
   */
  async cleanTemp(options: { olderThanMs: number; deadWriters?: boolean }): Promise<number> {
    const temps: { path: string; writer: number }[] = [];
    const folders = (await namesIn(this.root)).filter((f) => f === LEGACY_TMP || FAN_OUT.test(f));
    await forEachLimit(folders, LIST_AHEAD, async (folder) => {
      const legacy = folder === LEGACY_TMP;
      for (const name of await namesIn(join(this.root, folder))) {
        const writer = legacy ? Number(name.split('.')[1]) : Number(TEMP_NAME.exec(name)?.[1] ?? NaN);
        if (legacy || !Number.isNaN(writer)) temps.push({ path: join(this.root, folder, name), writer });
      }
    });
    let removed = 0;
    const cutoff = Date.now() - options.olderThanMs;
    for (const { path, writer } of temps) {
      try {
        const dead = options.deadWriters === true && Number.isInteger(writer) && !processIsAlive(writer);
        if (dead || (await stat(path)).mtimeMs <= cutoff) {
          await unlink(path);
          removed++;
        }
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return removed;
  }

  /** Creates `dir` if needed; answers the folders whose entries changed (to sync). */
  private async ensureDir(dir: string): Promise<string[]> {
    if (this.madeDirs.has(dir)) return [];
    const first = await mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
    if (first === undefined) return [];
    // Each new folder's entry lives in its parent (first's parent, first, ..., dir's parent).
    const changed: string[] = [];
    for (let d = dir; ; d = dirname(d)) {
      changed.push(dirname(d));
      if (d === first || dirname(d) === d) return changed;
    }
  }
}

/** Makes a folder's entries (renames, new files and folders in it) durable. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The entries of `dir`; none when it does not exist (yet, or any more). */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}
