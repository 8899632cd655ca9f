// Sessions: an opaque random token per login, stored hashed. Cookie sessions also get a CSRF
// token that unsafe requests must echo in a header.
import { BacklotError } from '@backlot/core';
import type { AppDeps, AuthUser, Trx } from '../context.js';
import { addMs, DAY_MS } from '../clock.js';
import { hashSecret, newId, newSecret } from './tokens.js';
import { isAccessToken, resolveAccessToken } from './access-tokens/resolve.js';
import type { ResolvedSession } from './resolved-session.js';

export type { ResolvedSession };

export interface IssuedSession {
  id: string;
  token: string;
  csrfToken: string;
  expiresAt: string;
}

export async function issueSession(
  deps: AppDeps,
  trx: Trx,
  userId: string,
  kind: 'cookie' | 'bearer',
  meta: { ip: string | null; userAgent: string | null; sso?: { studioId: string; maxMinutes: number | null } },
): Promise<IssuedSession> {
  const now = deps.clock.now();
  const token = newSecret();
  const csrfToken = newSecret();
  const id = newId();
  const maxMs = Math.min(deps.config.sessionDays * DAY_MS, meta.sso?.maxMinutes ? meta.sso.maxMinutes * 60_000 : Infinity);
  const expiresAt = addMs(now, maxMs).toISOString();
  await trx
    .insertInto('sessions')
    .values({
      id,
      user_id: userId,
      token_hash: hashSecret(token),
      csrf_hash: hashSecret(csrfToken),
      kind,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt,
      revoked_at: null,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
      sso_studio_id: meta.sso?.studioId ?? null,
    })
    .execute();
  // Signing in is activity: a member who just signed in (by password or SSO) is not a dormant seat.
  await trx.updateTable('users').set({ last_active_at: now.toISOString() }).where('id', '=', userId).execute();
  return { id, token, csrfToken, expiresAt };
}

// Activity timestamps are written at most this often, so reads stay reads.
const TOUCH_EVERY_MS = 60_000;

/** The live session behind a token, or null when unknown, expired, revoked or deactivated. */
export async function resolveSession(deps: AppDeps, token: string): Promise<ResolvedSession | null> {
  if (isAccessToken(token)) return resolveAccessToken(deps, token);
  const row = await deps.db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('studio_sso as sso', 'sso.studio_id', 's.sso_studio_id')
    .select([
      's.id as session_id', 's.kind', 's.csrf_hash', 's.expires_at', 's.revoked_at', 's.last_seen_at', 's.created_at',
      'u.id', 'u.email', 'u.name', 'u.is_instance_admin', 'u.deactivated_at', 'sso.session_max_minutes',
    ])
    .where('s.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  const now = deps.clock.now();
  if (!row || row.revoked_at || row.deactivated_at || row.expires_at <= now.toISOString()) return null;
  // The studio's SSO session age applies as it is now, also to sessions begun before a change.
  if (row.session_max_minutes && Date.parse(row.created_at) + row.session_max_minutes * 60_000 <= now.getTime()) return null;
  if (now.getTime() - Date.parse(row.last_seen_at) > TOUCH_EVERY_MS) {
    const at = now.toISOString();
    await deps.db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', row.session_id).execute();
    await deps.db.updateTable('users').set({ last_active_at: at }).where('id', '=', row.id).execute();
  }
  return {
    kind: row.kind,
    csrfHash: row.csrf_hash,
    user: { id: row.id, email: row.email, name: row.name, isInstanceAdmin: row.is_instance_admin === 1, sessionId: row.session_id },
  };
}

export async function revokeSessions(trx: Trx, userId: string, at: string, exceptSessionId?: string): Promise<number> {
  let q = trx.updateTable('sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (exceptSessionId) q = q.where('id', '!=', exceptSessionId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export function requireUser(user: AuthUser | null): AuthUser {
  if (!user) throw new BacklotError('unauthenticated', 'sign in first');
  return user;
}
