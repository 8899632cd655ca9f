// The chunk protocol of one project, on @backlot/api's content routes:
//
//   api.content.checkChunks   POST …/chunks/check  { ids } (<= 10,000)  -> { missing }
//   api.content.uploadChunks  POST …/chunks        frames              -> { stored, bytes }
//   api.content.fetchChunks   POST …/chunks/fetch  { ids } (<= 1,000)   -> frames
//
// What this adds on top: checks of any size (batched), answers checked against what was asked,
// upload retries (the api does not retry uploads, as their bodies may be streams; a list of frames
// can be sent again, and a chunk stored twice is stored once), and fetched chunks decoded and
// hash-checked before anyone sees them.
import { encodeFrames, MAX_CHECK_IDS, MAX_FETCH_IDS, ProtocolError, withRetry, type BacklotApi, type RetryOptions } from '@backlot/api';
import type { ChunksStored } from '@backlot/core';
import {
  BaseCache, CorruptChunkError, MAX_PATCH_DEPTH, MissingChunkError, patchHeaderOf, verifyEncodedChunk, verifyWithBases, type ChunkWorkerPool, type ResolvedBase,
} from '@backlot/storage';
import { FrameDecoder, type EncodedFrame } from './frame-decoder.js';

export interface ChunkApiOptions {
  /** Retries of `upload` (the one chunk call the api's transport does not retry). */
  retry?: RetryOptions;
  /**
   * Worker pool that decodes and verifies fetched chunks while this thread keeps receiving and
   * writing (default: on this thread).
   */
  pool?: () => Promise<ChunkWorkerPool>;
}

/** Fetched chunks being verified on the pool ahead of the one handed out. */
const VERIFY_AHEAD = 8;

export interface FetchedChunk {
  id: string;
  /** Raw (decoded, verified) bytes. */
  raw: Buffer;
  /** Encoded bytes received. */
  encodedSize: number;
  /** The frame's encoded bytes when the chunk came whole (not as a patch): verified, to keep as is. */
  encoded?: Buffer;
}

/** One project's chunk endpoints. */
export class ChunkApi {
  constructor(
    readonly api: BacklotApi,
    readonly projectId: string,
    private readonly options: ChunkApiOptions = {},
  ) {}

  /** Which of `ids` the server lacks (any number of ids; batched by MAX_CHECK_IDS). */
  async missing(ids: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    const missing = new Set<string>();
    for (let i = 0; i < unique.length; i += MAX_CHECK_IDS) {
      const batch = unique.slice(i, i + MAX_CHECK_IDS);
      const asked = new Set(batch);
      const res = await this.api.content.checkChunks(this.projectId, batch);
      if (!Array.isArray(res?.missing)) throw new ProtocolError('chunks/check: answer has no missing list');
      for (const id of res.missing) {
        if (typeof id !== 'string' || !asked.has(id)) throw new ProtocolError(`chunks/check: answered an id that was not asked: ${String(id).slice(0, 80)}`);
        missing.add(id);
      }
    }
    return missing;
  }

  /** Uploads `chunks` in one request, sent again as a whole on retryable failures. */
  async upload(chunks: readonly EncodedFrame[]): Promise<ChunksStored> {
    if (chunks.length === 0) return { stored: 0, bytes: 0 };
    return stored(await withRetry(() => this.api.content.uploadChunks(this.projectId, encodeFrames(chunks)), this.options.retry));
  }

  /**
   * Uploads frames as they are produced, in one streamed request (not retried: its frames are
   * still being produced; callers keep them and resend with `upload` after a failure).
   */
  async uploadFrom(frames: AsyncIterable<EncodedFrame>): Promise<ChunksStored> {
    return stored(await this.api.content.uploadChunks(this.projectId, encodeFrames(frames)));
  }

  /**
   * Asks for up to MAX_FETCH_IDS chunks; resolves once the server answered (the api's transport
   * retries getting there) with the chunks as they arrive, each decoded and verified against its
   * id (CorruptChunkError otherwise). The iteration throws MissingChunkError at the end for any
   * id the server did not send, and NetworkError when the answer breaks off. Iterate it (or
   * leave the loop early) so the answer's connection is freed.
   */
  async fetch(ids: readonly string[], options: { bases?: LocalBases; held?: HeldBases } = {}): Promise<AsyncIterable<FetchedChunk>> {
    const wanted = new Set(ids);
    if (wanted.size > MAX_FETCH_IDS) throw new RangeError(`at most ${MAX_FETCH_IDS} ids per fetch`);
    if (wanted.size === 0) return (async function* () {})();
    const pool = this.options.pool ? await this.options.pool() : null;
    const held: Record<string, string[]> = {};
    for (const id of wanted) {
      const bases = options.held?.(id);
      if (bases?.length) held[id] = [...bases];
    }
    const answer = await this.api.content.fetchChunks(this.projectId, [...wanted], { patches: true, held });
    return verifiedChunks(answer.body, wanted, pool, new PatchDecoder(this, options.bases));
  }

  /** Raw bytes of chunks fetched only as bases of patches, kept for the chains that share them. */
  readonly fetchedBases = new BaseCache(64 * 1024 * 1024);
}

/** A patch's base from this folder (its chunk store, unchanged working files), or null. */
export type LocalBases = (id: string) => Promise<Buffer | null>;

/** Chunks this folder holds at a wanted chunk's place in its version of the file (storage's VersionAligner). */
export type HeldBases = (id: string) => readonly string[] | undefined;

/**
 * Decodes the patches of one fetch answer. A patch whose bases are all here (or already fetched)
 * is decoded as it arrives; the others wait for the end of the answer, when their missing bases
 * are fetched in one request (patches again, at most MAX_PATCH_DEPTH rounds deep).
 */
class PatchDecoder {
  private readonly deferred: { id: string; encoded: Buffer; resolve: (raw: Buffer) => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly chunks: ChunkApi, private readonly local: LocalBases | undefined, private readonly level = 0) {}

  /** Bases fetched for this answer's waiting patches (held until they are decoded). */
  private readonly fetched = new Map<string, ResolvedBase>();

  /** The bases already at hand, or null when one must be fetched. */
  private async atHand(bases: readonly string[]): Promise<Map<string, ResolvedBase> | null> {
    const out = new Map<string, ResolvedBase>();
    for (const b of bases) {
      const cached = this.fetched.get(b) ?? this.chunks.fetchedBases.get(b);
      if (cached) {
        out.set(b, cached);
        continue;
      }
      const raw = await this.local?.(b);
      if (!raw) return null;
      out.set(b, { raw, depth: 0 });
    }
    return out;
  }

  /**
   * The verified raw chunk: decoded now when its bases are known to be at hand (`waits` false),
   * else once `finish` fetched what is missing.
   */
  decode(id: string, encoded: Buffer, bases: readonly string[]): { raw: Promise<Buffer>; waits: boolean } {
    if (bases.every((b) => this.fetched.has(b) || this.chunks.fetchedBases.get(b))) return { raw: this.verifyAtHand(id, encoded, bases), waits: false };
    const raw = new Promise<Buffer>((resolve, reject) => this.deferred.push({ id, encoded, resolve, reject }));
    return { raw, waits: true };
  }

  private async verifyAtHand(id: string, encoded: Buffer, bases: readonly string[]): Promise<Buffer> {
    const found = await this.atHand(bases);
    if (!found) throw new MissingChunkError(bases[0]);
    return this.verify(id, encoded, found);
  }

  /** Depths are the server's business (it checked them on upload); here only the hash decides. */
  private verify(id: string, encoded: Buffer, found: Map<string, ResolvedBase>): Promise<Buffer> {
    const header = patchHeaderOf(encoded)!;
    const depthTrusted = async (b: string) => ({ raw: found.get(b)!.raw, depth: header.depth - 1 });
    return verifyWithBases(id, encoded, depthTrusted);
  }

  /** A base the answer carried besides the chunks asked for (the server sends what a patch needs). */
  carried(id: string, raw: Buffer): void {
    this.fetched.set(id, { raw, depth: 0 });
    this.chunks.fetchedBases.set(id, { raw, depth: 0 });
  }

  /**
   * Decodes the deferred patches whose bases are at hand now, in rounds (a base decoded in one
   * round serves the next: the answer may carry a chain); answers those still missing a base.
   */
  private async decodeAtHand(waiting: typeof this.deferred): Promise<typeof this.deferred> {
    let pending = waiting;
    for (let progress = true; progress && pending.length > 0; ) {
      progress = false;
      const next: typeof pending = [];
      for (const d of pending) {
        const found = await this.atHand(patchHeaderOf(d.encoded)!.bases);
        if (!found) {
          next.push(d);
          continue;
        }
        try {
          d.resolve(await this.verify(d.id, d.encoded, found));
        } catch (err) {
          d.reject(err);
        }
        progress = true;
      }
      pending = next;
    }
    return pending;
  }

  /** Fetches the bases the deferred patches lack, then decodes them. */
  async finish(): Promise<void> {
    if (this.deferred.length === 0) return;
    const waiting = await this.decodeAtHand(this.deferred.splice(0));
    if (waiting.length === 0) {
      this.fetched.clear();
      return;
    }
    try {
      if (this.level >= MAX_PATCH_DEPTH) throw new ProtocolError('chunks/fetch: patch chain deeper than allowed');
      // Bases already fetched are pinned for this round: fetching the others may evict them from the cache.
      const need = new Set<string>();
      for (const d of waiting) {
        for (const b of patchHeaderOf(d.encoded)!.bases) {
          const cached = this.chunks.fetchedBases.get(b);
          if (cached) this.fetched.set(b, cached);
          else if (!this.fetched.has(b) && !(await this.local?.(b))) need.add(b);
        }
      }
      const ids = [...need];
      for (let i = 0; i < ids.length; i += MAX_FETCH_IDS) {
        const inner = new PatchDecoder(this.chunks, this.local, this.level + 1);
        const answer = await this.chunks.api.content.fetchChunks(this.chunks.projectId, ids.slice(i, i + MAX_FETCH_IDS), { patches: true });
        for await (const c of verifiedChunks(answer.body, new Set(ids.slice(i, i + MAX_FETCH_IDS)), null, inner)) {
          this.fetched.set(c.id, { raw: c.raw, depth: 0 });
          this.chunks.fetchedBases.set(c.id, { raw: c.raw, depth: 0 });
        }
      }
      for (const d of waiting) d.resolve(await this.verifyAtHand(d.id, d.encoded, patchHeaderOf(d.encoded)!.bases));
      this.fetched.clear();
    } catch (err) {
      for (const d of waiting) d.reject(err);
    }
  }
}

/** The patch header of a received frame, or null (malformed ones fail in verification). */
function patchHeaderSafe(encoded: Buffer) {
  try {
    return patchHeaderOf(encoded);
  } catch {
    return null;
  }
}

/** The answer's counts, as numbers whatever the server sent. */
function stored(res: Partial<ChunksStored> | undefined): ChunksStored {
  return { stored: Number(res?.stored ?? 0), bytes: Number(res?.bytes ?? 0) };
}

/** Frames of a fetch answer, checked against what was asked and verified, in arrival order. */
async function* verifiedChunks(body: AsyncIterable<Uint8Array>, wanted: Set<string>, pool: ChunkWorkerPool | null, patches: PatchDecoder): AsyncGenerator<FetchedChunk> {
  const verify = (id: string, encoded: Buffer): { raw: Promise<Buffer>; waits: boolean; patch: boolean } => {
    let bases: readonly string[] | undefined;
    try {
      bases = patchHeaderOf(encoded)?.bases;
    } catch (err) {
      return { raw: Promise.reject(new CorruptChunkError(id, (err as Error).message)), waits: false, patch: true };
    }
    if (bases) return { ...patches.decode(id, encoded, bases), patch: true };
    return { raw: pool ? pool.verify(id, encoded) : new Promise((resolve) => resolve(verifyEncodedChunk(id, encoded))), waits: false, patch: false };
  };
  const decoder = new FrameDecoder();
  const pending = new Set(wanted);
  // Chunks in arrival order, each being verified; handed out oldest first once verified, except
  // patches waiting for bases fetched at the end (`waits`), which let the chunks behind them pass.
  const verifying: { id: string; encodedSize: number; raw: Promise<Buffer>; waits: boolean; encoded?: Buffer }[] = [];
  const take = async (k: number): Promise<FetchedChunk> => {
    const [v] = verifying.splice(k, 1);
    return { id: v.id, raw: await v.raw, encodedSize: v.encodedSize, ...(v.encoded && { encoded: v.encoded }) };
  };
  // Bases named by the patches received so far: the server may carry them after the patch.
  const named = new Set<string>();
  // Whole ones are verified before the waiting patches are decoded; patches among them are decoded with those.
  const carried: { whole: Promise<void>[]; patches: Promise<void>[] } = { whole: [], patches: [] };
  try {
    for await (const part of body) {
      decoder.push(part);
      for (let f = decoder.next(); f; f = decoder.next()) {
        const header = patchHeaderSafe(f.encoded);
        for (const b of header?.bases ?? []) named.add(b);
        if (!wanted.has(f.id)) {
          if (!named.has(f.id)) throw new ProtocolError(`chunks/fetch: received a chunk that was not asked for: ${f.id}`);
          const base = verify(f.id, f.encoded).raw.then((raw) => patches.carried(f.id, raw));
          base.catch(() => {}); // observed below
          (header ? carried.patches : carried.whole).push(base);
          continue;
        }
        if (!pending.delete(f.id)) continue; // a repeat: already delivered
        const started = verify(f.id, f.encoded);
        started.raw.catch(() => {}); // observed when handed out
        verifying.push({ id: f.id, encodedSize: f.encoded.length, raw: started.raw, waits: started.waits, ...(!started.patch && { encoded: f.encoded }) });
        const ready = verifying.findIndex((v) => !v.waits);
        if (verifying.filter((v) => !v.waits).length >= VERIFY_AHEAD) yield await take(ready);
      }
    }
    while (verifying.some((v) => !v.waits)) yield await take(verifying.findIndex((v) => !v.waits));
    await Promise.all(carried.whole);
    const chained = Promise.all(carried.patches);
    chained.catch(() => {}); // observed below
    await patches.finish();
    await chained;
    while (verifying.length > 0) yield await take(0);
  } finally {
    verifying.length = 0;
  }
  if (!decoder.atBoundary) throw new ProtocolError('chunks/fetch: the answer ended inside a frame');
  const first = pending.values().next();
  if (!first.done) throw new MissingChunkError(first.value);
}
