// Decoding the patches (storage's encoding 2) of a chunks/fetch answer. A patch whose bases this
// folder holds (its working files, its chunk store) or already received is decoded as it arrives;
// the others wait for the end of the answer, which usually carries their bases (the server sends
// what a patch needs after it), else their missing bases are fetched in one more request per
// chain level. Only the final SHA-256 decides whether a chunk is right.
import { MAX_FETCH_IDS, ProtocolError } from '@backlot/api';
import { MAX_PATCH_DEPTH, MissingChunkError, patchHeaderOf, verifyWithBases, type BaseCache, type ResolvedBase } from '@backlot/storage';

/** A patch's base from this folder (its chunk store, unchanged working files), or null. */
export type LocalBases = (id: string) => Promise<Buffer | null>;

/** Chunks this folder holds at a wanted chunk's place in its version of the file (storage's VersionAligner). */
export type HeldBases = (id: string) => readonly string[] | undefined;

/**
 * Decodes the patches of one fetch answer. A patch whose bases are all here (or already fetched)
 * is decoded as it arrives; the others wait for the end of the answer, when their missing bases
 * are fetched in one request (patches again, at most MAX_PATCH_DEPTH rounds deep).
 */
export class PatchDecoder {
  private readonly deferred: { id: string; encoded: Buffer; resolve: (raw: Buffer) => void; reject: (e: unknown) => void }[] = [];

  constructor(
    /** Bases fetched earlier in this session (chains share them). */
    private readonly cache: BaseCache,
    private readonly local: LocalBases | undefined,
    /** Fetches chunks (patches decoded with a decoder one level down), verified. */
    private readonly fetchMore: (ids: string[], decoder: PatchDecoder) => Promise<AsyncIterable<{ id: string; raw: Buffer }>>,
    private readonly level = 0,
  ) {}

  /** Bases fetched for this answer's waiting patches (held until they are decoded). */
  private readonly fetched = new Map<string, ResolvedBase>();

  /** The bases already at hand, or null when one must be fetched. */
  private async atHand(bases: readonly string[]): Promise<Map<string, ResolvedBase> | null> {
    const out = new Map<string, ResolvedBase>();
    for (const b of bases) {
      const cached = this.fetched.get(b) ?? this.cache.get(b);
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
    if (bases.every((b) => this.fetched.has(b) || this.cache.get(b))) return { raw: this.verifyAtHand(id, encoded, bases), waits: false };
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
    this.cache.set(id, { raw, depth: 0 });
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
          const cached = this.cache.get(b);
          if (cached) this.fetched.set(b, cached);
          else if (!this.fetched.has(b) && !(await this.local?.(b))) need.add(b);
        }
      }
      const ids = [...need];
      for (let i = 0; i < ids.length; i += MAX_FETCH_IDS) {
        const inner = new PatchDecoder(this.cache, this.local, this.fetchMore, this.level + 1);
        for await (const c of await this.fetchMore(ids.slice(i, i + MAX_FETCH_IDS), inner)) {
          this.fetched.set(c.id, { raw: c.raw, depth: 0 });
          this.cache.set(c.id, { raw: c.raw, depth: 0 });
        }
      }
      for (const d of waiting) d.resolve(await this.verifyAtHand(d.id, d.encoded, patchHeaderOf(d.encoded)!.bases));
      this.fetched.clear();
    } catch (err) {
      for (const d of waiting) d.reject(err);
    }
  }
}

