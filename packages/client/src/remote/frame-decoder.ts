// Reading chunk frames (the format of @backlot/api's frames.ts: 32-byte id, 4-byte big-endian
// length, encoded chunk) incrementally, as Buffers that @backlot/storage verifies and decodes
// without another copy. The api's decodeFrames reads the same format as an async generator; this
// one is pushed to and pulled from, sized by the store's own limit on encoded chunks.
import { FRAME_HEADER_BYTES, ProtocolError } from '@backlot/api';
import { MAX_CHUNK_SIZE, maxEncodedSize } from '@backlot/storage';

export interface EncodedFrame {
  id: string;
  encoded: Buffer;
}

/**
 * Incremental frame parser. Push byte buffers as they arrive, take complete frames out. Refuses a
 * frame longer than `maxFrame` before buffering it, so a hostile peer cannot make us allocate.
 */
export class FrameDecoder {
  private parts: Uint8Array[] = [];
  private buffered = 0;
  private need: { id: string; length: number } | null = null;

  constructor(private readonly maxFrame: number = maxEncodedSize(MAX_CHUNK_SIZE)) {}

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.parts.push(data);
    this.buffered += data.length;
  }

  /** The next complete frame, or null when more bytes are needed. */
  next(): EncodedFrame | null {
    if (!this.need) {
      if (this.buffered < FRAME_HEADER_BYTES) return null;
      const header = this.take(FRAME_HEADER_BYTES);
      const id = header.toString('hex', 0, 32);
      const length = header.readUInt32BE(32);
      if (length > this.maxFrame) throw new ProtocolError(`chunk frame of ${length} bytes exceeds ${this.maxFrame}`);
      if (length === 0) throw new ProtocolError('empty chunk frame');
      this.need = { id, length };
    }
    if (this.buffered < this.need.length) return null;
    const frame = { id: this.need.id, encoded: this.take(this.need.length) };
    this.need = null;
    return frame;
  }

  /** True when the stream ended exactly at a frame boundary. */
  get atBoundary(): boolean {
    return this.buffered === 0 && this.need === null;
  }

  /** Removes `n` buffered bytes into a Buffer that owns its memory (one copy at most). */
  private take(n: number): Buffer {
    const first = this.parts[0];
    let out: Buffer;
    if (first.length === n) {
      this.parts.shift();
      out = Buffer.from(first.buffer, first.byteOffset, n);
    } else if (first.length > n) {
      out = Buffer.allocUnsafe(n);
      out.set(first.subarray(0, n));
      this.parts[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const p = this.parts[0];
        const k = Math.min(p.length, n - at);
        out.set(p.subarray(0, k), at);
        at += k;
        if (k === p.length) this.parts.shift();
        else this.parts[0] = p.subarray(k);
      }
    }
    this.buffered -= n;
    return out;
  }
}
