// Ids numbered by dense slots, and sets of them as bitsets: what lets the visibility walk run
// over typed arrays instead of hashing strings.
import type { IdSet } from '../visibility.js';

/** Id ↔ slot for one kind of item. Only ever appended to: results computed earlier stay valid. */
export class IdTable {
  readonly slots = new Map<string, number>();
  readonly ids: string[] = [];

  slotOf(id: string): number {
    let s = this.slots.get(id);
    if (s === undefined) {
      s = this.ids.length;
      this.ids.push(id);
      this.slots.set(id, s);
    }
    return s;
  }
}

/** Bits over the slots of one id table, as an IdSet. */
export class SlotSet implements IdSet {
  constructor(
    readonly table: IdTable,
    readonly bits: Uint32Array,
    readonly size: number,
  ) {}

  has(id: string): boolean {
    const s = this.table.slots.get(id);
    // Slots appended after this result was made lie past its bits: not visible then.
    return s !== undefined && s < this.bits.length << 5 && (this.bits[s >>> 5] & (1 << (s & 31))) !== 0;
  }

  [Symbol.iterator](): Iterator<string> {
    return new SlotIterator(this.bits, this.table.ids);
  }

  forEach(fn: (id: string) => void): void {
    const { bits, table } = this;
    for (let w = 0; w < bits.length; w++) {
      let word = bits[w];
      while (word !== 0) {
        const low = word & -word;
        word ^= low;
        fn(table.ids[(w << 5) | (31 - Math.clz32(low))]);
      }
    }
  }
}

class SlotIterator implements Iterator<string> {
  private w = -1;
  private word = 0;

  constructor(
    private readonly bits: Uint32Array,
    private readonly ids: readonly string[],
  ) {}

  next(): IteratorResult<string> {
    while (this.word === 0) {
      if (++this.w >= this.bits.length) return { done: true, value: undefined };
      this.word = this.bits[this.w];
    }
    const low = this.word & -this.word;
    this.word ^= low;
    return { done: false, value: this.ids[(this.w << 5) | (31 - Math.clz32(low))] };
  }
}

