// Worker-thread side of the encode pool: hash + compress one raw chunk per message. Chunk bytes
// travel as transferred ArrayBuffers in both directions, so nothing is copied between threads.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { encodeChunk } from './compress.js';
import { chunkId } from './hash.js';

/** Marks threads started by our pool, so importing this module elsewhere starts no listener. */
export const WORKER_ROLE = 'backlot-chunk-encoder';

export interface EncodeRequest {
  seq: number;
  raw: ArrayBuffer;
  level: number | undefined;
}

export type EncodeReply =
  | { seq: number; id: string; encoded: ArrayBuffer }
  | { seq: number; error: string }
  | { ready: true };

/** The work itself, shared with the pool's inline fallback so both paths give identical bytes. */
export function encodeForStore(raw: Uint8Array, level?: number): { id: string; encoded: Buffer } {
  return { id: chunkId(raw), encoded: encodeChunk(raw, { level }) };
}

if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  const port = parentPort;
  port.on('message', (req: EncodeRequest) => {
    try {
      const { id, encoded } = encodeForStore(new Uint8Array(req.raw), req.level);
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
