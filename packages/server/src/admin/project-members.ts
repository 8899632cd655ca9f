// Who is in a project and with which role. Removal and role changes apply on the member's very
// next request, because every request reloads the caller's role (services/access.ts).
import {
  authorizeGrantProjectRole, authorizeProject, BacklotError, canSeeMemberEmails, guardLastProjectAdmin, PermissionSet,
} from '@backlot/core';
import { inTransaction, nowIso, type Ctx, type Trx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { check, projectAccess, type ProjectAccess } from '../access/access.js';
import { applyConsequence } from '../ops/apply.js';
import { releaseTasksOf } from '../ops/control.js';

export interface RoleRow {
  id: string;
  name: string;
  fixed: number;
  permissions: string;
}

const asGrant = (r: RoleRow) => ({ fixed: r.fixed === 1, permissions: PermissionSet.of(JSON.parse(r.permissions)) });

export async function loadRole(trx: Trx | Ctx['db'], projectId: string, roleId: string): Promise<RoleRow> {
  const role = await trx.selectFrom('roles').select(['id', 'name', 'fixed', 'permissions']).where('id', '=', roleId).where('project_id', '=', projectId).executeTakeFirst();
  if (!role) throw new BacklotError('validation_failed', 'no such role in this project', { field: 'roleId', value: roleId });
  return role;
}

/** Admins who can act: holding the fixed role and an active (not suspended) studio seat. */
export async function countAdmins(trx: Trx | Ctx['db'], projectId: string): Promise<number> {
  const r = await trx
    .selectFrom('project_members as pm')
    .innerJoin('roles as r', 'r.id', 'pm.role_id')
    .innerJoin('projects as p', 'p.id', 'pm.project_id')
    .innerJoin('studio_members as sm', (j) => j.onRef('sm.studio_id', '=', 'p.studio_id').onRef('sm.user_id', '=', 'pm.user_id'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('pm.project_id', '=', projectId)
    .where('r.fixed', '=', 1)
    .where('sm.suspended_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The live projects of a studio in which this user is the only Admin. */
export async function lastAdminProjects(trx: Trx, studioId: string, userId: string): Promise<{ id: string; name: string }[]> {
  const mine = await trx
    .selectFrom('project_members as pm')
    .innerJoin('roles as r', 'r.id', 'pm.role_id')
    .innerJoin('projects as p', 'p.id', 'pm.project_id')
    .select(['p.id', 'p.name'])
    .where('pm.user_id', '=', userId)
    .where('r.fixed', '=', 1)
    .where('p.studio_id', '=', studioId)
    .where('p.deleted_at', 'is', null)
    .execute();
  const stuck = [];
  for (const p of mine) if ((await countAdmins(trx, p.id)) <= 1) stuck.push(p);
  return stuck;
}

/**
 * Ends a project seat: the member's tasks pass to the most senior pending requester (or become
 * unassigned), then the seat goes. Their access ends with this transaction.
 */
export async function leaveProject(ctx: Ctx, trx: Trx, projectId: string, userId: string): Promise<void> {
  await applyConsequence(ctx, trx, projectId, async (env) => {
    await releaseTasksOf(env, userId);
    await trx.deleteFrom('project_members').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
    await env.remove('member', userId, { userId });
  });
}

/** Membership changes go to the change log too, so syncing clients and live sockets hear of them. */
async function recordMembers(ctx: Ctx, trx: Trx, projectId: string, userIds: string[], roleId: string): Promise<void> {
  await applyConsequence(ctx, trx, projectId, async (env) => {
    for (const userId of userIds) await env.upsert('member', userId, { userId, roleId });
  });
}

/** Responses about membership carry a warning while a project has fewer than two Admins. */
export async function adminWarnings(db: Trx | Ctx['db'], projectId: string) {
  const admins = await countAdmins(db, projectId);
  return admins < 2 ? [{ code: 'few_admins', message: `this project has ${admins} Admin${admins === 1 ? '' : 's'}; consider appointing a second one`, admins }] : [];
}

export async function listProjectMembers(ctx: Ctx, projectId: string) {
  const { actor } = await projectAccess(ctx, projectId, 'members.view');
  const emails = canSeeMemberEmails(actor);
  const rows = await ctx.db
    .selectFrom('project_members as pm')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .innerJoin('roles as r', 'r.id', 'pm.role_id')
    .select(['u.id', 'u.email', 'u.name', 'u.last_active_at', 'r.id as role_id', 'r.name as role_name', 'pm.added_at'])
    .where('pm.project_id', '=', projectId)
    .orderBy('u.name')
    .execute();
  return {
    members: rows.map((r) => ({
      userId: r.id, ...(emails ? { email: r.email } : {}), name: r.name, roleId: r.role_id, roleName: r.role_name, addedAt: r.added_at, lastActiveAt: r.last_active_at,
    })),
    warnings: await adminWarnings(ctx.db, projectId),
  };
}

function checkGrant(access: ProjectAccess, role: RoleRow, action: string) {
  check(authorizeGrantProjectRole(access.actor, asGrant(role)), { studioId: access.project.studio_id, projectId: access.project.id, action });
}

/**
 * Adds studio members to a project with one role, all or nothing. Users who are already members
 * are reported, not changed.
 */
export async function addProjectMembers(ctx: Ctx, projectId: string, input: { userIds: string[]; roleId: string }) {
  const access = await projectAccess(ctx, projectId, 'members.add');
  return inTransaction(ctx, (trx) => addMembersInTrx(ctx, trx, access, input.userIds, input.roleId));
}

export async function addMembersInTrx(ctx: Ctx, trx: Trx, access: ProjectAccess, userIds: string[], roleId: string) {
  const { project, actor } = access;
  const role = await loadRole(trx, project.id, roleId);
  checkGrant(access, role, 'members.add');
  const unique = [...new Set(userIds)];
  const seats = unique.length
    ? await trx.selectFrom('studio_members').select(['user_id', 'suspended_at']).where('studio_id', '=', project.studio_id).where('user_id', 'in', unique).execute()
    : [];
  const seated = new Map(seats.map((s) => [s.user_id, s]));
  const notInStudio = unique.filter((id) => !seated.has(id));
  if (notInStudio.length)
    throw new BacklotError('validation_failed', 'only members of the studio can be added to its projects', { field: 'userIds', userIds: notInStudio });
  const existing = unique.length
    ? new Set((await trx.selectFrom('project_members').select('user_id').where('project_id', '=', project.id).where('user_id', 'in', unique).execute()).map((r) => r.user_id))
    : new Set<string>();
  const fresh = unique.filter((id) => !existing.has(id));
  const at = nowIso(ctx);
  if (fresh.length) {
    await trx.insertInto('project_members').values(fresh.map((user_id) => ({ project_id: project.id, user_id, role_id: role.id, added_at: at, added_by: actor.userId }))).execute();
    await recordMembers(ctx, trx, project.id, fresh, role.id);
    for (const userId of fresh)
      await appendAudit(trx, { studioId: project.studio_id, projectId: project.id, actorId: actor.userId, action: 'project.member.added', targetType: 'user', targetId: userId, after: { roleId: role.id, roleName: role.name }, ip: ctx.ip }, at);
  }
  return {
    added: fresh,
    alreadyMembers: unique.filter((id) => existing.has(id)),
    warnings: await adminWarnings(trx, project.id),
  };
}

async function loadMember(trx: Trx, projectId: string, userId: string) {
  const m = await trx
    .selectFrom('project_members as pm')
    .innerJoin('roles as r', 'r.id', 'pm.role_id')
    .select(['r.id', 'r.name', 'r.fixed', 'r.permissions'])
    .where('pm.project_id', '=', projectId)
    .where('pm.user_id', '=', userId)
    .executeTakeFirst();
  if (!m) throw new BacklotError('not_found', 'member not found');
  return m;
}

export async function changeProjectMemberRole(ctx: Ctx, projectId: string, userId: string, roleId: string) {
  const access = await projectAccess(ctx, projectId, 'members.change_role');
  const { project, actor } = access;
  return inTransaction(ctx, async (trx) => {
    const current = await loadMember(trx, projectId, userId);
    const next = await loadRole(trx, projectId, roleId);
    // Neither demote someone who holds more than you, nor promote beyond what you hold.
    checkGrant(access, current, 'members.change_role');
    checkGrant(access, next, 'members.change_role');
    check(guardLastProjectAdmin(current.fixed === 1, next.fixed === 1, await countAdmins(trx, projectId)), { studioId: project.studio_id, projectId, action: 'members.change_role' });
    if (current.id !== next.id) {
      const at = nowIso(ctx);
      await trx.updateTable('project_members').set({ role_id: next.id }).where('project_id', '=', projectId).where('user_id', '=', userId).execute();
      await recordMembers(ctx, trx, projectId, [userId], next.id);
      await appendAudit(trx, { studioId: project.studio_id, projectId, actorId: actor.userId, action: 'project.member.role_changed', targetType: 'user', targetId: userId, before: { roleId: current.id, roleName: current.name }, after: { roleId: next.id, roleName: next.name }, ip: ctx.ip }, at);
    }
    return { userId, roleId: next.id, warnings: await adminWarnings(trx, projectId) };
  });
}

export async function removeProjectMember(ctx: Ctx, projectId: string, userId: string) {
  // Leaving a project needs no permission; removing someone else does.
  const access = await projectAccess(ctx, projectId, 'project.view');
  const { project, actor } = access;
  const leaving = actor.userId === userId;
  if (!leaving) check(authorizeProject(actor, 'members.remove'), { studioId: project.studio_id, projectId, action: 'members.remove' });
  return inTransaction(ctx, async (trx) => {
    const current = await loadMember(trx, projectId, userId);
    if (!leaving) checkGrant(access, current, 'members.remove');
    check(guardLastProjectAdmin(current.fixed === 1, false, await countAdmins(trx, projectId)), { studioId: project.studio_id, projectId, action: 'members.remove' });
    await leaveProject(ctx, trx, projectId, userId);
    await appendAudit(trx, { studioId: project.studio_id, projectId, actorId: actor.userId, action: leaving ? 'project.member.left' : 'project.member.removed', targetType: 'user', targetId: userId, before: { roleId: current.id, roleName: current.name }, ip: ctx.ip }, nowIso(ctx));
    return { warnings: await adminWarnings(trx, projectId) };
  });
}
