// Storing a new version of a file against its previous one: chunks the store lacks are stored as
// patches (patch.ts) against the previous version's chunks at the same place in the file, when
// that is much smaller than storing them whole. A re-saved DCC scene changes a few bytes in every
// chunk, so its new chunks are nearly the old ones: this is where its history stops costing a
// full copy per version.
//
// "The same place": unchanged chunks (same id in both versions) anchor the two files to each
// other; a changed chunk at [start, end) of the new file is paired with the previous version's
// chunks overlapping [start - shift, end - shift), where shift is the offset difference at the
// last anchor (insertions and deletions move everything after them).
import type { ChunkStore } from './chunk-store.js';
import { BaseCache, basesFrom } from './chunk-store.js';
import { pipeChunks, type FileSource } from './chunk-pipeline.js';
import type { CdcParams } from './fastcdc.js';
import { encodePatch, MAX_BASE_BYTES, MAX_PATCH_BASES, PATCH_GAIN, type PatchBase } from './patch.js';
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

/** Where each of the previous version's chunks sits, and where an id first occurs. */
class PreviousLayout {
  readonly offsets: number[] = [];
  readonly firstAt = new Map<string, number>();
  constructor(readonly chunks: readonly (readonly [string, number])[]) {
    let at = 0;
    chunks.forEach(([id, size], i) => {
      this.offsets.push(at);
      if (!this.firstAt.has(id)) this.firstAt.set(id, i);
      at += size;
    });
  }

  /** Indexes of the chunks overlapping [from, to), in order. */
  overlapping(from: number, to: number): number[] {
    const out: number[] = [];
    // Binary search for the first chunk ending after `from`.
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid] + this.chunks[mid][1] <= from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.chunks.length && this.offsets[i] < to; i++) out.push(i);
    return out;
  }
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
  const layout = previous && previous.chunks.length ? new PreviousLayout(previous.chunks) : null;
  const held = layout ? await store.has(layout.chunks.map(([id]) => id)) : new Set<string>();
  const cache = new BaseCache(4 * MAX_BASE_BYTES);
  const readBase = basesFrom(store, cache);
  const chunks: { id: string; size: number }[] = [];
  const seen = new Set<string>();
  const result = { newChunks: 0, newBytes: 0, patches: 0, patchBytes: 0 };
  let offset = 0;
  let shift = 0;

  const basesFor = async (start: number, end: number): Promise<PatchBase[]> => {
    if (!layout) return [];
    const picked: PatchBase[] = [];
    let bytes = 0;
    for (const i of layout.overlapping(start - shift, end - shift)) {
      const [id, size] = layout.chunks[i];
      if (!held.has(id) || picked.some((b) => b.id === id) || picked.length >= MAX_PATCH_BASES || bytes + size > MAX_BASE_BYTES) continue;
      const base = await readBase(id).catch(() => null); // unreadable here: not a base
      if (!base) continue;
      picked.push({ id, raw: base.raw, depth: base.depth });
      bytes += size;
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
      const anchor = layout?.firstAt.get(id);
      if (anchor !== undefined) shift = start - layout!.offsets[anchor];
      if (seen.has(id) || (await store.has([id])).has(id)) {
        seen.add(id);
        pool.release(raw);
        return;
      }
      seen.add(id);
      const bases = await basesFor(start, start + raw.length);
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
