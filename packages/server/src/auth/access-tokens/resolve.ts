// Access tokens (personal access tokens and service-account tokens) at the door: a recognisable
// prefix, the secret stored only as its SHA-256, refused once expired, revoked, or its account
// deactivated. What the token may do travels with the caller as its scope, for core's policy.
import type { TokenAccess } from '@backlot/core';
import type { AppDeps } from '../../context.js';
import type { ResolvedSession } from '../resolved-session.js';
import { hashSecret, newSecret } from '../tokens.js';

/** Tokens are told apart from session tokens (and found by secret scanners) by this prefix. */
export const ACCESS_TOKEN_PREFIX = 'blt_';
export const isAccessToken = (token: string) => token.startsWith(ACCESS_TOKEN_PREFIX);
export const newAccessToken = () => `${ACCESS_TOKEN_PREFIX}${newSecret()}`;

// Last-used times are written at most this often, so reads stay reads.
const TOUCH_EVERY_MS = 60_000;

export async function resolveAccessToken(deps: AppDeps, token: string): Promise<ResolvedSession | null> {
  const row = await deps.db
    .selectFrom('access_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id as token_id', 't.access', 't.projects', 't.expires_at', 't.revoked_at', 't.last_used_at',
      'u.id', 'u.email', 'u.name', 'u.is_instance_admin', 'u.deactivated_at',
    ])
    .where('t.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  const now = deps.clock.now();
  if (!row || row.revoked_at || row.deactivated_at || row.expires_at <= now.toISOString()) return null;
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_EVERY_MS) {
    const at = now.toISOString();
    await deps.db.updateTable('access_tokens').set({ last_used_at: at }).where('id', '=', row.token_id).execute();
    await deps.db.updateTable('users').set({ last_active_at: at }).where('id', '=', row.id).execute();
  }
  return {
    kind: 'bearer',
    csrfHash: '',
    user: {
      id: row.id, email: row.email, name: row.name, isInstanceAdmin: row.is_instance_admin === 1, sessionId: row.token_id,
      scope: { access: row.access as TokenAccess, projects: row.projects ? (JSON.parse(row.projects) as string[]) : null },
    },
  };
}
