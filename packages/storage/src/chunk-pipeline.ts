// The one pass over a file that every writer of chunks shares (storage's chunkFile, the client's
// check-first publishing): read and cut (FastCDC) the file on this thread, start each chunk's work
// on the worker pool (hash, or hash + compress) with a bounded number in flight, and hand the
// results on in file order. The whole-file hash is computed by the pool's worker along with the
// chunks (a FileDigest) when one is given, else on this thread as the bytes are read.
import { chunkStream, DEFAULT_CDC_PARAMS, type CdcParams } from './fastcdc.js';
import { readFileBlocks } from './file-reader.js';
import { FileHasher } from './hash.js';
import type { ChunkBuffers } from './chunk-buffers.js';
import type { FileDigest } from './worker-pool.js';

/** A path, or the bytes of a file as a stream. */
export type FileSource = string | AsyncIterable<Uint8Array>;

export interface ChunkPipeline<T> {
  /** Starts one chunk's work; `raw` is handed over (it may be transferred to a worker). */
  start(raw: Buffer): Promise<T>;
  /** Receives each chunk's result in file order, with its raw size; awaited (backpressure). */
  consume(result: T, size: number): void | Promise<void>;
  /** Chunks started and not yet consumed (bounds memory). */
  inFlight: number;
  /** Chunking parameters; anything but the default breaks dedup with existing data. */
  params?: CdcParams;
  /** Read block size for paths (default 1 MiB). */
  readSize?: number;
  /** The whole-file hash that `start` feeds with every chunk, in order (see FileDigest). */
  fileDigest?: FileDigest;
  /** Recycled memory for the chunks (the worker pool's); `start`'s work gives it back. */
  buffers?: ChunkBuffers;
}

/** Reads `source` once through `pipeline`; answers the whole file's SHA-256 and size. */
export async function pipeChunks<T>(source: FileSource, pipeline: ChunkPipeline<T>): Promise<{ fileHash: string; size: number }> {
  const input = typeof source === 'string' ? readFileBlocks(source, pipeline.readSize) : source;
  const digest = pipeline.fileDigest;
  const hasher = digest ? null : new FileHasher();
  let size = 0;
  const running: { result: Promise<T>; size: number }[] = [];
  const consumeOldest = async () => {
    const { result, size } = running.shift()!;
    await pipeline.consume(await result, size);
  };
  try {
    const onData = hasher ? (buf: Uint8Array) => hasher.update(buf) : undefined;
    const buffers = pipeline.buffers;
    const alloc = buffers ? (n: number) => buffers.take(n) : undefined;
    for await (const raw of chunkStream(input, pipeline.params ?? DEFAULT_CDC_PARAMS, { onData, alloc })) {
      size += raw.length;
      running.push({ result: pipeline.start(raw), size: raw.length });
      if (running.length >= Math.max(1, pipeline.inFlight)) await consumeOldest();
    }
    while (running.length > 0) await consumeOldest();
  } catch (err) {
    // Settle what is still running so no rejection goes unhandled.
    for (const r of running) r.result.catch(() => {});
    digest?.drop();
    throw err;
  }
  return { fileHash: hasher ? hasher.digest() : await digest!.digest(), size };
}
