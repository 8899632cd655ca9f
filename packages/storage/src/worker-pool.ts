// A small pool of worker threads that hash and compress chunks off the main thread, which is
// busy reading and cutting the stream. If workers cannot start (e.g. a runtime that cannot load
// the worker entry), the pool degrades to doing the same work inline: slower, same bytes.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { encodeForStore, WORKER_ROLE, type EncodeReply, type EncodeRequest } from './chunk-worker.js';
import { chunkId } from './hash.js';

export interface EncodedChunk {
  id: string;
  size: number;
  encoded: Buffer;
}

interface Slot {
  worker: Worker;
  busy: number;
}

interface Pending {
  resolve: (v: { id: string; encoded: Buffer }) => void;
  reject: (e: Error) => void;
  slot: Slot;
}

const STARTUP_TIMEOUT_MS = 15_000;

/** Workers to use by default: one per core, leaving one for the reading/cutting thread. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
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
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private closed = false;
  /** Why the pool runs inline, when it does (for diagnostics and tests). */
  fallbackReason: string | undefined;

  private constructor(readonly level: number | undefined) {}

  /** 'threads' when work runs on worker threads, 'inline' after a fallback or with 0 workers. */
  get mode(): 'threads' | 'inline' {
    return this.slots.length > 0 ? 'threads' : 'inline';
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Start `workers` threads and wait until each has loaded its code. Never throws for startup
   * problems: the pool falls back to inline mode and records `fallbackReason`.
   */
  static async create(workers: number = defaultWorkerCount(), options: { level?: number } = {}): Promise<ChunkWorkerPool> {
    const pool = new ChunkWorkerPool(options.level);
    if (workers <= 0) return pool;
    const { script, entry } = workerUrl();
    const started = await Promise.allSettled(
      Array.from({ length: workers }, () => startWorker(script, entry)),
    );
    const failure = started.find((s) => s.status === 'rejected');
    const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failure) {
      await Promise.all(ok.map((w) => w.terminate()));
      pool.fallbackReason = String((failure as PromiseRejectedResult).reason?.message ?? failure);
      return pool;
    }
    for (const worker of ok) pool.adopt(worker);
    return pool;
  }

  private adopt(worker: Worker): void {
    const slot: Slot = { worker, busy: 0 };
    worker.unref(); // an idle pool must not keep the process alive
    worker.on('message', (msg: EncodeReply) => {
      if ('ready' in msg) return;
      const p = this.pending.get(msg.seq);
      if (!p) return;
      this.pending.delete(msg.seq);
      this.release(p.slot);
      if ('error' in msg) p.reject(new Error(`chunk worker: ${msg.error}`));
      else p.resolve({ id: msg.id, encoded: Buffer.from(msg.encoded) });
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

  private release(slot: Slot): void {
    slot.busy--;
    if (slot.busy === 0) slot.worker.unref();
  }

  /**
   * Hash and encode one raw chunk. In thread mode `raw`'s ArrayBuffer is transferred (detached)
   * when it is exactly the chunk, so callers must not use `raw` afterwards. `knownId`, when the
   * caller already computed SHA-256(raw), is taken as the id and the chunk is only compressed; a
   * wrong `knownId` is caught later, by the store or server that verifies every chunk it stores.
   */
  encode(raw: Buffer, knownId?: string): Promise<EncodedChunk> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    const size = raw.length;
    if (this.slots.length === 0) {
      try {
        const { id, encoded } = encodeForStore(raw, this.level, knownId);
        return Promise.resolve({ id, size, encoded });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.post(raw, knownId !== undefined ? { id: knownId } : {}).then(({ id, encoded }) => ({ id, size, encoded }));
  }

  /**
   * SHA-256 of a raw chunk, computed off the calling thread; resolves with the id and the bytes
   * (a Buffer owning its ArrayBuffer: `raw` itself, or its bytes moved back from the worker).
   * Lets a reader that must know ids before deciding what to compress (check-first uploads) keep
   * cutting while chunks are hashed. `raw` must not be used afterwards.
   */
  hash(raw: Buffer): Promise<{ id: string; raw: Buffer }> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (this.slots.length === 0) {
      try {
        return Promise.resolve({ id: chunkId(raw), raw });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.post(raw, { hashOnly: true }).then(({ id, encoded }) => ({ id, raw: encoded }));
  }

  /** Sends one chunk to the least busy worker, transferring its bytes. */
  private post(raw: Buffer, extra: Pick<EncodeRequest, 'id' | 'hashOnly'>): Promise<{ id: string; encoded: Buffer }> {
    let slot = this.slots[0];
    for (const s of this.slots) if (s.busy < slot.busy) slot = s;
    const seq = this.seq++;
    // Transfer when the Buffer owns its ArrayBuffer; otherwise copy into one that it can own.
    const owns = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength;
    const ab = (owns ? raw.buffer : raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)) as ArrayBuffer;
    const req: EncodeRequest = { seq, raw: ab, level: this.level, ...extra };
    return new Promise<{ id: string; encoded: Buffer }>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, slot });
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage(req, [ab]);
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

function startWorker(script: URL, entry: URL): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: { entry: entry.href, role: WORKER_ROLE } });
    const timer = setTimeout(() => {
      cleanup();
      void worker.terminate();
      reject(new Error('chunk worker did not start in time'));
    }, STARTUP_TIMEOUT_MS);
    const onMessage = (msg: EncodeReply) => {
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

let shared: Promise<ChunkWorkerPool> | undefined;

/**
 * A process-wide pool with defaultWorkerCount() threads, created on first use. Its idle workers
 * do not keep the process alive.
 */
export function sharedWorkerPool(): Promise<ChunkWorkerPool> {
  shared ??= ChunkWorkerPool.create();
  return shared;
}

export async function closeSharedWorkerPool(): Promise<void> {
  const p = shared;
  shared = undefined;
  if (p) await (await p).close();
}
