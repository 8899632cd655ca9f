// Studio service accounts: accounts for render farms and pipelines that belong to one studio,
// never sign in, and work only through tokens the studio's owners and admins mint. They hold a
// studio seat and project seats like people (added through the normal member routes), so the
// same policy governs them; a token narrows them further.
import { authorizeGrantStudioRole, BacklotError, type StudioRole } from '@backlot/core';
import { inTransaction, nowIso, type Ctx, type Trx } from '../../context.js';
import { check, requireAccountAction, studioAccess } from '../../access/access.js';
import { appendAudit } from '../../audit/log.js';
import { validName } from '../../admin/accounts.js';
import { newId } from '../tokens.js';
import { insertToken, tokenView, validTokenInput, type TokenInput } from './issue.js';

/** Service accounts need a unique email; this domain can never receive mail (RFC 2606). */
const serviceEmail = (id: string) => `service-${id}@service-account.invalid`;

export async function createServiceAccount(ctx: Ctx, studioId: string, input: { name: string; role?: StudioRole }) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.service_accounts.manage');
  const role = input.role ?? 'member';
  check(authorizeGrantStudioRole(actor, role), { studioId, action: 'studio.service_accounts.create' });
  const name = validName(input.name, 'name', 100);
  return inTransaction(ctx, async (trx) => {
    const at = nowIso(ctx);
    const id = newId();
    await trx.insertInto('users').values({
      id, email: serviceEmail(id), name, password_hash: null, is_instance_admin: 0, deactivated_at: null, created_at: at,
      last_active_at: null, service_studio_id: studioId, managed_by_studio: studioId,
    }).execute();
    await trx.insertInto('studio_members').values({ studio_id: studioId, user_id: id, role, suspended_at: null, joined_at: at }).execute();
    await appendAudit(trx, { studioId, actorId: actor.userId, action: 'service_account.created', targetType: 'user', targetId: id, after: { name, role }, ip: ctx.ip }, at);
    return { userId: id, name, role, status: 'active' as const, createdAt: at, tokens: [] };
  });
}

export async function listServiceAccounts(ctx: Ctx, studioId: string) {
  await studioAccess(ctx, studioId, 'studio.service_accounts.manage');
  const accounts = await ctx.db
    .selectFrom('users as u')
    .leftJoin('studio_members as m', (j) => j.onRef('m.user_id', '=', 'u.id').on('m.studio_id', '=', studioId))
    .select(['u.id', 'u.name', 'u.created_at', 'u.deactivated_at', 'u.last_active_at', 'm.role', 'm.suspended_at'])
    .where('u.service_studio_id', '=', studioId)
    .orderBy('u.name').orderBy('u.id')
    .execute();
  const tokens = accounts.length
    ? await ctx.db.selectFrom('access_tokens').selectAll().where('studio_id', '=', studioId).orderBy('created_at', 'desc').execute()
    : [];
  return accounts.map((a) => ({
    userId: a.id, name: a.name, role: a.role ?? null, createdAt: a.created_at, lastActiveAt: a.last_active_at,
    status: a.deactivated_at ? 'deactivated' : a.suspended_at ? 'suspended' : 'active',
    tokens: tokens.filter((t) => t.user_id === a.id).map(tokenView),
  }));
}

async function serviceAccountOf(trx: Trx | Ctx['db'], studioId: string, userId: string) {
  const row = await trx.selectFrom('users').select(['id', 'deactivated_at']).where('id', '=', userId).where('service_studio_id', '=', studioId).executeTakeFirst();
  if (!row) throw new BacklotError('not_found', 'service account not found');
  return row;
}

export async function createServiceToken(ctx: Ctx, studioId: string, userId: string, input: TokenInput) {
  // Minting needs a real sign-in as well as the studio right: a token never mints tokens.
  requireAccountAction(ctx, 'account.manage');
  const { actor } = await studioAccess(ctx, studioId, 'studio.service_accounts.manage');
  const account = await serviceAccountOf(ctx.db, studioId, userId);
  if (account.deactivated_at) throw new BacklotError('conflict', 'this service account is deactivated', { reason: 'deactivated' });
  // Any live project of this studio (its managers see them all); the account's seat decides the rest.
  const v = await validTokenInput(input, async (projectId) =>
    !!(await ctx.db.selectFrom('projects').select('id').where('id', '=', projectId).where('studio_id', '=', studioId).where('deleted_at', 'is', null).executeTakeFirst()));
  return inTransaction(ctx, async (trx) => {
    const made = await insertToken(ctx, trx, { userId, studioId }, v, actor.userId);
    await appendAudit(trx, {
      studioId, actorId: actor.userId, action: 'token.created', targetType: 'access_token', targetId: made.view.id,
      after: { serviceAccount: userId, name: v.name, access: v.access, projects: v.projects, expiresAt: made.view.expiresAt }, ip: ctx.ip,
    }, nowIso(ctx));
    return { ...made.view, token: made.token };
  });
}

export async function revokeServiceToken(ctx: Ctx, studioId: string, userId: string, tokenId: string) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.service_accounts.manage');
  await inTransaction(ctx, async (trx) => {
    await serviceAccountOf(trx, studioId, userId);
    const at = nowIso(ctx);
    const res = await trx.updateTable('access_tokens').set({ revoked_at: at })
      .where('id', '=', tokenId).where('user_id', '=', userId).where('studio_id', '=', studioId).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new BacklotError('not_found', 'token not found');
    await appendAudit(trx, { studioId, actorId: actor.userId, action: 'token.revoked', targetType: 'access_token', targetId: tokenId, after: { serviceAccount: userId }, ip: ctx.ip }, at);
  });
}

/** Deactivates a service account: every token of it fails at once; its work and history stay. */
export async function deactivateServiceAccount(ctx: Ctx, studioId: string, userId: string) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.service_accounts.manage');
  await inTransaction(ctx, async (trx) => {
    const account = await serviceAccountOf(trx, studioId, userId);
    const at = nowIso(ctx);
    if (!account.deactivated_at) await trx.updateTable('users').set({ deactivated_at: at }).where('id', '=', userId).execute();
    await trx.updateTable('access_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    await appendAudit(trx, { studioId, actorId: actor.userId, action: 'service_account.deactivated', targetType: 'user', targetId: userId, ip: ctx.ip }, at);
  });
}
