// Sending content: chunks read from the store in order with a bounded read-ahead, every one
// verified before a byte of it leaves the server: decoded and hashed, or, for frames sent exactly
// as stored, matched against the checksum recorded when those bytes were verified
// (stored-checksum.ts; a mismatch falls back to decoding). A chunk that fails verification (or is
// missing from the store) is never served:
//   - found before the response starts (the first PREFETCH_BYTES are read and verified before any
//     header is sent): a clean 409 `corrupt_chunk`;
//   - found mid-stream: the connection is destroyed, so the client sees a truncated transfer,
//     never wrong bytes presented as complete.
// Both are logged.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { BacklotError } from '@backlot/core';
import {
  BaseCache, basesFrom, encodeChunk, encodePatch, MAX_CHUNK_SIZE, PATCH_GAIN, patchHeaderOf, verifyEncodedChunk, verifyWithBases, type BaseSource, type ChunkStore,
} from '@backlot/storage';
import type { Ctx } from '../context.js';
import { frameHeader } from './frames.js';
import { storedChecksum } from './stored-checksum.js';

/** Bytes read and verified before the response headers go out. */
export const PREFETCH_BYTES = 8 * 1024 * 1024;
/** Chunks fetched ahead of the writer. */
const READ_AHEAD = 4;
/** Decoded patch bases kept per response (a history's chains share them). */
const PATCH_BASE_CACHE = 32 * 1024 * 1024;

export interface VerifiedChunk {
  id: string;
  encoded: Buffer;
  /** The decoded bytes; absent when only the encoded form is sent (frames). */
  raw?: Buffer;
}

export class ContentIntegrityError extends BacklotError {
  constructor(readonly chunkId: string, reason: string) {
    super('corrupt_chunk', `stored chunk ${chunkId} failed verification (${reason}); it was not served`, { chunkId });
  }
}

/** How stored patches (storage's encoding 2) are read for one response. */
export interface PatchReading {
  /** Decoded bases shared by the response's chunks. */
  cache: BaseCache;
  /**
   * Frames only: whether this patch may go out as stored (the caller takes patches and may
   * receive every base it names). Otherwise it is sent decoded and re-encoded whole.
   */
  sendAsPatch?: (bases: readonly string[]) => Promise<boolean>;
  /**
   * Frames only: chunks the caller holds (and may download) that sit where this chunk does in the
   * version they have. A chunk is then sent as a patch against them when that is much smaller,
   * made here if the stored form is not already one against what they hold.
   */
  held?: (id: string) => readonly string[] | undefined;
  /**
   * Frames only: checksums of stored encodings recorded when they were verified
   * (stored-checksum.ts). Bytes that read back with theirs go out as stored, without decoding.
   */
  checksums?: ReadonlyMap<string, number>;
}

/**
 * Reads and verifies one stored chunk. With `keepRaw` false the decoded bytes are only hashed, in
 * a reused buffer (no allocation per chunk for the garbage collector to chase). A patch is decoded
 * through its bases (verified the same way); `encoded` is what goes on the wire: the patch when
 * `patches.sendAsPatch` agrees, else the chunk encoded whole.
 */
export async function readVerified(store: ChunkStore, id: string, maxSize?: number, keepRaw?: true, patches?: PatchReading): Promise<VerifiedChunk & { raw: Buffer }>;
export async function readVerified(store: ChunkStore, id: string, maxSize: number, keepRaw: boolean, patches?: PatchReading): Promise<VerifiedChunk>;
export async function readVerified(store: ChunkStore, id: string, maxSize = MAX_CHUNK_SIZE, keepRaw = true, patches?: PatchReading): Promise<VerifiedChunk> {
  let encoded: Buffer | null;
  try {
    encoded = await store.get(id);
  } catch (err) {
    // Stores refuse to read objects larger than any valid blob: that is corruption too.
    if ((err as { code?: string }).code === 'corrupt_chunk') throw new ContentIntegrityError(id, (err as Error).message);
    throw err;
  }
  if (encoded === null) throw new ContentIntegrityError(id, 'missing from the store');
  const held = keepRaw ? undefined : patches?.held?.(id);
  let header;
  try {
    header = patchHeaderOf(encoded);
  } catch (err) {
    throw new ContentIntegrityError(id, (err as Error).message);
  }
  if (!keepRaw && (await sendsAsVerified(id, encoded, header, held, patches))) return { id, encoded };
  try {
    if (!header && !held?.length) {
      const raw = verifyEncodedChunk(id, encoded, maxSize, !keepRaw);
      return keepRaw ? { id, encoded, raw } : { id, encoded };
    }
  } catch (err) {
    throw new ContentIntegrityError(id, (err as Error).message);
  }
  const bases = basesFrom(store, patches?.cache, maxSize);
  let raw: Buffer;
  try {
    raw = header ? await verifyWithBases(id, encoded, bases, maxSize) : verifyEncodedChunk(id, encoded, maxSize);
  } catch (err) {
    throw new ContentIntegrityError(id, (err as Error).message);
  }
  if (keepRaw) return { id, encoded, raw };
  if (header && held && header.bases.every((b) => held.includes(b))) return { id, encoded };
  if (held?.length) {
    const made = await patchAgainst(raw, held, bases);
    const whole = header ? null : encoded;
    if (made && made.length <= (whole?.length ?? raw.length) * PATCH_GAIN) return { id, encoded: made };
    if (whole) return { id, encoded: whole };
  }
  const asPatch = header !== null && (await patches?.sendAsPatch?.(header.bases)) === true;
  return { id, encoded: asPatch ? encoded : encodeChunk(raw) };
}

/**
 * Whether a frame can go out exactly as stored without decoding it here: its bytes are the ones
 * verified when they were written (their recorded checksum matches) and the caller would get this
 * encoding anyway (a whole chunk with nothing held to patch against, or a patch whose bases they
 * hold or may receive).
 */
async function sendsAsVerified(
  id: string, encoded: Buffer, header: ReturnType<typeof patchHeaderOf>, held: readonly string[] | undefined, patches: PatchReading | undefined,
): Promise<boolean> {
  const recorded = patches?.checksums?.get(id);
  if (recorded === undefined || recorded !== storedChecksum(encoded)) return false;
  if (!header) return !held?.length;
  if (held?.length) return header.bases.every((b) => held.includes(b));
  return (await patches?.sendAsPatch?.(header.bases)) === true;
}

/** `raw` as a patch against chunks the caller holds whole (null when they cannot serve). */
async function patchAgainst(raw: Buffer, held: readonly string[], bases: BaseSource): Promise<Buffer | null> {
  const found = [];
  for (const b of held) {
    const base = await bases(b).catch(() => null);
    if (base) found.push({ id: b, raw: base.raw, depth: 0 });
  }
  return found.length ? encodePatch(raw, found) : null;
}

/** Reads `ids` in order, READ_AHEAD at a time. */
class AheadReader {
  private readonly ahead: Promise<VerifiedChunk>[] = [];
  private next = 0;
  constructor(private readonly store: ChunkStore, private readonly ids: readonly string[], private readonly keepRaw: boolean, private readonly patches: PatchReading) {}

  private fill() {
    while (this.ahead.length < READ_AHEAD && this.next < this.ids.length) {
      const p = readVerified(this.store, this.ids[this.next++], MAX_CHUNK_SIZE, this.keepRaw, this.patches);
      p.catch(() => {}); // observed when awaited
      this.ahead.push(p);
    }
  }

  async read(): Promise<VerifiedChunk | null> {
    this.fill();
    const p = this.ahead.shift();
    if (!p) return null;
    const chunk = await p;
    this.fill();
    return chunk;
  }

  cancel() {
    this.next = this.ids.length;
    this.ahead.length = 0;
  }
}

function logIntegrity(ctx: Ctx, projectId: string, err: unknown) {
  ctx.log.warn(`content integrity: project ${projectId}: ${(err as Error).message}`);
}

/**
 * Streams the chunks `ids` as the reply: `mode` 'frames' sends the wire frames (stored encoded
 * bytes), 'file' the raw bytes one after the other (a reconstructed file).
 */
export async function sendVerified(
  ctx: Ctx, reply: FastifyReply, projectId: string, ids: readonly string[], mode: 'frames' | 'file', headers: Record<string, string>,
  patchOptions: Omit<PatchReading, 'cache'> = {},
): Promise<FastifyReply> {
  const patches: PatchReading = { cache: new BaseCache(PATCH_BASE_CACHE), ...patchOptions };
  const reader = new AheadReader(ctx.chunks.store(projectId), ids, mode === 'file', patches);
  const first: VerifiedChunk[] = [];
  let firstBytes = 0;
  try {
    while (firstBytes < PREFETCH_BYTES) {
      const c = await reader.read();
      if (!c) break;
      first.push(c);
      firstBytes += c.encoded.length;
    }
  } catch (err) {
    reader.cancel();
    if (err instanceof ContentIntegrityError) logIntegrity(ctx, projectId, err);
    throw err;
  }
  // A stored patch sent as it is names bases the caller may not hold: they follow it in the same
  // answer (once each), so a chain costs no further round trip.
  const requested = new Set(ids);
  const carried = new Set<string>();
  const basesToCarry = (c: VerifiedChunk): string[] => {
    if (mode !== 'frames' || !patches.sendAsPatch) return [];
    const header = patchHeaderOf(c.encoded);
    if (!header) return [];
    const held = patches.held?.(c.id) ?? [];
    const out = header.bases.filter((b) => !held.includes(b) && !requested.has(b) && !carried.has(b));
    for (const b of out) carried.add(b);
    return out;
  };
  const emit = (c: VerifiedChunk): Buffer[] => (mode === 'frames' ? [frameHeader(c.id, c.encoded.length), c.encoded] : [c.raw!]);
  const store = ctx.chunks.store(projectId);
  async function* withBases(c: VerifiedChunk): AsyncGenerator<Buffer> {
    for (const b of emit(c)) yield b;
    const queue = basesToCarry(c);
    while (queue.length) {
      const base = await readVerified(store, queue.shift()!, MAX_CHUNK_SIZE, false, patches);
      for (const b of emit(base)) yield b;
      queue.push(...basesToCarry(base));
    }
  }
  async function* body(): AsyncGenerator<Buffer> {
    try {
      while (first.length) yield* withBases(first.shift()!);
      for (;;) {
        const c = await reader.read();
        if (!c) return;
        yield* withBases(c);
      }
    } catch (err) {
      reader.cancel();
      logIntegrity(ctx, projectId, err);
      // Headers (and some bytes) are out: end the connection so nothing looks complete.
      reply.raw.destroy(err as Error);
      throw err;
    }
  }
  reply.headers(headers);
  return reply.send(Readable.from(body(), { objectMode: false }));
}
