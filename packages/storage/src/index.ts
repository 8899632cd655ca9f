// @backlot/storage: the content store. Chunking, hashing, compression, chunk stores, and
// file <-> chunks with verification at every step.
export {
  StorageError,
  CorruptChunkError,
  MissingChunkError,
  ChunkTooLargeError,
  InvalidEncodingError,
  FileHashMismatchError,
  type StorageErrorCode,
} from './errors.js';
export {
  CdcScanner,
  cutPoints,
  chunkStream,
  validateParams,
  DEFAULT_CDC_PARAMS,
  MAX_CHUNK_SIZE,
  GEAR,
  GEAR_SEED,
  type CdcParams,
} from './fastcdc.js';
export { sha256Hex, chunkId, isChunkId, assertChunkId, FileHasher } from './hash.js';
export {
  encodeChunk,
  decodeChunk,
  encodingOf,
  looksIncompressible,
  maxEncodedSize,
  DEFAULT_ZSTD_LEVEL,
  PROBE_FROM_LEVEL,
  ENCODING_RAW,
  ENCODING_ZSTD,
  type EncodeOptions,
} from './compress.js';
export {
  readChunk,
  verifyEncodedChunk,
  verifyChunk,
  verifyChunkWith,
  verifyWithBases,
  verifyMadeHere,
  basesFrom,
  BaseCache,
  VerifiedChunk,
  type BaseSource,
  type ResolvedBase,
  assertNamespace,
  forEachLimit,
  type ChunkStore,
  type ChunkBackend,
  type StoreLimits,
} from './chunk-store.js';
export { FsChunkBackend, FsChunkStore, type FsChunkStoreOptions } from './fs-chunk-store.js';
export { processIsAlive } from './processes.js';
export { fdClose, fdOpen, fdRead } from './fd-io.js';
export { SqliteChunkBackend, SqliteChunkStore, type SqliteChunkStoreOptions } from './sqlite-chunk-store.js';
export { S3ChunkBackend, S3ChunkStore, type S3ChunkStoreOptions } from './s3-chunk-store.js';
export {
  ChunkWorkerPool,
  sharedWorkerPool,
  closeSharedWorkerPool,
  defaultWorkerCount,
  GROW_AFTER_BYTES,
  type FileDigest,
  type EncodedChunk,
} from './worker-pool.js';
export {
  chunkFile,
  storeFile,
  restoreFile,
  restoreFromStore,
  type ChunkRef,
  type FileManifest,
  type ChunkFileOptions,
  type StoreFileResult,
  type RestoreOptions,
} from './file-codec.js';
export { ChunkBuffers } from './chunk-buffers.js';
export { pipeChunks, type ChunkPipeline, type FileSource } from './chunk-pipeline.js';
export { readFileBlocks } from './file-reader.js';
export { openChunkBackend, type ChunkBackendConfig } from './open-backend.js';
export {
  encodePatch,
  decodePatch,
  choosePatch,
  patchHeaderOf,
  depthOf,
  ENCODING_PATCH,
  MAX_PATCH_BASES,
  MAX_PATCH_DEPTH,
  MAX_BASE_BYTES,
  PATCH_GAIN,
  type PatchBase,
  type PatchHeader,
} from './patch.js';
export { storeFileAgainst, type PreviousVersion, type StoreAgainstOptions, type StoreAgainstResult } from './store-against.js';
export { VersionAligner } from './version-aligner.js';
