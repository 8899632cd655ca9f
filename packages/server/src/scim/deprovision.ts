// Deprovisioning through SCIM (`active: false` or DELETE) and its undoing. In one transaction:
// the studio seat is suspended (every request re-reads it, so the very next one is refused), the
// person's project seats in the studio go (their tasks pass on as when anyone leaves; a project's
// last Admin seat stays, inert while the seat is suspended), and their sessions and access tokens
// end as far as core's deprovisionReach says. After the commit every live socket of theirs, in
// every server process, re-checks at once and closes. Their work and history stay: nothing they
// authored is touched. Re-activation lifts SCIM's own suspension and re-applies the mappings.
import { authorizeScimDeprovision, deprovisionReach, enforce } from '@backlot/core';
import { afterCommit, nowIso, type Ctx, type Trx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { revokeSessions } from '../auth/sessions.js';
import { countAdmins, leaveProject } from '../admin/project-members.js';
import { actingAs } from '../auth/sso/provision.js';
import { reapplyMappings } from './group-access.js';

async function activeOwners(trx: Trx, studioId: string): Promise<number> {
  const r = await trx.selectFrom('studio_members').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('studio_id', '=', studioId).where('role', '=', 'owner').where('suspended_at', 'is', null).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function deprovision(ctx: Ctx, trx: Trx, studioId: string, userId: string, cause: 'deactivated' | 'deleted', tokenId: string) {
  const at = nowIso(ctx);
  const user = await trx.selectFrom('users').select(['id', 'email', 'name', 'is_instance_admin']).where('id', '=', userId).executeTakeFirstOrThrow();
  const seat = await trx.selectFrom('studio_members').select(['role', 'suspended_at']).where('studio_id', '=', studioId).where('user_id', '=', userId).executeTakeFirst();
  if (seat && !seat.suspended_at) {
    enforce(authorizeScimDeprovision({ role: seat.role, suspended: false }, await activeOwners(trx, studioId)));
    await trx.updateTable('studio_members').set({ suspended_at: at, suspended_via: 'scim' }).where('studio_id', '=', studioId).where('user_id', '=', userId).execute();
  }

  const held = await trx.selectFrom('project_members as pm').innerJoin('projects as p', 'p.id', 'pm.project_id').innerJoin('roles as r', 'r.id', 'pm.role_id')
    .select(['pm.project_id', 'r.fixed']).where('pm.user_id', '=', userId).where('p.studio_id', '=', studioId).where('p.deleted_at', 'is', null).execute();
  const as = actingAs(ctx, user);
  const removed: string[] = [];
  const kept: string[] = [];
  for (const { project_id: projectId, fixed } of held) {
    // With the seat suspended, countAdmins counts the others: none left means this is the last Admin.
    if (fixed === 1 && (await countAdmins(trx, projectId)) === 0) { kept.push(projectId); continue; }
    await leaveProject(as, trx, projectId, userId);
    await trx.deleteFrom('sso_grants').where('studio_id', '=', studioId).where('user_id', '=', userId).where('project_id', '=', projectId).execute();
    removed.push(projectId);
    await appendAudit(trx, { studioId, projectId, actorId: null, action: 'project.member.removed', targetType: 'user', targetId: userId, after: { via: 'scim', cause }, ip: ctx.ip }, at);
  }

  const otherSeats = await trx.selectFrom('studio_members as m').innerJoin('studios as s', 's.id', 'm.studio_id').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('m.user_id', '=', userId).where('m.studio_id', '!=', studioId).where('m.suspended_at', 'is', null).where('s.deleted_at', 'is', null).executeTakeFirstOrThrow();
  const reach = deprovisionReach({ otherActiveSeats: Number(otherSeats.n), instanceAdmin: user.is_instance_admin === 1 });
  let sessionsEnded: number;
  let tokensRevoked = 0;
  if (reach === 'account') {
    sessionsEnded = await revokeSessions(trx, userId, at);
    const t = await trx.updateTable('access_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    tokensRevoked = Number(t.numUpdatedRows);
  } else {
    const s = await trx.updateTable('sessions').set({ revoked_at: at })
      .where('user_id', '=', userId).where('sso_studio_id', '=', studioId).where('revoked_at', 'is', null).executeTakeFirst();
    sessionsEnded = Number(s.numUpdatedRows);
  }
  await appendAudit(trx, {
    studioId, actorId: null, action: 'scim.user_deprovisioned', targetType: 'user', targetId: userId,
    after: { cause, reach, sessionsEnded, tokensRevoked, projectsRemoved: removed, projectSeatsKept: kept, scimToken: tokenId }, ip: ctx.ip,
  }, at);
  afterCommit(trx, () => ctx.events?.userAccessChanged?.(userId));
  return { reach, sessionsEnded, tokensRevoked, projectsRemoved: removed };
}

/** Lifts a suspension SCIM made (one an owner made by hand stays) and re-applies the mappings. */
export async function reprovision(ctx: Ctx, trx: Trx, studioId: string, userId: string, tokenId: string) {
  const at = nowIso(ctx);
  const seat = await trx.selectFrom('studio_members').select(['suspended_at', 'suspended_via']).where('studio_id', '=', studioId).where('user_id', '=', userId).executeTakeFirst();
  const lifted = !!seat?.suspended_at && seat.suspended_via === 'scim';
  if (lifted) await trx.updateTable('studio_members').set({ suspended_at: null, suspended_via: null }).where('studio_id', '=', studioId).where('user_id', '=', userId).execute();
  await appendAudit(trx, {
    studioId, actorId: null, action: 'scim.user_reactivated', targetType: 'user', targetId: userId,
    after: { seatRestored: lifted, suspendedByOwner: !!seat?.suspended_at && !lifted, scimToken: tokenId }, ip: ctx.ip,
  }, at);
  await reapplyMappings(ctx, trx, studioId, userId);
}
