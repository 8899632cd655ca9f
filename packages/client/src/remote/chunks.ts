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
import { BaseCache, CorruptChunkError, MissingChunkError, patchHeaderOf, verifyEncodedChunk, type ChunkWorkerPool } from '@backlot/storage';
import { FrameDecoder, type EncodedFrame } from './frame-decoder.js';
import { PatchDecoder, type HeldBases, type LocalBases } from './patch-decoder.js';

export type { HeldBases, LocalBases };

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
    // The pool may still be starting (a clone's first fetch): the request goes out meanwhile.
    const pool = this.options.pool ? this.options.pool() : Promise.resolve(null);
    pool.catch(() => {}); // observed below, once the server answered
    const held: Record<string, string[]> = {};
    for (const id of wanted) {
      const bases = options.held?.(id);
      if (bases?.length) held[id] = [...bases];
    }
    const answer = await this.api.content.fetchChunks(this.projectId, [...wanted], { patches: true, held });
    const workers = await pool.catch(async (err: unknown) => {
      await answer.body[Symbol.asyncIterator]().return?.(); // frees the answer's connection
      throw err;
    });
    return verifiedChunks(answer.body, wanted, workers, new PatchDecoder(this.fetchedBases, options.bases, this.fetchBases));
  }

  /** Raw bytes of chunks fetched only as bases of patches, kept for the chains that share them. */
  readonly fetchedBases = new BaseCache(64 * 1024 * 1024);

  /** Bases of waiting patches, fetched and verified (their own patches decoded by `decoder`). */
  private readonly fetchBases = async (ids: string[], decoder: PatchDecoder) => {
    const answer = await this.api.content.fetchChunks(this.projectId, ids, { patches: true });
    return verifiedChunks(answer.body, new Set(ids), null, decoder);
  };
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
  const verify = (id: string, encoded: Buffer): { raw: Promise<Buffer>; waits: boolean } => {
    let bases: readonly string[] | undefined;
    try {
      bases = patchHeaderOf(encoded)?.bases;
    } catch (err) {
      return { raw: Promise.reject(new CorruptChunkError(id, (err as Error).message)), waits: false };
    }
    if (bases) return patches.decode(id, encoded, bases);
    if (pool) return { raw: pool.verifyMoved(id, encoded), waits: false };
    return { raw: new Promise<Buffer>((resolve) => resolve(verifyEncodedChunk(id, encoded))), waits: false };
  };
  const decoder = new FrameDecoder();
  const pending = new Set(wanted);
  // Chunks in arrival order, each being verified; handed out oldest first once verified, except
  // patches waiting for bases fetched at the end (`waits`), which let the chunks behind them pass.
  const verifying: { id: string; encodedSize: number; raw: Promise<Buffer>; waits: boolean }[] = [];
  const take = async (k: number): Promise<FetchedChunk> => {
    const [v] = verifying.splice(k, 1);
    return { id: v.id, raw: await v.raw, encodedSize: v.encodedSize };
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
          const v = verify(f.id, f.encoded);
          const base = v.raw.then((raw) => patches.carried(f.id, raw));
          base.catch(() => {}); // observed below
          (header ? carried.patches : carried.whole).push(base);
          continue;
        }
        if (!pending.delete(f.id)) continue; // a repeat: already delivered
        const encodedSize = f.encoded.length; // f.encoded may move to a worker
        const started = verify(f.id, f.encoded);
        started.raw.catch(() => {}); // observed when handed out
        verifying.push({ id: f.id, encodedSize, raw: started.raw, waits: started.waits });
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
