// Accounts and sign-in: first-run setup, sign-up, login, logout, password change.
import { authorizePasswordLogin, BacklotError, nameProblem, normalizeEmail } from '@backlot/core';
import { inTransaction, nowIso, type AppDeps, type Ctx, type Trx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { checkPasswordStrength, hashPassword, verifyAgainstDecoy, verifyPassword } from '../auth/passwords.js';
import { beginLoginAttempt, clearLoginFailures } from '../auth/rate-limit.js';
import { issueSession, revokeSessions, type IssuedSession } from '../auth/sessions.js';
import { requireAccountAction } from '../access/access.js';
import { hashSecret, newId, newSecret } from '../auth/tokens.js';

export type SessionKind = 'cookie' | 'bearer';

export interface NewAccount {
  email: string;
  name: string;
  password: string;
}

export function validEmail(raw: string, field = 'email'): string {
  const email = normalizeEmail(raw);
  if (!email) throw new BacklotError('validation_failed', `${field} is not a valid email address`, { field, value: raw });
  return email;
}

export function validName(raw: string, field = 'name', max = 200): string {
  const problem = nameProblem(raw, max);
  if (problem) throw new BacklotError('validation_failed', `${field} ${problem}`, { field });
  return raw;
}

export function publicUser(u: { id: string; email: string; name: string; is_instance_admin?: number }) {
  return { id: u.id, email: u.email, name: u.name, ...(u.is_instance_admin !== undefined && { isInstanceAdmin: u.is_instance_admin === 1 }) };
}

/** Inserts a user row; a taken email answers a conflict. Call inside a transaction. */
export async function insertUser(deps: AppDeps, trx: Trx, input: NewAccount, instanceAdmin = false): Promise<string> {
  const email = validEmail(input.email);
  const name = validName(input.name);
  checkPasswordStrength(input.password);
  const taken = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) throw new BacklotError('conflict', 'an account with this email already exists', { field: 'email' });
  const id = newId();
  await trx
    .insertInto('users')
    .values({
      id, email, name, password_hash: await hashPassword(input.password),
      is_instance_admin: instanceAdmin ? 1 : 0, deactivated_at: null, created_at: nowIso(deps), last_active_at: null,
      service_studio_id: null, managed_by_studio: null,
    })
    .execute();
  return id;
}

// ---- first-run setup ---------------------------------------------------------------------------

/** Returns a fresh one-time setup token while the instance has no account yet, else null. */
export async function prepareSetup(deps: AppDeps): Promise<string | null> {
  const anyUser = await deps.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyUser) return null;
  const token = newSecret();
  await inTransaction(deps, async (trx) => {
    // Only the newest token works: a restart invalidates what an earlier start printed.
    await trx.deleteFrom('setup_tokens').where('used_at', 'is', null).execute();
    await trx.insertInto('setup_tokens').values({ token_hash: hashSecret(token), created_at: nowIso(deps), used_at: null }).execute();
  });
  return token;
}

export async function completeSetup(ctx: Ctx, token: string, input: NewAccount, kind: SessionKind, userAgent: string | null) {
  return inTransaction(ctx, async (trx) => {
    const anyUser = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (anyUser) throw new BacklotError('gone', 'this instance is already set up');
    const row = await trx.selectFrom('setup_tokens').select('token_hash').where('token_hash', '=', hashSecret(token)).where('used_at', 'is', null).executeTakeFirst();
    if (!row) throw new BacklotError('forbidden', 'the setup token is not valid');
    // Claimed conditionally: of concurrent setups with one token only one updates the row (PostgreSQL re-checks after the lock).
    const claimed = await trx.updateTable('setup_tokens').set({ used_at: nowIso(ctx) }).where('token_hash', '=', row.token_hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new BacklotError('gone', 'this instance is already set up');
    const userId = await insertUser(ctx, trx, input, true);
    await appendAudit(trx, { actorId: userId, action: 'instance.setup', targetType: 'user', targetId: userId, ip: ctx.ip }, nowIso(ctx));
    const session = await issueSession(ctx, trx, userId, kind, { ip: ctx.ip, userAgent });
    return { userId, session };
  });
}

// ---- sign-up, login, logout --------------------------------------------------------------------

export async function signUp(ctx: Ctx, input: NewAccount, kind: SessionKind, userAgent: string | null) {
  if (!ctx.config.allowSignup) throw new BacklotError('forbidden', 'sign-up is disabled on this server; ask for an invitation');
  return inTransaction(ctx, async (trx) => {
    const userId = await insertUser(ctx, trx, input);
    await appendAudit(trx, { actorId: userId, action: 'user.signup', targetType: 'user', targetId: userId, ip: ctx.ip }, nowIso(ctx));
    return { userId, session: await issueSession(ctx, trx, userId, kind, { ip: ctx.ip, userAgent }) };
  });
}

export async function logIn(
  ctx: Ctx,
  rawEmail: string,
  password: string,
  kind: SessionKind,
  userAgent: string | null,
): Promise<{ userId: string; session: IssuedSession }> {
  // A malformed email matches no account; control characters (NUL breaks PostgreSQL text) are neutralised.
  const email = normalizeEmail(rawEmail) ?? rawEmail.trim().toLowerCase().replace(/[\u0000-\u001f\u007f]/g, '\ufffd');
  const ip = ctx.ip ?? 'unknown';
  await beginLoginAttempt(ctx, email, ip); // counted as a failure until it succeeds
  const user = await ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  if (!user) await verifyAgainstDecoy(password);
  const ok = !!user && !user.deactivated_at && (await verifyPassword(user.password_hash, password));
  if (!ok) {
    await inTransaction(ctx, (trx) =>
      appendAudit(trx, { actorId: null, action: 'auth.login_failed', targetType: 'user', targetId: user?.id ?? null, after: { email }, ip: ctx.ip }, nowIso(ctx)),
    );
    // One answer for unknown email, wrong password and deactivated account.
    throw new BacklotError('unauthenticated', 'email or password is incorrect');
  }
  await clearLoginFailures(ctx, email, ip);
  // Accounts a studio's IdP manages sign in there, unless on its break-glass list (checked only
  // after the right password, so the answer tells a guesser nothing).
  const seats = await ctx.db.selectFrom('sso_identities as i').innerJoin('studio_sso as x', 'x.studio_id', 'i.studio_id')
    .select(['i.studio_id', 'x.enforced', 'x.break_glass']).where('i.user_id', '=', user.id).execute();
  const decision = authorizePasswordLogin(seats.map((s) => ({ studioId: s.studio_id, enforced: s.enforced === 1, breakGlass: (JSON.parse(s.break_glass) as string[]).includes(user.id) })));
  if (!decision.allowed) {
    await inTransaction(ctx, async (trx) => {
      for (const studioId of (decision.error.details.studioIds as string[]))
        await appendAudit(trx, { studioId, actorId: user.id, action: 'auth.password_refused_sso', targetType: 'user', targetId: user.id, ip: ctx.ip }, nowIso(ctx));
    });
    throw decision.error;
  }
  const session = await inTransaction(ctx, async (trx) => {
    for (const studioId of decision.breakGlassStudios)
      await appendAudit(trx, { studioId, actorId: user.id, action: 'auth.break_glass_login', targetType: 'user', targetId: user.id, ip: ctx.ip }, nowIso(ctx));
    return issueSession(ctx, trx, user.id, kind, { ip: ctx.ip, userAgent });
  });
  return { userId: user.id, session };
}

export async function logOut(ctx: Ctx): Promise<void> {
  const user = requireAccountAction(ctx, 'account.manage');
  await ctx.db.updateTable('sessions').set({ revoked_at: nowIso(ctx) }).where('id', '=', user.sessionId).execute();
}

export async function changePassword(ctx: Ctx, current: string, next: string): Promise<{ endedSessions: number }> {
  const user = requireAccountAction(ctx, 'account.manage');
  checkPasswordStrength(next);
  const row = await ctx.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(row.password_hash, current)))
    throw new BacklotError('forbidden', 'the current password is incorrect', { field: 'currentPassword' });
  const hash = await hashPassword(next);
  return inTransaction(ctx, async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', user.id).execute();
    const endedSessions = await revokeSessions(trx, user.id, nowIso(ctx), user.sessionId);
    await appendAudit(trx, { actorId: user.id, action: 'user.password_changed', targetType: 'user', targetId: user.id, after: { endedSessions }, ip: ctx.ip }, nowIso(ctx));
    return { endedSessions };
  });
}

export async function listSessions(ctx: Ctx) {
  const user = requireAccountAction(ctx, 'account.manage');
  const rows = await ctx.db
    .selectFrom('sessions')
    .select(['id', 'kind', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
    .where('user_id', '=', user.id)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', nowIso(ctx))
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((s) => ({
    id: s.id, kind: s.kind, createdAt: s.created_at, lastSeenAt: s.last_seen_at, expiresAt: s.expires_at,
    ip: s.ip, userAgent: s.user_agent, current: s.id === user.sessionId,
  }));
}

export async function revokeSession(ctx: Ctx, sessionId: string): Promise<void> {
  const user = requireAccountAction(ctx, 'account.manage');
  const res = await ctx.db
    .updateTable('sessions')
    .set({ revoked_at: nowIso(ctx) })
    .where('id', '=', sessionId)
    .where('user_id', '=', user.id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new BacklotError('not_found', 'session not found');
}

// ---- instance administration -------------------------------------------------------------------

/** Instance administrators deactivate accounts: every session fails on its next request. */
export async function setUserActive(ctx: Ctx, userId: string, active: boolean): Promise<void> {
  const admin = requireAccountAction(ctx, 'account.manage');
  if (!admin.isInstanceAdmin) throw new BacklotError('forbidden', 'only instance administrators may do this');
  if (admin.id === userId && !active) throw new BacklotError('conflict', 'you cannot deactivate your own account');
  await inTransaction(ctx, async (trx) => {
    const target = await trx.selectFrom('users').select(['id', 'deactivated_at']).where('id', '=', userId).executeTakeFirst();
    if (!target) throw new BacklotError('not_found', 'user not found');
    const at = nowIso(ctx);
    await trx.updateTable('users').set({ deactivated_at: active ? null : at }).where('id', '=', userId).execute();
    if (!active) await revokeSessions(trx, userId, at);
    await appendAudit(trx, {
      actorId: admin.id, action: active ? 'user.reactivated' : 'user.deactivated', targetType: 'user', targetId: userId,
      before: { active: target.deactivated_at === null }, after: { active }, ip: ctx.ip,
    }, at);
  });
}
