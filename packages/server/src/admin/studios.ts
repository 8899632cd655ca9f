// Studios and their seats: create, list, settings, delete; member roles, suspension, removal.
import {
  authorizeStudioMemberChange, BacklotError, normalizeEmail, type MemberChange, type StudioRole,
} from '@backlot/core';
import { inTransaction, nowIso, type Ctx, type Trx } from '../context.js';
import { appendAudit, startAuditChain } from '../audit/log.js';
import { requireUser } from '../auth/sessions.js';
import { newId } from '../auth/tokens.js';
import { check, loadStudioAccess, requireAccountAction, studioAccess } from '../access/access.js';
import { validName } from './accounts.js';
import { lastAdminProjects, leaveProject } from './project-members.js';

export function studioView(s: { id: string; name: string; allowed_domains: string; created_at: string }, role?: StudioRole | null) {
  return {
    id: s.id,
    name: s.name,
    allowedEmailDomains: JSON.parse(s.allowed_domains) as string[],
    createdAt: s.created_at,
    ...(role !== undefined && { myRole: role }),
  };
}

function validDomains(domains: string[]): string[] {
  const out = new Set<string>();
  for (const raw of domains) {
    const d = raw.trim().toLowerCase().replace(/^@/, '');
    if (!normalizeEmail(`x@${d}`)) throw new BacklotError('validation_failed', `"${raw}" is not a valid email domain`, { field: 'allowedEmailDomains', value: raw });
    out.add(d);
  }
  return [...out].sort();
}

export async function createStudio(ctx: Ctx, input: { name: string; allowedEmailDomains?: string[] }) {
  const user = requireAccountAction(ctx, 'account.manage');
  if (!ctx.config.allowStudioCreation && !user.isInstanceAdmin)
    throw new BacklotError('forbidden', 'only instance administrators may create studios on this server');
  const name = validName(input.name);
  const domains = validDomains(input.allowedEmailDomains ?? []);
  return inTransaction(ctx, async (trx) => {
    const at = nowIso(ctx);
    const id = newId();
    const row = { id, name, allowed_domains: JSON.stringify(domains), created_at: at, created_by: user.id, deleted_at: null, quota_bytes: null };
    await trx.insertInto('studios').values(row).execute();
    await trx.insertInto('studio_members').values({ studio_id: id, user_id: user.id, role: 'owner', suspended_at: null, joined_at: at }).execute();
    await startAuditChain(trx, id);
    await appendAudit(trx, { studioId: id, actorId: user.id, action: 'studio.created', targetType: 'studio', targetId: id, after: { name, allowedEmailDomains: domains }, ip: ctx.ip }, at);
    return studioView(row, 'owner');
  });
}

export async function listMyStudios(ctx: Ctx) {
  const user = requireUser(ctx.user);
  const rows = await ctx.db
    .selectFrom('studio_members as m')
    .innerJoin('studios as s', 's.id', 'm.studio_id')
    .select(['s.id', 's.name', 's.allowed_domains', 's.created_at', 'm.role'])
    .where('m.user_id', '=', user.id)
    .where('m.suspended_at', 'is', null)
    .where('s.deleted_at', 'is', null)
    .orderBy('s.name')
    .execute();
  return rows.map((r) => studioView(r, r.role));
}

export async function getStudio(ctx: Ctx, studioId: string) {
  const { studio, actor } = await studioAccess(ctx, studioId, 'studio.view');
  return studioView(studio, actor.role);
}

export async function updateStudio(ctx: Ctx, studioId: string, patch: { name?: string; allowedEmailDomains?: string[] }) {
  const { studio, actor } = await studioAccess(ctx, studioId, 'studio.update');
  const next = {
    name: patch.name === undefined ? studio.name : validName(patch.name),
    allowed_domains: patch.allowedEmailDomains === undefined ? studio.allowed_domains : JSON.stringify(validDomains(patch.allowedEmailDomains)),
  };
  await inTransaction(ctx, async (trx) => {
    await trx.updateTable('studios').set(next).where('id', '=', studioId).execute();
    await appendAudit(trx, {
      studioId, actorId: actor.userId, action: 'studio.updated', targetType: 'studio', targetId: studioId,
      before: { name: studio.name, allowedEmailDomains: JSON.parse(studio.allowed_domains) },
      after: { name: next.name, allowedEmailDomains: JSON.parse(next.allowed_domains) }, ip: ctx.ip,
    }, nowIso(ctx));
  });
  return studioView({ ...studio, ...next }, actor.role);
}

/** Soft delete: the studio disappears for everyone; its data and audit log stay on the server. */
export async function deleteStudio(ctx: Ctx, studioId: string) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.delete');
  await inTransaction(ctx, async (trx) => {
    const at = nowIso(ctx);
    await trx.updateTable('studios').set({ deleted_at: at }).where('id', '=', studioId).execute();
    await appendAudit(trx, { studioId, actorId: actor.userId, action: 'studio.deleted', targetType: 'studio', targetId: studioId, ip: ctx.ip }, at);
  });
}

// ---- members -----------------------------------------------------------------------------------

export async function listStudioMembers(ctx: Ctx, studioId: string) {
  await studioAccess(ctx, studioId, 'studio.members.view');
  const rows = await ctx.db
    .selectFrom('studio_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'u.last_active_at', 'u.deactivated_at', 'm.role', 'm.suspended_at', 'm.joined_at'])
    .where('m.studio_id', '=', studioId)
    .orderBy('u.name')
    .execute();
  return rows.map((r) => ({
    userId: r.id, email: r.email, name: r.name, role: r.role,
    status: r.deactivated_at ? 'deactivated' : r.suspended_at ? 'suspended' : 'active',
    joinedAt: r.joined_at, lastActiveAt: r.last_active_at,
  }));
}

async function countActiveOwners(trx: Trx, studioId: string): Promise<number> {
  const r = await trx
    .selectFrom('studio_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('studio_id', '=', studioId)
    .where('role', '=', 'owner')
    .where('suspended_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function changeStudioMember(ctx: Ctx, studioId: string, userId: string, change: MemberChange) {
  const { actor } = await loadStudioAccess(ctx, studioId);
  return inTransaction(ctx, async (trx) => {
    const target = await trx.selectFrom('studio_members').selectAll().where('studio_id', '=', studioId).where('user_id', '=', userId).executeTakeFirst();
    if (!target) {
      // Outsiders learn nothing; members learn that the person is not in the studio.
      check(authorizeStudioMemberChange(actor, { userId, role: 'member', suspended: false }, { kind: 'suspend' }, 2), { studioId, action: 'studio.member.change' });
      throw new BacklotError('not_found', 'member not found');
    }
    const decision = authorizeStudioMemberChange(
      actor, { userId, role: target.role, suspended: target.suspended_at !== null }, change, await countActiveOwners(trx, studioId),
    );
    check(decision, { studioId, action: `studio.member.${change.kind}` });
    const at = nowIso(ctx);
    const before = { role: target.role, suspended: target.suspended_at !== null };
    if (change.kind === 'remove') {
      const stuck = await lastAdminProjects(trx, studioId, userId);
      if (stuck.length)
        throw new BacklotError('conflict', 'this member is the last Admin of some projects; appoint another Admin first', { reason: 'last_admin', projects: stuck });
      const seats = await trx.selectFrom('project_members as pm').innerJoin('projects as p', 'p.id', 'pm.project_id')
        .select(['pm.project_id', 'p.deleted_at']).where('pm.user_id', '=', userId).where('p.studio_id', '=', studioId).execute();
      for (const seat of seats) {
        if (seat.deleted_at) await trx.deleteFrom('project_members').where('project_id', '=', seat.project_id).where('user_id', '=', userId).execute();
        else await leaveProject(ctx, trx, seat.project_id, userId);
      }
      await trx.deleteFrom('studio_members').where('studio_id', '=', studioId).where('user_id', '=', userId).execute();
    } else {
      const set =
        change.kind === 'change_role' ? { role: change.to }
        // A suspension by hand is no longer SCIM's to lift (scim/deprovision.ts).
        : change.kind === 'suspend' ? { suspended_at: target.suspended_at ?? at, suspended_via: null }
        : { suspended_at: null, suspended_via: null };
      await trx.updateTable('studio_members').set(set).where('studio_id', '=', studioId).where('user_id', '=', userId).execute();
    }
    const after =
      change.kind === 'remove' ? null
      : { role: change.kind === 'change_role' ? change.to : target.role, suspended: change.kind === 'suspend' || (change.kind !== 'reactivate' && before.suspended) };
    const action = { change_role: 'studio.member.role_changed', suspend: 'studio.member.suspended', reactivate: 'studio.member.reactivated', remove: 'studio.member.removed' }[change.kind];
    await appendAudit(trx, { studioId, actorId: actor.userId, action, targetType: 'user', targetId: userId, before, after, ip: ctx.ip }, at);
    return after;
  });
}
