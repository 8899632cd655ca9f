// The audit viewer's filters live in the URL; they become the server's audit filter, the same
// one the export links use, so an export holds exactly what the page lists (every page of it).
import { fillPath, ROUTES, type AuditFilter } from '@backlot/api';

export interface AuditForm {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive (the server's `to` is exclusive: the next day is sent). */
  to: string;
}

export const EMPTY: AuditForm = { actor: '', action: '', targetType: '', targetId: '', from: '', to: '' };
const FIELDS = Object.keys(EMPTY) as (keyof AuditForm)[];

export function formFrom(p: URLSearchParams): AuditForm {
  const f = { ...EMPTY };
  for (const k of FIELDS) f[k] = p.get(k) ?? '';
  return f;
}

export function paramsOf(f: AuditForm): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of FIELDS) if (f[k].trim()) out.set(k, f[k].trim());
  return out;
}

function dayAfter(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function filterOf(f: AuditForm): AuditFilter {
  const t = (s: string) => s.trim() || undefined;
  return {
    actor: t(f.actor), action: t(f.action), targetType: t(f.targetType), targetId: t(f.targetId),
    from: t(f.from), to: f.to.trim() ? dayAfter(f.to.trim()) : undefined,
  };
}

export type Scope = { kind: 'studio'; studioId: string } | { kind: 'project'; projectId: string };

/** The export as a plain link: the browser downloads it with the session cookie (a GET). */
export function exportHref(scope: Scope, f: AuditForm, format: 'jsonl' | 'csv'): string {
  const path = scope.kind === 'studio'
    ? fillPath(ROUTES['audit.studio'].path, { studioId: scope.studioId })
    : fillPath(ROUTES['audit.project'].path, { projectId: scope.projectId });
  const q = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(filterOf(f))) if (v !== undefined) q.set(k, String(v));
  return `${path}?${q}`;
}
