// Rules for user-chosen names and emails, shared by the server and the client so both refuse
// the same things.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A display name (studio, project, role, collection, asset): no path separators, no control characters. */
export function nameProblem(name: string, max = 200): string | null {
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'must not be empty';
  if (trimmed !== name) return 'must not start or end with white space';
  if (name.length > max) return `must be at most ${max} characters`;
  if (CONTROL.test(name)) return 'must not contain control characters';
  if (name.includes('/') || name.includes('\\')) return 'must not contain path separators';
  if (name === '.' || name === '..') return 'must not be . or ..';
  return null;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Lower-cased, trimmed email, or null when it is not a plausible address. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || CONTROL.test(email) || !EMAIL.test(email)) return null;
  return email;
}

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Milliseconds since the epoch of an ISO 8601 date (`2026-03-01`, read as UTC midnight) or
 * date-time with a zone (`2026-03-01T09:30:00Z`, `...+01:00`), or null for anything else.
 * Stricter than Date.parse, which reads `x' OR '1'='1` as 2001-01-01, rolls 2026-02-30 over
 * into March and takes a zoneless time in the server's own zone.
 */
export function parseDateTime(raw: string): number | null {
  const m = DATE_TIME.exec(raw);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  // The day must exist in that month (Date.UTC would roll Feb 30 over to March).
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const t = Date.parse(m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : raw);
  return Number.isNaN(t) ? null : t;
}
