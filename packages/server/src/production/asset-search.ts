// Asset search behind the board and the asset list: filters narrow the candidates in SQL (on
// indexed columns), then the caller's MemberView from core decides what is visible; nothing here
// restates a visibility rule. Order is the database's (keyset pagination on an indexed key, tie
// broken by id), so a cursor walks every item exactly once while the data stands still.
//
// How visibility meets SQL, cheapest first:
//   - asset.view_all: no visibility filter at all;
//   - few visible candidates: their ids go into the query (`id IN (...)`), so SQL counts and
//     pages exactly what the member sees;
//   - many: pages scan the filtered candidates in order and drop invisible rows in memory;
//     counts subtract the (then few) invisible candidates, or count visible rows in memory.
import { createHash } from 'node:crypto';
import { BacklotError, notFound } from '@backlot/core';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { MemberView } from '@backlot/core';
import type { Reader } from './read-context.js';

export const BOARD_VIEWS = ['default', 'my', 'assigned', 'unassigned'] as const;
export type BoardView = (typeof BOARD_VIEWS)[number];
export const SORT_KEYS = ['name', 'updated', 'created', 'status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortOrder = 'asc' | 'desc';
export const DEFAULT_ORDER: Record<SortKey, SortOrder> = { name: 'asc', updated: 'desc', created: 'desc', status: 'asc' };

/**
 * Most ids handed to SQL in one IN list (well inside SQLite's and PostgreSQL's parameter limits).
 * Mutable so tests can drive every strategy on small projects.
 */
export const searchTuning = { inLimit: 5000 };
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

interface Key {
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

interface LightRow {
  id: string;
  k: string | null;
  status_id: string | null;
  name?: string;
  type?: string | null;
  tags?: string;
}

export interface Plan {
  r: Reader;
  f: AssetFilter;
  /** SQL conditions from the filters (no visibility, no project: see `conditions`). */
  where: RawBuilder<SqlBool>[];
  /** Visible candidates, when few enough to hand to SQL; [] means nothing can match. */
  visibleIds: string[] | null;
  /** Whether rows must still pass the MemberView in memory (a large visible set). */
  scanVisibility: boolean;
  /** Statuses of the project, in board order. */
  statuses: { id: string; name: string; short_label: string; color: string; sort_order: number; category: string; key: string | null }[];
  /**
   * With few visible candidates (ids in the query), their light rows are read once per request
   * and shared by the board's columns: counts and time- or status-ordered pages are then made in
   * memory (ISO times and ids compare alike everywhere). Name order stays the database's.
   */
  light: { base: Plan | null; rows: Map<string, Promise<LightRow[]>> };
}

const ref = (col: string) => sql.ref(`a.${col}`);
const likeEscape = (s: string) => s.replace(/[!%_]/g, (c) => `!${c}`);

/** The longest piece of the (lowercased) needle that reads the same to every database's lower(). */
function sqlNeedle(text: string): string | null {
  const pieces = text.split(/[^\x20-\x7e]|["\\]/);
  const best = pieces.reduce((a, b) => (b.length > a.length ? b : a), '');
  return best.length ? best : null;
}

function matchesText(row: { name?: string; type?: string | null; tags?: string }, text: string): boolean {
  if (row.name!.toLowerCase().includes(text)) return true;
  if (row.type && row.type.toLowerCase().includes(text)) return true;
  return (JSON.parse(row.tags!) as string[]).some((t) => t.toLowerCase().includes(text));
}

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

export async function planQuery(r: Reader, f: AssetFilter): Promise<Plan> {
  const pid = r.project.id;
  const me = r.actor.userId;
  const statuses = await r.ctx.db
    .selectFrom('statuses').select(['id', 'name', 'short_label', 'color', 'sort_order', 'category', 'key'])
    .where('project_id', '=', pid).where('deleted_at', 'is', null).orderBy('sort_order').orderBy('id').execute();
  if (f.statuses) {
    const known = new Set(statuses.map((s) => s.id));
    const unknown = f.statuses.find((s) => s !== null && !known.has(s));
    if (unknown) throw new BacklotError('validation_failed', 'no such status in this project', { field: 'status', value: unknown });
  }
  if (f.collection) requireReachable(r, f.collection);
  if (f.folder) requireReachable(r, f.folder);

  const where: RawBuilder<SqlBool>[] = [sql`${ref('deleted_at')} is null`];
  if (f.kind) where.push(sql`${ref('kind')} = ${f.kind}`);
  if (f.view === 'my') where.push(sql`${ref('assignee_id')} = ${me}`);
  if (f.view === 'assigned') where.push(sql`${ref('assignee_id')} is not null`);
  if (f.view === 'unassigned') where.push(sql`${ref('assignee_id')} is null`);
  if (f.assignees) where.push(f.assignees.length ? sql`${ref('assignee_id')} in (${sql.join(f.assignees)})` : sql`1 = 0`);
  if (f.statuses) {
    const ids = f.statuses.filter((s): s is string => s !== null);
    const parts: RawBuilder<SqlBool>[] = [];
    if (ids.length) parts.push(sql`${ref('status_id')} in (${sql.join(ids)})`);
    if (f.statuses.includes(null)) parts.push(sql`${ref('status_id')} is null`);
    where.push(parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`1 = 0`);
  }
  if (f.type !== null) where.push(sql`${ref('type')} = ${f.type}`);
  if (f.extension !== null) where.push(sql`${ref('extension')} = ${f.extension}`);
  // Tags are a JSON array of strings: an exact, case-sensitive substring test for the quoted tag.
  if (f.tag !== null) where.push(sql`replace(${ref('tags')}, ${JSON.stringify(f.tag)}, '') <> ${ref('tags')}`);
  if (f.folder !== undefined) where.push(f.folder === null ? sql`${ref('collection_id')} is null` : sql`${ref('collection_id')} = ${f.folder}`);
  const subtree = f.collection ? subtreeOf(r, f.collection) : null;
  if (subtree && subtree.size <= searchTuning.inLimit) where.push(sql`${ref('collection_id')} in (${sql.join([...subtree])})`);
  else if (f.collection)
    where.push(sql`${ref('collection_id')} in (with recursive sub(id) as (
      select c0.id from collections c0 where c0.id = ${f.collection} and c0.project_id = ${pid}
      union all
      select c.id from collections c inner join sub on c.parent_id = sub.id where c.project_id = ${pid} and c.deleted_at is null
    ) select sub.id from sub)`);
  if (f.text) {
    // A superset in SQL (lower() differs between databases beyond ASCII); the exact,
    // case-insensitive match happens in memory.
    const needle = sqlNeedle(f.text);
    if (needle) {
      const p = `%${likeEscape(needle)}%`;
      where.push(sql`(lower(${ref('name')}) like ${p} escape '!' or lower(coalesce(${ref('type')}, '')) like ${p} escape '!' or lower(${ref('tags')}) like ${p} escape '!')`);
    }
  }

  let visibleIds: string[] | null = null;
  let scanVisibility = false;
  if (!r.view.allAssets) {
    const candidates = graphCandidates(r, f, r.view.visibility.assets, (id) => r.view.canSeeAsset(id));
    if (candidates.length <= searchTuning.inLimit) {
      visibleIds = candidates;
    } else scanVisibility = true;
  }
  const plan: Plan = { r, f, where, visibleIds, scanVisibility, statuses, light: { base: null, rows: new Map() } };
  plan.light.base = plan;
  return plan;
}

/**
 * Ids from `pool` that may match the filters, judged on what the graph knows (place and
 * assignee). Only narrows: SQL still applies every filter. Stops after `max + 1` ids: callers
 * only use the list when it holds at most `max`.
 */
function graphCandidates(r: Reader, f: AssetFilter, pool: Iterable<string>, keep: (id: string) => boolean, max = searchTuning.inLimit): string[] {
  const subtree = f.collection ? subtreeOf(r, f.collection) : null;
  const assignees = f.assignees ? new Set(f.assignees) : null;
  const me = r.actor.userId;
  const out: string[] = [];
  for (const id of pool) {
    const node = r.graph.assets.get(id);
    if (!node || !keep(id)) continue;
    if (subtree && (node.collectionId === null || !subtree.has(node.collectionId))) continue;
    if (f.folder !== undefined && node.collectionId !== f.folder) continue;
    if (assignees && (node.assigneeId === null || !assignees.has(node.assigneeId))) continue;
    if (f.view === 'my' && node.assigneeId !== me) continue;
    if (f.view === 'assigned' && node.assigneeId === null) continue;
    if (f.view === 'unassigned' && node.assigneeId !== null) continue;
    out.push(id);
    if (out.length > max) break;
  }
  return out;
}

/**
 * The plan's conditions with the project's. When the query names its rows by id, the project
 * test is kept away from the indexes ("project_id || '' = ?", alike in SQLite and PostgreSQL): a planner
 * without statistics would otherwise walk a project-wide index and test every row's id.
 */
function conditions(p: Plan, extra: RawBuilder<SqlBool>[] = [], byIds = p.visibleIds !== null): RawBuilder<SqlBool> {
  const project = byIds ? sql`${ref('project_id')} || '' = ${p.r.project.id}` : sql`${ref('project_id')} = ${p.r.project.id}`;
  return sql<SqlBool>`${sql.join([project, ...p.where, ...extra], sql` and `)}`;
}

const empty = (p: Plan) => p.visibleIds !== null && p.visibleIds.length === 0;
const needsRowCheck = (p: Plan) => p.scanVisibility || !!p.f.text;

function passes(p: Plan, row: LightRow): boolean {
  if (p.scanVisibility && !p.r.view.canSeeAsset(row.id)) return false;
  if (p.f.text && !matchesText(row, p.f.text)) return false;
  // Belt and braces: an asset created after the graph's revision is not shown yet.
  return p.r.view.canSeeAsset(row.id);
}

// ---- pages -------------------------------------------------------------------------------------

interface Segment {
  /** Extra condition (a status bucket). */
  cond: RawBuilder<SqlBool> | null;
  /** The sort column, or null when a segment is ordered by id alone. */
  col: string | null;
  /** Cursor key value that identifies this segment (status buckets). */
  bucket?: string | null;
}

function segments(p: Plan, s: Sort): Segment[] {
  if (s.key !== 'status') return [{ cond: null, col: s.key === 'name' ? 'name' : s.key === 'updated' ? 'updated_at' : 'created_at' }];
  // One bucket per status in board order, then assets without a status.
  const wanted = p.f.statuses ? new Set(p.f.statuses) : null;
  const buckets: (string | null)[] = [...p.statuses.map((st) => st.id), null].filter((b) => !wanted || wanted.has(b));
  if (s.order === 'desc') buckets.reverse();
  return buckets.map((b) => ({ cond: b === null ? sql`${ref('status_id')} is null` : sql`${ref('status_id')} = ${b}`, col: null, bucket: b }));
}

async function fetchLight(p: Plan, seg: Segment, order: SortOrder, after: Key | null, limit: number | null): Promise<LightRow[]> {
  const withText = !!p.f.text;
  const cmp = order === 'asc' ? sql`>` : sql`<`;
  const cmpEq = order === 'asc' ? sql`>=` : sql`<=`;
  const conds: RawBuilder<SqlBool>[] = [];
  if (seg.cond) conds.push(seg.cond);
  if (after && seg.col) conds.push(sql`${ref(seg.col)} ${cmpEq} ${after.k} and (${ref(seg.col)} ${cmp} ${after.k} or ${ref('id')} ${cmp} ${after.i})`);
  else if (after) conds.push(sql`${ref('id')} ${cmp} ${after.i}`);
  let q = p.r.ctx.db
    .selectFrom('assets as a')
    .select(['a.id', 'a.status_id'])
    .select(seg.col ? sql<string>`${ref(seg.col)}`.as('k') : sql<null>`null`.as('k'))
    .$if(withText, (qb) => qb.select(['a.name', 'a.type', 'a.tags']))
    .where(conditions(p, conds))
    // Kysely's own IN list: far cheaper to build than a raw fragment of thousands of values.
    .$if(!!p.visibleIds?.length, (qb) => qb.where('a.id', 'in', p.visibleIds!));
  if (seg.col) q = q.orderBy(ref(seg.col), order);
  q = q.orderBy('a.id', order);
  if (limit !== null) q = q.limit(limit);
  return (await q.execute()) as LightRow[];
}

export interface Page {
  ids: string[];
  next: Key | null;
}

/** One page of matching, visible asset ids in sort order, after `after`. */
export async function pageOf(p: Plan, s: Sort, after: Key | null, limit: number): Promise<Page> {
  if (empty(p)) return { ids: [], next: null };
  if (p.visibleIds !== null && s.key !== 'name') return pageInMemory(p, s, after, limit);
  const segs = segments(p, s);
  let start = 0;
  if (after && s.key !== 'status' && typeof after.k !== 'string') throw new BacklotError('validation_failed', 'invalid cursor', { field: 'cursor' });
  if (after && s.key === 'status') {
    start = segs.findIndex((seg) => seg.bucket === after.k);
    if (start < 0) throw new BacklotError('validation_failed', 'the cursor\'s status no longer exists; start again', { field: 'cursor' });
  }
  const check = needsRowCheck(p);
  const out: LightRow[] = [];
  for (let si = start; si < segs.length; si++) {
    const seg = segs[si];
    let cursor = si === start ? after : null;
    let batch = check ? Math.max(2 * limit, 64) : limit + 1;
    for (;;) {
      const rows = await fetchLight(p, seg, s.order, cursor, batch);
      for (const row of rows) {
        if (!passes(p, row)) continue;
        out.push(row);
        if (out.length > limit) {
          const last = out[limit - 1];
          // Status-sorted pages remember the bucket (the row's status) instead of a column value.
          return { ids: out.slice(0, limit).map((x) => x.id), next: { k: seg.col ? last.k : last.status_id, i: last.id } };
        }
      }
      if (rows.length < batch) break;
      const tail = rows[rows.length - 1];
      cursor = { k: tail.k, i: tail.id };
      batch = Math.min(batch * 2, 4000);
    }
  }
  return { ids: out.map((x) => x.id), next: null };
}

/** The plan's candidate rows that pass, with `col` as key (few: the ids are in the query). */
async function lightRows(p: Plan, col: string): Promise<LightRow[]> {
  const base = p.light.base!;
  let rows = p.light.rows.get(col);
  if (!rows) {
    rows = fetchLight(base, { cond: null, col }, 'asc', null, null).then((all) => all.filter((row) => passes(base, row)));
    p.light.rows.set(col, rows);
  }
  const wanted = p.f.statuses ? new Set(p.f.statuses) : null;
  return wanted ? (await rows).filter((row) => wanted.has(row.status_id)) : rows;
}

async function pageInMemory(p: Plan, s: Sort, after: Key | null, limit: number): Promise<Page> {
  const rank = new Map<string | null, number>(p.statuses.map((st, i) => [st.id, i]));
  rank.set(null, p.statuses.length);
  const sign = s.order === 'asc' ? 1 : -1;
  const keyOf = (row: { k: string | null; status_id?: string | null }) => (s.key === 'status' ? rank.get(row.status_id ?? null) ?? -1 : row.k);
  const cmp = (a: { key: string | number | null | undefined; id: string }, b: { key: string | number | null | undefined; id: string }) =>
    sign * (a.key! < b.key! ? -1 : a.key! > b.key! ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const rows = (await lightRows(p, s.key === 'created' ? 'created_at' : 'updated_at')).map((row) => ({ key: keyOf(row), id: row.id, row }));
  let from: { key: string | number | null | undefined; id: string } | null = null;
  if (after) {
    if (s.key === 'status' && !rank.has(after.k)) throw new BacklotError('validation_failed', 'the cursor\'s status no longer exists; start again', { field: 'cursor' });
    from = { key: s.key === 'status' ? rank.get(after.k) : after.k, id: after.i };
  }
  const sorted = rows.filter((x) => !from || cmp(x, from) > 0).sort(cmp);
  const page = sorted.slice(0, limit);
  const last = page[page.length - 1];
  return {
    ids: page.map((x) => x.id),
    next: sorted.length > limit ? { k: s.key === 'status' ? last.row.status_id : last.row.k, i: last.id } : null,
  };
}

// ---- counts ------------------------------------------------------------------------------------

/** How many matching, visible assets there are per status id (null: no status). */
export async function countByStatus(p: Plan): Promise<Map<string | null, number>> {
  const counts = new Map<string | null, number>();
  if (empty(p)) return counts;
  const db = p.r.ctx.db;
  const grouped = async (ids: string[] | null) =>
    db.selectFrom('assets as a').select(['a.status_id', sql<number>`count(*)`.as('n')])
      .where(conditions(p, [], ids !== null)).$if(ids !== null, (qb) => qb.where('a.id', 'in', ids!)).groupBy('a.status_id').execute();
  const add = (rows: { status_id: string | null; n: number | string }[], sign: number) => {
    for (const row of rows) counts.set(row.status_id, (counts.get(row.status_id) ?? 0) + sign * Number(row.n));
  };

  if (p.visibleIds !== null) {
    for (const row of await lightRows(p, 'updated_at')) counts.set(row.status_id, (counts.get(row.status_id) ?? 0) + 1);
  } else if (!needsRowCheck(p)) {
    add(await grouped(null), 1);
  } else if (!p.f.text) {
    // Many visible candidates: subtract the invisible ones when they are few.
    const hidden = graphCandidates(p.r, p.f, p.r.graph.assets.keys(), (id) => !p.r.view.canSeeAsset(id));
    if (hidden.length <= searchTuning.inLimit) {
      add(await grouped(null), 1);
      if (hidden.length) add(await grouped(hidden), -1);
    } else await countByCollection(p, counts);
  } else await countInMemory(p, counts);
  for (const [k, v] of counts) if (v <= 0) counts.delete(k);
  return counts;
}

type Share = 'all' | 'none' | 'some';
const shares = new WeakMap<MemberView, Map<string | null, Share>>();

/** For each collection (null: the top level), how many of its assets the member sees. */
function visibleShares(r: Reader): Map<string | null, Share> {
  let out = shares.get(r.view);
  if (out) return out;
  out = new Map();
  const classify = (c: string | null) => {
    let all = 0;
    let seen = 0;
    for (const a of r.graph.assetsIn(c)) { all++; if (r.view.canSeeAsset(a)) seen++; }
    out!.set(c, seen === 0 ? 'none' : seen === all ? 'all' : 'some');
  };
  classify(null);
  for (const c of r.graph.collections.keys()) classify(c);
  shares.set(r.view, out);
  return out;
}

/**
 * Counts for a large visible set: SQL counts per collection and status; a collection whose
 * assets the member all sees counts whole, one they see none of not at all, and the few in
 * between are counted by the ids of their visible assets.
 */
async function countByCollection(p: Plan, counts: Map<string | null, number>) {
  const share = visibleShares(p.r);
  const db = p.r.ctx.db;
  // Grouped status first: a planner without statistics would otherwise walk the collection
  // index for its order, reading every row, instead of the covering board index.
  const rows = await db.selectFrom('assets as a').select(['a.collection_id', 'a.status_id', sql<number>`count(*)`.as('n')])
    .where(conditions(p)).groupBy(['a.status_id', 'a.collection_id']).execute();
  const some = new Set<string | null>();
  for (const row of rows) {
    const s = share.get(row.collection_id) ?? 'none';
    if (s === 'all') counts.set(row.status_id, (counts.get(row.status_id) ?? 0) + Number(row.n));
    else if (s === 'some') some.add(row.collection_id);
  }
  const ids: string[] = [];
  for (const c of some) for (const a of p.r.graph.assetsIn(c)) if (p.r.view.canSeeAsset(a)) ids.push(a);
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const part = await db.selectFrom('assets as a').select(['a.status_id', sql<number>`count(*)`.as('n')])
      .where(conditions(p, [], true)).where('a.id', 'in', ids.slice(i, i + ID_CHUNK)).groupBy('a.status_id').execute();
    for (const row of part) counts.set(row.status_id, (counts.get(row.status_id) ?? 0) + Number(row.n));
  }
}

const ID_CHUNK = 2000;

async function countInMemory(p: Plan, counts: Map<string | null, number>) {
  const rows = await fetchLight(p, { cond: null, col: null }, 'asc', null, null);
  for (const row of rows) if (passes(p, row)) counts.set(row.status_id, (counts.get(row.status_id) ?? 0) + 1);
}
