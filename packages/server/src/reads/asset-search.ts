// Asset search behind the board and the asset list: the filters and the caller's MemberView from
// core are applied to the project's in-memory asset index (asset-index.ts, at the same revision
// as the visibility graph), so nothing here restates a visibility rule and no visible-id list is
// ever handed to SQL. Sorting is by one key with the id as tie-breaker, compared as JavaScript
// strings, so every database orders alike and a cursor walks each item exactly once while the
// data stands still. Pages pick their first rows without sorting every match.
import { createHash } from 'node:crypto';
import { BacklotError, notFound } from '@backlot/core';
import type { Reader } from '../projection/read-context.js';
import type { IndexedAsset } from '../projection/asset-index.js';

export const BOARD_VIEWS = ['default', 'my', 'assigned', 'unassigned'] as const;
export type BoardView = (typeof BOARD_VIEWS)[number];
export const SORT_KEYS = ['name', 'updated', 'created', 'status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortOrder = 'asc' | 'desc';
export const DEFAULT_ORDER: Record<SortKey, SortOrder> = { name: 'asc', updated: 'desc', created: 'desc', status: 'asc' };

export const MAX_LIMIT = 200;

export interface AssetFilter {
  view: BoardView;
  assignees: string[] | null;
  /** Status ids; null stands for "no status". */
  statuses: (string | null)[] | null;
  type: string | null;
  tag: string | null;
  extension: string | null;
  /** A collection and everything below it. */
  collection: string | null;
  /** Only the direct contents of one collection; null is the project's top level. */
  folder: string | null | undefined;
  text: string | null;
  kind: 'resource' | 'task' | null;
}

export interface Sort {
  key: SortKey;
  order: SortOrder;
}

/** The raw query parameters the routes accept (validated by their TypeBox schemas). */
export interface FilterQuery {
  view?: BoardView;
  assignee?: string;
  status?: string;
  type?: string;
  tag?: string;
  extension?: string;
  collection?: string;
  folder?: string;
  text?: string;
  kind?: 'resource' | 'task';
}

const list = (raw: string | undefined) => (raw === undefined ? null : [...new Set(raw.split(',').filter(Boolean))]);

export function parseFilter(q: FilterQuery, defaults: { kind?: 'task' } = {}): AssetFilter {
  const view = q.view ?? 'default';
  const text = q.text?.trim().toLowerCase() || null;
  return {
    view,
    assignees: list(q.assignee),
    statuses: list(q.status)?.map((s) => (s === 'none' ? null : s)) ?? null,
    type: q.type ?? null,
    tag: q.tag ?? null,
    extension: q.extension === undefined ? null : q.extension.replace(/^\./, '').toLowerCase(),
    collection: q.collection ?? null,
    folder: q.folder === undefined ? undefined : q.folder === 'root' ? null : q.folder,
    text,
    // My Tasks, Assigned and Unassigned are task views.
    kind: q.kind ?? (view !== 'default' ? 'task' : defaults.kind ?? null),
  };
}

// ---- cursors -----------------------------------------------------------------------------------

export interface Key {
  /** The sort key's value (for sort=status, the status id of the row's bucket). */
  k: string | null;
  i: string;
}

/** A short fingerprint of filter + sort: a cursor only continues the query it came from. */
function fingerprint(f: AssetFilter, s: Sort): string {
  const norm = { ...f, assignees: f.assignees && [...f.assignees].sort(), statuses: f.statuses && [...f.statuses].sort(), s: s.key, o: s.order };
  return createHash('sha256').update(JSON.stringify(norm)).digest('base64url').slice(0, 12);
}

export function encodeCursor(f: AssetFilter, s: Sort, key: Key): string {
  return Buffer.from(JSON.stringify({ f: fingerprint(f, s), k: key.k, i: key.i })).toString('base64url');
}

export function decodeCursor(raw: string | undefined, f: AssetFilter, s: Sort): Key | null {
  if (raw === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const c = parsed as { f?: unknown; k?: unknown; i?: unknown } | null;
  if (!c || typeof c !== 'object' || typeof c.f !== 'string' || typeof c.i !== 'string' || !(typeof c.k === 'string' || c.k === null))
    throw new BacklotError('validation_failed', 'invalid cursor', { field: 'cursor' });
  if (c.f !== fingerprint(f, s)) throw new BacklotError('validation_failed', 'the cursor belongs to another query (filters or sort changed)', { field: 'cursor' });
  return { k: c.k, i: c.i };
}

// ---- planning ----------------------------------------------------------------------------------

type StatusRow = { id: string; name: string; short_label: string; color: string; sort_order: number; category: string; key: string | null };

export interface Plan {
  r: Reader;
  f: AssetFilter;
  /** Statuses of the project, in board order. */
  statuses: StatusRow[];
  /**
   * Every asset that matches the filters and that the member may see, per status id (null: no
   * status; a board's columns), in no particular order.
   */
  groups: Map<string | null, Group>;
}

export interface Group {
  rows: Iterable<IndexedAsset>;
  count: number;
}

/** All of a plan's matches, whatever their status. */
function* allMatches(p: Plan): Iterable<IndexedAsset> {
  for (const g of p.groups.values()) yield* g.rows;
}

/** Whether the filters ask for nothing but tasks (of some statuses): the index has those grouped already. */
const tasksOnly = (f: AssetFilter) =>
  f.kind === 'task' && f.view === 'default' && !f.assignees && f.type === null && f.tag === null && f.extension === null &&
  f.collection === null && f.folder === undefined && f.text === null;

/** Collections from `root` down, from the graph (the same revision visibility was computed on). */
function subtreeOf(r: Reader, root: string): Set<string> {
  const out = new Set<string>([root]);
  const stack = [root];
  while (stack.length) for (const c of r.graph.childrenOf(stack.pop()!)) if (!out.has(c)) { out.add(c); stack.push(c); }
  return out;
}

function requireReachable(r: Reader, collectionId: string) {
  // Navigating into a collection seen by name only is fine: what shows inside is still filtered.
  if (!r.view.collectionAccess(collectionId)) throw notFound('collection');
}

/**
 * The visible assets worth looking at: the narrowest of a folder, a subtree (each asset asked of
 * the view), the member's visible set, or every asset for a view that sees them all.
 */
function forEachVisibleInPool(r: Reader, f: AssetFilter, visit: (a: IndexedAsset) => void): void {
  const place = f.folder !== undefined ? [f.folder] : f.collection ? subtreeOf(r, f.collection) : null;
  const byId = (id: string) => {
    const a = r.index.get(id);
    if (a && r.view.canSeeAsset(id)) visit(a);
  };
  if (place) for (const c of place) for (const id of r.graph.assetsIn(c)) byId(id);
  else if (r.view.allAssets) for (const a of r.index.all(f.kind)) visit(a);
  else r.graph.forEachAssetIn(r.view.visibility.assets, visit);
}

/** A predicate for every filter but the place, cheapest first (place and visibility: the pool's). */
function matcher(r: Reader, f: AssetFilter): (a: IndexedAsset) => boolean {
  const me = r.actor.userId;
  const assignees = f.assignees && new Set(f.assignees);
  const statuses = f.statuses && new Set(f.statuses);
  return (a) =>
    (f.kind === null || a.kind === f.kind) &&
    (f.view !== 'my' || a.assigneeId === me) &&
    (f.view !== 'assigned' || a.assigneeId !== null) &&
    (f.view !== 'unassigned' || a.assigneeId === null) &&
    (!assignees || (a.assigneeId !== null && assignees.has(a.assigneeId))) &&
    (!statuses || statuses.has(a.statusId)) &&
    (f.type === null || a.type === f.type) &&
    (f.extension === null || a.extension === f.extension) &&
    // Tags match exactly (case-sensitive); text matches names, types and tags case-insensitively.
    (f.tag === null || a.tags.includes(f.tag)) &&
    (f.text === null || a.searchText.includes(f.text));
}

export async function planQuery(r: Reader, f: AssetFilter): Promise<Plan> {
  const statuses = await r.ctx.db
    .selectFrom('statuses').select(['id', 'name', 'short_label', 'color', 'sort_order', 'category', 'key'])
    .where('project_id', '=', r.project.id).where('deleted_at', 'is', null).orderBy('sort_order').orderBy('id').execute();
  if (f.statuses) {
    const known = new Set(statuses.map((s) => s.id));
    const unknown = f.statuses.find((s) => s !== null && !known.has(s));
    if (unknown) throw new BacklotError('validation_failed', 'no such status in this project', { field: 'status', value: unknown });
  }
  if (f.collection) requireReachable(r, f.collection);
  if (f.folder) requireReachable(r, f.folder);
  const groups = new Map<string | null, Group>();
  if (r.view.allAssets && tasksOnly(f)) {
    // Seeing every asset, nothing to filter row by row: the index's columns as they stand (read
    // synchronously from here on, so no other request moves the index meanwhile).
    const wanted = f.statuses && new Set(f.statuses);
    for (const [status, tasks] of r.index.tasksPerStatus())
      if (!wanted || wanted.has(status)) groups.set(status, { rows: { [Symbol.iterator]: () => tasks.values() }, count: tasks.size });
    return { r, f, statuses, groups };
  }
  const keep = matcher(r, f);
  const byStatus = new Map<string | null, IndexedAsset[]>();
  forEachVisibleInPool(r, f, (a) => {
    if (!keep(a)) return;
    const g = byStatus.get(a.statusId);
    if (g) g.push(a);
    else byStatus.set(a.statusId, [a]);
  });
  for (const [status, rows] of byStatus) groups.set(status, { rows, count: rows.length });
  return { r, f, statuses, groups };
}

// ---- pages -------------------------------------------------------------------------------------

export interface Page {
  ids: string[];
  next: Key | null;
}

type SortValue = string | number;

/** The sort's key of a row: a string column, or for sort=status the status's place on the board. */
function keyFn(p: Plan, s: Sort): { of: (a: IndexedAsset) => SortValue; rank: Map<string | null, number> } {
  const rank = new Map<string | null, number>(p.statuses.map((st, i) => [st.id, i]));
  rank.set(null, p.statuses.length);
  const of = s.key === 'name' ? (a: IndexedAsset) => a.name
    : s.key === 'updated' ? (a: IndexedAsset) => a.updatedMs
    : s.key === 'created' ? (a: IndexedAsset) => a.createdMs
    : (a: IndexedAsset) => rank.get(a.statusId) ?? -1;
  return { of, rank };
}

/**
 * One page of `rows` (default: all the plan's matches) in sort order, after `after`. Keeps only the
 * best `limit + 1` rows while scanning (binary insertion): a page of 20 out of 60,000 matches
 * costs a pass, not a sort.
 */
export function pageOf(p: Plan, s: Sort, after: Key | null, limit: number, rows: Iterable<IndexedAsset> = allMatches(p)): Page {
  const { of, rank } = keyFn(p, s);
  const sign = s.order === 'asc' ? 1 : -1;
  const cmp = (ka: SortValue, ia: string, kb: SortValue, ib: string) => sign * (ka < kb ? -1 : ka > kb ? 1 : ia < ib ? -1 : ia > ib ? 1 : 0);
  let from: { key: SortValue; id: string } | null = null;
  if (after) {
    if (s.key === 'status') {
      if (!rank.has(after.k)) throw new BacklotError('validation_failed', 'the cursor\'s status no longer exists; start again', { field: 'cursor' });
      from = { key: rank.get(after.k)!, id: after.i };
    } else {
      // Time cursors carry the ISO time (what clients see); rows compare by its number.
      const key = typeof after.k !== 'string' ? NaN : s.key === 'name' ? after.k : Date.parse(after.k);
      if (typeof key === 'number' && Number.isNaN(key)) throw new BacklotError('validation_failed', 'invalid cursor', { field: 'cursor' });
      from = { key, id: after.i };
    }
  }
  // The best rows so far, in order, and their keys alongside (no object per scanned row).
  const best: IndexedAsset[] = [];
  const keys: SortValue[] = [];
  for (const row of rows) {
    const key = of(row);
    if (from && cmp(key, row.id, from.key, from.id) <= 0) continue;
    if (best.length > limit && cmp(key, row.id, keys[limit], best[limit].id) >= 0) continue;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(keys[mid], best[mid].id, key, row.id) < 0) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, row);
    keys.splice(lo, 0, key);
    if (best.length > limit + 1) { best.pop(); keys.pop(); }
  }
  const n = Math.min(limit, best.length);
  const last = best[n - 1];
  return {
    ids: best.slice(0, n).map((x) => x.id),
    // Status-sorted pages remember the bucket (the row's status id) instead of a column value.
    next: best.length > limit ? { k: s.key === 'status' ? last.statusId : s.key === 'name' ? last.name : s.key === 'updated' ? last.updatedAt : last.createdAt, i: last.id } : null,
  };
}
