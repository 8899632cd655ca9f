// Query parameters shared by the list endpoints (RFC 7644 §3.4.2): paging by startIndex/count,
// and the attributes / excludedAttributes projections; sorting is not offered
// (ServiceProviderConfig says so) and `sortBy` is ignored, as the RFC allows.
import { invalidValue } from './errors.js';
import { SCHEMA } from './paths.js';

export const MAX_RESULTS = 200;

export interface ListQuery {
  filter?: string;
  startIndex?: string;
  count?: string;
  attributes?: string;
  excludedAttributes?: string;
}

function wholeNumber(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d{1,9}$/.test(raw)) throw invalidValue(`${name} must be a whole number`);
  return Number(raw);
}

/** Paging per the RFC: startIndex below 1 reads as 1, a negative count as 0, count capped at MAX_RESULTS. */
export function paging(q: ListQuery): { start: number; count: number } {
  const start = Math.max(1, wholeNumber(q.startIndex, 'startIndex') ?? 1);
  const count = Math.min(MAX_RESULTS, Math.max(0, wholeNumber(q.count, 'count') ?? MAX_RESULTS));
  return { start, count };
}

const names = (raw: string | undefined) => (raw ? raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : null);
/** Attribute names in projections may carry the core schema's URN; only top-level names are projected. */
const topName = (n: string, schema: string) => (n.startsWith(`${schema.toLowerCase()}:`) ? n.slice(schema.length + 1) : n).split('.')[0];

/** Keeps (or drops) top-level attributes as asked; `schemas`, `id` and `meta` always stay. */
export function project(resource: Record<string, unknown>, schema: string, q: Pick<ListQuery, 'attributes' | 'excludedAttributes'>): Record<string, unknown> {
  const keep = names(q.attributes)?.map((n) => topName(n, schema));
  const drop = names(q.excludedAttributes)?.map((n) => topName(n, schema));
  if (!keep && !drop) return resource;
  const always = new Set(['schemas', 'id', 'meta']);
  return Object.fromEntries(Object.entries(resource).filter(([k]) => {
    const key = k.toLowerCase();
    if (always.has(k)) return true;
    if (keep) return keep.includes(key);
    return !drop!.includes(key);
  }));
}

export function listResponse(all: Record<string, unknown>[], q: ListQuery, schema: string) {
  const { start, count } = paging(q);
  const page = all.slice(start - 1, start - 1 + count);
  return { schemas: [SCHEMA.list], totalResults: all.length, startIndex: start, itemsPerPage: page.length, Resources: page.map((r) => project(r, schema, q)) };
}
