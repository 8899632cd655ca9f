// Files <-> chunks. `chunkFile` reads a file once: the main thread cuts it and hashes the whole
// file, worker threads hash and compress the chunks, with a bounded number of chunks in flight
// so a 20 GB file costs a few MiB of memory. `restoreFile` rebuilds a file next to its
// destination and only renames it into place once the whole-file hash matches.
import { randomBytes } from 'node:crypto';
import { rename, rm, stat, chmod } from 'node:fs/promises';
import { fdClose, fdOpen, fdSync, fdWriteAll } from './fd-io.js';
import { basename, dirname, join } from 'node:path';
import { readChunk, type ChunkStore } from './chunk-store.js';
import { FileHashMismatchError, StorageError } from './errors.js';
import { pipeChunks, type FileSource } from './chunk-pipeline.js';
import type { CdcParams } from './fastcdc.js';
import { FileHasher } from './hash.js';
import { ChunkWorkerPool, sharedWorkerPool, type EncodedChunk } from './worker-pool.js';

export interface ChunkRef {
  id: string;
  /** Raw (uncompressed) size. */
  size: number;
  /** Encoded bytes, only when `keepEncoded` was set. */
  encoded?: Buffer;
}

export interface FileManifest {
  /** SHA-256 of the whole file, lowercase hex. */
  fileHash: string;
  size: number;
  /** Chunks in file order; the same id may repeat. */
  chunks: ChunkRef[];
}

export interface ChunkFileOptions {
  /**
   * Worker threads for hashing + compression. Omitted: the shared process-wide pool.
   * 0: everything inline on the calling thread. N: a pool of N threads for this call only.
   */
  workers?: number;
  /** Use this pool (takes precedence over `workers`); reuse one across many files. */
  pool?: ChunkWorkerPool;
  /** Chunks submitted but not yet consumed (default 2 per worker + 2). Bounds memory. */
  maxInFlight?: number;
  /** Called for each chunk in file order; awaited, so a slow sink slows reading (backpressure). */
  onChunk?: (chunk: EncodedChunk, index: number) => void | Promise<void>;
  /** Keep encoded bytes in the manifest (only for small inputs and tests). */
  keepEncoded?: boolean;
  /** Chunking parameters; anything but the default breaks dedup with existing data. */
  params?: CdcParams;
  /** Read buffer size for paths (default 1 MiB). */
  readSize?: number;
}

export async function chunkFile(source: FileSource, options: ChunkFileOptions = {}): Promise<FileManifest> {
  let pool = options.pool;
  let ownPool: ChunkWorkerPool | undefined;
  if (!pool) {
    if (options.workers === undefined) pool = await sharedWorkerPool();
    else pool = ownPool = await ChunkWorkerPool.create(options.workers);
  }
  try {
    return await runChunking(source, pool, options);
  } finally {
    await ownPool?.close();
  }
}

async function runChunking(source: FileSource, pool: ChunkWorkerPool, options: ChunkFileOptions): Promise<FileManifest> {
  const chunks: ChunkRef[] = [];
  const fileDigest = pool.fileDigest();
  const { fileHash, size } = await pipeChunks(source, {
    params: options.params,
    readSize: options.readSize,
    inFlight: options.maxInFlight ?? 2 * Math.max(pool.capacity, 1) + 2,
    fileDigest,
    buffers: pool.buffers,
    start: (raw) => pool.encode(raw, undefined, fileDigest),
    consume: async (chunk) => {
      const index = chunks.length;
      chunks.push(options.keepEncoded ? { id: chunk.id, size: chunk.size, encoded: chunk.encoded } : { id: chunk.id, size: chunk.size });
      await options.onChunk?.(chunk, index);
    },
  });
  return { fileHash, size, chunks };
}

export interface StoreFileResult extends FileManifest {
  /** Chunks that were not in the store yet and were written. */
  newChunks: number;
  /** Encoded bytes written. */
  newBytes: number;
}

/** Chunk a file and put the chunks the store lacks. */
export async function storeFile(
  source: FileSource,
  store: ChunkStore,
  options: Omit<ChunkFileOptions, 'onChunk' | 'keepEncoded'> = {},
): Promise<StoreFileResult> {
  const seen = new Set<string>();
  let newChunks = 0;
  let newBytes = 0;
  const manifest = await chunkFile(source, {
    ...options,
    onChunk: async (chunk) => {
      if (seen.has(chunk.id)) return;
      seen.add(chunk.id);
      if ((await store.has([chunk.id])).has(chunk.id)) return;
      await store.put(chunk.id, chunk.encoded);
      newChunks++;
      newBytes += chunk.encoded.length;
    },
  });
  return { ...manifest, newChunks, newBytes };
}

export interface RestoreOptions {
  /** Chunks fetched ahead of the writer (default 4). */
  concurrency?: number;
  /** Expected total size; checked along with the hash. */
  expectedSize?: number;
  /** fsync the file before renaming it into place (default false). */
  fsync?: boolean;
}

/**
 * Rebuild a file from its chunks. `fetchChunk` must return the raw (decoded) bytes of a chunk,
 * e.g. `(id) => readChunk(store, id)`, which also verifies each chunk. The file is written to a
 * temp file in the destination's folder and renamed over `destPath` only when its SHA-256 equals
 * `expectedFileHash`; on any failure the temp file is removed and `destPath` is untouched.
 */
export async function restoreFile(
  chunkIds: readonly string[],
  fetchChunk: (id: string) => Promise<Uint8Array>,
  destPath: string,
  expectedFileHash: string,
  options: RestoreOptions = {},
): Promise<{ size: number }> {
  const dir = dirname(destPath);
  const temp = join(dir, `.${basename(destPath)}.backlot-${randomBytes(6).toString('hex')}.tmp`);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  // A plain descriptor, not a FileHandle: one write per chunk (fd-io.ts).
  const fd = await fdOpen(temp, 'wx');
  let open = true;
  const closeOnce = async () => {
    if (!open) return;
    open = false;
    await fdClose(fd);
  };
  const hasher = new FileHasher();
  const ahead: Promise<Uint8Array>[] = [];
  let next = 0;
  const fill = () => {
    while (ahead.length < concurrency && next < chunkIds.length) {
      const p = fetchChunk(chunkIds[next++]);
      p.catch(() => {}); // observed when awaited; avoid unhandled rejections on early exit
      ahead.push(p);
    }
  };
  let renamed = false;
  try {
    fill();
    while (ahead.length > 0) {
      const data = await ahead.shift()!;
      fill();
      // The write runs on libuv's thread pool while this thread hashes the same bytes.
      const written = fdWriteAll(fd, [data]);
      hasher.update(data);
      await written;
    }
    if (options.fsync) await fdSync(fd);
    await closeOnce();
    const actual = hasher.digest();
    if (actual !== expectedFileHash) throw new FileHashMismatchError(expectedFileHash, actual);
    if (options.expectedSize !== undefined && hasher.size !== options.expectedSize) {
      throw new StorageError('file_hash_mismatch', `restored ${hasher.size} bytes, expected ${options.expectedSize}`);
    }
    await keepMode(destPath, temp);
    await rename(temp, destPath);
    renamed = true;
    return { size: hasher.size };
  } finally {
    if (!renamed) {
      await closeOnce().catch(() => {});
      await rm(temp, { force: true });
    }
  }
}

/** Restore a file described by a manifest from a store, verifying every chunk and the file. */
export function restoreFromStore(
  store: ChunkStore,
  manifest: Pick<FileManifest, 'fileHash' | 'size' | 'chunks'>,
  destPath: string,
  options: Omit<RestoreOptions, 'expectedSize'> = {},
): Promise<{ size: number }> {
  return restoreFile(
    manifest.chunks.map((c) => c.id),
    (id) => readChunk(store, id),
    destPath,
    manifest.fileHash,
    { ...options, expectedSize: manifest.size },
  );
}

/** A replaced working file keeps its permission bits (e.g. an executable script). */
async function keepMode(existing: string, temp: string): Promise<void> {
  try {
    const { mode } = await stat(existing);
    await chmod(temp, mode & 0o7777);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
