// Worker-thread side of the chunk pool: hash + compress one raw chunk per message, or only hash
// it (`hashOnly`). Chunk bytes travel as transferred ArrayBuffers in both directions, so nothing
// is copied between threads; the raw chunk's ArrayBuffer always goes back, to be reused.
//
// A request may also name a whole-file hash (`file`) that the chunk's bytes extend first: the
// thread that reads and cuts a file then never hashes it itself. A file's chunks all go to the
// same worker, whose messages are handled in order, so the file hash sees them in file order.
import { createHash, type Hash } from 'node:crypto';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { verifyEncodedChunk, verifyMadeHere, type VerifiedChunk } from './chunk-store.js';
import { CorruptChunkError } from './errors.js';
import { encodeChunk } from './compress.js';
import { chunkId } from './hash.js';

/** Marks threads started by our pool, so importing this module elsewhere starts no listener. */
export const WORKER_ROLE = 'backlot-chunk-encoder';

export type WorkerRequest =
  | {
      kind: 'chunk';
      seq: number;
      /** The chunk is raw[0, length) (the ArrayBuffer may be larger: recycled memory). */
      raw: ArrayBuffer;
      length: number;
      level: number | undefined;
      /** The chunk's id when the caller already hashed it (then the worker only compresses). */
      id?: string;
      /** Only hash, do not compress. */
      hashOnly?: boolean;
      /** Decode the encoding back and compare (the reply says `checked`); hash the chunk even with `id`, unless `idFromPool`. */
      check?: boolean;
      /** `id` is what the pool's own hashing answered for this chunk's memory (worker-pool.ts). */
      idFromPool?: boolean;
      /** The whole-file hash these bytes extend, if any. */
      file?: number;
    }
  /**
   * Decode an encoded chunk and check it against `id` (a download); the reply's `raw` holds the
   * chunk at [offset, offset + length) (`encoded` comes back only with an error).
   */
  | { kind: 'verify'; seq: number; id: string; encoded: ArrayBuffer; maxSize: number }
  /** Finish a whole-file hash; the reply's `id` is its hex digest. */
  | { kind: 'digest'; seq: number; file: number }
  /** Forget a whole-file hash that will not be finished (its file failed). */
  | { kind: 'drop'; file: number };

export type WorkerReply =
  /** `raw` is the request's ArrayBuffer coming back; `encoded` is absent for `hashOnly`. */
  | { seq: number; id: string; encoded?: ArrayBuffer; raw?: ArrayBuffer; offset?: number; length?: number; checked?: true }
  | { seq: number; error: string; raw?: ArrayBuffer; encoded?: ArrayBuffer }
  | { ready: true };

/**
 * The work itself, shared with the pool's inline fallback so both paths give identical bytes.
 * `knownId` skips hashing: callers that must hash before deciding to compress (check-first
 * uploads) would otherwise pay SHA-256 twice for every uploaded chunk.
 */
export function encodeForStore(raw: Uint8Array, level?: number, knownId?: string): { id: string; encoded: Buffer } {
  return { id: knownId ?? chunkId(raw), encoded: encodeChunk(raw, { level }) };
}

/**
 * encodeForStore for a store's proof, on either path of the pool: the chunk is hashed again unless
 * `idTrusted` (the pool's own hash gave `id` for these very bytes), a different `id` is refused,
 * and the encoding must decode back to the chunk.
 */
export function encodeChecked(raw: Uint8Array, level: number | undefined, id: string | undefined, idTrusted: boolean): VerifiedChunk {
  const made = encodeForStore(raw, level, idTrusted ? id : undefined);
  if (id !== undefined && id !== made.id) throw new CorruptChunkError(id, `content hashes to ${made.id}`);
  return verifyMadeHere(made.id, made.encoded, raw);
}

if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  const port = parentPort;
  const files = new Map<number, Hash>();
  const handle = (req: WorkerRequest): void => {
    if (req.kind === 'drop') {
      files.delete(req.file);
      return;
    }
    if (req.kind === 'verify') {
      let raw: Buffer;
      try {
        raw = verifyEncodedChunk(req.id, new Uint8Array(req.encoded), req.maxSize);
      } catch (err) {
        port.postMessage({ seq: req.seq, error: (err as Error).message, encoded: req.encoded } satisfies WorkerReply, [req.encoded]);
        return;
      }
      // A raw-encoded chunk is a view into the request's buffer; either way the whole
      // ArrayBuffer travels back and the reply says where the chunk is in it. The encoded bytes
      // stay here otherwise (the caller is done with them; their memory is this thread's to free).
      const ab = raw.buffer as ArrayBuffer;
      port.postMessage({ seq: req.seq, id: req.id, raw: ab, offset: raw.byteOffset, length: raw.length } satisfies WorkerReply, [ab]);
      return;
    }
    if (req.kind === 'digest') {
      const hash = files.get(req.file) ?? createHash('sha256');
      files.delete(req.file);
      port.postMessage({ seq: req.seq, id: hash.digest('hex') } satisfies WorkerReply);
      return;
    }
    const raw = new Uint8Array(req.raw, 0, req.length);
    if (req.file !== undefined) {
      let hash = files.get(req.file);
      if (!hash) files.set(req.file, (hash = createHash('sha256')));
      hash.update(raw);
    }
    if (req.hashOnly) {
      port.postMessage({ seq: req.seq, id: chunkId(raw), raw: req.raw } satisfies WorkerReply, [req.raw]);
      return;
    }
    // A checked encoding is a store's proof (a failed check is an error reply).
    const { id, encoded } = req.check ? encodeChecked(raw, req.level, req.id, req.idFromPool === true) : encodeForStore(raw, req.level, req.id);
    // encodeChunk returns a Buffer owning its whole ArrayBuffer, safe to transfer.
    const ab = encoded.buffer as ArrayBuffer;
    port.postMessage({ seq: req.seq, id, encoded: ab, raw: req.raw, ...(req.check && { checked: true as const }) } satisfies WorkerReply, [ab, req.raw]);
  };
  port.on('message', (req: WorkerRequest) => {
    try {
      handle(req);
    } catch (err) {
      if (req.kind === 'drop') return;
      const raw = req.kind === 'chunk' && req.raw.byteLength > 0 ? req.raw : undefined; // back for reuse
      port.postMessage({ seq: req.seq, error: (err as Error).message, raw } satisfies WorkerReply, raw ? [raw] : []);
    }
  });
  port.postMessage({ ready: true } satisfies WorkerReply);
}
