// A project's items and their links, stored for the visibility walk (visibility.ts): every asset
// and collection id the graph has met (live, or only named by an edge or a parent link) gets a
// dense integer slot, so the closure walks typed arrays and number lists and answers with bitsets
// over slots instead of building large Set<string>s (issue 3: the walk on a 100k-asset project was
// dominated by hashing and GC). Slots are append-only between compactions, so a result keeps
// answering for the revision it was computed at while the graph moves on.
import { visibleSlots, type GraphLayout, type IdSet, type Visibility, type VisibleToOptions } from '../visibility.js';
import { IdTable, SlotSet } from './slots.js';

export interface CollectionNode {
  id: string;
  /** Project revision that created it; lets a pull tell old items from new ones. */
  createdRev?: number;
  parentId: string | null;
  shared: boolean;
  assigneeId: string | null;
}

export interface AssetNode {
  id: string;
  createdRev?: number;
  collectionId: string | null;
  assigneeId: string | null;
}

export interface DependencyEdge {
  assetId: string;
  targetAssetId: string | null;
  targetCollectionId: string | null;
}

type Edge = DependencyEdge & { id: string };

/** A stored edge and where its targets sit in its source's adjacency list (-1: no such target). */
interface EdgeRec extends Edge {
  src: number;
  posA: number;
  posC: number;
}

/** Collection slot 0 stands for "no parent" / "no collection": never live, never in a table map. */
const ROOT = 0;

/**
 * Adjacency of the live (not trashed) items of one project. Built once, then patched change by
 * change as the project's revision moves on, so visibility stays cheap on large projects.
 */
/**
 * `A` lets the owner keep its own asset records in the graph (the server keeps the fields its
 * boards search): nodes are stored as given, and `forEachAssetIn` hands them back by slot.
 */
export class ProjectGraph<A extends AssetNode = AssetNode> {
  readonly collections = new Map<string, CollectionNode>();
  readonly assets = new Map<string, A>();
  private readonly deps = new Map<string, EdgeRec>();

  // Slot-indexed state (see the header). Adjacency lists hold slots; each item remembers its
  // position in its parent's list, so moves and removals are O(1) swap-removes.
  private cIds!: IdTable;
  private cLive!: Uint8Array;
  private cParent!: Int32Array;
  private cPos!: Int32Array;
  private cKids!: (number[] | undefined)[];
  private cAssets!: (number[] | undefined)[];
  private aIds!: IdTable;
  private aLive!: Uint8Array;
  private aColl!: Int32Array;
  private aPos!: Int32Array;
  /** Each live asset's node by slot (undefined once removed). */
  private aNode!: (A | undefined)[];
  /** Targets by source asset: an asset slot, or `~slot` (negative) for a collection. */
  private aOut!: (number[] | undefined)[];
  /** The edge behind each entry of `aOut`, in step with it. */
  private aOutRec!: (EdgeRec[] | undefined)[];
  private shared!: Set<number>;
  private assignedC!: Map<string, Set<number>>;
  private assignedA!: Map<string, Set<number>>;
  /** Walk scratch (visit order), reused across calls: visibleTo is synchronous. */
  private readonly scratch = { aQueue: new Int32Array(0), cQueue: new Int32Array(0) };
  /** Total slot count past which removed ids are worth dropping (see `maybeCompact`). */
  private compactAt = Infinity;
  /**
   * Bumped by every change that can change what someone sees; renames, status changes and the
   * like leave it be, so `visibleTo` answers stay valid across them (the common writes on a
   * board) and are kept here until the next bump.
   */
  private structure = 0;
  private answers = new Map<string, Visibility>();
  private answersAt = 0;

  constructor(collections: Iterable<CollectionNode> = [], assets: Iterable<A> = [], deps: Iterable<Edge> = []) {
    this.resetLayout();
    for (const c of collections) this.upsertCollection(c);
    for (const a of assets) this.upsertAsset(a);
    for (const d of deps) this.upsertDependency(d);
    this.compactAt = 2 * this.slotCount + COMPACT_SLACK;
  }

  /** Slots in use (assets and collections, live or only referenced, plus dropped ones not yet compacted). */
  get slotCount(): number {
    return this.aIds.ids.length + this.cIds.ids.length;
  }

  upsertCollection(c: CollectionNode): void {
    const node = { id: c.id, createdRev: c.createdRev, parentId: c.parentId, shared: c.shared, assigneeId: c.assigneeId };
    const old = this.collections.get(c.id);
    if (old && old.parentId === c.parentId && old.shared === c.shared && old.assigneeId === c.assigneeId) {
      this.collections.set(c.id, node); // nothing anyone sees changes
      return;
    }
    this.maybeCompact();
    this.removeCollection(c.id);
    this.structure++;
    this.collections.set(c.id, node);
    this.placeCollection(node);
  }

  removeCollection(id: string): void {
    const old = this.collections.get(id);
    if (!old) return;
    this.collections.delete(id);
    this.structure++;
    const s = this.cIds.slots.get(id)!;
    this.cLive[s] = 0;
    swapRemove(this.cKids[this.cParent[s]]!, this.cPos, s, this.cPos[s]);
    this.cPos[s] = -1;
    this.shared.delete(s);
    if (old.assigneeId) unlink(this.assignedC, old.assigneeId, s);
  }

  /** Keeps `a` itself as the asset's node: the caller must not change it afterwards. */
  upsertAsset(a: A): void {
    const old = this.assets.get(a.id);
    if (old && old.collectionId === a.collectionId && old.assigneeId === a.assigneeId) {
      // Same place, same assignee: only the node changes, and nothing anyone sees.
      this.assets.set(a.id, a);
      this.aNode[this.aIds.slots.get(a.id)!] = a;
      return;
    }
    this.maybeCompact();
    this.removeAsset(a.id);
    this.structure++;
    this.assets.set(a.id, a);
    this.placeAsset(a);
  }

  removeAsset(id: string): void {
    const old = this.assets.get(id);
    if (!old) return;
    this.assets.delete(id);
    this.structure++;
    const s = this.aIds.slots.get(id)!;
    this.aLive[s] = 0;
    this.aNode[s] = undefined;
    swapRemove(this.cAssets[this.aColl[s]]!, this.aPos, s, this.aPos[s]);
    this.aPos[s] = -1;
    if (old.assigneeId) unlink(this.assignedA, old.assigneeId, s);
  }

  /** Edges are kept even while an end is trashed: a restore brings the dependency back. */
  upsertDependency(d: Edge): void {
    this.maybeCompact();
    this.removeDependency(d.id);
    this.structure++;
    this.placeDependency({ id: d.id, assetId: d.assetId, targetAssetId: d.targetAssetId, targetCollectionId: d.targetCollectionId, src: -1, posA: -1, posC: -1 });
  }

  removeDependency(id: string): void {
    const rec = this.deps.get(id);
    if (!rec) return;
    this.deps.delete(id);
    this.structure++;
    if (rec.posA >= 0) this.unlinkTarget(rec, rec.posA);
    // The step above may have moved this edge's collection entry into the freed position.
    if (rec.posC >= 0) this.unlinkTarget(rec, rec.posC);
  }

  childrenOf(collectionId: string | null): Iterable<string> {
    const s = collectionId === null ? ROOT : this.cIds.slots.get(collectionId);
    const kids = s === undefined ? undefined : this.cKids[s];
    return kids?.length ? kids.map((k) => this.cIds.ids[k]) : EMPTY;
  }

  assetsIn(collectionId: string | null): Iterable<string> {
    const s = collectionId === null ? ROOT : this.cIds.slots.get(collectionId);
    const list = s === undefined ? undefined : this.cAssets[s];
    return list?.length ? list.map((a) => this.aIds.ids[a]) : EMPTY;
  }

  /**
   * Every visible item for one member, by the rules above. `shared: false` leaves shared
   * collections out, for roles limited to what is explicitly assigned (Vendor).
   */
  visibleTo(userId: string, opts: VisibleToOptions = {}): Visibility {
    if (this.answersAt !== this.structure) {
      this.answers.clear();
      this.answersAt = this.structure;
    }
    const key = `${opts.shared === false ? 0 : 1}${opts.parentsOfAllAssets ? 1 : 0}${userId}`;
    let answer = this.answers.get(key);
    if (!answer) {
      const found = visibleSlots(this.layout(), userId, opts);
      answer = {
        assets: new SlotSet(this.aIds, found.assets.bits, found.assets.size),
        collections: new SlotSet(this.cIds, found.collections.bits, found.collections.size),
        namesOnly: new SlotSet(this.cIds, found.namesOnly.bits, found.namesOnly.size),
      };
      if (this.answers.size >= MAX_ANSWERS) this.answers.clear();
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** What the visibility walk reads (its arrays, not copies). */
  private layout(): GraphLayout {
    return {
      assetSlots: this.aIds.ids.length, collectionSlots: this.cIds.ids.length,
      aLive: this.aLive, cLive: this.cLive, cParent: this.cParent, aColl: this.aColl,
      cKids: this.cKids, cAssets: this.cAssets, aOut: this.aOut,
      shared: this.shared, assignedC: this.assignedC, assignedA: this.assignedA, scratch: this.scratch,
    };
  }

  /**
   * Calls `fn` with the node of every asset in `set` (assets of a `visibleTo` result) that is
   * live now. Straight from slot to node while the numbering is the one the result was made
   * with; by id after a compaction.
   */
  forEachAssetIn(set: IdSet, fn: (node: A) => void): void {
    if (set instanceof SlotSet && set.table === this.aIds) {
      const { bits } = set;
      const nodes = this.aNode;
      for (let w = 0; w < bits.length; w++) {
        let word = bits[w];
        while (word !== 0) {
          const low = word & -word;
          word ^= low;
          const node = nodes[(w << 5) | (31 - Math.clz32(low))];
          if (node) fn(node);
        }
      }
      return;
    }
    for (const id of set) {
      const node = this.assets.get(id);
      if (node) fn(node);
    }
  }

  /**
   * Renumbers the slots, dropping ids of removed items nothing refers to any more. Runs by itself
   * once enough of them pile up (amortised: the slot count has to double first); results
   * computed before keep answering from the old numbering.
   */
  compact(): void {
    this.structure++;
    const collections = [...this.collections.values()];
    const assets = [...this.assets.values()];
    const deps = [...this.deps.values()];
    this.resetLayout();
    for (const c of collections) this.placeCollection(c);
    for (const a of assets) this.placeAsset(a);
    for (const d of deps) this.placeDependency({ ...d, src: -1, posA: -1, posC: -1 });
    this.compactAt = 2 * this.slotCount + COMPACT_SLACK;
  }

  private maybeCompact(): void {
    if (this.slotCount <= this.compactAt) return;
    // Mostly live (a growing project): just raise the bar.
    const live = this.assets.size + this.collections.size + 1;
    if (this.slotCount - live > this.slotCount / 2) this.compact();
    else this.compactAt = 2 * this.slotCount + COMPACT_SLACK;
  }

  private resetLayout(): void {
    this.cIds = new IdTable();
    this.cIds.ids.push(''); // ROOT: in no map, so no id resolves to it
    this.aIds = new IdTable();
    this.cLive = new Uint8Array(64);
    this.cParent = new Int32Array(64);
    this.cPos = new Int32Array(64);
    this.cKids = [undefined];
    this.cAssets = [undefined];
    this.aLive = new Uint8Array(64);
    this.aColl = new Int32Array(64);
    this.aPos = new Int32Array(64);
    this.aNode = [];
    this.aOut = [];
    this.aOutRec = [];
    this.shared = new Set();
    this.assignedC = new Map();
    this.assignedA = new Map();
  }

  private cSlot(id: string): number {
    const s = this.cIds.slotOf(id);
    // Lists grow in step with the table: writing far past an array's end would turn it into a
    // slow dictionary-backed one.
    if (s === this.cKids.length) {
      this.cKids.push(undefined);
      this.cAssets.push(undefined);
    }
    if (s >= this.cLive.length) {
      const n = Math.max(s + 1, this.cLive.length * 2);
      this.cLive = grown(this.cLive, new Uint8Array(n));
      this.cParent = grown(this.cParent, new Int32Array(n));
      this.cPos = grown(this.cPos, new Int32Array(n));
    }
    return s;
  }

  private aSlot(id: string): number {
    const s = this.aIds.slotOf(id);
    if (s === this.aOut.length) {
      this.aOut.push(undefined);
      this.aOutRec.push(undefined);
      this.aNode.push(undefined);
    }
    if (s >= this.aLive.length) {
      const n = Math.max(s + 1, this.aLive.length * 2);
      this.aLive = grown(this.aLive, new Uint8Array(n));
      this.aColl = grown(this.aColl, new Int32Array(n));
      this.aPos = grown(this.aPos, new Int32Array(n));
    }
    return s;
  }

  private placeCollection(node: CollectionNode): void {
    const s = this.cSlot(node.id);
    const p = node.parentId === null ? ROOT : this.cSlot(node.parentId);
    this.cLive[s] = 1;
    this.cParent[s] = p;
    this.cPos[s] = append(this.cKids, p, s);
    if (node.shared) this.shared.add(s);
    if (node.assigneeId) link(this.assignedC, node.assigneeId, s);
  }

  private placeAsset(node: A): void {
    const s = this.aSlot(node.id);
    this.aNode[s] = node;
    const c = node.collectionId === null ? ROOT : this.cSlot(node.collectionId);
    this.aLive[s] = 1;
    this.aColl[s] = c;
    this.aPos[s] = append(this.cAssets, c, s);
    if (node.assigneeId) link(this.assignedA, node.assigneeId, s);
  }

  private placeDependency(rec: EdgeRec): void {
    this.deps.set(rec.id, rec);
    rec.src = this.aSlot(rec.assetId);
    // Falsy ends are no ends: an empty id names nothing.
    if (rec.targetAssetId) this.linkTarget(rec, this.aSlot(rec.targetAssetId));
    if (rec.targetCollectionId) this.linkTarget(rec, ~this.cSlot(rec.targetCollectionId));
  }

  private linkTarget(rec: EdgeRec, code: number): void {
    const out = (this.aOut[rec.src] ??= []);
    const recs = (this.aOutRec[rec.src] ??= []);
    if (code >= 0) rec.posA = out.length;
    else rec.posC = out.length;
    out.push(code);
    recs.push(rec);
  }

  private unlinkTarget(rec: EdgeRec, pos: number): void {
    const out = this.aOut[rec.src]!;
    const recs = this.aOutRec[rec.src]!;
    if (out[pos] >= 0) rec.posA = -1;
    else rec.posC = -1;
    const lastCode = out.pop()!;
    const lastRec = recs.pop()!;
    if (pos < out.length) {
      out[pos] = lastCode;
      recs[pos] = lastRec;
      if (lastCode >= 0) lastRec.posA = pos;
      else lastRec.posC = pos;
    }
  }
}

/** Visibility answers kept per structure version (one per member and option set). */
const MAX_ANSWERS = 512;

/** Past twice the slot count of the last build, and this many more, `maybeCompact` looks. */
const COMPACT_SLACK = 4096;

const EMPTY: readonly string[] = [];

function grown<T extends Uint8Array | Int32Array>(old: T, next: T): T {
  next.set(old);
  return next;
}

/** Appends `value` to the list at `key`, returning its position there. */
function append(lists: (number[] | undefined)[], key: number, value: number): number {
  const list = (lists[key] ??= []);
  list.push(value);
  return list.length - 1;
}

/** Removes `value` (at `pos`) from `list` by moving the last entry into its place. */
function swapRemove(list: number[], positions: Int32Array, value: number, pos: number): void {
  const last = list.pop()!;
  if (last !== value) {
    list[pos] = last;
    positions[last] = pos;
  }
}

function link(map: Map<string, Set<number>>, key: string, value: number) {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function unlink(map: Map<string, Set<number>>, key: string, value: number) {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
