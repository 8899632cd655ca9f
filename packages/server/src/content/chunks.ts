// The chunk endpoints' logic: which chunks are missing, receiving a stream of frames, and
// sending one (see frames.ts for the format, access.ts for who may know about a chunk).
import { BacklotError, notFound, assertProjectWritable } from '@backlot/core';
import {
  BaseCache, basesFrom, ChunkTooLargeError, CorruptChunkError, InvalidEncodingError, MAX_CHUNK_SIZE, maxEncodedSize, MissingChunkError,
  patchHeaderOf, StorageError, verifyChunk, verifyChunkWith, type ChunkStore,
} from '@backlot/storage';
import type { Ctx } from '../context.js';
import { authorizeContentAccess, chunksPresentFor, downloadableChunks, loadContentAccess, type ContentAccess } from './access.js';
import { storeVerifiedBlobs, type VerifiedBlob } from './blobs.js';
import { FrameReader, type Frame } from './frames.js';
import { recordedChecksums } from './stored-checksum.js';

export const MAX_CHECK_IDS = 10_000;
export const MAX_FETCH_IDS = 1_000;
/** One upload request carries at most this many bytes; clients send more in several requests. */
export const MAX_UPLOAD_BODY = 512 * 1024 * 1024;
/** Frames gathered before one bookkeeping transaction (bounds memory: ~ BATCH_BYTES + one frame). */
const BATCH_FRAMES = 32;
const BATCH_BYTES = 16 * 1024 * 1024;
/** Decoded bases kept per upload request (a file's patches often share bases' chains). */
const PATCH_BASE_CACHE = 32 * 1024 * 1024;

/** `{ missing }`: the ids not present for the caller, in request order, without repeats. */
export async function checkChunks(ctx: Ctx, projectId: string, ids: readonly string[]): Promise<{ missing: string[] }> {
  const access = await loadContentAccess(ctx, projectId);
  authorizeContentAccess(access, { kind: 'chunks.check' });
  const present = await chunksPresentFor(ctx.db, projectId, access.actor.userId, access.view, ids);
  return { missing: [...new Set(ids)].filter((id) => !present.has(id)) };
}

/** A storage error about a received chunk as the client's fault (4xx), never a 500. */
function refusal(err: unknown, id: string): unknown {
  if (err instanceof ChunkTooLargeError)
    return new BacklotError('payload_too_large', `chunk ${id}: ${err.message}`, { reason: 'chunk_too_large', chunkId: id, limit: MAX_CHUNK_SIZE });
  if (err instanceof CorruptChunkError)
    return new BacklotError('invalid_chunk', `chunk ${id} does not match its id`, { reason: 'hash_mismatch', chunkId: id });
  if (err instanceof MissingChunkError) return baseMissing(id);
  if (err instanceof InvalidEncodingError || err instanceof StorageError)
    return new BacklotError('invalid_chunk', `chunk ${id}: ${err.message}`, { reason: 'invalid_encoding', chunkId: id });
  return err;
}

/** One answer for a base that is unknown, not stored or not the caller's to use: nothing leaks. */
function baseMissing(id: string): BacklotError {
  return new BacklotError('invalid_chunk', `chunk ${id} is a patch against chunks the server does not have for you; upload it whole`, { reason: 'base_missing', chunkId: id });
}

/** Verifies one received whole (non-patch) frame. */
export function verifyFrame(frame: Frame): VerifiedBlob {
  try {
    return verifyChunk(frame.id, frame.encoded, MAX_CHUNK_SIZE);
  } catch (err) {
    throw refusal(err, frame.id);
  }
}

/**
 * Verifies a received patch: its bases must be present for the uploader (access.ts: uploaded by
 * them or in a checkpoint they may download), and it must decode with them to bytes hashing to
 * its id. Bases come from the store, decoded through their own chains (bounded in depth).
 * `usable` holds the bases already found present in this request (a file's patches share them),
 * so each is looked up once.
 */
async function verifyPatchFrame(
  ctx: Ctx, access: ContentAccess, store: ChunkStore, cache: BaseCache, usable: Set<string>, frame: Frame, bases: readonly string[],
): Promise<VerifiedBlob> {
  const unknown = bases.filter((b) => !usable.has(b));
  if (unknown.length) {
    const present = await chunksPresentFor(ctx.db, access.project.id, access.actor.userId, access.view, unknown);
    if (unknown.some((b) => !present.has(b))) throw baseMissing(frame.id);
    for (const b of unknown) usable.add(b);
  }
  try {
    return await verifyChunkWith(frame.id, frame.encoded, basesFrom(store, cache, MAX_CHUNK_SIZE), MAX_CHUNK_SIZE);
  } catch (err) {
    throw refusal(err, frame.id);
  }
}

/** The bases a frame names when it is a patch (empty otherwise); a malformed header is refused. */
function basesNamedBy(frame: Frame): readonly string[] {
  try {
    return patchHeaderOf(frame.encoded)?.bases ?? [];
  } catch (err) {
    throw refusal(err, frame.id);
  }
}

/**
 * Receives a stream of frames. Each chunk is verified on arrival; verified chunks are stored in
 * batches. A bad frame ends the request with a 4xx; chunks verified before it stay stored (the
 * client resumes by asking /check again). Answers the frames accepted and their encoded bytes.
 */
export async function receiveChunks(
  ctx: Ctx, projectId: string, body: AsyncIterable<Buffer | string | Uint8Array>, declaredLength: number | undefined,
): Promise<{ stored: number; bytes: number }> {
  const access = await loadContentAccess(ctx, projectId);
  authorizeContentAccess(access, { kind: 'chunks.upload' });
  assertProjectWritable(access.project);
  if (declaredLength !== undefined && declaredLength > MAX_UPLOAD_BODY)
    throw new BacklotError('payload_too_large', `the body exceeds ${MAX_UPLOAD_BODY} bytes; send the chunks in several requests`, { limit: MAX_UPLOAD_BODY });
  const store = ctx.chunks.store(projectId);
  const reader = FrameReader.of(body, { maxFrame: maxEncodedSize(MAX_CHUNK_SIZE), maxTotal: MAX_UPLOAD_BODY });
  const cache = new BaseCache(PATCH_BASE_CACHE);
  const usable = new Set<string>();
  let pending: VerifiedBlob[] = [];
  let pendingBytes = 0;
  let stored = 0;
  let bytes = 0;
  const flush = async () => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    await storeVerifiedBlobs(ctx, store, access.project, access.actor.userId, batch);
    stored += batch.length;
    bytes += batch.reduce((n, b) => n + b.encoded.length, 0);
  };
  try {
    for (;;) {
      const frame = await reader.next();
      if (!frame) break;
      const bases = basesNamedBy(frame);
      // A patch on a chunk of this same request decodes once that chunk is stored.
      if (bases.some((b) => pending.some((p) => p.id === b))) await flush();
      const blob = bases.length ? await verifyPatchFrame(ctx, access, store, cache, usable, frame, bases) : verifyFrame(frame);
      pending.push(blob);
      pendingBytes += blob.encoded.length;
      if (pending.length >= BATCH_FRAMES || pendingBytes >= BATCH_BYTES) await flush();
    }
    await flush();
  } catch (err) {
    // Keep what was verified before the failure.
    try {
      await flush();
    } catch (flushErr) {
      ctx.log.warn(`upload to project ${projectId}: could not keep the chunks verified before a failure: ${(flushErr as Error).message}`);
    }
    throw err;
  }
  return { stored, bytes };
}

/**
 * Authorizes a fetch: every id must be listed by a live checkpoint of a live asset the caller
 * may download. Anything else (forbidden, unknown, malformed as a request) answers the same 404.
 * Returns the distinct ids in request order, and (for a caller that takes patches) whether a
 * stored patch may go out as it is: only when the caller may download each of its bases too, so a
 * patch never makes them fetch (or learn of) a chunk they could not fetch on its own.
 */
export async function authorizeFetch(
  ctx: Ctx, projectId: string, ids: readonly string[], takesPatches = false, held: Record<string, readonly string[]> = {},
): Promise<{ ids: string[]; checksums: Map<string, number>; sendAsPatch?: (bases: readonly string[]) => Promise<boolean>; held?: (id: string) => readonly string[] | undefined }> {
  const access = await loadContentAccess(ctx, projectId);
  authorizeContentAccess(access, { kind: 'chunks.check' });
  const distinct = [...new Set(ids)];
  const allowed = await downloadableChunks(ctx.db, projectId, access.view, distinct);
  if (distinct.some((id) => !allowed.has(id))) throw notFound('chunk');
  const checksums = await recordedChecksums(ctx.db, projectId, distinct);
  if (!takesPatches) return { ids: distinct, checksums };
  const sendAsPatch = async (bases: readonly string[]) => {
    const unknown = bases.filter((b) => !allowed.has(b));
    if (unknown.length) for (const b of await downloadableChunks(ctx.db, projectId, access.view, unknown)) allowed.add(b);
    return bases.every((b) => allowed.has(b));
  };
  // Chunks the caller says they hold serve as bases only if they may download them: a patch
  // against anything else would tell them which of its bytes equal the chunk's.
  const claimed = [...new Set(Object.entries(held).filter(([id]) => allowed.has(id)).flatMap(([, bases]) => bases))];
  const usable = claimed.length ? await downloadableChunks(ctx.db, projectId, access.view, claimed) : new Set<string>();
  const heldOf = (id: string) => (Object.hasOwn(held, id) ? held[id].filter((b) => usable.has(b)) : undefined);
  return { ids: distinct, checksums, sendAsPatch, held: heldOf };
}
