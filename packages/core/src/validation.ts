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
