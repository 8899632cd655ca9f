// Reading a file into an uploader: one read of the file, cut into content-defined chunks on this
// thread (storage's pipeChunks), each chunk and the whole file hashed on the worker pool a few
// chunks ahead of the reader, chunks offered in file order. What comes back is the file's manifest.
import { chunkFile, pipeChunks, type FileSource } from '@backlot/storage';
import type { ChunkUploader } from './upload.js';

/** Chunks being hashed on the pool ahead of the one offered (bounds memory: ~4 chunks). */
const HASH_AHEAD = 4;

export interface ChunkedFile {
  /** SHA-256 of the whole file, lowercase hex. */
  fileHash: string;
  size: number;
  /** Chunk ids in file order (repeats kept). */
  chunks: string[];
  /** Raw size of each chunk, same order. */
  chunkSizes: number[];
}

export interface ChunkOptions {
  /**
   * 'check-first' (default): hash each chunk, ask the server, compress only what it lacks.
   * 'encode-all': storage's chunkFile compresses every chunk on the worker pool first (simpler,
   * but compresses chunks the server already has).
   */
  mode?: 'check-first' | 'encode-all';
  /** Read buffer size (default 1 MiB). */
  readSize?: number;
}

/** Reads `source` once, offering its chunks to `uploader`; returns the file's manifest. */
export async function chunkInto(source: FileSource, uploader: ChunkUploader, options: ChunkOptions = {}): Promise<ChunkedFile> {
  const chunks: string[] = [];
  const chunkSizes: number[] = [];
  if (options.mode === 'encode-all') {
    const manifest = await chunkFile(source, {
      pool: await uploader.workerPool(),
      readSize: options.readSize,
      onChunk: (c) => uploader.offer(c.id, { encoded: c.encoded }),
    });
    for (const c of manifest.chunks) {
      chunks.push(c.id);
      chunkSizes.push(c.size);
    }
    return { fileHash: manifest.fileHash, size: manifest.size, chunks, chunkSizes };
  }
  // Chunk ids and the file's hash are computed on the worker pool while this thread keeps reading
  // and cutting (its busiest stage); a few chunks are in flight, offered in file order.
  const pool = await uploader.workerPool();
  const fileDigest = pool.fileDigest();
  const { fileHash, size } = await pipeChunks(source, {
    readSize: options.readSize,
    inFlight: HASH_AHEAD,
    fileDigest,
    buffers: pool.buffers,
    start: (raw) => uploader.hash(raw, fileDigest),
    consume: async ({ id, raw }) => {
      chunks.push(id);
      chunkSizes.push(raw.length);
      await uploader.offer(id, { raw });
    },
  });
  return { fileHash, size, chunks, chunkSizes };
}
