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
import { decodeChunk, maxEncodedSize } from './compress.js';
import { ChunkTooLargeError, CorruptChunkError, MissingChunkError, StorageError } from './errors.js';
import { MAX_CHUNK_SIZE } from './fastcdc.js';
import { assertChunkId, sha256Hex } from './hash.js';

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
  const raw = decodeChunk(encoded, maxChunkSize, transient);
  const actual = sha256Hex(raw);
  if (actual !== id) throw new CorruptChunkError(id, `content hashes to ${actual}`);
  return raw;
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
): Promise<Buffer> {
  assertChunkId(id);
  const encoded = await store.get(id);
  if (encoded === null) throw new MissingChunkError(id);
  try {
    return verifyEncodedChunk(id, encoded, maxChunkSize);
  } catch (err) {
    if (err instanceof CorruptChunkError) throw err;
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
