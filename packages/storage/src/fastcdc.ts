// FastCDC content-defined chunking (Xia et al., "FastCDC: a Fast and Efficient Content-Defined
// Chunking Approach for Data Deduplication", USENIX ATC 2016): a Gear rolling hash, cut-point
// skipping below the minimum size, and normalised chunking with two masks (level 2).
//
// Every boundary this code produces is baked into stored checkpoints: changing the gear table, the
// masks or the size parameters silently breaks deduplication against existing data. Tests pin
// exact cut points; change them only together with a format version bump.
import { createHash } from 'node:crypto';

export interface CdcParams {
  /** No cut before this many bytes (these bytes are not even hashed). */
  readonly minSize: number;
  /** Target average size; must be a power of two (it defines the mask widths). */
  readonly avgSize: number;
  /** Hard cut at this many bytes. */
  readonly maxSize: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Frozen parameters, format 2 (format 1 was 256 / 512 / 2048 KiB; docs/chunking.md has the
 * measurements behind both). Changing them does not corrupt a store, but new chunks stop
 * deduplicating against everything stored before: only with a measurement and new test vectors.
 */
export const DEFAULT_CDC_PARAMS: CdcParams = Object.freeze({
  minSize: 128 * KiB,
  avgSize: 256 * KiB,
  maxSize: 1 * MiB,
});

/**
 * Upper bound for any chunk we accept anywhere (decode limits use it): format 1's maximum, so
 * chunks cut before format 2 stay readable and clients of that format can still upload.
 */
export const MAX_CHUNK_SIZE = 2 * MiB;

/**
 * The seed of the gear table. Entry i is the first 4 bytes (big-endian) of
 * SHA-256(`${GEAR_SEED}/${i}`), for i in 0..255. Derived from a hash rather than Math.random or a
 * pasted table so any implementation (another language, a future refactor) can regenerate and
 * check it, and so its bits are uniformly mixed.
 */
export const GEAR_SEED = 'backlot-fastcdc-gear-v1';

function makeGearTable(): Int32Array {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    table[i] = createHash('sha256').update(`${GEAR_SEED}/${i}`).digest().readInt32BE(0);
  }
  return table;
}

/** The 256-entry gear table (int32 view of the uint32 values). Do not mutate. */
export const GEAR: Int32Array = makeGearTable();

/** A mask of the `bits` highest bits of a 32-bit word (as int32). */
function highBitsMask(bits: number): number {
  return bits >= 32 ? -1 : ~(0xffffffff >>> bits) | 0;
}

export function validateParams(p: CdcParams): void {
  const { minSize, avgSize, maxSize } = p;
  const pow2 = Number.isInteger(avgSize) && avgSize > 0 && (avgSize & (avgSize - 1)) === 0;
  if (!pow2) throw new RangeError(`avgSize must be a power of two, got ${avgSize}`);
  if (!(Number.isInteger(minSize) && minSize >= 64 && minSize < avgSize)) {
    throw new RangeError(`minSize must be an integer in [64, avgSize), got ${minSize}`);
  }
  if (!(Number.isInteger(maxSize) && maxSize > avgSize && maxSize <= 1024 * MiB)) {
    throw new RangeError(`maxSize must be an integer in (avgSize, 1 GiB], got ${maxSize}`);
  }
  const bits = Math.log2(avgSize);
  if (bits < 8 || bits > 28) throw new RangeError(`avgSize out of range: ${avgSize}`);
}

/**
 * Incremental cut-point finder. One instance follows one chunk stream; feed it consecutive byte
 * ranges with `scan`, it answers where the current chunk ends. Both the streaming chunker and the
 * synchronous `cutPoints` use it, so they cannot disagree.
 */
export class CdcScanner {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
  // Level 2 normalisation: below avgSize the mask has 2 bits more than log2(avg) (cuts are rarer),
  // above it 2 bits fewer (cuts are likelier). Sizes cluster around avg, which improves dedup for
  // the same mean chunk count. High bits are used because in a Gear hash bit k depends on the
  // last k+1 bytes only: the top bits see the whole 32-byte window.
  private readonly maskS: number;
  private readonly maskL: number;
  /** Bytes of the current chunk seen so far. */
  private len = 0;
  /** Gear hash of the current chunk, starting at 0 when len reaches minSize. */
  private fp = 0;

  constructor(params: CdcParams = DEFAULT_CDC_PARAMS) {
    validateParams(params);
    this.minSize = params.minSize;
    this.avgSize = params.avgSize;
    this.maxSize = params.maxSize;
    const bits = Math.log2(params.avgSize);
    this.maskS = highBitsMask(bits + 2);
    this.maskL = highBitsMask(bits - 2);
  }

  /** Bytes accumulated in the current, not yet cut, chunk. */
  get pending(): number {
    return this.len;
  }

  reset(): void {
    this.len = 0;
    this.fp = 0;
  }

  /**
   * Scan buf[start, end) as the continuation of the current chunk. Returns the offset in `buf`
   * just past the cut (the chunk ends there and the scanner is reset for the next one), or -1
   * when the whole range belongs to the current chunk.
   */
  scan(buf: Uint8Array, start: number, end: number): number {
    const G = GEAR;
    // `base` is where the current chunk would start in buf's coordinates (may be negative).
    const base = start - this.len;
    let i = Math.max(start, base + this.minSize);
    if (i >= end) {
      this.len = end - base;
      return -1;
    }
    let fp = this.fp;
    const maskS = this.maskS;
    const maskL = this.maskL;

    let stop = Math.min(end, base + this.avgSize);
    for (; i < stop; i++) {
      fp = ((fp << 1) + G[buf[i]]) | 0;
      if ((fp & maskS) === 0) return this.cut(i + 1);
    }
    const hardEnd = base + this.maxSize;
    stop = Math.min(end, hardEnd);
    for (; i < stop; i++) {
      fp = ((fp << 1) + G[buf[i]]) | 0;
      if ((fp & maskL) === 0) return this.cut(i + 1);
    }
    if (i === hardEnd) return this.cut(i);
    this.fp = fp;
    this.len = end - base;
    return -1;
  }

  private cut(at: number): number {
    this.len = 0;
    this.fp = 0;
    return at;
  }
}

/**
 * Chunk boundaries of a whole in-memory buffer: the end offset of every chunk, in order. The last
 * entry is buf.length; an empty buffer has no chunks.
 */
export function cutPoints(buf: Uint8Array, params: CdcParams = DEFAULT_CDC_PARAMS): number[] {
  const scanner = new CdcScanner(params);
  const cuts: number[] = [];
  let off = 0;
  while (off < buf.length) {
    const cut = scanner.scan(buf, off, buf.length);
    if (cut < 0) break;
    cuts.push(cut);
    off = cut;
  }
  if (off < buf.length) cuts.push(buf.length);
  return cuts;
}

/**
 * Cut an async stream of byte buffers (e.g. fs.createReadStream) into content-defined chunks.
 *
 * Memory: holds at most one chunk in progress (< maxSize, as references to the input buffers)
 * plus the input buffer being scanned. Each yielded chunk is a fresh Buffer that owns its whole
 * ArrayBuffer, so it can be transferred to a worker thread without copying.
 *
 * The source must not reuse a buffer after yielding it (Node streams never do).
 * `onData`, when given, sees every input buffer in order, e.g. to hash the whole file in the same
 * pass.
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array | string>,
  params: CdcParams = DEFAULT_CDC_PARAMS,
  onData?: (buf: Uint8Array) => void,
): AsyncGenerator<Buffer> {
  const scanner = new CdcScanner(params);
  let parts: Uint8Array[] = [];
  let partsLen = 0;
  for await (const item of source) {
    const input = typeof item === 'string' ? Buffer.from(item) : item;
    if (input.length === 0) continue;
    onData?.(input);
    let off = 0;
    while (off < input.length) {
      const cut = scanner.scan(input, off, input.length);
      if (cut < 0) {
        parts.push(input.subarray(off));
        partsLen += input.length - off;
        break;
      }
      parts.push(input.subarray(off, cut));
      partsLen += cut - off;
      const chunk = assemble(parts, partsLen);
      parts = [];
      partsLen = 0;
      off = cut;
      yield chunk;
    }
  }
  if (partsLen > 0) yield assemble(parts, partsLen);
}

function assemble(parts: Uint8Array[], total: number): Buffer {
  // allocUnsafeSlow: never a slice of Node's shared pool, so the ArrayBuffer is transferable.
  const out = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
