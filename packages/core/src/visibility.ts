// What a project member may see (PRODUCT.md "Visibility is not permission"), the rule in one
// place:
//   - everything in shared collections and their sub-collections (not for roles limited to what is
//     assigned to them, such as Vendor);
//   - the tasks and the collections (with their subtrees) assigned to them;
//   - closed under dependencies: whatever a visible asset depends on, an asset or a whole
//     collection, recursively (cycles allowed);
//   - the parent chain of every visible item, by name only, so the tree can be navigated.
// Trashed items are never visible. The graph's storage (graph/project-graph.ts) hands this walk
// its adjacency as typed arrays over dense slots; the walk answers with bitsets over the slots.

/** A read-only set of ids: what `Visibility` answers with. */
export interface IdSet extends Iterable<string> {
  readonly size: number;
  has(id: string): boolean;
  forEach(fn: (id: string) => void): void;
}

export interface Visibility {
  /** Assets whose metadata and content the member may see. */
  readonly assets: IdSet;
  /** Collections the member sees in full. */
  readonly collections: IdSet;
  /** Ancestors of visible items, shown by name only for navigation. */
  readonly namesOnly: IdSet;
}

export interface VisibleToOptions {
  /** `false` leaves shared collections out, for roles limited to what is explicitly assigned (Vendor). */
  shared?: boolean;
  /**
   * Name the parent chain of every live asset, not only of visible ones: for members who see
   * every asset but not every collection (asset.view_all without collection.view_all).
   */
  parentsOfAllAssets?: boolean;
}


/** The graph as the walk reads it: dense slots, live flags, adjacency lists (see graph/project-graph.ts). */
export interface GraphLayout {
  readonly assetSlots: number;
  readonly collectionSlots: number;
  readonly aLive: Uint8Array;
  readonly cLive: Uint8Array;
  /** A collection's parent slot (0: the root, never live). */
  readonly cParent: Int32Array;
  /** An asset's collection slot (0: the root). */
  readonly aColl: Int32Array;
  /** Live child collections and live assets of each collection. */
  readonly cKids: readonly (readonly number[] | undefined)[];
  readonly cAssets: readonly (readonly number[] | undefined)[];
  /** What each asset depends on: an asset slot, or `~slot` for a whole collection. */
  readonly aOut: readonly (readonly number[] | undefined)[];
  readonly shared: ReadonlySet<number>;
  readonly assignedC: ReadonlyMap<string, ReadonlySet<number>>;
  readonly assignedA: ReadonlyMap<string, ReadonlySet<number>>;
  /** Queues reused from walk to walk (grown as needed). */
  readonly scratch: { aQueue: Int32Array; cQueue: Int32Array };
}

/** A walk's answer: bitsets over slots, with their sizes. */
export interface VisibleSlots {
  assets: { bits: Uint32Array; size: number };
  collections: { bits: Uint32Array; size: number };
  namesOnly: { bits: Uint32Array; size: number };
}

const NO_SLOTS: ReadonlySet<number> = new Set();

/** Every item visible to one member by the rule above. */
export function visibleSlots(g: GraphLayout, userId: string, opts: VisibleToOptions): VisibleSlots {
  const nA = g.assetSlots;
  const nC = g.collectionSlots;
  // The result bitsets double as the walk's visited marks.
  const seenA = new Uint32Array((nA + 31) >>> 5);
  const seenC = new Uint32Array((nC + 31) >>> 5);
  const { scratch } = g;
  if (scratch.aQueue.length < nA) scratch.aQueue = new Int32Array(Math.max(nA, scratch.aQueue.length * 2));
  if (scratch.cQueue.length < nC) scratch.cQueue = new Int32Array(Math.max(nC, scratch.cQueue.length * 2));
  // Every visible item enters its queue once; processed prefixes, whole queues at the end.
  const aQueue = scratch.aQueue;
  const cQueue = scratch.cQueue;
  const { aLive, cLive, cKids, cAssets, aOut } = g;
  let aEnd = 0;
  let cEnd = 0;

  if (opts.shared !== false)
    for (const c of g.shared) if (!(seenC[c >>> 5] & (1 << (c & 31)))) { seenC[c >>> 5] |= 1 << (c & 31); cQueue[cEnd++] = c; }
  for (const c of g.assignedC.get(userId) ?? NO_SLOTS) if (!(seenC[c >>> 5] & (1 << (c & 31)))) { seenC[c >>> 5] |= 1 << (c & 31); cQueue[cEnd++] = c; }
  for (const a of g.assignedA.get(userId) ?? NO_SLOTS) if (!(seenA[a >>> 5] & (1 << (a & 31)))) { seenA[a >>> 5] |= 1 << (a & 31); aQueue[aEnd++] = a; }

  // A fully visible collection shows its whole subtree (its lists hold live items only); a
  // visible asset shows what it depends on, an asset or a whole collection, when live. Visited
  // marks make cycles harmless.
  let aHead = 0;
  let cHead = 0;
  for (;;) {
    while (cHead < cEnd) {
      const c = cQueue[cHead++];
      const kids = cKids[c];
      if (kids) for (let i = 0; i < kids.length; i++) {
        const k = kids[i];
        if (!(seenC[k >>> 5] & (1 << (k & 31)))) { seenC[k >>> 5] |= 1 << (k & 31); cQueue[cEnd++] = k; }
      }
      const list = cAssets[c];
      if (list) for (let i = 0; i < list.length; i++) {
        const a = list[i];
        if (!(seenA[a >>> 5] & (1 << (a & 31)))) { seenA[a >>> 5] |= 1 << (a & 31); aQueue[aEnd++] = a; }
      }
    }
    if (aHead === aEnd) break;
    const out = aOut[aQueue[aHead++]];
    if (!out) continue;
    for (let i = 0; i < out.length; i++) {
      const t = out[i];
      if (t >= 0) {
        if (aLive[t] && !(seenA[t >>> 5] & (1 << (t & 31)))) { seenA[t >>> 5] |= 1 << (t & 31); aQueue[aEnd++] = t; }
      } else {
        const c = ~t;
        if (cLive[c] && !(seenC[c >>> 5] & (1 << (c & 31)))) { seenC[c >>> 5] |= 1 << (c & 31); cQueue[cEnd++] = c; }
      }
    }
  }

  // Parents of visible items are visible by name only; only live collections (an orphan's
  // missing parent is not an item to name; the root slot is never live).
  const names = new Uint32Array(seenC.length);
  const cParent = g.cParent;
  const aColl = g.aColl;
  let nNames = 0;
  const climb = (p: number) => {
    while (cLive[p] && !(seenC[p >>> 5] & (1 << (p & 31))) && !(names[p >>> 5] & (1 << (p & 31)))) {
      names[p >>> 5] |= 1 << (p & 31);
      nNames++;
      p = cParent[p];
    }
  };
  for (let i = 0; i < cEnd; i++) climb(cParent[cQueue[i]]);
  if (opts.parentsOfAllAssets) {
    for (let a = 0; a < nA; a++) if (aLive[a]) climb(aColl[a]);
  } else for (let i = 0; i < aEnd; i++) climb(aColl[aQueue[i]]);

  return { assets: { bits: seenA, size: aEnd }, collections: { bits: seenC, size: cEnd }, namesOnly: { bits: names, size: nNames } };
}

