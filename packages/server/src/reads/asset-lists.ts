// The Kanban board (columns by status with counts and a first page of cards each) and the flat
// asset list, both over asset-search's filters and visibility handling.
import { BacklotError } from '@backlot/core';
import type { Reader } from '../projection/read-context.js';
import { decodeCursor, encodeCursor, pageOf, planQuery, type AssetFilter, type Key, type Plan, type Sort } from './asset-search.js';
import { memoised } from '../projection/search-memo.js';
import { loadCards, type Card } from './cards.js';

export async function listAssets(r: Reader, f: AssetFilter, sort: Sort, cursor: string | undefined, limit: number) {
  const after = decodeCursor(cursor, f, sort);
  const page = await memoised(r.view, JSON.stringify(['list', f, sort, after, limit]), async () => pageOf(await planQuery(r, f), sort, after, limit));
  return {
    items: await loadCards(r, page.ids),
    nextCursor: page.next ? encodeCursor(f, sort, page.next) : null,
    sort: sort.key,
    order: sort.order,
  };
}

type StatusRow = Plan['statuses'][number];
const statusOut = (s: StatusRow) => ({ id: s.id, key: s.key, name: s.name, shortLabel: s.short_label, color: s.color, order: Number(s.sort_order), category: s.category });

export interface Column {
  /** null: tasks without a status. */
  status: ReturnType<typeof statusOut> | null;
  count: number;
  cards: Card[];
  /** Continues this column: the same board query with `status=<this column>&cursor=...`. */
  nextCursor: string | null;
}

/**
 * Columns in the project's status order. With `cursor`, the query names exactly one status and
 * the answer is that column's next page.
 */
export async function boardOf(r: Reader, f: AssetFilter, sort: Sort, cursor: string | undefined, limit: number) {
  if (cursor !== undefined && f.statuses?.length !== 1)
    throw new BacklotError('validation_failed', 'a board cursor continues one column: name exactly one status', { field: 'status' });
  const after = decodeCursor(cursor, f, sort);
  const { statuses, pages } = await memoised(r.view, JSON.stringify(['board', f, sort, after, limit]), () => boardPages(r, f, sort, after, limit));
  const cards = await loadCards(r, pages.flatMap((p) => p.ids));
  const byId = new Map(cards.map((c) => [c.id, c]));
  const byStatus = new Map(statuses.map((s) => [s.id, s]));
  const columns: Column[] = pages.map((p) => ({
    status: p.key === null ? null : statusOut(byStatus.get(p.key)!),
    count: p.count,
    cards: p.ids.map((id) => byId.get(id)).filter((c): c is Card => !!c),
    nextCursor: p.next ? encodeCursor(p.colFilter, sort, p.next) : null,
  }));
  return { view: f.view, sort: sort.key, order: sort.order, revision: r.revision, columns };
}

/** Which columns, how many in each, and the ids of each column's page. */
async function boardPages(r: Reader, f: AssetFilter, sort: Sort, after: Key | null, limit: number) {
  const plan = await planQuery(r, f);
  const groups = plan.groups;
  const wanted = f.statuses ? new Set(f.statuses) : null;
  const keys: (string | null)[] = plan.statuses.map((s) => s.id).filter((id) => !wanted || wanted.has(id));
  // The "no status" column appears when asked for, or when something is in it.
  if (wanted ? wanted.has(null) : groups.has(null)) keys.push(null);

  const pages = keys.map((key) => {
    const group = groups.get(key);
    const colFilter: AssetFilter = { ...f, statuses: [key] };
    const page = pageOf(plan, sort, after, limit, group?.rows ?? []);
    return { key, count: group?.count ?? 0, ids: page.ids, next: page.next, colFilter };
  });
  return { statuses: plan.statuses, pages };
}
