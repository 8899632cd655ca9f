// The chunk frame format of uploads and fetches: the chunk id as 32 raw bytes (SHA-256 of the
// raw chunk), a 4-byte big-endian length, and the chunk as the content store encodes it (one
// header byte, then raw or zstd bytes). Framing only: checking a chunk against its id needs the
// decoder of @backlot/storage (or the caller's own), which this browser-safe package leaves out.

export const FRAME_HEADER_BYTES = 36;
/** Largest encoded chunk a frame may carry (2 MiB raw chunks + 1 header byte). */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024 + 1;

export interface EncodedChunk {
  /** 64 lowercase hex characters. */
  id: string;
  encoded: Uint8Array;
}

const CHUNK_ID = /^[0-9a-f]{64}$/;

export function frameHeader(id: string, length: number): Uint8Array {
  if (!CHUNK_ID.test(id)) throw new TypeError(`not a chunk id: ${String(id).slice(0, 80)}`);
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  for (let i = 0; i < 32; i++) header[i] = parseInt(id.slice(i * 2, i * 2 + 2), 16);
  new DataView(header.buffer).setUint32(32, length);
  return header;
}

/** The frames of `chunks` as a byte stream (an upload body); nothing is copied. */
export async function* encodeFrames(chunks: Iterable<EncodedChunk> | AsyncIterable<EncodedChunk>): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    yield frameHeader(c.id, c.encoded.length);
    yield c.encoded;
  }
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The frames of a fetched byte stream, as they complete. A frame longer than `maxFrame` is
 * refused before it is buffered; a stream ending inside a frame is an error.
 */
export async function* decodeFrames(stream: AsyncIterable<Uint8Array>, maxFrame = MAX_FRAME_BYTES): AsyncGenerator<EncodedChunk> {
  // Received parts not yet taken, kept as they came: each byte is copied once, into its frame.
  const parts: Uint8Array[] = [];
  let buffered = 0;
  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; ) {
      const p = parts[0];
      const k = Math.min(p.length, n - at);
      out.set(p.subarray(0, k), at);
      at += k;
      if (k === p.length) parts.shift();
      else parts[0] = p.subarray(k);
    }
    buffered -= n;
    return out;
  };
  let need: { id: string; length: number } | null = null;
  for await (const part of stream) {
    if (part.length === 0) continue;
    parts.push(part);
    buffered += part.length;
    for (;;) {
      if (!need) {
        if (buffered < FRAME_HEADER_BYTES) break;
        const header = take(FRAME_HEADER_BYTES);
        const length = new DataView(header.buffer).getUint32(32);
        if (length === 0 || length > maxFrame) throw new RangeError(`chunk frame of ${length} bytes (at most ${maxFrame})`);
        need = { id: hex(header.subarray(0, 32)), length };
      }
      if (buffered < need.length) break;
      yield { id: need.id, encoded: take(need.length) };
      need = null;
    }
  }
  if (need || buffered) throw new RangeError('the chunk stream ended inside a frame');
}
