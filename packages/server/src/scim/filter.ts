// SCIM filters (RFC 7644 §3.4.2.2): parsed by `scim2-parse-filter` (the parser `scim-patch` uses
// for PATCH paths, so both read paths alike; it hands back a syntax tree where
// `scim-query-filter-parser` only returns a closure, which could not refuse unknown attributes).
// Every attribute path is checked against the resource's schema before anything runs, and
// comparisons follow each attribute's type and case rules. A top-level equality on an indexed
// attribute (userName, externalId, displayName, id) narrows the database query; the full filter
// then decides on the narrowed rows.
import { parse, type Filter } from 'scim2-parse-filter';
import { ScimError } from './errors.js';
import { resolvePath, type Attr, type ResourceKind } from './schema.js';

const MAX_FILTER = 2000;
const invalidFilter = (detail: string) => new ScimError(400, detail, 'invalidFilter');

type Compare = Extract<Filter, { compValue: unknown }>;

export interface CompiledFilter {
  test(resource: Record<string, unknown>): boolean;
  /** An equality every match satisfies, for the database to narrow by. */
  narrow: { attr: 'id' | 'userName' | 'externalId' | 'displayName'; value: string } | null;
}

export function compileFilter(kind: ResourceKind, query: string): CompiledFilter {
  if (query.length > MAX_FILTER) throw invalidFilter(`a filter is at most ${MAX_FILTER} characters`);
  let ast: Filter;
  try {
    ast = parse(query);
  } catch (err) {
    throw invalidFilter(`the filter is not valid SCIM filter syntax: ${(err as Error).message}`);
  }
  check(kind, ast, 0);
  return { test: (r) => evaluate(kind, ast, r), narrow: narrowOf(kind, ast) };
}

// ---- checking ------------------------------------------------------------------------------------

const ORDERING = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING = new Set(['co', 'sw', 'ew']);

/** The definition a comparison applies to: a complex attribute compares by its `value`. */
function comparable(kind: ResourceKind, path: string, within?: Attr): { keys: string[]; attr: Attr } {
  const r = resolvePath(kind, path, within);
  if (r.attr.type !== 'complex') return r;
  const value = r.attr.subAttributes?.find((a) => a.name === 'value');
  if (!value) throw invalidFilter(`"${path}" is a complex attribute; compare one of its sub-attributes`);
  return { keys: [...r.keys, 'value'], attr: value };
}

function check(kind: ResourceKind, f: Filter, depth: number, within?: Attr): void {
  if (depth > 32) throw invalidFilter('the filter nests too deeply');
  switch (f.op) {
    case 'and':
    case 'or':
      for (const c of f.filters) check(kind, c, depth + 1, within);
      return;
    case 'not':
      return check(kind, f.filter, depth + 1, within);
    case '[]': {
      if (within) throw invalidFilter('value filters cannot nest');
      const { attr } = resolvePath(kind, f.attrPath);
      if (attr.type !== 'complex' || !attr.multiValued) throw invalidFilter(`"${f.attrPath}[…]" needs a multi-valued complex attribute`);
      return check(kind, f.valFilter, depth + 1, attr);
    }
    case 'pr':
      resolvePath(kind, f.attrPath, within);
      return;
    default: {
      const { attr } = comparable(kind, f.attrPath, within);
      const v = f.compValue;
      if (attr.type === 'boolean') {
        if ((f.op !== 'eq' && f.op !== 'ne') || typeof v !== 'boolean') throw invalidFilter(`"${f.attrPath}" is true or false: compare it with eq or ne and a boolean`);
        return;
      }
      if (v === null) {
        if (f.op !== 'eq' && f.op !== 'ne') throw invalidFilter(`null only compares with eq or ne`);
        return;
      }
      if (typeof v !== 'string') throw invalidFilter(`"${f.attrPath}" is a ${attr.type}: compare it with a string`);
      if (attr.type === 'dateTime' && !Number.isFinite(Date.parse(v))) throw invalidFilter(`"${v}" is not a date-time`);
      if (!ORDERING.has(f.op) && !SUBSTRING.has(f.op) && f.op !== 'eq' && f.op !== 'ne') throw invalidFilter(`unknown operator ${f.op}`);
    }
  }
}

// ---- evaluating ----------------------------------------------------------------------------------

function valuesAt(node: unknown, keys: readonly string[]): unknown[] {
  if (Array.isArray(node)) return node.flatMap((n) => valuesAt(n, keys));
  if (!keys.length) return node === undefined || node === null ? [] : [node];
  if (typeof node !== 'object' || node === null) return [];
  return valuesAt((node as Record<string, unknown>)[keys[0]], keys.slice(1));
}

function compare(op: Compare['op'], attr: Attr, actual: unknown, wanted: Compare['compValue']): boolean {
  if (attr.type === 'boolean') return op === 'eq' ? actual === wanted : actual !== wanted;
  if (typeof actual !== 'string' || typeof wanted !== 'string') return false;
  if (attr.type === 'dateTime') {
    const a = Date.parse(actual), w = Date.parse(wanted);
    return op === 'eq' ? a === w : op === 'ne' ? a !== w : op === 'gt' ? a > w : op === 'ge' ? a >= w : op === 'lt' ? a < w : op === 'le' ? a <= w : false;
  }
  const a = attr.caseExact ? actual : actual.toLowerCase();
  const w = attr.caseExact ? wanted : wanted.toLowerCase();
  switch (op) {
    case 'eq': return a === w;
    case 'ne': return a !== w;
    case 'co': return a.includes(w);
    case 'sw': return a.startsWith(w);
    case 'ew': return a.endsWith(w);
    case 'gt': return a > w;
    case 'ge': return a >= w;
    case 'lt': return a < w;
    case 'le': return a <= w;
  }
}

function evaluate(kind: ResourceKind, f: Filter, r: unknown, within?: Attr): boolean {
  switch (f.op) {
    case 'and': return f.filters.every((c) => evaluate(kind, c, r, within));
    case 'or': return f.filters.some((c) => evaluate(kind, c, r, within));
    case 'not': return !evaluate(kind, f.filter, r, within);
    case '[]': {
      const { keys, attr } = resolvePath(kind, f.attrPath);
      return valuesAt(r, keys).some((v) => evaluate(kind, f.valFilter, v, attr));
    }
    case 'pr': {
      const { keys } = resolvePath(kind, f.attrPath, within);
      return valuesAt(r, keys).some((v) => v !== '');
    }
    default: {
      const { keys, attr } = comparable(kind, f.attrPath, within);
      const values = valuesAt(r, keys);
      // `eq null` (or `ne null`) asks whether the attribute has no value (has one).
      if (f.compValue === null) return f.op === 'eq' ? values.length === 0 : values.length > 0;
      return values.some((v) => compare(f.op, attr, v, f.compValue));
    }
  }
}

// ---- narrowing -----------------------------------------------------------------------------------

const NARROWABLE = ['id', 'userName', 'externalId', 'displayName'] as const;

function narrowOf(kind: ResourceKind, f: Filter): CompiledFilter['narrow'] {
  if (f.op === 'and') {
    for (const c of f.filters) {
      const n = narrowOf(kind, c);
      if (n) return n;
    }
    return null;
  }
  if (f.op !== 'eq' || typeof f.compValue !== 'string') return null;
  const { keys } = resolvePath(kind, f.attrPath);
  const key = keys.length === 1 ? NARROWABLE.find((k) => k === keys[0]) : undefined;
  return key ? { attr: key, value: f.compValue } : null;
}
