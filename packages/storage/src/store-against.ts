// Storing a new version of a file against its previous one: chunks the store lacks are stored as
// patches (patch.ts) against the previous version's chunks at the same place in the file, when
// that is much smaller than storing them whole. A re-saved DCC scene changes a few bytes in every
// chunk, so its new chunks are nearly the old ones: this is where its history stops costing a
// full copy per version.
// "The same place" is version-aligner.ts's business.
import type { ChunkStore } from './chunk-store.js';
import { BaseCache, basesFrom } from './chunk-store.js';
import { pipeChunks, type FileSource } from './chunk-pipeline.js';
import type { CdcParams } from './fastcdc.js';
import { encodePatch, MAX_BASE_BYTES, PATCH_GAIN, type PatchBase } from './patch.js';
import { VersionAligner } from './version-aligner.js';
import { sharedWorkerPool, type ChunkWorkerPool } from './worker-pool.js';
import type { StoreFileResult } from './file-codec.js';

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
   * Called right after a patch is stored, with its bases: whoever prunes the store must keep
   * them while it keeps the patch.
   */
  onPatch?: (id: string, bases: readonly string[]) => void;
}

export interface StoreAgainstResult extends StoreFileResult {
  /** New chunks stored as patches, and their encoded bytes (included in newChunks/newBytes). */
  patches: number;
  patchBytes: number;
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
  const result = { newChunks: 0, newBytes: 0, patches: 0, patchBytes: 0 };
  let offset = 0;

  const basesFor = async (ids: readonly string[]): Promise<PatchBase[]> => {
    const picked: PatchBase[] = [];
    for (const id of ids) {
      const base = await readBase(id).catch(() => null); // unreadable here: not a base
      if (base) picked.push({ id, raw: base.raw, depth: base.depth });
    }
    return picked;
  };

  const fileDigest = pool.fileDigest();
  const { fileHash, size } = await pipeChunks(source, {
    params: options.params,
    readSize: options.readSize,
    inFlight: options.inFlight ?? 2 * Math.max(pool.size, 1) + 2,
    fileDigest,
    buffers: pool.buffers,
    start: (raw) => pool.hash(raw, fileDigest),
    consume: async ({ id, raw }) => {
      const start = offset;
      offset += raw.length;
      chunks.push({ id, size: raw.length });
      const candidates = aligner?.next(id, start, raw.length) ?? [];
      if (seen.has(id) || (await store.has([id])).has(id)) {
        seen.add(id);
        pool.release(raw);
        return;
      }
      seen.add(id);
      const bases = await basesFor(candidates);
      const patch = encodePatch(raw, bases);
      let encoded: Buffer;
      if (patch && patch.length <= raw.length * CLEARLY_SMALL) {
        pool.release(raw);
        encoded = patch;
      } else {
        const plain = (await pool.encode(raw, id)).encoded;
        encoded = patch && patch.length <= plain.length * PATCH_GAIN ? patch : plain;
      }
      if (encoded === patch) options.onPatch?.(id, bases.map((b) => b.id));
      await store.put(id, encoded);
      result.newChunks++;
      result.newBytes += encoded.length;
      if (encoded === patch) {
        result.patches++;
        result.patchBytes += encoded.length;
      }
    },
  });
  return { fileHash, size, chunks, ...result };
}
