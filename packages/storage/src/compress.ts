// Chunk encoding: 1 header byte + payload.
//   0 = raw:  payload is the chunk itself
//   1 = zstd: payload is exactly one zstd frame
//   2 = patch: a zstd frame against other chunks (patch.ts; decoded there, with its bases)
// A chunk is stored raw when zstd does not make it smaller.
//
// Incompressible input (video, PNG, archives) is detected cheaply by zstd itself at the default
// level: its match finder accelerates through data without matches, and we measured level 3 at
// ~5.3 GB/s on random chunks, three times the SHA-256 we compute anyway. A separate sample probe
// (level 1 on 32 KiB spread over the chunk, ~11.5 GB/s) only pays off at slower levels, so it is
// used from level PROBE_FROM_LEVEL up. Numbers: docs/chunking.md.
//
// Decoding treats its input as hostile (chunks arrive from clients and from shared object
// storage): the decompressed size is bounded before and during decompression, and no buffer is
// ever sized from a number found in the data.
import binding from 'zstd-napi/binding.js';
import { ChunkTooLargeError, InvalidEncodingError } from './errors.js';
import { MAX_CHUNK_SIZE } from './fastcdc.js';

export const ENCODING_RAW = 0;
export const ENCODING_ZSTD = 1;

/** zstd level used for chunks; chosen by measurement (docs/chunking.md). */
export const DEFAULT_ZSTD_LEVEL = 3;

/** From this level up, a sample probe runs before the full compression (see header). */
export const PROBE_FROM_LEVEL = 5;

export interface EncodeOptions {
  /** zstd compression level (default DEFAULT_ZSTD_LEVEL). */
  level?: number;
  /** Run the incompressibility probe first (default: level >= PROBE_FROM_LEVEL). */
  probe?: boolean;
}

// Per-thread contexts: creating a zstd context costs more than compressing a small chunk, and
// each worker thread has its own module instance, so no sharing across threads happens.
let cctx: binding.CCtx | undefined;
let dctx: binding.DCtx | undefined;
let scratch: Buffer = Buffer.alloc(0);

function compressInto(src: Uint8Array, level: number, offset: number): { buf: Buffer; len: number } {
  cctx ??= new binding.CCtx();
  const bound = binding.compressBound(src.length) + offset;
  if (scratch.length < bound) scratch = Buffer.allocUnsafeSlow(bound);
  const len = cctx.compress(scratch.subarray(offset), src, level);
  return { buf: scratch, len };
}

/** Sample layout of the probe: PROBE_SLICES slices of PROBE_SLICE bytes spread over the chunk. */
const PROBE_SLICE = 4096;
const PROBE_SLICES = 8;
/** Below this size, a full trial is as cheap as the probe. */
const PROBE_MIN_INPUT = 64 * 1024;
/** The probe must save at least this fraction of the sample, else the chunk is stored raw. */
const PROBE_MIN_SAVING = 0.03;

/**
 * Cheap incompressibility test: level-1 zstd on a ~32 KiB sample taken from evenly spaced
 * positions. Sampling spread-out slices (rather than a prefix) keeps a compressed payload behind
 * a readable header from fooling it.
 */
export function looksIncompressible(raw: Uint8Array): boolean {
  if (raw.length < PROBE_MIN_INPUT) return false;
  const sample = Buffer.allocUnsafe(PROBE_SLICE * PROBE_SLICES);
  const stride = Math.floor((raw.length - PROBE_SLICE) / (PROBE_SLICES - 1));
  for (let k = 0; k < PROBE_SLICES; k++) {
    sample.set(raw.subarray(k * stride, k * stride + PROBE_SLICE), k * PROBE_SLICE);
  }
  const { len } = compressInto(sample, 1, 0);
  return len > sample.length * (1 - PROBE_MIN_SAVING);
}

/**
 * Encode a raw chunk for storage. The result owns its ArrayBuffer exactly (transferable between
 * threads, no hidden retention of a larger scratch buffer).
 */
export function encodeChunk(raw: Uint8Array, options: EncodeOptions = {}): Buffer {
  const level = options.level ?? DEFAULT_ZSTD_LEVEL;
  const probe = options.probe ?? level >= PROBE_FROM_LEVEL;
  if (raw.length > 0 && !(probe && looksIncompressible(raw))) {
    const { buf, len } = compressInto(raw, level, 1);
    if (len < raw.length) {
      const out = Buffer.allocUnsafeSlow(1 + len);
      out[0] = ENCODING_ZSTD;
      buf.copy(out, 1, 1, 1 + len);
      return out;
    }
  }
  const out = Buffer.allocUnsafeSlow(1 + raw.length);
  out[0] = ENCODING_RAW;
  out.set(raw, 1);
  return out;
}

/** Which encoding an encoded chunk uses, without decoding it. */
export function encodingOf(encoded: Uint8Array): 'raw' | 'zstd' | 'patch' {
  if (encoded.length === 0) throw new InvalidEncodingError('empty encoded chunk');
  if (encoded[0] === ENCODING_RAW) return 'raw';
  if (encoded[0] === ENCODING_ZSTD) return 'zstd';
  if (encoded[0] === 2) return 'patch';
  throw new InvalidEncodingError(`unknown chunk encoding ${encoded[0]}`);
}

/** Largest encoded size a chunk of at most `maxSize` raw bytes can legitimately have. */
export function maxEncodedSize(maxSize: number = MAX_CHUNK_SIZE): number {
  // Raw fallback guarantees encoded <= 1 + raw size.
  return maxSize + 1;
}

/**
 * A compressor that does not know the input size uses its level's default window (2 MiB at level
 * 3) even for a smaller chunk, so the decoder allows at least that: a bounded few MiB of memory.
 */
const MIN_WINDOW_LOG = 21;

function windowLogFor(maxSize: number): number {
  return Math.min(31, Math.max(MIN_WINDOW_LOG, Math.ceil(Math.log2(Math.max(maxSize, 1)))));
}

/** This thread's buffer for decodes whose result is only looked at (see decodeChunk's `transient`). */
let transientOut: Buffer = Buffer.alloc(0);

/**
 * Decode an encoded chunk, refusing anything that would decompress to more than `maxSize` bytes
 * (ChunkTooLargeError) and malformed input (InvalidEncodingError). The returned Buffer is a
 * view into `encoded` (raw chunks) or into an ArrayBuffer of its own (zstd).
 *
 * `transient`: the result is only read before the next transient decode on this thread (e.g. to
 * verify its hash), so it may live in a reused buffer. Servers verify every uploaded chunk and
 * keep only its encoded form; a fresh buffer per chunk would make the garbage collector run
 * for every few dozen MiB received.
 */
export function decodeChunk(encoded: Uint8Array, maxSize: number = MAX_CHUNK_SIZE, transient = false): Buffer {
  const kind = encodingOf(encoded);
  if (kind === 'patch') throw new InvalidEncodingError('a patch chunk is decoded with its bases (patch.ts)');
  const payload = Buffer.from(encoded.buffer, encoded.byteOffset + 1, encoded.length - 1);
  if (kind === 'raw') {
    if (payload.length > maxSize) throw new ChunkTooLargeError(maxSize, 'raw chunk');
    return payload;
  }
  return boundedDecompress(payload, maxSize, transient);
}

function boundedDecompress(payload: Buffer, maxSize: number, transient: boolean): Buffer {
  let declared: number | null;
  try {
    declared = binding.getFrameContentSize(payload);
  } catch {
    throw new InvalidEncodingError('not a zstd frame');
  }
  // Refuse before doing any work when the header already admits the bomb.
  if (declared !== null && declared > maxSize) {
    throw new ChunkTooLargeError(maxSize, `declared decompressed size ${declared}`);
  }
  const cap = declared ?? maxSize;
  // One byte beyond the cap lets us notice overflow without a second buffer.
  let out: Buffer;
  // Never a slice of Node's shared pool: a decoded chunk owns its ArrayBuffer (a worker thread
  // hands it back by transfer).
  if (!transient) out = Buffer.allocUnsafeSlow(cap + 1);
  else {
    if (transientOut.length < cap + 1) transientOut = Buffer.allocUnsafeSlow(cap + 1);
    out = transientOut.subarray(0, cap + 1);
  }
  dctx ??= new binding.DCtx();
  dctx.reset(binding.ResetDirective.sessionOnly);
  // Also bounds the decoder's own window allocation, which a frame header could otherwise inflate.
  dctx.setParameter(binding.DParameter.windowLogMax, windowLogFor(maxSize));

  let inPos = 0;
  let outPos = 0;
  for (;;) {
    let ret: number, produced: number, consumed: number;
    try {
      [ret, produced, consumed] = dctx.decompressStream(out.subarray(outPos), payload.subarray(inPos));
    } catch (err) {
      dctx.reset(binding.ResetDirective.sessionOnly);
      throw new InvalidEncodingError(`corrupt zstd data: ${(err as Error).message}`);
    }
    outPos += produced;
    inPos += consumed;
    if (outPos > cap) {
      dctx.reset(binding.ResetDirective.sessionOnly);
      if (declared !== null) throw new InvalidEncodingError('zstd frame longer than its declared size');
      throw new ChunkTooLargeError(maxSize, 'decompressed chunk');
    }
    if (ret === 0) break; // frame complete and flushed
    if (produced === 0 && consumed === 0) {
      dctx.reset(binding.ResetDirective.sessionOnly);
      throw new InvalidEncodingError('truncated zstd frame');
    }
  }
  if (inPos !== payload.length) throw new InvalidEncodingError('trailing bytes after zstd frame');
  if (declared !== null && outPos !== declared) {
    throw new InvalidEncodingError('zstd frame shorter than its declared size');
  }
  return out.subarray(0, outPos);
}
