// Typed errors, so callers (the server's chunk routes, the client's restore) can tell "the bytes
// are bad" apart from I/O failures and answer with a 4xx instead of a 500. Storage does not depend
// on @backlot/core; the server maps `code` onto its own error shape.
export type StorageErrorCode =
  | 'invalid_chunk_id'
  | 'invalid_namespace'
  | 'invalid_encoding'
  | 'chunk_too_large'
  | 'corrupt_chunk'
  | 'missing_chunk'
  | 'file_hash_mismatch';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** Bytes stored or received under a chunk id do not hash to that id. */
export class CorruptChunkError extends StorageError {
  constructor(readonly chunkId: string, reason: string) {
    super('corrupt_chunk', `chunk ${chunkId} is corrupt: ${reason}`, { chunkId });
    this.name = 'CorruptChunkError';
  }
}

/** A chunk that should exist (a checkpoint lists it) is not in the store. */
export class MissingChunkError extends StorageError {
  constructor(readonly chunkId: string) {
    super('missing_chunk', `chunk ${chunkId} is missing`, { chunkId });
    this.name = 'MissingChunkError';
  }
}

/** A chunk (raw, encoded or decompressed) is larger than the configured bound. */
export class ChunkTooLargeError extends StorageError {
  constructor(readonly limit: number, what: string) {
    super('chunk_too_large', `${what} exceeds the limit of ${limit} bytes`, { limit });
    this.name = 'ChunkTooLargeError';
  }
}

/** The encoded form is malformed: unknown header byte, broken or trailing zstd data. */
export class InvalidEncodingError extends StorageError {
  constructor(message: string) {
    super('invalid_encoding', message);
    this.name = 'InvalidEncodingError';
  }
}

/** A reconstructed file does not match the hash its checkpoint recorded. */
export class FileHashMismatchError extends StorageError {
  constructor(readonly expected: string, readonly actual: string) {
    super('file_hash_mismatch', `restored file hash ${actual} does not match expected ${expected}`, {
      expected,
      actual,
    });
    this.name = 'FileHashMismatchError';
  }
}
