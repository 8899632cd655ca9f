// Where chunk bytes live: a folder of files (default, DATA/chunks), one SQLite file, or an
// S3-compatible bucket. Resolved from the config file (`chunkStore: {...}`), environment
// (BACKLOT_CHUNK_STORE, BACKLOT_CHUNK_DIR, BACKLOT_CHUNK_DB, BACKLOT_S3_*) and flags, field by field
// so an environment variable can override one S3 setting of the file's.
import { join, resolve } from 'node:path';
import { MAX_CHUNK_SIZE, openChunkBackend, type ChunkBackend, type S3ChunkStoreOptions } from '@backlot/storage';

export type ChunkStoreKind = 'fs' | 'sqlite' | 's3';

/** The S3 store's settings a configuration may give (the names of S3ChunkStoreOptions). */
const S3_SETTINGS = ['bucket', 'endpoint', 'region', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'forcePathStyle', 'prefix'] as const;
type S3Settings = Partial<Pick<S3ChunkStoreOptions, (typeof S3_SETTINGS)[number]>>;

export interface ChunkStoreConfig extends S3Settings {
  kind: ChunkStoreKind;
  /** fs: the folder (default DATA/chunks). */
  dir?: string;
  /** sqlite: the database file (default DATA/chunks.db). */
  file?: string;
}

export const DEFAULT_CHUNK_STORE: ChunkStoreConfig = { kind: 'fs' };

/** Largest preview image; previews live in the chunk store as single blobs (see previews.ts). */
export const MAX_PREVIEW_SIZE = 4 * 1024 * 1024;

const KINDS: readonly string[] = ['fs', 'sqlite', 's3'];
const bool = (v: string | undefined) => (v === undefined ? undefined : /^(1|true|yes|on)$/i.test(v));

function fromEnv(env: NodeJS.ProcessEnv): Partial<ChunkStoreConfig> {
  const out: Partial<ChunkStoreConfig> = {
    kind: env.BACKLOT_CHUNK_STORE as ChunkStoreKind | undefined,
    dir: env.BACKLOT_CHUNK_DIR,
    file: env.BACKLOT_CHUNK_DB,
    bucket: env.BACKLOT_S3_BUCKET,
    endpoint: env.BACKLOT_S3_ENDPOINT,
    region: env.BACKLOT_S3_REGION,
    accessKeyId: env.BACKLOT_S3_ACCESS_KEY_ID,
    secretAccessKey: env.BACKLOT_S3_SECRET_ACCESS_KEY,
    sessionToken: env.BACKLOT_S3_SESSION_TOKEN,
    forcePathStyle: bool(env.BACKLOT_S3_FORCE_PATH_STYLE),
    prefix: env.BACKLOT_S3_PREFIX,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined && v !== ''));
}

/**
 * The chunk store settings, in rising priority: default, config file, environment, flags.
 * Throws (start-up error) on an unknown kind or an s3 store without a bucket.
 */
export function resolveChunkStoreConfig(
  file: Partial<ChunkStoreConfig> | undefined,
  env: NodeJS.ProcessEnv,
  flags: Partial<ChunkStoreConfig> | undefined,
): ChunkStoreConfig {
  if (file !== undefined && (typeof file !== 'object' || file === null || Array.isArray(file)))
    throw new Error('config: chunkStore must be an object');
  const merged = { ...DEFAULT_CHUNK_STORE, ...(file ?? {}), ...fromEnv(env), ...(flags ?? {}) } as ChunkStoreConfig;
  if (!KINDS.includes(merged.kind)) throw new Error(`config: chunk store kind must be one of ${KINDS.join(', ')} (got ${JSON.stringify(merged.kind)})`);
  if (merged.kind === 's3' && !merged.bucket) throw new Error('config: the s3 chunk store needs a bucket (BACKLOT_S3_BUCKET)');
  return merged;
}

/** Opens the configured backend. Stores accept blobs up to the preview size; chunk routes bound chunks tighter. */
export function openChunks(config: { dataDir: string; chunkStore?: ChunkStoreConfig }): ChunkBackend {
  const c = config.chunkStore ?? DEFAULT_CHUNK_STORE;
  const maxChunkSize = Math.max(MAX_CHUNK_SIZE, MAX_PREVIEW_SIZE);
  switch (c.kind) {
    case 'fs':
      return openChunkBackend({ kind: 'fs', dir: resolve(c.dir ?? join(config.dataDir, 'chunks')), maxChunkSize });
    case 'sqlite':
      return openChunkBackend({ kind: 'sqlite', file: resolve(c.file ?? join(config.dataDir, 'chunks.db')), maxChunkSize });
    case 's3': {
      // Only the known settings: anything else in a config file stays out of the S3 client.
      const s3 = Object.fromEntries(S3_SETTINGS.map((k) => [k, c[k]])) as S3Settings;
      return openChunkBackend({ ...s3, kind: 's3', bucket: c.bucket!, maxChunkSize });
    }
  }
}
