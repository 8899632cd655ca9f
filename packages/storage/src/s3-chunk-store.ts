// Chunks as objects in an S3-compatible bucket: <prefix><namespace>/<id>. This is the scale-out
// backend (several server processes, one bucket), so it holds no state besides the client.
import { createRequire } from 'node:module';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  assertNamespace,
  forEachLimit,
  assertWithinLimit,
  verifyChunkWith,
  basesFrom,
  type VerifiedChunk,
  type ChunkBackend,
  type ChunkStore,
  type StoreLimits,
} from './chunk-store.js';
import { maxEncodedSize } from './compress.js';
import { CorruptChunkError } from './errors.js';
import { MAX_CHUNK_SIZE } from './fastcdc.js';
import { assertChunkId, isChunkId } from './hash.js';

/**
 * The AWS SDK is hundreds of modules: it is loaded when an S3 backend is first used, so programs
 * that never use S3 (the CLI, a server on the embedded default) do not pay for it at start-up.
 */
let sdk: typeof S3Sdk | undefined;
const s3 = (): typeof S3Sdk => (sdk ??= createRequire(import.meta.url)('@aws-sdk/client-s3') as typeof S3Sdk);

export interface S3ChunkStoreOptions extends StoreLimits {
  bucket: string;
  /** e.g. http://127.0.0.1:9000 for MinIO/s3rver; omit for AWS. */
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Path-style URLs (bucket in the path), needed by most self-hosted S3 servers. */
  forcePathStyle?: boolean;
  /** Key prefix inside the bucket, e.g. 'backlot/'. */
  prefix?: string;
  /** Parallel HEAD requests in `has` (S3 has no batch existence check). */
  concurrency?: number;
  /** Use this client instead of building one (the backend will not destroy it). */
  client?: S3Client;
}

export class S3ChunkBackend implements ChunkBackend {
  readonly client: S3Client;
  private readonly ownsClient: boolean;

  constructor(private readonly options: S3ChunkStoreOptions) {
    if (options.prefix && !/^[A-Za-z0-9_\-/.]*$/.test(options.prefix)) {
      throw new RangeError('S3 prefix may contain only [A-Za-z0-9_-/.]');
    }
    this.ownsClient = !options.client;
    this.client =
      options.client ??
      new (s3().S3Client)({
        endpoint: options.endpoint,
        region: options.region ?? 'us-east-1',
        forcePathStyle: options.forcePathStyle,
        credentials:
          options.accessKeyId && options.secretAccessKey
            ? {
                accessKeyId: options.accessKeyId,
                secretAccessKey: options.secretAccessKey,
                sessionToken: options.sessionToken,
              }
            : undefined,
        // Content is verified by SHA-256 on both ends already; the SDK's default extra checksums
        // (CRC32 trailers) are not understood by several S3-compatible servers.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
  }

  store(namespace: string): S3ChunkStore {
    return new S3ChunkStore(this.client, namespace, this.options);
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }
}

export class S3ChunkStore implements ChunkStore {
  readonly namespace: string;
  private readonly bucket: string;
  private readonly keyPrefix: string;
  private readonly maxChunkSize: number;
  private readonly concurrency: number;

  constructor(
    private readonly client: S3Client,
    namespace: string,
    options: S3ChunkStoreOptions,
  ) {
    assertNamespace(namespace);
    this.namespace = namespace;
    this.bucket = options.bucket;
    this.keyPrefix = `${options.prefix ?? ''}${namespace}/`;
    this.maxChunkSize = options.maxChunkSize ?? MAX_CHUNK_SIZE;
    this.concurrency = options.concurrency ?? 16;
  }

  private key(id: string): string {
    assertChunkId(id);
    return this.keyPrefix + id;
  }

  async has(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    await forEachLimit([...new Set(ids)], this.concurrency, async (id) => {
      try {
        await this.client.send(new (s3().HeadObjectCommand)({ Bucket: this.bucket, Key: this.key(id) }));
        found.add(id);
      } catch (err) {
        // HEAD responses carry no error body: a 404 is all we get.
        if (status(err) !== 404) throw err;
      }
    });
    return found;
  }

  async put(id: string, encoded: Buffer): Promise<void> {
    await this.putVerified(await verifyChunkWith(id, encoded, basesFrom(this, undefined, this.maxChunkSize), this.maxChunkSize));
  }

  async putVerified(chunk: VerifiedChunk): Promise<void> {
    assertWithinLimit(chunk, this.maxChunkSize);
    const { id, encoded } = chunk;
    await this.client.send(
      new (s3().PutObjectCommand)({
        Bucket: this.bucket,
        Key: this.key(id),
        Body: encoded,
        ContentLength: encoded.length,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  /** An object PUT replaces the object whole (S3 reads are strongly consistent after it). */
  async replaceVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void> {
    await this.putVerifiedMany(chunks);
  }

  async putVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void> {
    await forEachLimit(chunks, this.concurrency, (chunk) => this.putVerified(chunk));
  }

  /** An object store writes whole objects: a killed writer leaves nothing behind. */
  async cleanTemp(): Promise<number> {
    return 0;
  }

  async get(id: string): Promise<Buffer | null> {
    let res;
    try {
      res = await this.client.send(new (s3().GetObjectCommand)({ Bucket: this.bucket, Key: this.key(id) }));
    } catch (err) {
      // Only a missing key means "absent"; a missing bucket is a configuration error.
      if ((err as { name?: string })?.name === 'NoSuchKey') return null;
      throw err;
    }
    const limit = maxEncodedSize(this.maxChunkSize);
    if (res.ContentLength !== undefined && res.ContentLength > limit) {
      // Do not download an object that cannot be a valid chunk.
      (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new CorruptChunkError(id, `stored size ${res.ContentLength} exceeds ${limit}`);
    }
    if (!res.Body) return Buffer.alloc(0);
    const bytes = await res.Body.transformToByteArray();
    if (bytes.length > limit) throw new CorruptChunkError(id, `stored size exceeds ${limit}`);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  async delete(ids: readonly string[]): Promise<void> {
    const keys = [...new Set(ids)].map((id) => this.key(id));
    for (let i = 0; i < keys.length; i += 1000) {
      const res = await this.client.send(
        new (s3().DeleteObjectsCommand)({
          Bucket: this.bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = (res.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        throw new Error(`S3 delete failed for ${failed.length} chunks: ${failed[0].Code} ${failed[0].Message}`);
      }
    }
  }

  async *list(): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new (s3().ListObjectsV2Command)({
          Bucket: this.bucket,
          Prefix: this.keyPrefix,
          ContinuationToken: token,
        }),
      );
      for (const obj of res.Contents ?? []) {
        const id = obj.Key?.slice(this.keyPrefix.length);
        if (isChunkId(id)) yield id;
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }
}

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
