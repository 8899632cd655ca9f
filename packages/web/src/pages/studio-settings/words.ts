// Words shared by the studio settings: role names, dates, sizes, and refusals explained.
import { ApiError } from '@backlot/api';
import type { StudioRole } from '@backlot/api';
import { messageOf } from '../../app/errors.ts';

export const STUDIO_ROLE_NAMES: Record<StudioRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

export const STUDIO_ROLE_HINTS: Record<StudioRole, string> = {
  owner: 'Everything, including owners and deleting the studio.',
  admin: 'Invites and manages members, creates projects, sees usage.',
  member: 'Sees only the projects they are added to.',
};

/** The server's refusal, with what to do about the guards it names. */
export function explain(err: unknown): string {
  const said = messageOf(err);
  const reason = err instanceof ApiError ? err.details.reason : undefined;
  if (reason === 'last_owner') return `${said} Make another member an owner first, then change this seat.`;
  if (reason === 'last_admin') return `${said.replace(/\.$/, '')} (in the project's settings, under Collaborators).`;
  return said;
}

export function date(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** "in 6 days", "in 5 hours", "expired" — for invitation expiry. */
export function expiresIn(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  if (ms <= 0) return 'expired';
  const hours = Math.round(ms / 3_600_000);
  if (hours < 24) return hours <= 1 ? 'in less than an hour' : `in ${hours} hours`;
  const days = Math.round(hours / 24);
  return `in ${days} ${days === 1 ? 'day' : 'days'}`;
}
