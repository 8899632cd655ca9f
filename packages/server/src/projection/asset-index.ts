// The fields the board and the asset lists filter and sort on, for every live asset of a project,
// held in memory next to the visibility graph and moved forward by the same change-log replay.
// Boards count and page tens of thousands of visible tasks per request; doing that over this
// index costs a pass over the member's visible set instead of SQL statements over id lists.
import type { AssetNode } from '@backlot/core';
import type { AssetView } from '../db/views.js';

/** Also the asset's node in the visibility graph: one record per asset, shared by both. */
export interface IndexedAsset extends AssetNode {
  id: string;
  createdRev: number;
  kind: 'resource' | 'task';
  statusId: string | null;
  assigneeId: string | null;
  collectionId: string | null;
  name: string;
  type: string | null;
  extension: string;
  tags: readonly string[];
  createdAt: string;
  updatedAt: string;
  /** The same times as numbers (ms): sorting tens of thousands of rows compares numbers, not strings. */
  createdMs: number;
  updatedMs: number;
  /**
   * Lowercased name, type and tags joined by NUL (which no searched text contains), so one
   * `includes` answers "matches a name, a type or a tag".
   */
  searchText: string;
}

type Fields = Pick<AssetView, 'id' | 'createdRev' | 'kind' | 'statusId' | 'assigneeId' | 'collectionId' | 'name' | 'type' | 'extension' | 'tags' | 'createdAt' | 'updatedAt'>;

/**
 * One string instance per distinct value (status, assignee, collection ids repeat across rows):
 * grouping rows in a Map then finds keys by identity instead of comparing 36 characters.
 */
const interned = new Map<string, string>();
function intern<T extends string | null>(value: T): T {
  if (value === null) return value;
  const hit = interned.get(value);
  if (hit !== undefined) return hit as T;
  if (interned.size > 1_000_000) interned.clear(); // a bound, not a correctness matter
  interned.set(value, value);
  return value;
}

export function indexed(a: Fields): IndexedAsset {
  const searchText = [a.name, a.type ?? '', ...a.tags].join('\0').toLowerCase();
  return {
    id: a.id, createdRev: a.createdRev, kind: a.kind as IndexedAsset['kind'], statusId: intern(a.statusId), assigneeId: intern(a.assigneeId), collectionId: intern(a.collectionId),
    name: a.name, type: intern(a.type), extension: intern(a.extension), tags: a.tags, createdAt: a.createdAt, updatedAt: a.updatedAt,
    createdMs: Date.parse(a.createdAt), updatedMs: Date.parse(a.updatedAt), searchText,
  };
}

export class AssetIndex {
  private readonly rows = new Map<string, IndexedAsset>();
  /** The same rows split by kind: boards look at tasks only, 60% of a typical project. */
  private readonly byKind = { task: new Map<string, IndexedAsset>(), resource: new Map<string, IndexedAsset>() };
  /** Tasks per status (null: none): a view_all board without other filters reads its columns as they stand. */
  private readonly tasksByStatus = new Map<string | null, Map<string, IndexedAsset>>();

  constructor(rows: Iterable<IndexedAsset> = []) {
    for (const row of rows) this.put(row);
  }

  /** Adds or replaces a row made by `indexed` (the same object the graph holds). */
  put(row: IndexedAsset): void {
    this.remove(row.id);
    this.rows.set(row.id, row);
    this.byKind[row.kind].set(row.id, row);
    if (row.kind === 'task') {
      let bucket = this.tasksByStatus.get(row.statusId);
      if (!bucket) this.tasksByStatus.set(row.statusId, (bucket = new Map()));
      bucket.set(row.id, row);
    }
  }

  remove(id: string): void {
    const old = this.rows.get(id);
    if (!old) return;
    this.rows.delete(id);
    this.byKind[old.kind].delete(id);
    if (old.kind === 'task') {
      const bucket = this.tasksByStatus.get(old.statusId)!;
      bucket.delete(id);
      if (!bucket.size) this.tasksByStatus.delete(old.statusId);
    }
  }

  get(id: string): IndexedAsset | undefined {
    return this.rows.get(id);
  }

  /** Every row, or every row of one kind. */
  all(kind: IndexedAsset['kind'] | null = null): IterableIterator<IndexedAsset> {
    return (kind ? this.byKind[kind] : this.rows).values();
  }

  /** Status id → that status's tasks (live view: callers only read it). */
  tasksPerStatus(): ReadonlyMap<string | null, ReadonlyMap<string, IndexedAsset>> {
    return this.tasksByStatus;
  }
}
