// The pristine copies a download keeps (write-versions.ts): the chunks of the versions written for
// files this member may checkpoint, kept in the folder's store as they are verified. Whole chunks
// are written by the worker that verified them (remote/chunks.ts); the rest (patches, decoded
// here) come through `keep`, a few writes at a time, the download waiting while that many are
// under way, so a disk slower than the network does not fill memory with copies to write.
import type { FsChunkStore } from '@backlot/storage';
import type { ChunkKeeper } from '../remote/chunks.js';

/** Writes under way at once. */
const WRITES_AT_ONCE = 8;

export class PristineCopies implements ChunkKeeper {
  private readonly writing = new Set<Promise<void>>();

  constructor(readonly store: FsChunkStore, private readonly wanted: ReadonlySet<string>) {}

  wants(id: string): boolean {
    return this.wanted.has(id);
  }

  async keep(id: string, encoded: Buffer): Promise<void> {
    while (this.writing.size >= WRITES_AT_ONCE) await Promise.race(this.writing);
    // A cache entry: a write that fails only costs a future patch.
    const write: Promise<void> = this.store.putCached(id, encoded, { replace: true }).catch(() => {}).finally(() => this.writing.delete(write));
    this.writing.add(write);
  }

  /** Resolves once every copy started here is written (or failed). */
  async finished(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing);
  }
}
