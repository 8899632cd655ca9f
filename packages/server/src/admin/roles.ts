// Project roles: the presets' roles plus custom ones. The fixed Admin role is never edited or
// deleted; a role in use is deleted only by moving its members to a replacement.
import { ALL_PERMISSIONS, AREA_LABELS, authorizeGrantProjectRole, authorizeRoleChange, BacklotError, isPermission, PERMISSION_AREAS, PERMISSION_DESCRIPTIONS, PermissionSet, type PermissionArea } from '@backlot/core';
import { inTransaction, nowIso, type Ctx, type Trx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { newId } from '../auth/tokens.js';
import { check, projectAccess, type ProjectAccess } from '../access/access.js';
import { applyConsequence } from '../ops/apply.js';
import { validName } from './accounts.js';
import type { RolesTable } from '../db/schema.js';

export const permissionCatalog = () => ({
  permissions: ALL_PERMISSIONS,
  areas: Object.entries(PERMISSION_AREAS).map(([area, permissions]) => ({ area, label: AREA_LABELS[area as PermissionArea], permissions })),
  descriptions: PERMISSION_DESCRIPTIONS,
});

export function roleView(r: RolesTable, memberCount?: number) {
  return {
    id: r.id, key: r.key, name: r.name, rank: r.rank, fixed: r.fixed === 1, assignedOnly: r.assigned_only === 1,
    permissions: JSON.parse(r.permissions) as string[], createdAt: r.created_at, updatedAt: r.updated_at,
    ...(memberCount !== undefined && { memberCount }),
  };
}

function validPermissions(list: string[]): string[] {
  const unknown = list.filter((p) => !isPermission(p));
  if (unknown.length) throw new BacklotError('validation_failed', `unknown permission ${unknown.join(', ')}`, { field: 'permissions', unknown });
  return PermissionSet.of(list).list(); // catalog order, no duplicates
}

function checkGrant(access: ProjectAccess, permissions: string[], fixed: boolean) {
  check(authorizeGrantProjectRole(access.actor, { fixed, permissions: PermissionSet.of(permissions) }), {
    studioId: access.project.studio_id, projectId: access.project.id, action: 'roles.manage',
  });
}

async function assertRoleNameFree(trx: Trx, projectId: string, name: string, exceptId?: string) {
  let q = trx.selectFrom('roles').select('id').where('project_id', '=', projectId).where('name', '=', name);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const existing = await q.executeTakeFirst();
  if (existing) throw new BacklotError('conflict', 'a role with this name already exists', { existingId: existing.id });
}

async function findRole(trx: Trx, projectId: string, roleId: string): Promise<RolesTable> {
  const role = await trx.selectFrom('roles').selectAll().where('id', '=', roleId).where('project_id', '=', projectId).executeTakeFirst();
  if (!role) throw new BacklotError('not_found', 'role not found');
  return role;
}

export async function listRoles(ctx: Ctx, projectId: string) {
  await projectAccess(ctx, projectId, 'roles.view');
  const rows = await ctx.db
    .selectFrom('roles as r')
    .leftJoin('project_members as pm', 'pm.role_id', 'r.id')
    .selectAll('r')
    .select((eb) => eb.fn.count<number>('pm.user_id').as('member_count'))
    .where('r.project_id', '=', projectId)
    .groupBy(['r.id', 'r.project_id', 'r.key', 'r.name', 'r.rank', 'r.fixed', 'r.assigned_only', 'r.permissions', 'r.created_at', 'r.updated_at'])
    .orderBy('r.rank')
    .orderBy('r.name')
    .execute();
  return rows.map(({ member_count, ...r }) => roleView(r, Number(member_count)));
}

export async function createRole(ctx: Ctx, projectId: string, input: { name: string; permissions: string[]; assignedOnly?: boolean }) {
  const access = await projectAccess(ctx, projectId, 'roles.manage');
  const name = validName(input.name, 'name', 100);
  const permissions = validPermissions(input.permissions);
  checkGrant(access, permissions, false);
  return inTransaction(ctx, async (trx) => {
    await assertRoleNameFree(trx, projectId, name);
    const last = await trx.selectFrom('roles').select((eb) => eb.fn.max('rank').as('rank')).where('project_id', '=', projectId).executeTakeFirst();
    const at = nowIso(ctx);
    const row: RolesTable = {
      id: newId(), project_id: projectId, key: null, name, rank: Number(last?.rank ?? 0) + 1, fixed: 0,
      assigned_only: input.assignedOnly ? 1 : 0, permissions: JSON.stringify(permissions), created_at: at, updated_at: at,
    };
    await trx.insertInto('roles').values(row).execute();
    await appendAudit(trx, { studioId: access.project.studio_id, projectId, actorId: access.actor.userId, action: 'role.created', targetType: 'role', targetId: row.id, after: { name, permissions, assignedOnly: !!input.assignedOnly }, ip: ctx.ip }, at);
    return roleView(row, 0);
  });
}

export async function updateRole(ctx: Ctx, projectId: string, roleId: string, patch: { name?: string; permissions?: string[]; assignedOnly?: boolean }) {
  const access = await projectAccess(ctx, projectId, 'roles.manage');
  return inTransaction(ctx, async (trx) => {
    const role = await findRole(trx, projectId, roleId);
    // A refusal like any other: audited as request.refused.
    check(authorizeRoleChange({ fixed: role.fixed === 1, name: role.name }, 'edit'), { studioId: access.project.studio_id, projectId, action: 'roles.manage' });
    const name = patch.name === undefined ? role.name : validName(patch.name, 'name', 100);
    const permissions = patch.permissions === undefined ? JSON.parse(role.permissions) : validPermissions(patch.permissions);
    checkGrant(access, JSON.parse(role.permissions), false);
    checkGrant(access, permissions, false);
    if (name !== role.name) await assertRoleNameFree(trx, projectId, name, roleId);
    const at = nowIso(ctx);
    const assignedOnly = patch.assignedOnly === undefined ? role.assigned_only : patch.assignedOnly ? 1 : 0;
    const next = { name, permissions: JSON.stringify(permissions), assigned_only: assignedOnly, updated_at: at };
    await trx.updateTable('roles').set(next).where('id', '=', roleId).execute();
    await applyConsequence(ctx, trx, projectId, async (env) => {
      await env.upsert('role', roleId, roleView({ ...role, ...next }));
    });
    await appendAudit(trx, {
      studioId: access.project.studio_id, projectId, actorId: access.actor.userId, action: 'role.updated', targetType: 'role', targetId: roleId,
      before: { name: role.name, permissions: JSON.parse(role.permissions), assignedOnly: role.assigned_only === 1 },
      after: { name, permissions, assignedOnly: assignedOnly === 1 }, ip: ctx.ip,
    }, at);
    return roleView({ ...role, ...next });
  });
}

export async function deleteRole(ctx: Ctx, projectId: string, roleId: string, replacementRoleId?: string) {
  const access = await projectAccess(ctx, projectId, 'roles.manage');
  return inTransaction(ctx, async (trx) => {
    const role = await findRole(trx, projectId, roleId);
    check(authorizeRoleChange({ fixed: role.fixed === 1, name: role.name }, 'delete'), { studioId: access.project.studio_id, projectId, action: 'roles.manage' });
    checkGrant(access, JSON.parse(role.permissions), false);
    const members = await trx.selectFrom('project_members').select('user_id').where('role_id', '=', roleId).execute();
    const at = nowIso(ctx);
    let replacement: RolesTable | null = null;
    if (members.length) {
      if (!replacementRoleId)
        throw new BacklotError('conflict', `the role is held by ${members.length} member(s); name a replacement role`, { reason: 'role_in_use', members: members.length });
      if (replacementRoleId === roleId) throw new BacklotError('validation_failed', 'the replacement must be another role', { field: 'replacementRoleId' });
      replacement = await trx.selectFrom('roles').selectAll().where('id', '=', replacementRoleId).where('project_id', '=', projectId).executeTakeFirst() ?? null;
      if (!replacement) throw new BacklotError('validation_failed', 'no such replacement role in this project', { field: 'replacementRoleId' });
      checkGrant(access, JSON.parse(replacement.permissions), replacement.fixed === 1);
      await trx.updateTable('project_members').set({ role_id: replacement.id }).where('role_id', '=', roleId).execute();
    }
    await trx.deleteFrom('roles').where('id', '=', roleId).execute();
    await applyConsequence(ctx, trx, projectId, async (env) => {
      await env.remove('role', roleId, { id: roleId, replacementRoleId: replacement?.id ?? null });
    });
    await appendAudit(trx, {
      studioId: access.project.studio_id, projectId, actorId: access.actor.userId, action: 'role.deleted', targetType: 'role', targetId: roleId,
      before: { name: role.name, permissions: JSON.parse(role.permissions) },
      after: replacement ? { replacementRoleId: replacement.id, movedMembers: members.map((m) => m.user_id) } : null, ip: ctx.ip,
    }, at);
    return { deleted: roleId, movedMembers: members.length };
  });
}
