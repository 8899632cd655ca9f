// A small pool of worker threads that hash and compress chunks off the main thread, which is
// busy reading and cutting the stream. If workers cannot start (e.g. a runtime that cannot load
// the worker entry), the pool degrades to doing the same work inline: slower, same bytes.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ChunkBuffers } from './chunk-buffers.js';
import { encodeChecked, encodeForStore, WORKER_ROLE, type WorkerReply, type WorkerRequest } from './chunk-worker.js';
import { checkedOnWorker, verifyEncodedChunk, type VerifiedChunk } from './chunk-store.js';
import { MAX_CHUNK_SIZE } from './fastcdc.js';
import { chunkId, FileHasher } from './hash.js';

export interface EncodedChunk {
  id: string;
  size: number;
  encoded: Buffer;
  /** With `encode(…, { check: true })`: the proof for a store (the encoding was decoded back and compared). */
  proof?: VerifiedChunk;
}

interface Slot {
  worker: Worker;
  busy: number;
}

/** A worker's answer: the id, the encoded bytes (not for hash-only) and the raw bytes back. */
interface Answer {
  id: string;
  encoded?: Buffer;
  raw?: Buffer;
  /** The worker decoded `encoded` back to the chunk it was given. */
  checked?: boolean;
}

interface Pending {
  resolve: (v: Answer) => void;
  /** The raw chunk's length, to rebuild it when its ArrayBuffer comes back. */
  length: number;
  /** The raw bytes that come back are chunk memory this pool may reuse (hash and encode). */
  recyclable: boolean;
  reject: (e: Error) => void;
  slot: Slot;
}

const STARTUP_TIMEOUT_MS = 15_000;

/**
 * A pool made with `startWith` below its size starts its other threads once this much work has
 * gone to the first: a thread costs ~40 ms of CPU to start, more than a second one saves on a
 * command that moves a few dozen MB (measured on 2 cores: a 60 MB clone and checkpoints of 11 to
 * 27 MB were 30-50 ms faster with one thread than with two), while a large job gains from two.
 */
export const GROW_AFTER_BYTES = 64 * 1024 * 1024;

/**
 * A whole-file SHA-256 computed where the file's chunks are hashed or encoded: pass it to every
 * `hash`/`encode` call of the file, in file order, then `digest()`. On a pool with threads it
 * lives on one worker (all of the file's chunks go there); inline, on the calling thread.
 */
export class FileDigest {
  /** @internal */
  constructor(
    /** @internal */ readonly slot: Slot | null,
    /** @internal */ readonly id: number,
    /** @internal */ readonly local: FileHasher | null,
    private readonly finish: (d: FileDigest) => Promise<string>,
    private readonly forget: (d: FileDigest) => void,
  ) {}

  /** The file's hash (lowercase hex), once every chunk was sent; the digest is used up. */
  digest(): Promise<string> {
    return this.finish(this);
  }

  /** Frees the hash of a file that failed half way. */
  drop(): void {
    this.forget(this);
  }
}

/**
 * Workers to use by default: one per core, leaving one for the reading/cutting thread, and at
 * least two. A file's hashing stays on one worker (its FileDigest), so on a small machine a second
 * worker keeps compression from queueing behind it (measured: publishing 5.1 GB on 2 cores,
 * 19.7 s with two workers against 21.1 s with one, mean of two runs each).
 */
export function defaultWorkerCount(): number {
  return Math.max(2, Math.min(8, availableParallelism() - 1));
}

function workerUrl(): { script: URL; entry: URL } {
  // From sources (.ts) the entry goes through a JS bootstrap that can register tsx; from compiled
  // output (.js) the entry is loaded directly.
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './chunk-worker.ts' : './chunk-worker.js', import.meta.url);
  return { script: fromSource ? new URL('./worker-boot.mjs', import.meta.url) : entry, entry };
}

export class ChunkWorkerPool {
  private slots: Slot[] = [];
  /** Threads this pool may have; those not started yet start once GROW_AFTER_BYTES went to the others. */
  private target = 0;
  private growing = false;
  /** Bytes handed to workers so far (counted until the pool has all its threads). */
  private handedBytes = 0;
  private readonly pending = new Map<number, Pending>();
  /** Ids `hash` computed, by the memory of the chunk they were computed from. */
  private readonly hashedIds = new WeakMap<ArrayBufferLike, { id: string; length: number }>();
  /**
   * Memory for raw chunks (see ChunkBuffers): readers take from it, `encode` gives back what it
   * consumed, and holders of a hashed chunk that is not encoded give it back with `release`.
   */
  readonly buffers = new ChunkBuffers();
  private seq = 0;
  private fileSeq = 0;
  private closed = false;
  /** Why the pool runs inline, when it does (for diagnostics and tests). */
  fallbackReason: string | undefined;

  private constructor(readonly level: number | undefined) {}

  /** 'threads' when work runs on worker threads, 'inline' after a fallback or with 0 workers. */
  get mode(): 'threads' | 'inline' {
    return this.slots.length > 0 ? 'threads' : 'inline';
  }

  /** Threads running now. */
  get size(): number {
    return this.slots.length;
  }

  /** Threads this pool runs once a job is large enough (see `startWith`): what to size work in flight by. */
  get capacity(): number {
    return Math.max(this.slots.length, this.target);
  }

  /**
   * Start `workers` threads (only `startWith` of them at first, the others once GROW_AFTER_BYTES
   * of work went to the pool) and wait until those have loaded their code. Never throws for
   * startup problems: the pool falls back to inline mode and records `fallbackReason`.
   */
  static async create(workers: number = defaultWorkerCount(), options: { level?: number; startWith?: number } = {}): Promise<ChunkWorkerPool> {
    const pool = new ChunkWorkerPool(options.level);
    if (workers <= 0) return pool;
    const { script, entry } = workerUrl();
    const started = await Promise.allSettled(
      Array.from({ length: Math.max(1, Math.min(workers, options.startWith ?? workers)) }, () => startWorker(script, entry)),
    );
    const failure = started.find((s) => s.status === 'rejected');
    const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failure) {
      await Promise.all(ok.map((w) => w.terminate()));
      pool.fallbackReason = String((failure as PromiseRejectedResult).reason?.message ?? failure);
      return pool;
    }
    for (const worker of ok) pool.adopt(worker);
    pool.target = workers;
    return pool;
  }

  /** Starts one more thread in the background when the pool has fewer than it may have. */
  private grow(): void {
    if (this.growing || this.closed || this.slots.length === 0 || this.slots.length >= this.target) return;
    this.growing = true;
    const { script, entry } = workerUrl();
    startWorker(script, entry, { unref: true }).then(
      (worker) => {
        this.growing = false;
        if (this.closed) return void worker.terminate();
        this.adopt(worker);
        if (this.slots.length < this.target) this.grow();
      },
      () => {
        // The threads already running do the work; no more attempts.
        this.growing = false;
        this.target = this.slots.length;
      },
    );
  }

  private adopt(worker: Worker): void {
    const slot: Slot = { worker, busy: 0 };
    worker.unref(); // an idle pool must not keep the process alive
    worker.on('message', (msg: WorkerReply) => {
      if ('ready' in msg) return;
      const p = this.pending.get(msg.seq);
      if (!p) return;
      this.pending.delete(msg.seq);
      this.done(p.slot);
      if (msg.raw && p.recyclable) this.buffers.adopt(msg.raw);
      if ('error' in msg) {
        if (msg.raw) this.buffers.give(msg.raw);
        p.reject(new WorkerFailure(`chunk worker: ${msg.error}`, msg.encoded && Buffer.from(msg.encoded)));
        return;
      }
      const raw = msg.raw && Buffer.from(msg.raw, msg.offset ?? 0, msg.length ?? p.length);
      p.resolve({ id: msg.id, encoded: msg.encoded && Buffer.from(msg.encoded), raw, checked: msg.checked === true });
    });
    const fail = (err: Error) => {
      // A dead worker fails its own in-flight jobs; the pool continues with the others (or
      // inline when none is left).
      this.slots = this.slots.filter((s) => s !== slot);
      for (const [seq, p] of this.pending) {
        if (p.slot === slot) {
          this.pending.delete(seq);
          p.reject(err);
        }
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`chunk worker exited with code ${code}`));
    });
    this.slots.push(slot);
  }

  private done(slot: Slot): void {
    slot.busy--;
    if (slot.busy === 0) slot.worker.unref();
  }

  /**
   * Hash and encode one raw chunk. `raw` is handed over (transferred to a worker, then reused for
   * other chunks): callers must not use it afterwards. `knownId`, when the
   * caller already computed SHA-256(raw), is taken as the id and the chunk is only compressed; a
   * wrong `knownId` is caught later, by the store or server that verifies every chunk it stores.
   * With `check`, the encoding is decoded back and compared off this thread, and the answer carries
   * the `proof` a store takes; the chunk is hashed again (a different `knownId` fails) unless
   * `knownId` is what this pool's `hash` answered for this very chunk.
   */
  encode(raw: Buffer, knownId?: string, file?: FileDigest, options: { check?: boolean } = {}): Promise<EncodedChunk> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    const size = raw.length;
    if (this.runsInline(file)) {
      return settled(() => {
        try {
          file?.local!.update(raw);
          if (options.check) {
            const proof = encodeChecked(raw, this.level, knownId, knownId !== undefined && this.hashedHere(raw, knownId));
            return { id: proof.id, size, encoded: proof.encoded, proof };
          }
          return { ...encodeForStore(raw, this.level, knownId), size };
        } finally {
          this.hashedIds.delete(raw.buffer);
          this.buffers.give(raw);
        }
      });
    }
    const idFromPool = options.check === true && knownId !== undefined && this.hashedHere(raw, knownId);
    return this.post(raw, { ...(knownId !== undefined && { id: knownId }), file, check: options.check, idFromPool }).then((a) => {
      if (a.raw) this.buffers.give(a.raw);
      const encoded = a.encoded!;
      return { id: a.id, size, encoded, ...(a.checked && { proof: checkedOnWorker(a.id, encoded, size) }) };
    });
  }

  /**
   * SHA-256 of a raw chunk, computed off the calling thread; resolves with the id and the bytes
   * (`raw` itself, or its bytes moved back from the worker). Lets a reader that must know ids
   * before deciding what to compress (check-first uploads) keep cutting while chunks are hashed.
   * `raw` must not be used afterwards; the returned bytes go on to `encode` or `release`.
   */
  hash(raw: Buffer, file?: FileDigest): Promise<{ id: string; raw: Buffer }> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (this.runsInline(file)) {
      return settled(() => {
        file?.local!.update(raw);
        return this.hashed(chunkId(raw), raw);
      });
    }
    return this.post(raw, { hashOnly: true, file }).then((a) => this.hashed(a.id, a.raw!));
  }

  /** Remembers the id this pool computed for a chunk that has its memory to itself (see `encode`'s `check`). */
  private hashed(id: string, raw: Buffer): { id: string; raw: Buffer } {
    if (this.ownsMemory(raw)) this.hashedIds.set(raw.buffer, { id, length: raw.length });
    return { id, raw };
  }

  /** Whether a chunk has its ArrayBuffer to itself (ours, or exactly the chunk), so it may move whole. */
  private ownsMemory(raw: Buffer): boolean {
    return raw.byteOffset === 0 && (raw.length === raw.buffer.byteLength || this.buffers.owns(raw.buffer));
  }

  /** Whether `id` is what this pool's `hash` computed for exactly these bytes' memory. */
  private hashedHere(raw: Buffer, id: string): boolean {
    const known = this.hashedIds.get(raw.buffer);
    return known !== undefined && known.id === id && known.length === raw.length && raw.byteOffset === 0;
  }

  /**
   * Decodes a downloaded chunk and checks it against `id` off the calling thread; resolves with
   * the raw chunk. Throws what verifyEncodedChunk throws (CorruptChunkError, InvalidEncodingError,
   * ChunkTooLargeError). `encoded` is copied, not taken.
   */
  verify(id: string, encoded: Uint8Array, maxSize: number = MAX_CHUNK_SIZE): Promise<Buffer> {
    return this.verifyMoved(id, Buffer.from(encoded), { maxSize });
  }

  /**
   * `verify` without the copy: `encoded` is moved to the worker (copied only when it does not own
   * its memory), so do not use it afterwards.
   */
  verifyMoved(id: string, encoded: Buffer, options: { maxSize?: number } = {}): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    const { maxSize = MAX_CHUNK_SIZE } = options;
    const inline = (bytes: Buffer) => settled(() => verifyEncodedChunk(id, bytes, maxSize));
    const slot = this.leastBusy();
    if (!slot) return inline(encoded);
    const owned = encoded.byteOffset === 0 && encoded.byteLength === encoded.buffer.byteLength;
    const moved = (owned ? encoded.buffer : new Uint8Array(encoded).buffer) as ArrayBuffer;
    return this.request(slot, 0, (seq) => ({ kind: 'verify', seq, id, encoded: moved, maxSize }), [moved]).then(
      (a) => a.raw!,
      (err: unknown) => {
        // The worker's errors arrive as text: decoding again here throws the typed error. Bytes
        // lost with a dead worker cannot be judged: that failure is passed on as it is.
        const back = err instanceof WorkerFailure ? err.encoded : owned ? undefined : encoded;
        if (!back) throw err;
        return inline(back);
      },
    );
  }

  /** Gives back the memory of a chunk from `hash` that will not be encoded. Do not use it afterwards. */
  release(raw: Buffer): void {
    this.hashedIds.delete(raw.buffer); // its memory will hold another chunk
    this.buffers.give(raw);
  }

  /** A whole-file hash fed by this pool's hash/encode calls (see FileDigest). */
  fileDigest(): FileDigest {
    const finish = (d: FileDigest): Promise<string> => {
      if (d.local) return Promise.resolve(d.local.digest());
      return this.request(d.slot!, 0, (seq) => ({ kind: 'digest', seq, file: d.id })).then((r) => r.id);
    };
    const forget = (d: FileDigest): void => {
      if (d.slot && this.slots.includes(d.slot)) d.slot.worker.postMessage({ kind: 'drop', file: d.id } satisfies WorkerRequest);
    };
    const slot = this.leastBusy();
    return new FileDigest(slot, this.fileSeq++, slot ? null : new FileHasher(), finish, forget);
  }

  /** Work for `file` (or any work, on a pool without threads) runs on the calling thread. */
  private runsInline(file: FileDigest | undefined): boolean {
    return file ? file.local !== null : this.slots.length === 0;
  }

  private leastBusy(): Slot | null {
    let slot: Slot | null = this.slots[0] ?? null;
    for (const s of this.slots) if (s.busy < slot!.busy) slot = s;
    return slot;
  }

  /**
   * Sends one chunk to a worker, transferring its bytes: the worker of its file's hash, if any,
   * else the least busy one.
   */
  private post(raw: Buffer, extra: { id?: string; hashOnly?: boolean; file?: FileDigest; check?: boolean; idFromPool?: boolean }): Promise<Answer> {
    const slot = extra.file ? extra.file.slot! : this.leastBusy()!;
    // Transfer the whole ArrayBuffer when it holds only this chunk (ours, or exactly the chunk);
    // otherwise (a view into something shared) copy the chunk into one it can own.
    const ab = (this.ownsMemory(raw) ? raw.buffer : raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)) as ArrayBuffer;
    return this.request(slot, raw.length, (seq) => ({
      kind: 'chunk', seq, raw: ab, length: raw.length, level: this.level, id: extra.id, hashOnly: extra.hashOnly, check: extra.check, idFromPool: extra.idFromPool, file: extra.file?.id,
    }), [ab], true);
  }

  private request(slot: Slot, length: number, make: (seq: number) => WorkerRequest, transfer: ArrayBuffer[] = [], recyclable = false): Promise<Answer> {
    // A file's worker may have died since its hash began: its bytes are gone with it.
    if (!this.slots.includes(slot)) return Promise.reject(new Error('chunk worker exited; the file must be read again'));
    if (this.slots.length < this.target) {
      for (const ab of transfer) this.handedBytes += ab.byteLength;
      if (this.handedBytes >= GROW_AFTER_BYTES) this.grow();
    }
    const seq = this.seq++;
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, slot, length, recyclable });
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage(make(seq), transfer);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    for (const [, p] of this.pending) p.reject(new Error('worker pool closed'));
    this.pending.clear();
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

/** `unref`: a thread nobody waits for (the pool growing) must not keep the process alive while it starts. */
function startWorker(script: URL, entry: URL, options: { unref?: boolean } = {}): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: { entry: entry.href, role: WORKER_ROLE } });
    if (options.unref) worker.unref();
    const timer = setTimeout(() => {
      cleanup();
      void worker.terminate();
      reject(new Error('chunk worker did not start in time'));
    }, STARTUP_TIMEOUT_MS);
    const onMessage = (msg: WorkerReply) => {
      if (!('ready' in msg)) return;
      cleanup();
      resolve(worker);
    };
    const onError = (err: Error) => {
      cleanup();
      void worker.terminate();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`chunk worker exited with code ${code} during startup`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** A job the worker refused, with the bytes it was given when they were moved there. */
class WorkerFailure extends Error {
  constructor(message: string, readonly encoded?: Buffer) {
    super(message);
  }
}

/** `fn`'s result as a promise, its exception as a rejection (run now, on this thread). */
function settled<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}

let shared: Promise<ChunkWorkerPool> | undefined;

/**
 * A process-wide pool of up to defaultWorkerCount() threads, created on first use with one (the
 * others start when a job turns out large: GROW_AFTER_BYTES). Its idle workers do not keep the
 * process alive.
 */
export function sharedWorkerPool(): Promise<ChunkWorkerPool> {
  shared ??= ChunkWorkerPool.create(defaultWorkerCount(), { startWith: 1 });
  return shared;
}

export async function closeSharedWorkerPool(): Promise<void> {
  const p = shared;
  shared = undefined;
  if (p) await (await p).close();
}
