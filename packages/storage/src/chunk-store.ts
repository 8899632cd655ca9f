// The content store contract. Chunks are stored once per project: a store is bound to one
// namespace (a project id) when it is created, so code holding a project's store cannot read or
// write another project's chunks by passing a different argument. A backend (one data folder,
// one SQLite file, one bucket) owns the shared resources and hands out namespace-bound stores.
//
// Every store verifies on write that the encoded bytes decode to data hashing to the id, so a
// buggy or hostile client cannot plant a chunk under someone else's hash: either `put` verifies,
// or the caller verified first with `verifyChunk` and hands the proof to `putVerified` (the
// server verifies a frame on arrival, before recording it, and must not pay for a second decode
// + hash when storing it). Reads are verified by `readChunk`, which is what restores and
// downloads must use.
import { decodeChunk, encodeChunk, maxEncodedSize } from './compress.js';
import { ChunkTooLargeError, CorruptChunkError, InvalidEncodingError, MissingChunkError, StorageError } from './errors.js';
import { MAX_CHUNK_SIZE } from './fastcdc.js';
import { assertChunkId, sha256Hex } from './hash.js';
import { decodePatch, MAX_PATCH_DEPTH, patchHeaderOf } from './patch.js';

export interface ChunkStore {
  /** The namespace (project id) this store is bound to. */
  readonly namespace: string;
  /** The subset of `ids` that is present. */
  has(ids: readonly string[]): Promise<Set<string>>;
  /**
   * Store an encoded chunk (see compress.ts) under its id. Idempotent. Verifies the content first
   * and throws (CorruptChunkError, InvalidEncodingError, ChunkTooLargeError) without storing
   * anything when it does not match.
   */
  put(id: string, encoded: Buffer): Promise<void>;
  /**
   * Store a chunk already verified by `verifyChunk` (idempotent, no second decode + hash). When
   * it resolves the chunk is durable: it survives a crash of the process or of the machine.
   */
  putVerified(chunk: VerifiedChunk): Promise<void>;
  /** `putVerified` for many chunks, sharing the cost of making them durable. */
  putVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void>;
  /**
   * Stores verified chunks in place of those stored under their ids (other encodings of the same
   * bytes: whole instead of a patch, or the other way round). Atomic per chunk for readers, who
   * see one encoding or the other, and durable when it resolves.
   */
  replaceVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void>;
  /** The encoded chunk as stored, unverified, or null when absent. Prefer `readChunk`. */
  get(id: string): Promise<Buffer | null>;
  /** Remove chunks; absent ids are ignored. */
  delete(ids: readonly string[]): Promise<void>;
  /** Every chunk id in the namespace, in ascending order (so a listing can be merged with a sorted one). */
  list(): AsyncIterable<string>;
  /**
   * Removes what writers that were killed left behind (temp files), returning how many: leftovers
   * older than `olderThanMs`, and with `deadWriters` also those of writer processes that are gone.
   */
  cleanTemp(options: { olderThanMs: number; deadWriters?: boolean }): Promise<number>;
}

export interface ChunkBackend {
  /** The store for one namespace (cheap; call per request if convenient). */
  store(namespace: string): ChunkStore;
  close(): Promise<void>;
}

export interface StoreLimits {
  /** Largest raw chunk accepted (default MAX_CHUNK_SIZE, the frozen chunker maximum). */
  maxChunkSize?: number;
}

const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * Namespaces become path segments and key prefixes, so they are restricted to a safe alphabet
 * (no dots, no slashes).
 */
export function assertNamespace(namespace: unknown): asserts namespace is string {
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new StorageError('invalid_namespace', 'namespace must match [A-Za-z0-9][A-Za-z0-9_-]{0,127}', {
      namespace: typeof namespace === 'string' ? namespace.slice(0, 140) : typeof namespace,
    });
  }
}

/**
 * Decode `encoded` and check that it hashes to `id`. Returns the raw chunk (with `transient`, in
 * a buffer reused by the next transient decode: see decodeChunk). Used by every store's `put`;
 * throws the decoder's typed errors for malformed data and CorruptChunkError for a hash mismatch.
 */
export function verifyEncodedChunk(
  id: string,
  encoded: Uint8Array,
  maxChunkSize: number = MAX_CHUNK_SIZE,
  transient = false,
): Buffer {
  assertChunkId(id);
  if (encoded.length > maxEncodedSize(maxChunkSize)) {
    throw new ChunkTooLargeError(maxEncodedSize(maxChunkSize), 'encoded chunk');
  }
  if (patchHeaderOf(encoded)) throw new InvalidEncodingError('a patch chunk needs its bases to be decoded (verifyWithBases)');
  const raw = decodeChunk(encoded, maxChunkSize, transient);
  const actual = sha256Hex(raw);
  if (actual !== id) throw new CorruptChunkError(id, `content hashes to ${actual}`);
  return raw;
}

/** A verified chunk's raw bytes and stored depth (0 unless it is a patch), as a patch's base. */
export interface ResolvedBase {
  raw: Buffer;
  depth: number;
  /**
   * Set on a link of a chain that was decoded but not hashed (basesFrom): good enough to decode
   * the chunk above it, which is hashed, but not a verified chunk by itself.
   */
  unchecked?: true;
}

/** Where a patch's bases come from: the verified raw bytes of a chunk by id (MissingChunkError if absent). */
export type BaseSource = (id: string) => Promise<ResolvedBase>;

/**
 * `verifyEncodedChunk` for any encoding: a patch is decoded with its bases from `bases`. Returns
 * the raw chunk (its own buffer). The depth a patch declares is its writer's (whose bases may be
 * stored differently); `verifyChunkWith` sets the depth the receiving store gives it.
 */
export async function verifyWithBases(
  id: string,
  encoded: Uint8Array,
  bases: BaseSource,
  maxChunkSize: number = MAX_CHUNK_SIZE,
): Promise<Buffer> {
  const header = patchHeaderOf(encoded);
  if (!header) return verifyEncodedChunk(id, encoded, maxChunkSize);
  assertChunkId(id);
  if (encoded.length > maxEncodedSize(maxChunkSize)) throw new ChunkTooLargeError(maxEncodedSize(maxChunkSize), 'encoded chunk');
  const resolved = await Promise.all(header.bases.map((b) => bases(b)));
  return decodeResolved(id, encoded, resolved.map((r) => r.raw), maxChunkSize);
}

function decodeResolved(id: string, encoded: Uint8Array, baseRaws: readonly Buffer[], maxChunkSize: number): Buffer {
  const raw = decodePatch(encoded, patchHeaderOf(encoded)!, baseRaws, maxChunkSize);
  const actual = sha256Hex(raw);
  if (actual !== id) throw new CorruptChunkError(id, `content hashes to ${actual}`);
  return raw;
}

/**
 * Decoded chunks kept for reuse as bases, least recently used dropped first, up to `maxBytes`.
 * One restore of a history reads each base once instead of once per patch built on it.
 */
export class BaseCache {
  private readonly entries = new Map<string, ResolvedBase>();
  private bytes = 0;
  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  get(id: string): ResolvedBase | undefined {
    const e = this.entries.get(id);
    if (e) {
      this.entries.delete(id);
      this.entries.set(id, e);
    }
    return e;
  }

  set(id: string, e: ResolvedBase): void {
    if (e.raw.length > this.maxBytes) return;
    const old = this.entries.get(id);
    if (old && !(old.unchecked && !e.unchecked)) return;
    if (old) this.drop(id);
    this.entries.set(id, e);
    this.bytes += e.raw.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.raw.length;
    }
  }

  /** Forgets every entry that was not hashed (after a chain turned out to be corrupt). */
  dropUnchecked(): void {
    for (const [k, v] of this.entries) if (v.unchecked) this.drop(k);
  }

  private drop(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.bytes -= e.raw.length;
  }
}

/**
 * Bases read from `store` itself, verified, patches resolved down to whole chunks (at most
 * MAX_PATCH_DEPTH levels, whatever the stored bytes claim), remembered in `cache`.
 *
 * Only the chunk asked for is hashed: the links below it are decoded and used, and a wrong link
 * makes the chunk above it fail its hash (a chain of 8 costs one SHA-256, not 8). A failure is
 * then traced again with every link hashed, so the error names the chunk that is really corrupt.
 */
export function basesFrom(store: ChunkStore, cache: BaseCache = new BaseCache(), maxChunkSize: number = MAX_CHUNK_SIZE): BaseSource {
  const resolve = async (id: string, level: number, hashLinks: boolean): Promise<ResolvedBase> => {
    const check = level === 0 || hashLinks;
    const hit = cache.get(id);
    if (hit && !(check && hit.unchecked)) return hit;
    // Writers keep chains within MAX_PATCH_DEPTH; twice that can only be a loop or corruption.
    if (level > 2 * MAX_PATCH_DEPTH) throw new CorruptChunkError(id, 'patch chain deeper than allowed');
    let raw: Buffer;
    let depth = 0;
    if (hit) {
      raw = hit.raw;
      depth = hit.depth;
    } else {
      const encoded = await store.get(id);
      if (encoded === null) throw new MissingChunkError(id);
      assertChunkId(id);
      if (encoded.length > maxEncodedSize(maxChunkSize)) throw new ChunkTooLargeError(maxEncodedSize(maxChunkSize), 'encoded chunk');
      const header = patchHeaderOf(encoded);
      if (!header) raw = decodeChunk(encoded, maxChunkSize);
      else {
        // The depth is what the chain really is here (a header states its writer's view, and
        // chains change when a store re-encodes a base).
        const bases = await Promise.all(header.bases.map((b) => resolve(b, level + 1, hashLinks)));
        depth = 1 + Math.max(...bases.map((b) => b.depth));
        raw = decodePatch(encoded, header, bases.map((b) => b.raw), maxChunkSize);
      }
    }
    if (check) {
      const actual = sha256Hex(raw);
      if (actual !== id) throw new CorruptChunkError(id, `content hashes to ${actual}`);
    }
    const e: ResolvedBase = check ? { raw, depth } : { raw, depth, unchecked: true };
    cache.set(id, e);
    return e;
  };
  return async (id) => {
    try {
      return await resolve(id, 0, false);
    } catch (err) {
      if (!(err instanceof CorruptChunkError || err instanceof InvalidEncodingError)) throw err;
      cache.dropUnchecked();
      return resolve(id, 0, true);
    }
  };
}

/** Only `verifyChunk` can make a VerifiedChunk: the constructor demands this module-private key. */
const PROOF = Symbol('verified-chunk');

/**
 * An encoded chunk whose bytes were decoded and hashed to `id`: the proof `putVerified` asks for.
 * The holder must not modify `encoded` afterwards.
 */
export class VerifiedChunk {
  constructor(
    key: symbol,
    readonly id: string,
    readonly encoded: Buffer,
    /** Raw (decoded) size. */
    readonly size: number,
    /** A patch's bases (in header order), empty for a whole chunk. */
    readonly bases: readonly string[] = [],
  ) {
    if (key !== PROOF) throw new TypeError('a VerifiedChunk is made by verifyChunk');
  }
}

/** Verifies like `verifyEncodedChunk` and returns the proof for `ChunkStore.putVerified`. */
export function verifyChunk(id: string, encoded: Buffer, maxChunkSize: number = MAX_CHUNK_SIZE): VerifiedChunk {
  // Only the size of the decoded bytes is kept, so they may be decoded into a reused buffer.
  const raw = verifyEncodedChunk(id, encoded, maxChunkSize, true);
  return new VerifiedChunk(PROOF, id, encoded, raw.length);
}

/**
 * `verifyChunk` for any encoding: a patch is decoded with bases from `bases` (for a store, its own
 * chunks: `basesFrom(store)`).
 */
export async function verifyChunkWith(id: string, encoded: Buffer, bases: BaseSource, maxChunkSize: number = MAX_CHUNK_SIZE): Promise<VerifiedChunk> {
  const header = patchHeaderOf(encoded);
  if (!header) return verifyChunk(id, encoded, maxChunkSize);
  if (encoded.length > maxEncodedSize(maxChunkSize)) throw new ChunkTooLargeError(maxEncodedSize(maxChunkSize), 'encoded chunk');
  const resolved = await Promise.all(header.bases.map((b) => bases(b)));
  const raw = decodeResolved(id, encoded, resolved.map((r) => r.raw), maxChunkSize);
  // The depth here is what this store's own bases give. Past the limit the chunk is kept whole (a
  // "key"): a writer may always send a small patch, and no chain here grows past MAX_PATCH_DEPTH.
  const depth = 1 + Math.max(...resolved.map((r) => r.depth));
  if (depth > MAX_PATCH_DEPTH) return verifyChunk(id, encodeChunk(raw), maxChunkSize);
  const stored = depth === header.depth ? encoded : Buffer.from(encoded);
  stored[1] = depth;
  return new VerifiedChunk(PROOF, id, stored, raw.length, header.bases);
}

/**
 * The proof for an encoding made here from `raw`, whose SHA-256 is known to be `id` (the caller
 * hashed it, or read it verified): decoding it back, a patch with the same base bytes it was made
 * against (as `basesFrom` on the receiving store gave them), must give `raw` exactly. Costs one
 * decode and no hash, and spares walking the bases' chains again.
 */
export function verifyMadeHere(
  id: string, encoded: Buffer, raw: Uint8Array, bases: readonly { raw: Uint8Array; depth: number }[] = [], maxChunkSize: number = MAX_CHUNK_SIZE,
): VerifiedChunk {
  assertChunkId(id);
  const header = patchHeaderOf(encoded);
  let back: Buffer;
  if (!header) back = decodeChunk(encoded, maxChunkSize, true);
  else {
    if (header.bases.length !== bases.length) throw new InvalidEncodingError('not a patch on the bases given');
    const depth = 1 + Math.max(...bases.map((b) => b.depth));
    if (depth !== header.depth || depth > MAX_PATCH_DEPTH) throw new InvalidEncodingError(`patch depth ${header.depth} does not match its bases (${depth})`);
    back = decodePatch(encoded, header, bases.map((b) => b.raw), maxChunkSize);
  }
  if (!back.equals(Buffer.from(raw.buffer, raw.byteOffset, raw.length))) throw new CorruptChunkError(id, 'an encoding made here does not decode back to its chunk');
  return new VerifiedChunk(PROOF, id, encoded, raw.length, header?.bases ?? []);
}

/**
 * The proof for a whole encoding that a chunk worker made and decoded back to exactly the bytes
 * it was given (chunk-worker.ts, `check`), `id` being those bytes' SHA-256 as this package's pool
 * hashed them. Package-internal (not exported from index.ts): only worker-pool.ts makes these.
 */
export function checkedOnWorker(id: string, encoded: Buffer, size: number): VerifiedChunk {
  return new VerifiedChunk(PROOF, id, encoded, size);
}

/** A store refuses a verified chunk larger than its own limit (verified against a larger one). */
export function assertWithinLimit(chunk: VerifiedChunk, maxChunkSize: number): void {
  if (!(chunk instanceof VerifiedChunk)) throw new TypeError('putVerified needs a VerifiedChunk from verifyChunk');
  if (chunk.size > maxChunkSize) throw new ChunkTooLargeError(maxChunkSize, 'chunk');
}

/**
 * Fetch, decode and verify one chunk. Throws MissingChunkError when absent and CorruptChunkError
 * when the stored bytes are malformed, too large or do not hash to `id`.
 */
export async function readChunk(
  store: ChunkStore,
  id: string,
  maxChunkSize: number = MAX_CHUNK_SIZE,
  cache?: BaseCache,
): Promise<Buffer> {
  assertChunkId(id);
  const encoded = await store.get(id);
  if (encoded === null) throw new MissingChunkError(id);
  try {
    if (!patchHeaderOf(encoded)) return verifyEncodedChunk(id, encoded, maxChunkSize);
    return await verifyWithBases(id, encoded, basesFrom(store, cache, maxChunkSize), maxChunkSize);
  } catch (err) {
    if (err instanceof CorruptChunkError || err instanceof MissingChunkError) throw err;
    const wrapped = new CorruptChunkError(id, (err as Error).message);
    wrapped.cause = err;
    throw wrapped;
  }
}

/** Run `fn` over `items` with at most `limit` calls in flight. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(runners);
}
