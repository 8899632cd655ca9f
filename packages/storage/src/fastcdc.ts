// FastCDC content-defined chunking (Xia et al., "FastCDC: a Fast and Efficient Content-Defined
// Chunking Approach for Data Deduplication", USENIX ATC 2016): a Gear rolling hash, cut-point
// skipping below the minimum size, and normalised chunking with two masks (level 2).
//
// Every boundary this code produces is baked into stored checkpoints: changing the gear table, the
// masks or the size parameters silently breaks deduplication against existing data. Tests pin
// exact cut points; change them only together with a format version bump.
import { createHash } from 'node:crypto';
import { GearScan } from './wasm/gear-scan.js';

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

/** The hashing loop itself runs in WebAssembly (wasm/gear-scan.wat); one instance per thread. */
let gearScan: GearScan | undefined;

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
    // `base` is where the current chunk would start in buf's coordinates (may be negative).
    const base = start - this.len;
    const from = Math.max(start, base + this.minSize);
    if (from >= end) {
      this.len = end - base;
      return -1;
    }
    const gear = (gearScan ??= new GearScan(GEAR));
    const state = { fp: this.fp };
    // Below the average size the stricter mask, then the looser one up to the hard cut.
    const avgEnd = Math.min(end, base + this.avgSize);
    if (from < avgEnd) {
      const cut = gear.find(buf, from, avgEnd, this.maskS, state);
      if (cut >= 0) return this.cut(cut);
    }
    const hardEnd = base + this.maxSize;
    const stop = Math.min(end, hardEnd);
    const next = Math.max(from, avgEnd);
    if (next < stop) {
      const cut = gear.find(buf, next, stop, this.maskL, state);
      if (cut >= 0) return this.cut(cut);
    }
    if (stop === hardEnd) return this.cut(hardEnd);
    this.fp = state.fp;
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

export interface ChunkStreamOptions {
  /** Sees every input buffer in order, e.g. to hash the whole file in the same pass. */
  onData?: (buf: Uint8Array) => void;
  /**
   * Memory for each yielded chunk: a Buffer of exactly `size` bytes at offset 0 of an
   * ArrayBuffer holding nothing else (e.g. ChunkBuffers.take). Default: a fresh allocation.
   */
  alloc?: (size: number) => Buffer;
}

/**
 * Cut an async stream of byte buffers (e.g. readFileBlocks) into content-defined chunks.
 *
 * The bytes of an input buffer are copied out before the next one is requested, so a source may
 * refill the buffer it yielded once it is asked for the next (readFileBlocks does). Memory: the
 * input buffer being scanned plus the part of the chunk in progress that came from earlier
 * buffers (< maxSize). Each yielded chunk starts at offset 0 of an ArrayBuffer of its own, so it
 * can be transferred to a worker thread without copying.
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array | string>,
  params: CdcParams = DEFAULT_CDC_PARAMS,
  { onData, alloc = Buffer.allocUnsafeSlow }: ChunkStreamOptions = {},
): AsyncGenerator<Buffer> {
  const scanner = new CdcScanner(params);
  const carry = new Carry(scanner.maxSize, alloc);
  for await (const item of source) {
    const input = typeof item === 'string' ? Buffer.from(item) : item;
    if (input.length === 0) continue;
    onData?.(input);
    let off = 0;
    while (off < input.length) {
      const cut = scanner.scan(input, off, input.length);
      if (cut < 0) {
        carry.add(input.subarray(off));
        break;
      }
      const chunk = carry.takeWith(input.subarray(off, cut));
      off = cut;
      yield chunk;
    }
  }
  if (carry.length > 0) yield carry.takeWith(new Uint8Array(0));
}

/** The start of a chunk that spans input buffers, copied (the inputs may be reused). */
class Carry {
  private buf: Buffer = Buffer.alloc(0);
  length = 0;

  constructor(
    private readonly limit: number,
    private readonly alloc: (size: number) => Buffer,
  ) {}

  add(bytes: Uint8Array): void {
    const need = this.length + bytes.length;
    if (need > this.buf.length) {
      // Grows by doubling up to the chunk size limit: a stream of small chunks stays small.
      const grown = Buffer.allocUnsafeSlow(Math.min(this.limit, Math.max(need, 2 * this.buf.length, 64 * 1024)));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(bytes, this.length);
    this.length = need;
  }

  /** The carried bytes followed by `tail`, in a newly allocated chunk; empties the carry. */
  takeWith(tail: Uint8Array): Buffer {
    const out = this.alloc(this.length + tail.length);
    out.set(this.buf.subarray(0, this.length));
    out.set(tail, this.length);
    this.length = 0;
    return out;
  }
}
