// SHA-256 content addresses. Chunk ids and file hashes are lowercase hex so they can be compared
// as strings, used as object keys and checked with one regular expression at every boundary.
import { createHash, type Hash } from 'node:crypto';
import { StorageError } from './errors.js';

const HEX64 = /^[0-9a-f]{64}$/;

/** SHA-256 of `data` as 64 lowercase hex characters. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A chunk's id is the SHA-256 of its raw (uncompressed) bytes. */
export const chunkId = sha256Hex;

export function isChunkId(value: unknown): value is string {
  return typeof value === 'string' && HEX64.test(value);
}

/**
 * Throws unless `id` is a well-formed chunk id. Stores call this before an id touches a path, a
 * SQL parameter or an object key: ids come from clients.
 */
export function assertChunkId(id: unknown): asserts id is string {
  if (!isChunkId(id)) {
    throw new StorageError('invalid_chunk_id', 'chunk id must be 64 lowercase hex characters', {
      id: typeof id === 'string' ? id.slice(0, 80) : typeof id,
    });
  }
}

/** Incremental whole-file hash, fed in the same streaming pass that cuts chunks. */
export class FileHasher {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  update(data: Uint8Array): void {
    this.hash.update(data);
    this.bytes += data.length;
  }

  get size(): number {
    return this.bytes;
  }

  /** Finishes the hash; the hasher cannot be used afterwards. */
  digest(): string {
    return this.hash.digest('hex');
  }
}
