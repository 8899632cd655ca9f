// The chunk wire protocol, client side.
//
//   POST /projects/:projectId/chunks/check  { ids } (<= 10,000)  -> { missing }
//   POST /projects/:projectId/chunks        octet-stream frames -> { stored, bytes }
//   POST /projects/:projectId/chunks/fetch  { ids } (<= 1,000)   -> octet-stream frames
//
// A frame is the 32 raw bytes of the chunk id (SHA-256 of the raw chunk), a 4-byte big-endian
// length, and the chunk encoded as @backlot/storage stores it (1 header byte + raw or zstd).
// Everything fetched is decoded and hash-checked here before anyone sees it.
import { MAX_CHUNK_SIZE, maxEncodedSize, verifyEncodedChunk, isChunkId, MissingChunkError, type ChunkWorkerPool } from '@backlot/storage';
import { HttpClient, ProtocolError, withRetry, type RetryOptions } from './http.js';

export const FRAME_HEADER_BYTES = 36;
/** Ids per check request (server limit). */
export const MAX_CHECK_IDS = 10_000;
/** Ids per fetch request (server limit). */
export const MAX_FETCH_IDS = 1_000;

export interface EncodedFrame {
  id: string;
  encoded: Buffer;
}

export function frameHeader(id: string, length: number): Buffer {
  if (!isChunkId(id)) throw new TypeError(`not a chunk id: ${String(id).slice(0, 80)}`);
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.write(id, 0, 32, 'hex');
  header.writeUInt32BE(length, 32);
  return header;
}

/** Frames of `chunks` as a byte stream (header and payload yielded separately, nothing copied). */
export async function* encodeFrames(chunks: Iterable<EncodedFrame> | AsyncIterable<EncodedFrame>): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    yield frameHeader(c.id, c.encoded.length);
    yield c.encoded;
  }
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
      const id = Buffer.from(header.buffer, header.byteOffset, 32).toString('hex');
      const length = Buffer.from(header.buffer, header.byteOffset, FRAME_HEADER_BYTES).readUInt32BE(32);
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

export interface ChunkApiOptions {
  retry?: RetryOptions;
  /**
   * Worker pool that decodes and verifies fetched chunks while this thread keeps receiving and
   * writing (default: on this thread).
   */
  pool?: () => Promise<ChunkWorkerPool>;
}

/** Fetched chunks being verified on the pool ahead of the one handed out. */
const VERIFY_AHEAD = 8;

export interface FetchedChunk {
  id: string;
  /** Raw (decoded, verified) bytes. */
  raw: Buffer;
  /** Encoded bytes received. */
  encodedSize: number;
}

/** One project's chunk endpoints. */
export class ChunkApi {
  private readonly base: string;

  constructor(
    readonly http: HttpClient,
    readonly projectId: string,
    private readonly options: ChunkApiOptions = {},
  ) {
    this.base = `/projects/${encodeURIComponent(projectId)}/chunks`;
  }

  /** Which of `ids` the server lacks (any number of ids; batched by MAX_CHECK_IDS). */
  async missing(ids: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    const missing = new Set<string>();
    for (let i = 0; i < unique.length; i += MAX_CHECK_IDS) {
      const batch = unique.slice(i, i + MAX_CHECK_IDS);
      const asked = new Set(batch);
      const res = await withRetry(() => this.http.post<{ missing: unknown }>(`${this.base}/check`, { ids: batch }), this.options.retry);
      if (!res || !Array.isArray(res.missing)) throw new ProtocolError('chunks/check: answer has no missing list');
      for (const id of res.missing) {
        if (typeof id !== 'string' || !asked.has(id)) throw new ProtocolError(`chunks/check: answered an id that was not asked: ${String(id).slice(0, 80)}`);
        missing.add(id);
      }
    }
    return missing;
  }

  /** Uploads `chunks` in one streamed request (retried as a whole when that is safe). */
  async upload(chunks: readonly EncodedFrame[]): Promise<{ stored: number; bytes: number }> {
    if (chunks.length === 0) return { stored: 0, bytes: 0 };
    const res = await withRetry(
      () => this.http.json<{ stored?: number; bytes?: number }>('POST', this.base, { body: encodeFrames(chunks) }),
      this.options.retry,
    );
    return { stored: Number(res?.stored ?? 0), bytes: Number(res?.bytes ?? 0) };
  }

  /**
   * Uploads frames as they are produced, in one streamed request (not retried: its frames are
   * still being produced; callers keep them and resend with `upload` after a failure).
   */
  async uploadFrom(frames: AsyncIterable<EncodedFrame>): Promise<{ stored: number; bytes: number }> {
    const body = encodeFrames(frames);
    const res = await this.http.json<{ stored?: number; bytes?: number }>('POST', this.base, { body });
    return { stored: Number(res?.stored ?? 0), bytes: Number(res?.bytes ?? 0) };
  }

  /**
   * Fetches up to MAX_FETCH_IDS chunks in one request and yields each as it arrives, decoded and
   * verified against its id (CorruptChunkError otherwise). Throws MissingChunkError at the end
   * for any id the server did not send.
   */
  async *fetchStream(ids: readonly string[]): AsyncGenerator<FetchedChunk> {
    const wanted = new Set(ids);
    if (wanted.size === 0) return;
    if (wanted.size > MAX_FETCH_IDS) throw new RangeError(`at most ${MAX_FETCH_IDS} ids per fetch`);
    const pool = this.options.pool ? await this.options.pool() : null;
    const verify = (id: string, encoded: Buffer): Promise<Buffer> =>
      pool ? pool.verify(id, encoded) : new Promise((resolve) => resolve(verifyEncodedChunk(id, encoded)));
    const body = await this.http.stream('POST', `${this.base}/fetch`, { json: { ids: [...wanted] } });
    const decoder = new FrameDecoder();
    const pending = new Set(wanted);
    // Chunks in arrival order, each being verified; handed out oldest first once verified.
    const verifying: { id: string; encodedSize: number; raw: Promise<Buffer> }[] = [];
    const oldest = async (): Promise<FetchedChunk> => {
      const v = verifying.shift()!;
      return { id: v.id, raw: await v.raw, encodedSize: v.encodedSize };
    };
    try {
      for await (const part of body) {
        decoder.push(part);
        for (let f = decoder.next(); f; f = decoder.next()) {
          if (!wanted.has(f.id)) throw new ProtocolError(`chunks/fetch: received a chunk that was not asked for: ${f.id}`);
          if (!pending.delete(f.id)) continue; // a repeat: already delivered
          const raw = verify(f.id, f.encoded);
          raw.catch(() => {}); // observed when handed out
          verifying.push({ id: f.id, encodedSize: f.encoded.length, raw });
          if (verifying.length >= VERIFY_AHEAD) yield await oldest();
        }
      }
      while (verifying.length > 0) yield await oldest();
    } finally {
      verifying.length = 0;
    }
    if (!decoder.atBoundary) throw new ProtocolError('chunks/fetch: the answer ended inside a frame');
    const first = pending.values().next();
    if (!first.done) throw new MissingChunkError(first.value);
  }

}
