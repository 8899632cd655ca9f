// Invitations: several emails at once, with a studio role and optional project roles. Existing
// accounts join at once; others get a one-time link (7 days) to create their account.
import {
  authorizeGrantStudioRole, BacklotError, emailDomain, normalizeEmail, type StudioRole,
} from '@backlot/core';
import { inTransaction, nowIso, type Ctx, type Trx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { addMs, DAY_MS } from '../clock.js';
import { hashSecret, newId, newSecret } from '../auth/tokens.js';
import { issueSession } from '../auth/sessions.js';
import { check, loadProjectAccess, loadStudioAccess, requireAccountAction, type StudioAccess } from '../access/access.js';
import { addMembersInTrx } from './project-members.js';
import { insertUser, type NewAccount } from './accounts.js';
import type { InvitationsTable } from '../db/schema.js';

export const INVITATION_TTL_MS = 7 * DAY_MS;

export interface ProjectGrant {
  projectId: string;
  roleId: string;
}

export type InvitationStatus = 'pending' | 'expired' | 'accepted' | 'revoked';

function statusOf(inv: InvitationsTable, now: string): InvitationStatus {
  if (inv.accepted_at) return 'accepted';
  if (inv.revoked_at) return 'revoked';
  return inv.expires_at <= now ? 'expired' : 'pending';
}

export function invitationView(inv: InvitationsTable, now: string) {
  return {
    id: inv.id, email: inv.email, studioRole: inv.studio_role, projects: JSON.parse(inv.projects) as ProjectGrant[],
    status: statusOf(inv, now), invitedBy: inv.invited_by, createdAt: inv.created_at, expiresAt: inv.expires_at,
    acceptedAt: inv.accepted_at, revokedAt: inv.revoked_at, sentCount: inv.sent_count,
  };
}

const inviteLink = (ctx: Ctx, token: string) => `${ctx.baseUrl()}/invite#token=${token}`;

/** Sends the link by email, or, without SMTP, hands it back to the inviter (and logs it). */
async function deliver(ctx: Ctx, studioName: string, email: string, token: string): Promise<{ delivered: 'email' | 'link'; link?: string }> {
  const link = inviteLink(ctx, token);
  if (!ctx.mailer.configured) {
    ctx.log.info(`invitation link for ${email}: ${link}`);
    return { delivered: 'link', link };
  }
  await ctx.mailer.send({
    to: email,
    subject: `You are invited to ${studioName} on Backlot`,
    text: `You have been invited to join the studio "${studioName}" on Backlot.\n\nCreate your account here (the link expires in 7 days):\n${link}\n`,
  });
  return { delivered: 'email' };
}

/** Every requested project must be in this studio, and the inviter must be allowed to add to it. */
async function checkProjectGrants(ctx: Ctx, trx: Trx, studioId: string, grants: ProjectGrant[]) {
  for (const g of grants) {
    const access = await loadProjectAccess(ctx, g.projectId, trx).catch(() => null);
    if (!access || access.project.studio_id !== studioId)
      throw new BacklotError('validation_failed', 'no such project in this studio', { field: 'projects', projectId: g.projectId });
    const role = await trx.selectFrom('roles').select('id').where('id', '=', g.roleId).where('project_id', '=', g.projectId).executeTakeFirst();
    if (!role) throw new BacklotError('validation_failed', 'no such role in that project', { field: 'projects', projectId: g.projectId, roleId: g.roleId });
  }
}

/** Adds the person to the invitation's projects, checked against the inviter's current rights. */
async function grantProjects(inviterCtx: Ctx, trx: Trx, userId: string, grants: ProjectGrant[]) {
  const ctx = inviterCtx;
  for (const g of grants) {
    const access = await loadProjectAccess(inviterCtx, g.projectId, trx).catch(() => null);
    if (!access) continue;
    await addMembersInTrx(ctx, trx, access, [userId], g.roleId).catch((err) => {
      ctx.log.warn(`invitation project grant skipped for ${g.projectId}: ${(err as Error).message}`);
    });
  }
}

export interface InviteResult {
  email: string;
  outcome: 'added' | 'invited' | 'already_member' | 'rejected';
  reason?: string;
  invitationId?: string;
  delivered?: 'email' | 'link';
  link?: string;
}

export async function invite(ctx: Ctx, studioId: string, input: { emails: string[]; role: StudioRole; projects?: ProjectGrant[] }) {
  const access = await loadStudioAccess(ctx, studioId);
  check(authorizeGrantStudioRole(access.actor, input.role), { studioId, action: 'studio.invite' });
  const grants = input.projects ?? [];
  const allowed: string[] = JSON.parse(access.studio.allowed_domains);
  const results: InviteResult[] = [];
  const toDeliver: { result: InviteResult; token: string }[] = [];
  await inTransaction(ctx, async (trx) => {
    await checkProjectGrants(ctx, trx, studioId, grants);
    const seen = new Set<string>();
    for (const raw of input.emails) {
      const email = normalizeEmail(raw);
      if (!email) { results.push({ email: raw, outcome: 'rejected', reason: 'not a valid email address' }); continue; }
      if (seen.has(email)) continue;
      seen.add(email);
      if (allowed.length && !allowed.includes(emailDomain(email))) {
        results.push({ email, outcome: 'rejected', reason: `only ${allowed.join(', ')} addresses may join this studio` });
        continue;
      }
      results.push(await inviteOne(ctx, trx, access, email, input.role, grants, toDeliver));
    }
  });
  // Mail goes out after commit: a failed send must not undo the invitation (it can be re-sent).
  for (const { result, token } of toDeliver) {
    try {
      Object.assign(result, await deliver(ctx, access.studio.name, result.email, token));
    } catch (err) {
      ctx.log.warn(`invitation email to ${result.email} failed: ${(err as Error).message}`);
      Object.assign(result, { delivered: 'link', link: inviteLink(ctx, token), reason: 'email could not be sent; share the link' });
    }
  }
  return { results };
}

async function inviteOne(
  ctx: Ctx, trx: Trx, access: StudioAccess, email: string, role: StudioRole, grants: ProjectGrant[],
  toDeliver: { result: InviteResult; token: string }[],
): Promise<InviteResult> {
  const studioId = access.studio.id;
  const at = nowIso(ctx);
  const user = await trx.selectFrom('users').select(['id', 'deactivated_at']).where('email', '=', email).executeTakeFirst();
  if (user) {
    const seat = await trx.selectFrom('studio_members').select('role').where('studio_id', '=', studioId).where('user_id', '=', user.id).executeTakeFirst();
    if (seat) return { email, outcome: 'already_member' };
    if (user.deactivated_at) return { email, outcome: 'rejected', reason: 'this account is deactivated' };
    const id = newId();
    await trx.insertInto('studio_members').values({ studio_id: studioId, user_id: user.id, role, suspended_at: null, joined_at: at }).execute();
    await trx.insertInto('invitations').values({
      id, studio_id: studioId, email, studio_role: role, projects: JSON.stringify(grants), token_hash: null,
      invited_by: access.actor.userId, created_at: at, expires_at: at, accepted_at: at, accepted_by: user.id, revoked_at: null, sent_count: 0,
    }).execute();
    await appendAudit(trx, { studioId, actorId: access.actor.userId, action: 'studio.member.added', targetType: 'user', targetId: user.id, after: { email, role, projects: grants }, ip: ctx.ip }, at);
    await grantProjects(ctx, trx, user.id, grants);
    return { email, outcome: 'added', invitationId: id };
  }
  // A new pending invitation replaces an older pending one for the same address.
  // The hash stays, so an old link answers 410 (revoked) rather than "not valid".
  await trx.updateTable('invitations').set({ revoked_at: at })
    .where('studio_id', '=', studioId).where('email', '=', email).where('accepted_at', 'is', null).where('revoked_at', 'is', null).execute();
  const token = newSecret();
  const id = newId();
  const expires = addMs(ctx.clock.now(), INVITATION_TTL_MS).toISOString();
  await trx.insertInto('invitations').values({
    id, studio_id: studioId, email, studio_role: role, projects: JSON.stringify(grants), token_hash: hashSecret(token),
    invited_by: access.actor.userId, created_at: at, expires_at: expires, accepted_at: null, accepted_by: null, revoked_at: null, sent_count: 1,
  }).execute();
  await appendAudit(trx, { studioId, actorId: access.actor.userId, action: 'invitation.created', targetType: 'invitation', targetId: id, after: { email, role, projects: grants, expiresAt: expires }, ip: ctx.ip }, at);
  const result: InviteResult = { email, outcome: 'invited', invitationId: id };
  toDeliver.push({ result, token });
  return result;
}

export async function listInvitations(ctx: Ctx, studioId: string, status?: InvitationStatus) {
  const access = await loadStudioAccess(ctx, studioId);
  check(authorizeGrantStudioRole(access.actor, 'member'), { studioId, action: 'studio.invitations.view' });
  const rows = await ctx.db.selectFrom('invitations').selectAll().where('studio_id', '=', studioId).orderBy('created_at', 'desc').orderBy('id').execute();
  const now = nowIso(ctx);
  return rows.map((r) => invitationView(r, now)).filter((v) => !status || v.status === status);
}

async function loadManagedInvitation(ctx: Ctx, trx: Trx, studioId: string, invitationId: string, action: string) {
  const access = await loadStudioAccess(ctx, studioId, trx);
  check(authorizeGrantStudioRole(access.actor, 'member'), { studioId, action });
  const inv = await trx.selectFrom('invitations').selectAll().where('id', '=', invitationId).where('studio_id', '=', studioId).executeTakeFirst();
  if (!inv) throw new BacklotError('not_found', 'invitation not found');
  check(authorizeGrantStudioRole(access.actor, inv.studio_role), { studioId, action });
  return { access, inv };
}

/** Re-send: a fresh link and a fresh 7-day expiry; the old link stops working. */
export async function resendInvitation(ctx: Ctx, studioId: string, invitationId: string) {
  const token = newSecret();
  const { access, view } = await inTransaction(ctx, async (trx) => {
    const { access, inv } = await loadManagedInvitation(ctx, trx, studioId, invitationId, 'invitation.resend');
    const status = statusOf(inv, nowIso(ctx));
    if (status === 'accepted' || status === 'revoked') throw new BacklotError('conflict', `the invitation was ${status}`, { status });
    const at = nowIso(ctx);
    const expires = addMs(ctx.clock.now(), INVITATION_TTL_MS).toISOString();
    const next = { token_hash: hashSecret(token), expires_at: expires, sent_count: inv.sent_count + 1 };
    await trx.updateTable('invitations').set(next).where('id', '=', inv.id).execute();
    await appendAudit(trx, { studioId, actorId: access.actor.userId, action: 'invitation.resent', targetType: 'invitation', targetId: inv.id, before: { expiresAt: inv.expires_at }, after: { expiresAt: expires }, ip: ctx.ip }, at);
    return { access, view: invitationView({ ...inv, ...next }, at) };
  });
  let delivery;
  try {
    delivery = await deliver(ctx, access.studio.name, view.email, token);
  } catch (err) {
    ctx.log.warn(`invitation email to ${view.email} failed: ${(err as Error).message}`);
    delivery = { delivered: 'link' as const, link: inviteLink(ctx, token) };
  }
  return { ...view, ...delivery };
}

export async function revokeInvitation(ctx: Ctx, studioId: string, invitationId: string) {
  await inTransaction(ctx, async (trx) => {
    const { access, inv } = await loadManagedInvitation(ctx, trx, studioId, invitationId, 'invitation.revoke');
    if (inv.accepted_at) throw new BacklotError('conflict', 'the invitation was already accepted', { status: 'accepted' });
    if (inv.revoked_at) return;
    const at = nowIso(ctx);
    await trx.updateTable('invitations').set({ revoked_at: at }).where('id', '=', inv.id).execute();
    await appendAudit(trx, { studioId, actorId: access.actor.userId, action: 'invitation.revoked', targetType: 'invitation', targetId: inv.id, before: { email: inv.email }, ip: ctx.ip }, at);
  });
}

// ---- the invitee's side ------------------------------------------------------------------------

async function findByToken(trx: Trx | Ctx['db'], token: string) {
  return trx.selectFrom('invitations as i').innerJoin('studios as s', 's.id', 'i.studio_id')
    .selectAll('i').select(['s.name as studio_name', 's.deleted_at as studio_deleted_at'])
    .where('i.token_hash', '=', hashSecret(token)).executeTakeFirst();
}

function assertUsable(inv: (InvitationsTable & { studio_deleted_at: string | null }) | undefined, now: string) {
  if (!inv || inv.studio_deleted_at) throw new BacklotError('not_found', 'this invitation link is not valid');
  const status = statusOf(inv, now);
  if (status === 'expired') throw new BacklotError('gone', 'this invitation has expired; ask for a new one', { status });
  if (status !== 'pending') throw new BacklotError('gone', `this invitation was ${status}`, { status });
}

/** What the invitation page shows before the person accepts. */
export async function lookupInvitation(ctx: Ctx, token: string) {
  const inv = await findByToken(ctx.db, token);
  assertUsable(inv, nowIso(ctx));
  const hasAccount = !!(await ctx.db.selectFrom('users').select('id').where('email', '=', inv!.email).executeTakeFirst());
  return { studioName: inv!.studio_name, email: inv!.email, studioRole: inv!.studio_role, expiresAt: inv!.expires_at, hasAccount };
}

/**
 * Accepting: a signed-in user whose email matches joins; a new address creates its account (and
 * gets a session). An existing account must sign in first, so a link alone never takes it over.
 */
export async function acceptInvitation(ctx: Ctx, token: string, account: Omit<NewAccount, 'email'> | null, kind: 'cookie' | 'bearer', userAgent: string | null) {
  return inTransaction(ctx, async (trx) => {
    const inv = await findByToken(trx, token);
    const at = nowIso(ctx);
    assertUsable(inv, at);
    const invitation = inv!;
    let userId: string;
    let session = null;
    if (ctx.user) {
      requireAccountAction(ctx, 'account.manage');
      if (ctx.user.email !== invitation.email)
        throw new BacklotError('forbidden', 'this invitation was sent to another email address', { email: invitation.email });
      userId = ctx.user.id;
    } else {
      const existing = await trx.selectFrom('users').select('id').where('email', '=', invitation.email).executeTakeFirst();
      if (existing) throw new BacklotError('unauthenticated', 'an account with this email exists; sign in to accept');
      if (!account) throw new BacklotError('validation_failed', 'name and password are needed to create the account', { fields: ['name', 'password'] });
      userId = await insertUser(ctx, trx, { ...account, email: invitation.email });
      session = await issueSession(ctx, trx, userId, kind, { ip: ctx.ip, userAgent });
    }
    const seat = await trx.selectFrom('studio_members').select('role').where('studio_id', '=', invitation.studio_id).where('user_id', '=', userId).executeTakeFirst();
    if (!seat)
      await trx.insertInto('studio_members').values({ studio_id: invitation.studio_id, user_id: userId, role: invitation.studio_role, suspended_at: null, joined_at: at }).execute();
    await trx.updateTable('invitations').set({ accepted_at: at, accepted_by: userId }).where('id', '=', invitation.id).execute();
    await appendAudit(trx, { studioId: invitation.studio_id, actorId: userId, action: 'invitation.accepted', targetType: 'invitation', targetId: invitation.id, after: { userId, role: invitation.studio_role }, ip: ctx.ip }, at);
    const inviter = await trx.selectFrom('users').select(['id', 'email', 'name', 'is_instance_admin']).where('id', '=', invitation.invited_by).executeTakeFirst();
    if (inviter) {
      const inviterCtx: Ctx = { ...ctx, user: { id: inviter.id, email: inviter.email, name: inviter.name, isInstanceAdmin: inviter.is_instance_admin === 1, sessionId: '' } };
      await grantProjects(inviterCtx, trx, userId, JSON.parse(invitation.projects));
    }
    return { userId, studioId: invitation.studio_id, session };
  });
}
