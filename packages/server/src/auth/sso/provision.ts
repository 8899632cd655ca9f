// Accounts and seats from the studio's identity provider: the first SSO sign-in makes the
// account and studio seat, and every sign-in re-applies the owner's group mappings (core/identity-policy.ts decides what they give). Seats a mapping
// granted are taken back when no group gives them any more; seats added by hand are left alone
// unless a mapping names that project. A project never loses its last Admin this way.
import {
  authorizeIdpLink, BacklotError, enforce, normalizeEmail, resolveMappedAccess, studioRoleToApply, type StudioRole,
} from '@backlot/core';
import { nowIso, type Ctx, type Trx } from '../../context.js';
import { appendAudit } from '../../audit/log.js';
import { applyConsequence } from '../../ops/apply.js';
import { countAdmins, leaveProject } from '../../admin/project-members.js';
import { newId } from '../tokens.js';
import { listMappings } from './settings.js';
import { groupsToMap } from '../mapped-groups.js';

/** A context acting as `userId` (consequences record who they concern; nothing is authorized by it). */
export function actingAs(ctx: Ctx, user: { id: string; email: string; name: string }): Ctx {
  return { ...ctx, user: { id: user.id, email: user.email, name: user.name, isInstanceAdmin: false, sessionId: '' } };
}

/**
 * Re-applies the studio's mappings to one account for the groups it has now. `source` names what
 * caused it for the audit trail.
 */
export async function applyGroupMappings(ctx: Ctx, trx: Trx, studioId: string, user: { id: string; email: string; name: string }, groups: readonly string[], source: string) {
  const mappings = await listMappings(trx, studioId);
  const projectIds = [...new Set(mappings.flatMap((m) => m.projectRoles.map((p) => p.projectId)))];
  const roles = projectIds.length
    ? await trx.selectFrom('roles as r').innerJoin('projects as p', 'p.id', 'r.project_id')
      .select(['r.id', 'r.project_id', 'r.rank', 'r.fixed'])
      .where('r.project_id', 'in', projectIds).where('p.studio_id', '=', studioId).where('p.deleted_at', 'is', null).execute()
    : [];
  const rankOf = (projectId: string, roleId: string) => roles.find((r) => r.id === roleId && r.project_id === projectId)?.rank;
  const mapped = resolveMappedAccess(mappings, groups, rankOf);
  const at = nowIso(ctx);
  const audit = (action: string, after: unknown, extra: { projectId?: string; before?: unknown } = {}) =>
    appendAudit(trx, { studioId, projectId: extra.projectId ?? null, actorId: null, action, targetType: 'user', targetId: user.id, before: extra.before, after: { ...(after as object), via: source }, ip: ctx.ip }, at);

  // The studio seat.
  const seat = await trx.selectFrom('studio_members').select(['role', 'suspended_at']).where('studio_id', '=', studioId).where('user_id', '=', user.id).executeTakeFirst();
  const role: StudioRole = studioRoleToApply(seat?.role ?? null, mapped.studioRole);
  if (!seat) {
    await trx.insertInto('studio_members').values({ studio_id: studioId, user_id: user.id, role, suspended_at: null, joined_at: at }).execute();
    await audit('studio.member.added', { role, groups: mapped.matchedGroups });
  } else if (seat.role !== role) {
    await trx.updateTable('studio_members').set({ role }).where('studio_id', '=', studioId).where('user_id', '=', user.id).execute();
    await audit('studio.member.role_changed', { role, groups: mapped.matchedGroups }, { before: { role: seat.role } });
  }

  // Project seats.
  const as = actingAs(ctx, user);
  const held = await trx.selectFrom('project_members as pm').innerJoin('projects as p', 'p.id', 'pm.project_id').innerJoin('roles as r', 'r.id', 'pm.role_id')
    .select(['pm.project_id', 'pm.role_id', 'r.fixed']).where('pm.user_id', '=', user.id).where('p.studio_id', '=', studioId).where('p.deleted_at', 'is', null).execute();
  const heldBy = new Map(held.map((h) => [h.project_id, h]));
  const grants = new Set((await trx.selectFrom('sso_grants').select('project_id').where('studio_id', '=', studioId).where('user_id', '=', user.id).execute()).map((g) => g.project_id));
  const lastAdmin = async (projectId: string) => heldBy.get(projectId)?.fixed === 1 && (await countAdmins(trx, projectId)) <= 1;

  for (const [projectId, roleId] of mapped.projectRoles) {
    const current = heldBy.get(projectId);
    if (current?.role_id === roleId) {
      if (!grants.has(projectId)) await trx.insertInto('sso_grants').values({ studio_id: studioId, user_id: user.id, project_id: projectId }).execute();
      continue;
    }
    if (current && (await lastAdmin(projectId))) continue;
    await applyConsequence(as, trx, projectId, async (env) => {
      if (current) await trx.updateTable('project_members').set({ role_id: roleId }).where('project_id', '=', projectId).where('user_id', '=', user.id).execute();
      else await trx.insertInto('project_members').values({ project_id: projectId, user_id: user.id, role_id: roleId, added_at: at, added_by: null }).execute();
      await env.upsert('member', user.id, { userId: user.id, roleId });
    });
    if (!grants.has(projectId)) await trx.insertInto('sso_grants').values({ studio_id: studioId, user_id: user.id, project_id: projectId }).execute();
    await audit(current ? 'project.member.role_changed' : 'project.member.added', { roleId }, { projectId, before: current ? { roleId: current.role_id } : undefined });
  }
  // What a mapping gave and no group gives any more goes.
  for (const projectId of grants) {
    if (mapped.projectRoles.has(projectId)) continue;
    await trx.deleteFrom('sso_grants').where('studio_id', '=', studioId).where('user_id', '=', user.id).where('project_id', '=', projectId).execute();
    if (!heldBy.has(projectId) || (await lastAdmin(projectId))) continue;
    await leaveProject(as, trx, projectId, user.id);
    await audit('project.member.removed', {}, { projectId });
  }
  return { studioRole: role, projects: Object.fromEntries(mapped.projectRoles), groups: mapped.matchedGroups };
}

export interface IdpPerson {
  studioId: string;
  protocol: 'oidc' | 'saml';
  subject: string;
  email: string | null;
  name: string | null;
  groups: string[];
}

/**
 * Finds or makes the account an IdP sign-in names, and re-applies the mappings. An existing
 * account is linked by email only when it cannot reach beyond this studio: already a member of
 * it alone, under one of the studio's required email domains, not an instance administrator.
 * Otherwise an IdP could take over an account that other studios trust.
 */
export async function signInFromIdp(ctx: Ctx, trx: Trx, person: IdpPerson): Promise<{ userId: string; created: boolean }> {
  const column = person.protocol === 'oidc' ? 'oidc_subject' : 'saml_subject';
  const at = nowIso(ctx);
  let identity = await trx.selectFrom('sso_identities').selectAll().where('studio_id', '=', person.studioId).where(column, '=', person.subject).executeTakeFirst();
  let created = false;
  let userId: string;
  if (identity) userId = identity.user_id;
  else {
    const email = person.email ? normalizeEmail(person.email) : null;
    if (!email) throw new BacklotError('bad_request', 'the identity provider sent no usable email address for this account', { reason: 'no_email' });
    const existing = await trx.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    if (existing) {
      identity = await trx.selectFrom('sso_identities').selectAll().where('studio_id', '=', person.studioId).where('user_id', '=', existing.id).executeTakeFirst();
      if (!identity) await assertLinkable(trx, person.studioId, existing);
      userId = existing.id;
    } else {
      userId = newId();
      await trx.insertInto('users').values({
        id: userId, email, name: (person.name?.trim() || email.split('@')[0]).slice(0, 200), password_hash: null, is_instance_admin: 0,
        deactivated_at: null, created_at: at, last_active_at: null, service_studio_id: null, managed_by_studio: person.studioId,
      }).execute();
      created = true;
      await appendAudit(trx, { studioId: person.studioId, actorId: null, action: 'user.created_by_sso', targetType: 'user', targetId: userId, after: { email, protocol: person.protocol }, ip: ctx.ip }, at);
    }
    if (identity) await trx.updateTable('sso_identities').set({ [column]: person.subject }).where('studio_id', '=', person.studioId).where('user_id', '=', userId).execute();
    else await trx.insertInto('sso_identities').values({
      studio_id: person.studioId, user_id: userId, oidc_subject: null, saml_subject: null, [column]: person.subject, login_groups: '[]',
      created_at: at, last_login_at: null,
    }).execute();
  }
  const user = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  const seat = await trx.selectFrom('studio_members').select('suspended_at').where('studio_id', '=', person.studioId).where('user_id', '=', userId).executeTakeFirst();
  if (user.deactivated_at || seat?.suspended_at)
    throw new BacklotError('forbidden', 'this account is deactivated or suspended in the studio', { reason: 'deactivated' });
  await trx.updateTable('sso_identities').set({ login_groups: JSON.stringify(person.groups), last_login_at: at })
    .where('studio_id', '=', person.studioId).where('user_id', '=', userId).execute();
  // Once the studio pushes groups through SCIM, those decide (core/scim-policy.ts groupsForMappings).
  await applyGroupMappings(ctx, trx, person.studioId, user, await groupsToMap(trx, person.studioId, userId, person.groups), `sso_${person.protocol}`);
  return { userId, created };
}

/** Refuses to link an existing account the studio's IdP must not take over (core/scim-policy.ts decides). */
export async function assertLinkable(trx: Trx, studioId: string, user: { id: string; email: string; is_instance_admin: number; service_studio_id: string | null }, knownToStudioIdp = false) {
  const seats = await trx.selectFrom('studio_members as m').innerJoin('studios as s', 's.id', 'm.studio_id').select(['m.studio_id'])
    .where('m.user_id', '=', user.id).where('s.deleted_at', 'is', null).execute();
  const studio = await trx.selectFrom('studios').select('allowed_domains').where('id', '=', studioId).executeTakeFirstOrThrow();
  enforce(authorizeIdpLink(
    { knownToStudioIdp, instanceAdmin: user.is_instance_admin === 1, serviceAccount: !!user.service_studio_id, seatStudios: seats.map((s) => s.studio_id), emailDomain: user.email.split('@')[1] },
    { id: studioId, allowedDomains: JSON.parse(studio.allowed_domains) as string[] },
  ));
}
