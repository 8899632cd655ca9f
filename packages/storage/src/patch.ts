// Patch chunks: a chunk stored (and moved) as a zstd frame compressed against other chunks, its
// bases. DCC tools rewrite a few bytes all over a file on every save, so content-defined chunks of
// a re-saved file are all new, yet each is nearly its predecessor: compressed with the previous
// version's chunk as zstd's (raw content) dictionary, it costs a few hundred bytes instead of its
// full compressed size. Numbers: docs/chunking.md.
//
// Encoding 2 (see compress.ts for 0 and 1):
//   byte 0       2
//   byte 1       depth: 1 + the deepest base's depth (raw and zstd chunks have depth 0)
//   byte 2       n, the number of bases (1..MAX_PATCH_BASES)
//   n x 32 bytes the bases' chunk ids (raw SHA-256), in dictionary order
//   rest         one zstd frame, compressed with the bases' raw bytes, concatenated, as dictionary
// The chunk's id stays the SHA-256 of its raw bytes, and decoding a patch always ends in that hash
// check, so a wrong or corrupt base can never produce a chunk that passes as valid.
//
// Depth bounds how many decodes a read costs; past MAX_PATCH_DEPTH a chunk is stored whole (a
// "key"), which also bounds every chain a restore walks.
import binding from 'zstd-napi/binding.js';
import { ChunkTooLargeError, InvalidEncodingError } from './errors.js';
import { MAX_CHUNK_SIZE } from './fastcdc.js';

export const ENCODING_PATCH = 2;
/** Bases one patch may name. */
export const MAX_PATCH_BASES = 4;
/**
 * Longest chain of patches under a chunk as a store keeps it (its depth). A writer declares the
 * depth its own bases give; a store receiving a patch deeper than this by its own count keeps
 * the chunk whole instead (chunk-store.ts verifyChunkWith), so uploads stay patches while every
 * read walks at most this many decodes.
 */
export const MAX_PATCH_DEPTH = 8;
/** Raw bytes of all bases of one patch together (the dictionary); bounds decoder memory. */
export const MAX_BASE_BYTES = 4 * 1024 * 1024;
/** Bases smaller than this in total are not worth a dependency (zstd also wants >= 8 bytes). */
const MIN_BASE_BYTES = 1024;
/** A patch is kept only when it is at most this share of the chunk's plain encoding. */
export const PATCH_GAIN = 0.5;

/** zstd reads a dictionary starting with this magic as a trained one, not as raw content. */
const DICT_MAGIC = 0xec30a437;

export interface PatchHeader {
  depth: number;
  bases: string[];
  /** Where the zstd frame starts in the encoded chunk. */
  payloadOffset: number;
}

/** The patch header of an encoded chunk, or null when it is not a patch. Throws for a malformed one. */
export function patchHeaderOf(encoded: Uint8Array): PatchHeader | null {
  if (encoded.length === 0 || encoded[0] !== ENCODING_PATCH) return null;
  if (encoded.length < 3) throw new InvalidEncodingError('truncated patch header');
  const depth = encoded[1];
  const n = encoded[2];
  if (depth < 1 || depth > MAX_PATCH_DEPTH) throw new InvalidEncodingError(`patch depth ${depth} is outside 1..${MAX_PATCH_DEPTH}`);
  if (n < 1 || n > MAX_PATCH_BASES) throw new InvalidEncodingError(`a patch names 1..${MAX_PATCH_BASES} bases, not ${n}`);
  const payloadOffset = 3 + 32 * n;
  if (encoded.length <= payloadOffset) throw new InvalidEncodingError('truncated patch header');
  const buf = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.length);
  const bases: string[] = [];
  for (let k = 0; k < n; k++) bases.push(buf.toString('hex', 3 + 32 * k, 3 + 32 * (k + 1)));
  if (new Set(bases).size !== bases.length) throw new InvalidEncodingError('a patch names the same base twice');
  return { depth, bases, payloadOffset };
}

/** 0 for a whole chunk, the declared depth for a patch. */
export function depthOf(encoded: Uint8Array): number {
  return patchHeaderOf(encoded)?.depth ?? 0;
}

export interface PatchBase {
  id: string;
  raw: Uint8Array;
  /** Depth of the base as stored (0 for whole chunks). */
  depth: number;
}

function dictionaryOf(bases: readonly Uint8Array[]): Buffer {
  const dict = bases.length === 1 ? Buffer.from(bases[0].buffer, bases[0].byteOffset, bases[0].length) : Buffer.concat(bases);
  return dict;
}

function isTrainedDictionaryMagic(dict: Buffer): boolean {
  return dict.length >= 4 && dict.readUInt32LE(0) === DICT_MAGIC;
}

let cctx: binding.CCtx | undefined;
let dctx: binding.DCtx | undefined;
let scratch: Buffer = Buffer.alloc(0);

/**
 * `raw` as a patch against `bases`, or null when the bases cannot serve (too many, too deep, too
 * large or too small together, or shaped like a trained zstd dictionary). The result owns its
 * ArrayBuffer. Whether the patch is worth it is the caller's call (see `choosePatch`).
 */
export function encodePatch(raw: Uint8Array, bases: readonly PatchBase[], level = 3): Buffer | null {
  if (bases.length === 0 || bases.length > MAX_PATCH_BASES) return null;
  const depth = 1 + Math.max(...bases.map((b) => b.depth));
  if (depth > MAX_PATCH_DEPTH) return null;
  const total = bases.reduce((n, b) => n + b.raw.length, 0);
  if (total < MIN_BASE_BYTES || total > MAX_BASE_BYTES) return null;
  if (new Set(bases.map((b) => b.id)).size !== bases.length) return null;
  const dict = dictionaryOf(bases.map((b) => b.raw));
  if (isTrainedDictionaryMagic(dict)) return null;
  cctx ??= new binding.CCtx();
  const bound = binding.compressBound(raw.length);
  if (scratch.length < bound) scratch = Buffer.allocUnsafeSlow(bound);
  const len = cctx.compressUsingDict(scratch, raw, dict, level);
  const headerLen = 3 + 32 * bases.length;
  const out = Buffer.allocUnsafeSlow(headerLen + len);
  out[0] = ENCODING_PATCH;
  out[1] = depth;
  out[2] = bases.length;
  bases.forEach((b, k) => out.write(b.id, 3 + 32 * k, 32, 'hex'));
  scratch.copy(out, headerLen, 0, len);
  return out;
}

/**
 * Decodes a patch given its bases' raw bytes (verified by the caller, in header order). Bounded
 * like decodeChunk: never more than `maxSize` bytes out, nothing sized from the data. The result
 * owns its ArrayBuffer. The caller checks the result's hash against the chunk id.
 */
export function decodePatch(encoded: Uint8Array, header: PatchHeader, baseRaws: readonly Uint8Array[], maxSize: number = MAX_CHUNK_SIZE): Buffer {
  if (baseRaws.length !== header.bases.length) throw new InvalidEncodingError('a base of the patch is missing');
  const total = baseRaws.reduce((n, b) => n + b.length, 0);
  if (total > MAX_BASE_BYTES) throw new InvalidEncodingError(`the patch's bases exceed ${MAX_BASE_BYTES} bytes`);
  if (total < MIN_BASE_BYTES) throw new InvalidEncodingError('the patch\'s bases are too small to be a dictionary');
  const dict = dictionaryOf(baseRaws);
  if (isTrainedDictionaryMagic(dict)) throw new InvalidEncodingError('the patch\'s bases cannot serve as a dictionary');
  const payload = Buffer.from(encoded.buffer, encoded.byteOffset + header.payloadOffset, encoded.length - header.payloadOffset);
  let declared: number | null;
  try {
    declared = binding.getFrameContentSize(payload);
  } catch {
    throw new InvalidEncodingError('not a zstd frame');
  }
  if (declared === null) throw new InvalidEncodingError('a patch frame must declare its size');
  if (declared > maxSize) throw new ChunkTooLargeError(maxSize, `declared decompressed size ${declared}`);
  // One-shot decoding writes into this buffer only: memory is bounded by the declared size.
  const out = Buffer.allocUnsafeSlow(declared);
  dctx ??= new binding.DCtx();
  let produced: number;
  try {
    produced = dctx.decompressUsingDict(out, payload, dict);
  } catch (err) {
    throw new InvalidEncodingError(`corrupt patch: ${(err as Error).message}`);
  }
  if (produced !== declared) throw new InvalidEncodingError('patch frame shorter than its declared size');
  return out;
}

/**
 * The encoding to store for `raw`: the patch when it is at most PATCH_GAIN of `plain` (the chunk's
 * ordinary encoding), else `plain`. A few hundred bytes against a whole chunk is the common case
 * for a re-saved scene; unrelated bases give patches no smaller than plain, and those are dropped.
 */
export function choosePatch(raw: Uint8Array, bases: readonly PatchBase[], plain: Buffer, level = 3): Buffer {
  if (bases.length === 0) return plain;
  const patch = encodePatch(raw, bases, level);
  return patch && patch.length <= plain.length * PATCH_GAIN ? patch : plain;
}
