// Turning failures into words for people. The server's messages are written for users already
// (`{ error: { code, message, details } }`), so they are shown as they are; transport failures
// get a sentence of their own. A refusal that names a field is shown next to that field.
import { ApiError, NetworkError } from '@backlot/api';
import { BacklotError } from '@backlot/core';

export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'rate_limited' && err.retryAfterMs !== null)
      return `${sentence(err.message)} Try again in ${Math.ceil(err.retryAfterMs / 1000)} s.`;
    return sentence(err.message);
  }
  // A refusal decided in the page by core's policy (before asking the server).
  if (err instanceof BacklotError) return sentence(err.message);
  if (err instanceof NetworkError) return 'The server cannot be reached. Check your connection and try again.';
  return 'Something went wrong. Please try again.';
}

/** The form field a refusal is about (details.field, or the first schema issue's path). */
export function fieldOf(err: unknown): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const field = err.details.field;
  if (typeof field === 'string') return field;
  const issues = err.details.issues;
  if (Array.isArray(issues) && typeof issues[0]?.path === 'string') return issues[0].path.replace(/^\//, '').split('/')[0] || undefined;
  return undefined;
}

export const isStatus = (err: unknown, status: number) => err instanceof ApiError && err.status === status;

function sentence(s: string): string {
  const t = s.trim();
  if (!t) return 'The server refused this.';
  const first = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
