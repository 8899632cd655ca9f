// The upload engine: gets chunks onto the server, compressing and uploading only those it lacks.
// Fed by chunkInto (chunk-file.ts), publishing is one pipeline with bounded memory and one read
// of each file:
//   main thread:   read 1 MiB blocks -> FastCDC cut (storage's pipeChunks)
//   worker pool:   chunk SHA-256 and the whole-file SHA-256 (a few chunks ahead of the reader)
//   check batches: up to 8 MiB of raw chunks wait for one `chunks/check` answer while the next
//                  batch is cut (one check cycle in flight: `offer` waits for the previous one)
//   worker pool:   zstd-encode only the chunks the server lacks (already hashed: not hashed again)
//   upload:        encoded frames are streamed into an open request as they are ready, so the
//                  server verifies and stores while we still read; a request is ended at ~32 MiB
//                  (or after 5 s without a new frame) and at most 2 ended requests await their
//                  answer. A chunk's bytes are kept until its request was acknowledged; a broken
//                  stream is sent again as one request (with retries) once all its frames are known.
// Peak memory is about 2 check batches + 3 upload requests (~110 MiB with the defaults) plus at most
// 48 MiB of chunk memory kept for reuse (storage's ChunkBuffers), whatever the file size.
import { FRAME_HEADER_BYTES, MAX_CHECK_IDS, isRetryable, type BacklotApi, type RetryOptions } from '@backlot/api';
import { sharedWorkerPool, type ChunkWorkerPool, type FileDigest } from '@backlot/storage';
import { ChunkApi } from '../remote/chunks.js';
import type { EncodedFrame } from '../remote/frame-decoder.js';

const MiB = 1024 * 1024;

export interface UploaderOptions {
  /** Worker pool for compression (default: the shared process-wide pool). */
  pool?: ChunkWorkerPool;
  /** Raw bytes of chunks waiting for one `check` answer (default 8 MiB). */
  checkBatchBytes?: number;
  /** Ids per `check` request (default 2,000; at most 10,000). */
  checkBatchIds?: number;
  /** Encoded bytes per upload request (default 32 MiB). */
  uploadBatchBytes?: number;
  /** Upload requests in flight (default 2), not counting the one being filled. */
  uploadsInFlight?: number;
  /** An upload request that got no new chunk for this long is ended (default 5 s). */
  idleCloseMs?: number;
  /**
   * Ids known to be on the server (e.g. uploaded or checked earlier in this session). Shared and
   * updated: chunks found or uploaded are added. Such chunks are not asked about again.
   */
  known?: Set<string>;
  /**
   * Retries of an upload sent again after its stream broke. Every other call (checks, ops) is
   * retried by the api's transport, as its BacklotApi was configured.
   */
  retry?: RetryOptions;
}

export interface UploadStats {
  /** Chunks offered (repeats within the session counted once). */
  offered: number;
  /** Chunks the server already had. */
  present: number;
  /** Chunks uploaded and acknowledged. */
  uploaded: number;
  /** Raw bytes of the uploaded chunks. */
  uploadedRawBytes: number;
  /** Encoded bytes sent (payload, without frame headers). */
  uploadedBytes: number;
  checkRequests: number;
  uploadRequests: number;
  /** Chunks compressed by this uploader (0 for chunks offered already encoded). */
  encoded: number;
  /** Time `offer` waited for the previous check/encode/upload cycle (backpressure), ms. */
  offerWaitMs: number;
  /** Time `flush` waited for the last checks and uploads, ms. */
  flushWaitMs: number;
}

type Offer = { id: string; raw?: Buffer; encoded?: Buffer };

/**
 * Gets chunks onto the server: `offer` each chunk (in any order, repeats welcome), then `flush`.
 * When `flush` resolves, every offered chunk is on the server. One uploader can serve many files,
 * so small files share requests.
 */
export class ChunkUploader {
  readonly stats: UploadStats = { offered: 0, present: 0, uploaded: 0, uploadedRawBytes: 0, uploadedBytes: 0, checkRequests: 0, uploadRequests: 0, encoded: 0, offerWaitMs: 0, flushWaitMs: 0 };
  readonly known: Set<string>;
  private readonly chunks: ChunkApi;
  private readonly checkBatchBytes: number;
  private readonly checkBatchIds: number;
  private readonly uploadBatchBytes: number;
  private readonly uploadsInFlight: number;
  private poolPromise: Promise<ChunkWorkerPool> | undefined;
  /** Offered and not yet known to be on the server. */
  private readonly queued = new Set<string>();
  private pending: Offer[] = [];
  private pendingBytes = 0;
  private cycle: Promise<void> = Promise.resolve();
  private open: OpenRequest | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleCloseMs: number;
  private readonly uploads = new Set<Promise<void>>();
  private failure: { err: unknown } | undefined;

  constructor(api: BacklotApi, projectId: string, options: UploaderOptions = {}) {
    this.chunks = new ChunkApi(api, projectId, { retry: options.retry });
    this.known = options.known ?? new Set();
    this.checkBatchBytes = options.checkBatchBytes ?? 8 * MiB;
    this.checkBatchIds = Math.min(MAX_CHECK_IDS, Math.max(1, options.checkBatchIds ?? 2000));
    this.uploadBatchBytes = options.uploadBatchBytes ?? 32 * MiB;
    this.uploadsInFlight = Math.max(1, options.uploadsInFlight ?? 2);
    this.idleCloseMs = options.idleCloseMs ?? 5000;
    if (options.pool) this.poolPromise = Promise.resolve(options.pool);
  }

  /** The pool this uploader hashes and compresses on (the caller's, else the shared one). */
  workerPool(): Promise<ChunkWorkerPool> {
    this.poolPromise ??= sharedWorkerPool();
    return this.poolPromise;
  }

  /**
   * Offer one chunk, raw (it is compressed only if the server lacks it) or already encoded. May
   * wait (backpressure) while earlier chunks are being checked and uploaded. A raw buffer may be
   * transferred to a worker thread: do not use it afterwards.
   */
  async offer(id: string, chunk: { raw: Buffer } | { encoded: Buffer }): Promise<void> {
    this.throwIfFailed();
    if (this.known.has(id) || this.queued.has(id)) {
      if ('raw' in chunk) await this.release(chunk.raw);
      return;
    }
    this.queued.add(id);
    this.stats.offered++;
    const item: Offer = 'raw' in chunk ? { id, raw: chunk.raw } : { id, encoded: chunk.encoded };
    this.pending.push(item);
    this.pendingBytes += (item.raw ?? item.encoded!).length;
    if (this.pending.length >= this.checkBatchIds || this.pendingBytes >= this.checkBatchBytes) {
      const t0 = performance.now();
      await this.startCycle();
      this.stats.offerWaitMs += performance.now() - t0;
    }
  }

  /**
   * SHA-256 of a raw chunk on the worker pool (see ChunkWorkerPool.hash), extending `file`'s
   * whole-file hash first; `raw` is handed over.
   */
  async hash(raw: Buffer, file: FileDigest): Promise<{ id: string; raw: Buffer }> {
    return (await this.workerPool()).hash(raw, file);
  }

  /** Gives a raw chunk that will not be compressed back to the pool it came from. */
  private async release(raw: Buffer): Promise<void> {
    (await this.workerPool()).release(raw);
  }

  /** Resolves when every chunk offered so far is on the server; throws the first failure. */
  async flush(): Promise<void> {
    const t0 = performance.now();
    try {
      if (this.pending.length > 0) await this.startCycle();
      await this.cycle;
      this.throwIfFailed();
      this.closeRequest();
      while (this.uploads.size > 0) await Promise.all(this.uploads);
      this.throwIfFailed();
    } finally {
      this.stats.flushWaitMs += performance.now() - t0;
    }
  }

  /** Forget that ids are on the server (e.g. the server said a checkpoint's chunk is missing). */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.known.delete(id);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.err;
  }

  private fail(err: unknown): void {
    this.failure ??= { err };
  }

  /** Hands the pending batch to a check cycle; waits for the previous cycle first (backpressure). */
  private async startCycle(): Promise<void> {
    const items = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    await this.cycle;
    this.throwIfFailed();
    this.cycle = this.runCycle(items).catch((err) => this.fail(err));
  }

  private async runCycle(items: Offer[]): Promise<void> {
    this.stats.checkRequests += Math.ceil(items.length / MAX_CHECK_IDS);
    const missing = await this.chunks.missing(items.map((i) => i.id));
    const todo: Offer[] = [];
    for (const it of items) {
      if (missing.has(it.id)) todo.push(it);
      else {
        if (it.raw) await this.release(it.raw);
        this.stats.present++;
        this.known.add(it.id);
        this.queued.delete(it.id);
      }
    }
    items.length = 0; // drop the present chunks' bytes now
    if (todo.length === 0) return;
    const pool = todo.some((t) => !t.encoded) ? await this.workerPool() : undefined;
    const limit = Math.max(2, 2 * (pool?.capacity ?? 1) + 2);
    const window: Promise<EncodedFrame & { rawSize: number }>[] = [];
    let next = 0;
    const launch = () => {
      while (window.length < limit && next < todo.length) {
        const it = todo[next];
        todo[next++] = undefined as unknown as Offer;
        let p: Promise<EncodedFrame & { rawSize: number }>;
        if (it.encoded) p = Promise.resolve({ id: it.id, encoded: it.encoded, rawSize: -1 });
        else {
          const rawSize = it.raw!.length;
          this.stats.encoded++;
          // Hashed once, to ask the server; the worker only compresses (and takes the raw bytes
          // back for reuse). The server verifies every frame against its id, so a mismatch
          // cannot be stored.
          p = pool!.encode(it.raw!, it.id).then((e) => ({ id: it.id, encoded: e.encoded, rawSize }));
        }
        p.catch(() => {}); // observed below; no unhandled rejection if we stop early
        window.push(p);
      }
    };
    launch();
    while (window.length > 0) {
      const frame = await window.shift()!;
      launch();
      await this.addToBatch(frame);
    }
  }

  /** Adds a frame to the open upload request (opening one when needed). */
  private async addToBatch(frame: EncodedFrame & { rawSize: number }): Promise<void> {
    if (!this.open) await this.openRequest();
    const o = this.open!;
    o.frames.push({ id: frame.id, encoded: frame.encoded });
    o.rawSizes.push(frame.rawSize);
    o.bytes += frame.encoded.length + FRAME_HEADER_BYTES;
    o.feed.push({ id: frame.id, encoded: frame.encoded });
    if (o.bytes >= this.uploadBatchBytes) this.closeRequest();
    else this.armIdleTimer();
  }

  /**
   * Starts a streamed upload request that frames are pushed into as they are encoded, so the
   * server verifies and stores while we are still reading. Waits while `uploadsInFlight` closed
   * requests are unanswered (backpressure).
   */
  private async openRequest(): Promise<void> {
    while (this.uploads.size >= this.uploadsInFlight) await Promise.race(this.uploads);
    this.throwIfFailed();
    const feed = new Feed<EncodedFrame>();
    const o: OpenRequest = { feed, frames: [], rawSizes: [], bytes: 0, done: Promise.resolve() };
    this.stats.uploadRequests++;
    o.done = this.chunks
      .uploadFrom(feed)
      .catch(async (err) => {
        // The stream broke (connection reset, 5xx, …): once every frame of it is known, send them
        // again as one request, with retries. The server kept what it had verified; it is cheap.
        if (!isRetryable(err)) throw err;
        await feed.closed;
        this.stats.uploadRequests++;
        return this.chunks.upload(o.frames);
      })
      .then(() => {
        o.frames.forEach((f, i) => {
          this.known.add(f.id);
          this.queued.delete(f.id);
          this.stats.uploaded++;
          this.stats.uploadedBytes += f.encoded.length;
          if (o.rawSizes[i] >= 0) this.stats.uploadedRawBytes += o.rawSizes[i];
        });
      })
      .catch((err) => {
        feed.end();
        this.fail(err);
      });
    this.open = o;
  }

  /** Ends the open request's body; its answer is awaited in the background. */
  private closeRequest(): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    o.feed.end();
    const p: Promise<void> = o.done.finally(() => this.uploads.delete(p));
    this.uploads.add(p);
  }

  /** A request left open while nothing new turns up (long runs of chunks the server has) is closed. */
  private armIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.closeRequest(), this.idleCloseMs);
    this.idleTimer.unref?.();
  }
}

interface OpenRequest {
  feed: Feed<EncodedFrame>;
  frames: EncodedFrame[];
  rawSizes: number[];
  bytes: number;
  done: Promise<void>;
}

/** An async iterable fed by push(); ends after end(). */
class Feed<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private ended = false;
  private wake: (() => void) | undefined;
  private markClosed!: () => void;
  /** Resolves once end() was called. */
  readonly closed = new Promise<void>((r) => (this.markClosed = r));

  push(item: T): void {
    if (this.ended) return;
    this.queue.push(item);
    this.wake?.();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.markClosed();
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      while (this.queue.length > 0) yield this.queue.shift()!;
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}
