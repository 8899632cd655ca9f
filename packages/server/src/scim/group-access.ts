// From SCIM groups to access: a member's groups (each group's displayName and externalId, so a
// mapping may name either) are fed to the owner's group mappings, the same code an SSO sign-in
// runs (auth/sso/provision.ts applyGroupMappings), after every SCIM change that touches them.
import type { Ctx, Trx } from '../context.js';
import { applyGroupMappings } from '../auth/sso/provision.js';
import { groupsToMap } from '../auth/mapped-groups.js';

/**
 * Re-applies the mappings to a SCIM-provisioned account, unless it is inactive or its seat is
 * suspended: a deprovisioned person gets nothing back until they are active again.
 */
export async function reapplyMappings(ctx: Ctx, trx: Trx, studioId: string, userId: string): Promise<void> {
  const row = await trx.selectFrom('scim_users as s').innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('studio_members as m', (j) => j.onRef('m.user_id', '=', 's.user_id').on('m.studio_id', '=', studioId))
    .leftJoin('sso_identities as i', (j) => j.onRef('i.user_id', '=', 's.user_id').on('i.studio_id', '=', studioId))
    .select(['u.id', 'u.email', 'u.name', 'u.deactivated_at', 's.active', 'm.suspended_at', 'i.login_groups'])
    .where('s.studio_id', '=', studioId).where('s.user_id', '=', userId).executeTakeFirst();
  if (!row || row.active !== 1 || row.suspended_at || row.deactivated_at) return;
  const groups = await groupsToMap(trx, studioId, userId, JSON.parse(row.login_groups ?? '[]') as string[]);
  await applyGroupMappings(ctx, trx, studioId, { id: row.id, email: row.email, name: row.name }, groups, 'scim');
}
