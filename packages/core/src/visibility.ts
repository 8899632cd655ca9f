// What a project member may see (PRODUCT.md "Visibility is not permission"): everything in shared
// collections and their sub-collections, tasks and collections assigned to them, and, closed
// under dependencies, everything those depend on; plus the parent chain of each visible item by
// name only, so the tree can be navigated. Pure and in-memory: the server keeps a per-project
// graph and asks this module.

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

/**
 * Adjacency of the live (not trashed) items of one project. Built once, then patched change by
 * change as the project's revision moves on, so visibility stays cheap on large projects.
 */
export class ProjectGraph {
  readonly collections = new Map<string, CollectionNode>();
  readonly assets = new Map<string, AssetNode>();
  private readonly deps = new Map<string, DependencyEdge & { id: string }>();
  private readonly childCollections = new Map<string | null, Set<string>>();
  private readonly collectionAssets = new Map<string | null, Set<string>>();
  /** Edges by source asset, as the edge objects themselves: the closure follows them without a lookup. */
  private readonly assetDeps = new Map<string, Set<DependencyEdge & { id: string }>>();
  private readonly assignedAssets = new Map<string, Set<string>>();
  private readonly assignedCollections = new Map<string, Set<string>>();
  private readonly sharedCollections = new Set<string>();

  constructor(collections: Iterable<CollectionNode> = [], assets: Iterable<AssetNode> = [], deps: Iterable<DependencyEdge & { id: string }> = []) {
    for (const c of collections) this.upsertCollection(c);
    for (const a of assets) this.upsertAsset(a);
    for (const d of deps) this.upsertDependency(d);
  }

  upsertCollection(c: CollectionNode): void {
    this.removeCollection(c.id);
    const node = { id: c.id, createdRev: c.createdRev, parentId: c.parentId, shared: c.shared, assigneeId: c.assigneeId };
    this.collections.set(c.id, node);
    add(this.childCollections, node.parentId, node.id);
    if (node.shared) this.sharedCollections.add(node.id);
    if (node.assigneeId) add(this.assignedCollections, node.assigneeId, node.id);
  }

  removeCollection(id: string): void {
    const old = this.collections.get(id);
    if (!old) return;
    this.collections.delete(id);
    remove(this.childCollections, old.parentId, id);
    this.sharedCollections.delete(id);
    if (old.assigneeId) remove(this.assignedCollections, old.assigneeId, id);
  }

  upsertAsset(a: AssetNode): void {
    this.removeAsset(a.id);
    const node = { id: a.id, createdRev: a.createdRev, collectionId: a.collectionId, assigneeId: a.assigneeId };
    this.assets.set(a.id, node);
    add(this.collectionAssets, node.collectionId, node.id);
    if (node.assigneeId) add(this.assignedAssets, node.assigneeId, node.id);
  }

  removeAsset(id: string): void {
    const old = this.assets.get(id);
    if (!old) return;
    this.assets.delete(id);
    remove(this.collectionAssets, old.collectionId, id);
    if (old.assigneeId) remove(this.assignedAssets, old.assigneeId, id);
  }

  /** Edges are kept even while an end is trashed: a restore brings the dependency back. */
  upsertDependency(d: DependencyEdge & { id: string }): void {
    this.removeDependency(d.id);
    const edge = { id: d.id, assetId: d.assetId, targetAssetId: d.targetAssetId, targetCollectionId: d.targetCollectionId };
    this.deps.set(d.id, edge);
    add(this.assetDeps, d.assetId, edge);
  }

  removeDependency(id: string): void {
    const old = this.deps.get(id);
    if (!old) return;
    this.deps.delete(id);
    remove(this.assetDeps, old.assetId, old);
  }

  childrenOf(collectionId: string | null): Iterable<string> {
    return this.childCollections.get(collectionId) ?? EMPTY;
  }

  assetsIn(collectionId: string | null): Iterable<string> {
    return this.collectionAssets.get(collectionId) ?? EMPTY;
  }

  /**
   * Every visible item for one member, by the rules above. `shared: false` leaves shared
   * collections out, for roles limited to what is explicitly assigned (Vendor).
   */
  visibleTo(userId: string, opts: { shared?: boolean } = {}): Visibility {
    const assets = new Set<string>();
    const collections = new Set<string>();
    const pendingAssets: string[] = [];

    // A fully visible collection shows its whole subtree: sub-collections and their assets.
    const openCollection = (root: string) => {
      if (collections.has(root) || !this.collections.has(root)) return;
      const stack = [root];
      collections.add(root);
      while (stack.length) {
        const id = stack.pop()!;
        for (const a of this.assetsIn(id)) if (!assets.has(a)) { assets.add(a); pendingAssets.push(a); }
        for (const c of this.childrenOf(id)) if (!collections.has(c)) { collections.add(c); stack.push(c); }
      }
    };
    const openAsset = (id: string) => {
      if (!assets.has(id) && this.assets.has(id)) { assets.add(id); pendingAssets.push(id); }
    };

    if (opts.shared !== false) for (const c of this.sharedCollections) openCollection(c);
    for (const c of this.assignedCollections.get(userId) ?? EMPTY) openCollection(c);
    for (const a of this.assignedAssets.get(userId) ?? EMPTY) openAsset(a);
    // Close under dependencies; visited sets make cycles harmless.
    while (pendingAssets.length) {
      const edges = this.assetDeps.get(pendingAssets.pop()!);
      if (!edges) continue;
      for (const d of edges) {
        if (d.targetAssetId) openAsset(d.targetAssetId);
        if (d.targetCollectionId) openCollection(d.targetCollectionId);
      }
    }

    // Parents of visible items are visible by name only.
    const namesOnly = new Set<string>();
    const climb = (parentId: string | null) => {
      // Only live collections: an orphan's missing parent is not an item to name.
      while (parentId && this.collections.has(parentId) && !collections.has(parentId) && !namesOnly.has(parentId)) {
        namesOnly.add(parentId);
        parentId = this.collections.get(parentId)?.parentId ?? null;
      }
    };
    for (const id of collections) climb(this.collections.get(id)!.parentId);
    for (const id of assets) climb(this.assets.get(id)!.collectionId);
    return { assets, collections, namesOnly };
  }
}

export interface Visibility {
  /** Assets whose metadata and content the member may see. */
  assets: Set<string>;
  /** Collections the member sees in full. */
  collections: Set<string>;
  /** Ancestors of visible items, shown by name only for navigation. */
  namesOnly: Set<string>;
}

const EMPTY: ReadonlySet<string> = new Set();

function add<K, V>(map: Map<K, Set<V>>, key: K, value: V) {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function remove<K, V>(map: Map<K, Set<V>>, key: K, value: V) {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
