// The Kanban board (columns by status with counts and a first page of cards each) and the flat
// asset list, both over asset-search's filters and visibility handling.
import { BacklotError } from '@backlot/core';
import { sql } from 'kysely';
import type { Reader } from './read-context.js';
import { countByStatus, decodeCursor, encodeCursor, pageOf, planQuery, type AssetFilter, type Plan, type Sort } from './asset-search.js';
import { loadCards, type Card } from './cards.js';

export async function listAssets(r: Reader, f: AssetFilter, sort: Sort, cursor: string | undefined, limit: number) {
  const after = decodeCursor(cursor, f, sort);
  const plan = await planQuery(r, f);
  const page = await pageOf(plan, sort, after, limit);
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
  const plan = await planQuery(r, f);
  const counts = await countByStatus(plan);
  const wanted = f.statuses ? new Set(f.statuses) : null;
  const keys: (string | null)[] = plan.statuses.map((s) => s.id).filter((id) => !wanted || wanted.has(id));
  // The "no status" column appears when asked for, or when something is in it.
  if (wanted ? wanted.has(null) : counts.has(null)) keys.push(null);

  const pages = await Promise.all(keys.map(async (key) => {
    const count = counts.get(key) ?? 0;
    const colFilter: AssetFilter = { ...f, statuses: [key] };
    if (!count && !after) return { key, count, ids: [] as string[], next: null, colFilter };
    const colPlan: Plan = { ...plan, f: colFilter, where: [...plan.where, key === null ? sql`${sql.ref("a.status_id")} is null` : sql`${sql.ref("a.status_id")} = ${key}`] };
    const page = await pageOf(colPlan, sort, after, limit);
    return { key, count, ids: page.ids, next: page.next, colFilter };
  }));
  const cards = await loadCards(r, pages.flatMap((p) => p.ids));
  const byId = new Map(cards.map((c) => [c.id, c]));
  const byStatus = new Map(plan.statuses.map((s) => [s.id, s]));
  const columns: Column[] = pages.map((p) => ({
    status: p.key === null ? null : statusOut(byStatus.get(p.key)!),
    count: p.count,
    cards: p.ids.map((id) => byId.get(id)).filter((c): c is Card => !!c),
    nextCursor: p.next ? encodeCursor(p.colFilter, sort, p.next) : null,
  }));
  return { view: f.view, sort: sort.key, order: sort.order, columns };
}
