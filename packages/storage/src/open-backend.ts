// One entry point from configuration to a backend, so the server's config code does not need to
// know each backend's constructor.
import type { ChunkBackend, StoreLimits } from './chunk-store.js';
import { FsChunkBackend } from './fs-chunk-store.js';
import { S3ChunkBackend, type S3ChunkStoreOptions } from './s3-chunk-store.js';
import { SqliteChunkBackend } from './sqlite-chunk-store.js';

export type ChunkBackendConfig =
  | ({ kind: 'fs'; dir: string } & StoreLimits)
  | ({ kind: 'sqlite'; file: string } & StoreLimits)
  | ({ kind: 's3' } & S3ChunkStoreOptions);

export function openChunkBackend(config: ChunkBackendConfig): ChunkBackend {
  switch (config.kind) {
    case 'fs':
      return new FsChunkBackend(config);
    case 'sqlite':
      return new SqliteChunkBackend(config);
    case 's3':
      return new S3ChunkBackend(config);
  }
}
