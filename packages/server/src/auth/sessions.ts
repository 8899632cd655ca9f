// Sessions: an opaque random token per login, stored hashed. Cookie sessions also get a CSRF
// token that unsafe requests must echo in a header.
import { BacklotError } from '@backlot/core';
import type { AppDeps, AuthUser, Trx } from '../context.js';
import { addMs, DAY_MS } from '../clock.js';
import { hashSecret, newId, newSecret } from './tokens.js';

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
  meta: { ip: string | null; userAgent: string | null },
): Promise<IssuedSession> {
  const now = deps.clock.now();
  const token = newSecret();
  const csrfToken = newSecret();
  const id = newId();
  const expiresAt = addMs(now, deps.config.sessionDays * DAY_MS).toISOString();
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
    })
    .execute();
  return { id, token, csrfToken, expiresAt };
}

export interface ResolvedSession {
  user: AuthUser;
  kind: 'cookie' | 'bearer';
  csrfHash: string;
}

// Activity timestamps are written at most this often, so reads stay reads.
const TOUCH_EVERY_MS = 60_000;

/** The live session behind a token, or null when unknown, expired, revoked or deactivated. */
export async function resolveSession(deps: AppDeps, token: string): Promise<ResolvedSession | null> {
  const row = await deps.db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id as session_id', 's.kind', 's.csrf_hash', 's.expires_at', 's.revoked_at', 's.last_seen_at',
      'u.id', 'u.email', 'u.name', 'u.is_instance_admin', 'u.deactivated_at',
    ])
    .where('s.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  const now = deps.clock.now();
  if (!row || row.revoked_at || row.deactivated_at || row.expires_at <= now.toISOString()) return null;
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
