// Worker-thread side of the encode pool: hash + compress one raw chunk per message, or only hash
// it (`hashOnly`: the raw bytes come back with the id). Chunk bytes travel as transferred
// ArrayBuffers in both directions, so nothing is copied between threads.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { encodeChunk } from './compress.js';
import { chunkId } from './hash.js';

/** Marks threads started by our pool, so importing this module elsewhere starts no listener. */
export const WORKER_ROLE = 'backlot-chunk-encoder';

export interface EncodeRequest {
  seq: number;
  raw: ArrayBuffer;
  level: number | undefined;
  /** The chunk's id when the caller already hashed it (then the worker only compresses). */
  id?: string;
  /** Only hash; the reply carries the raw bytes back in `encoded`. */
  hashOnly?: boolean;
}

export type EncodeReply =
  | { seq: number; id: string; encoded: ArrayBuffer }
  | { seq: number; error: string }
  | { ready: true };

/**
 * The work itself, shared with the pool's inline fallback so both paths give identical bytes.
 * `knownId` skips hashing: callers that must hash before deciding to compress (check-first
 * uploads) would otherwise pay SHA-256 twice for every uploaded chunk.
 */
export function encodeForStore(raw: Uint8Array, level?: number, knownId?: string): { id: string; encoded: Buffer } {
  return { id: knownId ?? chunkId(raw), encoded: encodeChunk(raw, { level }) };
}

if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  const port = parentPort;
  port.on('message', (req: EncodeRequest) => {
    try {
      if (req.hashOnly) {
        const reply: EncodeReply = { seq: req.seq, id: chunkId(new Uint8Array(req.raw)), encoded: req.raw };
        port.postMessage(reply, [req.raw]);
        return;
      }
      const { id, encoded } = encodeForStore(new Uint8Array(req.raw), req.level, req.id);
      // encodeChunk returns a Buffer owning its whole ArrayBuffer, safe to transfer.
      const ab = encoded.buffer as ArrayBuffer;
      const reply: EncodeReply = { seq: req.seq, id, encoded: ab };
      port.postMessage(reply, [ab]);
    } catch (err) {
      const reply: EncodeReply = { seq: req.seq, error: (err as Error).message };
      port.postMessage(reply);
    }
  });
  port.postMessage({ ready: true } satisfies EncodeReply);
}
