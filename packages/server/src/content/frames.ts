// The chunk wire format, both directions: a stream of frames, each
//   32 bytes  chunk id (raw SHA-256 of the raw chunk)
//    4 bytes  big-endian uint32 length N
//    N bytes  the encoded chunk (storage's encodeChunk format: 1 header byte + payload)
// Reading is incremental with bounded memory: at most one frame plus one incoming network chunk
// is held, and a frame's declared length is checked against the limit before any of it is read.
import { BacklotError } from '@backlot/core';

export const FRAME_HEADER = 36;

export interface Frame {
  id: string;
  encoded: Buffer;
}

export function frameHeader(id: string, length: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER);
  header.write(id, 0, 32, 'hex');
  header.writeUInt32BE(length, 32);
  return header;
}

export interface FrameReaderLimits {
  /** Largest encoded chunk accepted in one frame. */
  maxFrame: number;
  /** Largest whole body. */
  maxTotal: number;
}

export class FrameReader {
  private readonly parts: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  /** Bytes received so far (the body limit counts these). */
  received = 0;
  /** Complete frames returned so far. */
  frames = 0;

  constructor(
    private readonly source: AsyncIterator<Buffer | string | Uint8Array>,
    private readonly limits: FrameReaderLimits,
  ) {}

  static of(stream: AsyncIterable<Buffer | string | Uint8Array>, limits: FrameReaderLimits): FrameReader {
    return new FrameReader(stream[Symbol.asyncIterator](), limits);
  }

  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n) {
      if (this.ended) return false;
      let r: IteratorResult<Buffer | string | Uint8Array>;
      try {
        r = await this.source.next();
      } catch (err) {
        // The client went away or the connection broke: its fault, not a server error.
        throw new BacklotError('bad_request', `the request body could not be read: ${(err as Error).message}`, { reason: 'interrupted', frame: this.frames });
      }
      if (r.done) {
        this.ended = true;
        return false;
      }
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
      if (b.length === 0) continue;
      this.received += b.length;
      if (this.received > this.limits.maxTotal)
        throw new BacklotError('payload_too_large', `the body exceeds ${this.limits.maxTotal} bytes; send the chunks in several requests`, { limit: this.limits.maxTotal });
      this.parts.push(b);
      this.buffered += b.length;
    }
    return true;
  }

  /** Removes exactly n buffered bytes (n <= buffered) into one fresh buffer. */
  private take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const head = this.parts[0];
      const want = n - at;
      if (head.length <= want) {
        head.copy(out, at);
        at += head.length;
        this.parts.shift();
      } else {
        head.copy(out, at, 0, want);
        this.parts[0] = head.subarray(want);
        at += want;
      }
    }
    this.buffered -= n;
    return out;
  }

  /** The next frame, or null at a clean end of the stream (between frames). */
  async next(): Promise<Frame | null> {
    if (!(await this.fill(1))) return null;
    if (!(await this.fill(FRAME_HEADER)))
      throw new BacklotError('bad_request', 'the body ends inside a frame header (truncated upload)', { reason: 'truncated', frame: this.frames });
    const header = this.take(FRAME_HEADER);
    const id = header.toString('hex', 0, 32);
    const length = header.readUInt32BE(32);
    if (length > this.limits.maxFrame)
      throw new BacklotError('payload_too_large', `frame ${this.frames} declares ${length} bytes; an encoded chunk is at most ${this.limits.maxFrame}`, {
        reason: 'frame_too_large', limit: this.limits.maxFrame, chunkId: id, frame: this.frames,
      });
    if (!(await this.fill(length)))
      throw new BacklotError('bad_request', `the body ends inside frame ${this.frames} (truncated upload)`, { reason: 'truncated', chunkId: id, frame: this.frames });
    this.frames++;
    return { id, encoded: this.take(length) };
  }
}
