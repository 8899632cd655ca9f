// Which chunks of a file's previous version a chunk of its new version should be patched against:
// those at "the same place". Unchanged chunks (the same id in both versions) anchor the two files
// to each other; a changed chunk at [start, end) of the new version is paired with the previous
// version's chunks overlapping [start - shift, end - shift), where shift is the offset difference
// at the last anchor (an insertion or deletion moves everything after it). Used when storing a
// new version (store-against.ts) and when asking the server for one (the bases a folder holds).
import { MAX_BASE_BYTES, MAX_PATCH_BASES } from './patch.js';

export class VersionAligner {
  private readonly offsets: number[] = [];
  private readonly firstAt = new Map<string, number>();
  private shift = 0;

  /**
   * `previous`: the previous version's chunks in file order, [id, raw size]. `usable`: whether a
   * chunk can serve as a base (e.g. it is in the local store).
   */
  constructor(private readonly previous: readonly (readonly [string, number])[], private readonly usable: (id: string) => boolean = () => true) {
    let at = 0;
    previous.forEach(([id, size], i) => {
      this.offsets.push(at);
      if (!this.firstAt.has(id)) this.firstAt.set(id, i);
      at += size;
    });
  }

  /**
   * Feed the new version's chunks in file order; answers the base candidates for this one (at
   * most MAX_PATCH_BASES, MAX_BASE_BYTES together; none for a chunk the previous version has).
   */
  next(id: string, start: number, size: number): string[] {
    const anchor = this.firstAt.get(id);
    if (anchor !== undefined) {
      this.shift = start - this.offsets[anchor];
      return [];
    }
    const out: string[] = [];
    let bytes = 0;
    for (const i of this.overlapping(start - this.shift, start + size - this.shift)) {
      const [base, baseSize] = this.previous[i];
      if (!this.usable(base) || out.includes(base) || out.length >= MAX_PATCH_BASES || bytes + baseSize > MAX_BASE_BYTES) continue;
      out.push(base);
      bytes += baseSize;
    }
    return out;
  }

  /** Indexes of the previous version's chunks overlapping [from, to), in order. */
  private overlapping(from: number, to: number): number[] {
    let lo = 0;
    let hi = this.previous.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid] + this.previous[mid][1] <= from) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < this.previous.length && this.offsets[i] < to; i++) out.push(i);
    return out;
  }
}
