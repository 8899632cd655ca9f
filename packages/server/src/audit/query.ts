// Reading the audit log: studio owners/admins read their studio's, `audit.view` reads a
// project's. Newest first, filtered, paged by an opaque cursor, exportable whole.
import { BacklotError, parseDateTime, type AuditFilter } from '@backlot/core';
import { sql } from 'kysely';
import type { Ctx } from '../context.js';
import type { AuditLogTable } from '../db/schema.js';
import { projectAccess, studioAccess } from '../access/access.js';
import { verifyChain, type ChainReport } from './verify.js';

export type { AuditFilter };

export type AuditScope = { studioId: string; projectId?: string };

export function auditView(e: AuditLogTable) {
  return {
    seq: Number(e.seq), at: e.created_at, studioId: e.studio_id, projectId: e.project_id, actorId: e.actor_id,
    action: e.action, targetType: e.target_type, targetId: e.target_id,
    before: e.before ? JSON.parse(e.before) : null, after: e.after ? JSON.parse(e.after) : null, ip: e.ip, hash: e.hash,
  };
}

function parseCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const n = Number(cursor);
  // Decimal digits only, within the seq column's range (PostgreSQL integer).
  if (!/^[0-9]{1,10}$/.test(cursor) || n < 1 || n > 2_147_483_647) throw new BacklotError('validation_failed', 'invalid cursor', { field: 'cursor' });
  return n;
}

/** A filter bound as the stored form (ISO 8601 UTC); anything but a real date or date-time is refused. */
function timeOf(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const t = parseDateTime(value);
  if (t === null)
    throw new BacklotError('validation_failed', `${field} must be an ISO 8601 date (2026-03-01) or date-time with a zone (2026-03-01T09:30:00Z)`, { field });
  return new Date(t).toISOString();
}

export async function authorizeAudit(ctx: Ctx, scope: AuditScope): Promise<void> {
  if (scope.projectId) {
    const { project } = await projectAccess(ctx, scope.projectId, 'audit.view');
    scope.studioId = project.studio_id;
  } else await studioAccess(ctx, scope.studioId, 'studio.audit.view');
}

/** One page of entries, newest first. Callers must have passed authorizeAudit. */
export async function queryAudit(ctx: Ctx, scope: AuditScope, f: AuditFilter) {
  const from = timeOf(f.from, 'from');
  const to = timeOf(f.to, 'to');
  const before = parseCursor(f.cursor);
  const limit = Math.min(Math.max(f.limit ?? 100, 1), 1000);
  let q = ctx.db.selectFrom('audit_log').selectAll().where('scope', '=', scope.studioId);
  if (scope.projectId) q = q.where('project_id', '=', scope.projectId);
  if (f.actor) q = q.where('actor_id', '=', f.actor);
  // `prefix.*`: a plain, case-sensitive prefix compare (LIKE is case-insensitive on SQLite and
  // treats `_` as a wildcard), the same on both databases.
  const prefix = f.action?.endsWith('.*') ? f.action.slice(0, -1) : undefined;
  if (prefix) q = q.where(sql<string>`substr(action, 1, ${[...prefix].length})`, '=', prefix);
  else if (f.action) q = q.where('action', '=', f.action);
  if (f.targetType) q = q.where('target_type', '=', f.targetType);
  if (f.targetId) q = q.where('target_id', '=', f.targetId);
  if (from) q = q.where('created_at', '>=', from);
  if (to) q = q.where('created_at', '<', to);
  if (before !== undefined) q = q.where('seq', '<', before);
  const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return { entries: page.map(auditView), nextCursor: rows.length > limit ? String(page[page.length - 1].seq) : null };
}

const CSV_COLUMNS = ['seq', 'at', 'studioId', 'projectId', 'actorId', 'action', 'targetType', 'targetId', 'before', 'after', 'ip', 'hash'] as const;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // Quote always; neutralise spreadsheet formulas in exported text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** Every matching entry, newest first, as JSON Lines or CSV, produced page by page. */
export async function* exportAudit(ctx: Ctx, scope: AuditScope, f: AuditFilter, format: 'jsonl' | 'csv'): AsyncGenerator<string> {
  if (format === 'csv') yield CSV_COLUMNS.join(',') + '\n';
  let cursor = f.cursor;
  for (;;) {
    const page = await queryAudit(ctx, scope, { ...f, cursor, limit: 1000 });
    for (const e of page.entries)
      yield format === 'jsonl' ? JSON.stringify(e) + '\n' : CSV_COLUMNS.map((c) => csvCell(e[c])).join(',') + '\n';
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

export async function verifyStudioAudit(ctx: Ctx, studioId: string): Promise<ChainReport> {
  await studioAccess(ctx, studioId, 'studio.audit.view');
  return verifyChain(ctx.db, studioId);
}
