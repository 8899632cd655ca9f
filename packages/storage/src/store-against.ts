// Storing a new version of a file against its previous one: chunks the store lacks are stored as
// patches (patch.ts) against the previous version's chunks at the same place in the file, when
// that is much smaller than storing them whole. A re-saved DCC scene changes a few bytes in every
// chunk, so its new chunks are nearly the old ones: this is where its history stops costing a
// full copy per version.
// "The same place" is version-aligner.ts's business.
import type { ChunkStore } from './chunk-store.js';
import { BaseCache, basesFrom, verifyMadeHere, type VerifiedChunk } from './chunk-store.js';
import { pipeChunks, type FileSource } from './chunk-pipeline.js';
import type { CdcParams } from './fastcdc.js';
import { encodePatch, MAX_BASE_BYTES, PATCH_GAIN, type PatchBase } from './patch.js';
import { VersionAligner } from './version-aligner.js';
import { sharedWorkerPool, type ChunkWorkerPool } from './worker-pool.js';
import type { StoreFileResult } from './file-codec.js';

/** New chunks written to the store together (bounds memory to about WRITE_BATCH_BYTES). */
const WRITE_BATCH = 64;
const WRITE_BATCH_BYTES = 16 * 1024 * 1024;
/** A patch this small (share of the raw chunk) is kept without compressing the chunk whole to compare. */
const CLEARLY_SMALL = 1 / 32;

export interface PreviousVersion {
  /** The previous version's chunks in file order: [id, raw size]. */
  chunks: readonly (readonly [string, number])[];
}

export interface StoreAgainstOptions {
  pool?: ChunkWorkerPool;
  params?: CdcParams;
  readSize?: number;
  /** Chunks hashed ahead of the one being stored (bounds memory). */
  inFlight?: number;
  /**
   * Called with patches (and their bases) right before they are stored: whoever prunes the store
   * must keep the bases while it keeps the patch.
   */
  onPatches?: (patches: readonly { id: string; bases: readonly string[] }[]) => void;
}

export interface StoreAgainstResult extends StoreFileResult {
  /** New chunks stored as patches, and their encoded bytes (included in newChunks/newBytes). */
  patches: number;
  patchBytes: number;
  /**
   * Chunks of the previous version written again, and their encoded bytes (not in newChunks or
   * newBytes: they are not new content). The store had lost them: a tool that saves in place
   * overwrites a downloaded version, which is the working file's own bytes (a hard link).
   */
  againChunks: number;
  againBytes: number;
}

/**
 * Reads `source` once and stores its chunks in `store`, new ones as patches against `previous`
 * where that pays (else whole, as storeFile does). Bases are the previous version's chunks that
 * `store` holds; without any, this is storeFile.
 */
export async function storeFileAgainst(
  source: FileSource, store: ChunkStore, previous: PreviousVersion | null, options: StoreAgainstOptions = {},
): Promise<StoreAgainstResult> {
  const pool = options.pool ?? (await sharedWorkerPool());
  const held = previous ? await store.has(previous.chunks.map(([id]) => id)) : new Set<string>();
  const aligner = previous ? new VersionAligner(previous.chunks, (id) => held.has(id)) : null;
  const cache = new BaseCache(4 * MAX_BASE_BYTES);
  const readBase = basesFrom(store, cache);
  const chunks: { id: string; size: number }[] = [];
  const seen = new Set<string>();
  const result = { newChunks: 0, newBytes: 0, patches: 0, patchBytes: 0, againChunks: 0, againBytes: 0 };
  const inPrevious = new Set(previous?.chunks.map(([id]) => id));
  let offset = 0;

  const basesFor = async (ids: readonly string[]): Promise<PatchBase[]> => {
    const picked: PatchBase[] = [];
    for (const id of ids) {
      const base = await readBase(id).catch(() => null); // unreadable here: not a base
      if (base) picked.push({ id, raw: base.raw, depth: base.depth });
    }
    return picked;
  };

  // New chunks are written in batches: their syncs to disk overlap (one by one, a re-saved scene's
  // hundred small patches cost a hundred waits for the disk). Durable once this resolves.
  let batch: VerifiedChunk[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (!batch.length) return;
    const written = batch;
    batch = [];
    batchBytes = 0;
    const patches = written.filter((c) => c.bases.length > 0).map((c) => ({ id: c.id, bases: c.bases }));
    if (patches.length) options.onPatches?.(patches);
    await store.putVerifiedMany(written);
  };
  const write = async (chunk: VerifiedChunk) => {
    batch.push(chunk);
    batchBytes += chunk.encoded.length;
    if (batch.length >= WRITE_BATCH || batchBytes >= WRITE_BATCH_BYTES) await flush();
  };

  const kept = async (chunk: VerifiedChunk) => {
    await write(chunk);
    if (inPrevious.has(chunk.id)) {
      result.againChunks++;
      result.againBytes += chunk.encoded.length;
      return;
    }
    result.newChunks++;
    result.newBytes += chunk.encoded.length;
    if (chunk.bases.length > 0) {
      result.patches++;
      result.patchBytes += chunk.encoded.length;
    }
  };

  // Chunks being compressed whole on the pool: several at once, so every worker has one while
  // this thread reads, cuts and patches the next (one at a time, a large new file kept one worker
  // busy and this thread waiting). The chunk list is in file order already; only the store's
  // bookkeeping completes out of order.
  const compressing = new Set<Promise<void>>();
  const maxCompressing = 2 * Math.max(pool.capacity, 1);
  let failed: { err: unknown } | undefined;
  // The worker that compresses a chunk also decodes it back (the id is that of the same bytes, from
  // the pool's hash): this thread neither decodes nor hashes it again.
  const compressWhole = async (id: string, raw: Buffer, patch: VerifiedChunk | null) => {
    const { encoded: plain, proof } = await pool.encode(raw, id, undefined, { check: true });
    await kept(patch && patch.encoded.length <= plain.length * PATCH_GAIN ? patch : proof!);
  };

  const fileDigest = pool.fileDigest();
  let fileHash: string;
  let size: number;
  try {
    ({ fileHash, size } = await pipeChunks(source, {
      params: options.params,
      readSize: options.readSize,
      inFlight: options.inFlight ?? 2 * Math.max(pool.capacity, 1) + 2,
      fileDigest,
      buffers: pool.buffers,
      start: (raw) => pool.hash(raw, fileDigest),
      consume: async ({ id, raw }) => {
        const start = offset;
        offset += raw.length;
        chunks.push({ id, size: raw.length });
        const candidates = aligner?.next(id, start, raw.length) ?? [];
        const known = seen.has(id) || (await store.has([id])).has(id);
        seen.add(id);
        if (known) {
          pool.release(raw);
          return;
        }
        const bases = await basesFor(candidates);
        const encoded = encodePatch(raw, bases);
        // A patch is proven against the bases in hand (no second walk down their chains).
        const patch = encoded && verifyMadeHere(id, encoded, raw, bases);
        if (patch && patch.encoded.length <= raw.length * CLEARLY_SMALL) {
          pool.release(raw);
          await kept(patch);
          return;
        }
        while (compressing.size >= maxCompressing) await Promise.race(compressing);
        if (failed) throw failed.err;
        const running: Promise<void> = compressWhole(id, raw, patch)
          .catch((err: unknown) => {
            failed ??= { err };
          })
          .finally(() => compressing.delete(running));
        compressing.add(running);
      },
    }));
  } finally {
    // Nothing is left running behind a failure.
    await Promise.all(compressing);
  }
  if (failed) throw failed.err;
  await flush();
  return { fileHash, size, chunks, ...result };
}
