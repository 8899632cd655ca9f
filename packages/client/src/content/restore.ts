// Restoring checkpoints from the server: chunks are fetched in batched streamed requests (two in
// flight, batches spanning file boundaries so many small files do not cost a request each), each
// chunk is decoded and checked against its SHA-256 id on arrival, and every file is written by
// storage's restoreFile: to a temp file beside the destination, whole-file hash and size checked,
// then renamed into place. A failure leaves the destination untouched.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MAX_FETCH_IDS, MAX_MANIFEST_IDS, NetworkError, type BacklotApi, type CheckpointManifest as ServerManifest, type RetryOptions } from '@backlot/api';
import { restoreFile, sharedWorkerPool, type ChunkWorkerPool } from '@backlot/storage';
import { ChunkApi, type HeldBases, type LocalBases } from '../remote/chunks.js';

const MiB = 1024 * 1024;
/** Size assumed for a chunk whose size is not known (the chunker's mean is ~300 KiB). */
const ASSUMED_CHUNK = 320 * 1024;

export interface FileToRestore {
  /** Destination path. */
  path: string;
  fileHash: string;
  size: number;
  /** Chunk ids in file order. */
  chunks: readonly string[];
  /** Raw chunk sizes, same order (optional; used to size fetch batches). */
  chunkSizes?: readonly number[];
}

export interface FetchOptions {
  /** Raw bytes per fetch request (default 32 MiB; at most 1,000 ids). */
  batchBytes?: number;
  /** Fetch requests in flight (default 2). */
  fetchesInFlight?: number;
  /**
   * Chunks used again later in the plan (copies, repeated blocks) are kept up to this many bytes
   * (default 256 MiB); beyond it they are fetched again when needed.
   */
  keepBytes?: number;
  /**
   * An answer that breaks off mid-stream is asked again for the chunks that did not arrive, up to
   * `attempts` requests per batch in all (default 4). Waiting for an unavailable server is left to
   * the api's transport (the `retry` its BacklotApi was made with).
   */
  retry?: Pick<RetryOptions, 'attempts'>;
  /** Bases of patches that this folder holds (see ChunkApi.fetch); others are fetched. */
  bases?: LocalBases;
  /** Chunks this folder holds where a wanted one sits in its version (the server may patch against them). */
  held?: HeldBases;
}

export interface FetchStats {
  requests: number;
  chunks: number;
  /** Encoded bytes received. */
  bytes: number;
  /** Raw bytes after decoding. */
  rawBytes: number;
  refetched: number;
}

interface Batch {
  ids: string[];
  started?: Promise<void>;
}

/**
 * Serves the chunks of a known plan (every chunk occurrence in the order they will be asked for),
 * prefetching in batches. `get` may be called in plan order (ahead is fine); each id's bytes are
 * released after its last planned use.
 */
export class ChunkFetcher {
  readonly stats: FetchStats = { requests: 0, chunks: 0, bytes: 0, rawBytes: 0, refetched: 0 };
  private readonly batches: Batch[] = [];
  private readonly batchOf = new Map<string, number>();
  private readonly uses = new Map<string, number>();
  private readonly cache = new Map<string, Buffer>();
  private readonly inFlight: number;
  private readonly keepBytes: number;
  private keptBytes = 0;
  private readonly kept = new Set<string>();
  private readonly waiters = new Map<string, { promise: Promise<Buffer>; resolve: (d: Buffer) => void }>();

  constructor(private readonly chunks: ChunkApi, plan: Iterable<{ id: string; size?: number }>, private readonly options: FetchOptions = {}) {
    this.inFlight = Math.max(1, options.fetchesInFlight ?? 2);
    this.keepBytes = options.keepBytes ?? 256 * MiB;
    const batchBytes = options.batchBytes ?? 32 * MiB;
    let current: Batch = { ids: [] };
    let bytes = 0;
    for (const { id, size } of plan) {
      this.uses.set(id, (this.uses.get(id) ?? 0) + 1);
      if (this.batchOf.has(id)) continue;
      const s = size ?? ASSUMED_CHUNK;
      if (current.ids.length > 0 && (bytes + s > batchBytes || current.ids.length >= MAX_FETCH_IDS)) {
        this.batches.push(current);
        current = { ids: [] };
        bytes = 0;
      }
      this.batchOf.set(id, this.batches.length);
      current.ids.push(id);
      bytes += s;
    }
    if (current.ids.length > 0) this.batches.push(current);
  }

  /** The raw, verified bytes of chunk `id`; resolves as soon as that chunk has arrived. */
  async get(id: string): Promise<Buffer> {
    const b = this.batchOf.get(id);
    if (b === undefined) throw new Error(`chunk ${id} is not in the restore plan`);
    // Keep the next batches coming while this one is consumed.
    for (let k = b; k < Math.min(this.batches.length, b + this.inFlight); k++) this.start(k);
    let data = this.cache.get(id);
    if (!data) {
      const batch = this.batches[b];
      let waiter = this.waiters.get(id);
      if (!waiter) {
        let resolve!: (d: Buffer) => void;
        const promise = new Promise<Buffer>((r) => (resolve = r));
        waiter = { promise, resolve };
        this.waiters.set(id, waiter);
      }
      // The chunk itself, or the end of its batch without it (it came earlier and was dropped).
      const got = await Promise.race([waiter.promise, batch.started!.then(() => this.cache.get(id) ?? null)]);
      this.waiters.delete(id);
      data = got ?? undefined;
      if (!data) {
        this.stats.refetched++;
        await this.fetch([id], (cid, raw) => {
          if (cid === id) data = raw;
        });
        if (!data) throw new Error(`chunk ${id} did not arrive`);
      }
    }
    const left = (this.uses.get(id) ?? 1) - 1;
    this.uses.set(id, left);
    if (left <= 0) this.drop(id);
    else if (!this.kept.has(id)) {
      if (this.keptBytes + data.length <= this.keepBytes) {
        this.cache.set(id, data);
        this.kept.add(id);
        this.keptBytes += data.length;
      } else this.cache.delete(id);
    }
    return data;
  }

  private drop(id: string): void {
    const data = this.cache.get(id);
    this.cache.delete(id);
    if (data && this.kept.delete(id)) this.keptBytes -= data.length;
  }

  private start(k: number): void {
    const batch = this.batches[k];
    if (batch.started) return;
    batch.started = this.fetch(batch.ids, (id, raw) => {
      if ((this.uses.get(id) ?? 0) > 0) this.cache.set(id, raw);
      this.waiters.get(id)?.resolve(raw);
    });
    batch.started.catch(() => {}); // observed by whoever awaits this batch
  }

  /** Fetches `ids`, calling `onChunk` for each as it arrives; a broken stream is resumed for the rest. */
  private async fetch(ids: string[], onChunk: (id: string, raw: Buffer) => void): Promise<void> {
    const got = new Set<string>();
    const attempts = Math.max(1, this.options.retry?.attempts ?? 4);
    for (let attempt = 1; ; attempt++) {
      const rest = ids.filter((id) => !got.has(id));
      if (rest.length === 0) return;
      this.stats.requests++;
      // Getting an answer is retried by the transport (fetching only reads); what arrived of a
      // broken answer is kept, and the rest is asked for again.
      const answer = await this.chunks.fetch(rest, { bases: this.options.bases, held: this.options.held });
      try {
        for await (const c of answer) {
          got.add(c.id);
          this.stats.chunks++;
          this.stats.bytes += c.encodedSize;
          this.stats.rawBytes += c.raw.length;
          onChunk(c.id, c.raw);
        }
        return;
      } catch (err) {
        if (!(err instanceof NetworkError) || attempt >= attempts) throw err;
      }
    }
  }
}

export interface RestoreFilesOptions extends FetchOptions {
  /** Worker pool that verifies fetched chunks (default: the shared process-wide pool). */
  pool?: ChunkWorkerPool;
  /** fsync each file before renaming it into place (default false). */
  fsync?: boolean;
  /** Called after each file is in place. */
  onFile?: (file: FileToRestore, index: number) => void;
}

export interface RestoreFilesResult {
  files: number;
  bytes: number;
  fetch: FetchStats;
}

/**
 * Restores files from the project's chunks on the server. Folders are created as needed. Each
 * file is verified (every chunk by hash, then the whole file) before it replaces its destination.
 */
export async function restoreFiles(
  api: BacklotApi,
  projectId: string,
  files: readonly FileToRestore[],
  options: RestoreFilesOptions = {},
): Promise<RestoreFilesResult> {
  const pool = options.pool;
  const chunks = new ChunkApi(api, projectId, { pool: pool ? () => Promise.resolve(pool) : sharedWorkerPool });
  const plan = function* () {
    for (const f of files) for (let i = 0; i < f.chunks.length; i++) yield { id: f.chunks[i], size: f.chunkSizes?.[i] };
  };
  const fetcher = new ChunkFetcher(chunks, plan(), options);
  let bytes = 0;
  const made = new Set<string>();
  for (const [index, f] of files.entries()) {
    const dir = dirname(f.path);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true });
      made.add(dir);
    }
    const { size } = await restoreFile(f.chunks, (id) => fetcher.get(id), f.path, f.fileHash, {
      expectedSize: f.size,
      fsync: options.fsync,
      concurrency: 8,
    });
    bytes += size;
    options.onFile?.(f, index);
  }
  return { files: files.length, bytes, fetch: fetcher.stats };
}

export interface CheckpointManifest {
  id: string;
  assetId: string;
  /** name.extension of the asset. */
  fileName: string;
  fileHash: string;
  size: number;
  chunks: string[];
  chunkSizes: number[];
}

/** A checkpoint's ordered chunk list with sizes (api.content.manifest), as restoreFiles takes it. */
export async function fetchCheckpointManifest(api: BacklotApi, projectId: string, checkpointId: string): Promise<CheckpointManifest> {
  return manifestFromServer(await api.content.manifest(projectId, checkpointId));
}

export interface ManifestRefusal {
  code: 'not_found' | 'forbidden';
  message: string;
}

/**
 * Many checkpoints' manifests, MAX_MANIFEST_IDS per request (api.content.manifests): a clone of
 * thousands of files makes a few round trips, not one per file. Ids the server refuses (gone or
 * invisible: not_found; visible but not downloadable: forbidden) come back in `refused`.
 */
export async function fetchCheckpointManifests(
  api: BacklotApi, projectId: string, ids: readonly string[],
): Promise<{ manifests: Map<string, CheckpointManifest>; refused: Map<string, ManifestRefusal> }> {
  const manifests = new Map<string, CheckpointManifest>();
  const refused = new Map<string, ManifestRefusal>();
  let ask = [...new Set(ids)];
  while (ask.length > 0) {
    const part = ask.slice(0, MAX_MANIFEST_IDS);
    const answer = await api.content.manifests(projectId, part);
    if (answer.manifests.length === 0 && answer.refused.length === 0) throw new Error('the server answered a manifests request with nothing');
    for (const m of answer.manifests) manifests.set(m.id, manifestFromServer(m));
    for (const r of answer.refused) refused.set(r.id, { code: r.code, message: r.message });
    // Deferred ids (kept out to bound the answer) are asked again, before the rest.
    ask = [...answer.deferred, ...ask.slice(part.length)];
  }
  return { manifests, refused };
}

/** The server's manifest (chunks with sizes) in the shape restoreFiles takes. */
export function manifestFromServer(m: ServerManifest): CheckpointManifest {
  return { id: m.id, assetId: m.assetId, fileName: m.fileName, fileHash: m.fileHash, size: m.size, chunks: m.chunks.map((c) => c.id), chunkSizes: m.chunks.map((c) => c.size) };
}

/** Restores one checkpoint's file (its manifest: fileHash, size, chunks) to `destPath`. */
export async function restoreCheckpoint(
  api: BacklotApi,
  projectId: string,
  checkpoint: { fileHash: string; size: number; chunks: readonly string[]; chunkSizes?: readonly number[] },
  destPath: string,
  options: RestoreFilesOptions = {},
): Promise<RestoreFilesResult> {
  return restoreFiles(api, projectId, [{ path: destPath, ...checkpoint }], options);
}
