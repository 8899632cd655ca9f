// Chunks as files: DIR/<namespace>/<first two hex digits>/<id>.
//
// One level of 256 fan-out folders keeps directories small enough (a million 512 KiB chunks is
// ~4000 entries per folder) while `list()` stays a walk of 256 folders. Writes go to
// DIR/<namespace>/.tmp and are renamed into place: rename is atomic, so a crash leaves at worst a
// stray temp file, never a half-written chunk under its final name. No fsync: a chunk lost in a
// power cut is simply missing and is uploaded again on the next sync (callers ask `has` first).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assertNamespace,
  forEachLimit,
  assertWithinLimit,
  verifyChunk,
  type VerifiedChunk,
  type ChunkBackend,
  type ChunkStore,
  type StoreLimits,
} from './chunk-store.js';
import { maxEncodedSize } from './compress.js';
import { CorruptChunkError } from './errors.js';
import { MAX_CHUNK_SIZE } from './fastcdc.js';
import { assertChunkId, isChunkId } from './hash.js';

const FS_CONCURRENCY = 32;
const TMP = '.tmp';

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
  readonly root: string;
  private readonly maxChunkSize: number;
  /** Fan-out folders known to exist, to skip a mkdir syscall per put. */
  private readonly madeDirs = new Set<string>();

  constructor(options: FsChunkStoreOptions & { namespace: string }) {
    assertNamespace(options.namespace);
    this.namespace = options.namespace;
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
    await forEachLimit([...new Set(ids)], FS_CONCURRENCY, async (id) => {
      if (await exists(this.pathOf(id))) found.add(id);
    });
    return found;
  }

  async put(id: string, encoded: Buffer): Promise<void> {
    await this.putVerified(verifyChunk(id, encoded, this.maxChunkSize));
  }

  async putVerified(chunk: VerifiedChunk): Promise<void> {
    assertWithinLimit(chunk, this.maxChunkSize);
    const { id, encoded } = chunk;
    const final = this.pathOf(id);
    if (await exists(final)) return;
    try {
      await this.writeAtomically(id, final, encoded);
    } catch (err) {
      // A folder removed behind our back (cache says it exists): recreate once and retry.
      if (!isNotFound(err)) throw err;
      this.madeDirs.clear();
      await this.writeAtomically(id, final, encoded);
    }
  }

  private async writeAtomically(id: string, final: string, encoded: Buffer): Promise<void> {
    await this.ensureDir(join(this.root, TMP));
    await this.ensureDir(join(this.root, id.slice(0, 2)));
    const temp = join(this.root, TMP, `${id}.${process.pid}.${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(temp, encoded, { flag: 'wx' });
      await rename(temp, final);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async get(id: string): Promise<Buffer | null> {
    const path = this.pathOf(id);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    try {
      // Bound the read by what a valid chunk can be, before allocating for it.
      const { size } = await handle.stat();
      const limit = maxEncodedSize(this.maxChunkSize);
      if (size > limit) throw new CorruptChunkError(id, `stored size ${size} exceeds ${limit}`);
      return await handle.readFile();
    } finally {
      await handle.close();
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
    let fanouts: string[];
    try {
      fanouts = await readdir(this.root);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    for (const fan of fanouts.sort()) {
      if (!/^[0-9a-f]{2}$/.test(fan)) continue;
      let names: string[];
      try {
        names = await readdir(join(this.root, fan));
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      for (const name of names) if (isChunkId(name) && name.startsWith(fan)) yield name;
    }
  }

  /** Remove temp files older than `olderThanMs` (left behind by crashed writers). */
  async cleanTemp(olderThanMs = 60 * 60 * 1000): Promise<number> {
    const dir = join(this.root, TMP);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if (isNotFound(err)) return 0;
      throw err;
    }
    let removed = 0;
    const cutoff = Date.now() - olderThanMs;
    for (const name of names) {
      const p = join(dir, name);
      try {
        if ((await stat(p)).mtimeMs <= cutoff) {
          await unlink(p);
          removed++;
        }
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return removed;
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
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
