// Which groups a person's group mappings see: once a studio has SCIM groups, SCIM alone says who
// is in which group (core's groupsForMappings); otherwise the groups the IdP sent at sign-in.
// Shared by SSO sign-in (auth/sso/provision.ts) and SCIM (scim/group-access.ts).
import { groupsForMappings } from '@backlot/core';
import type { Trx } from '../context.js';

async function scimGroupNames(trx: Trx, studioId: string, userId: string): Promise<string[]> {
  const rows = await trx.selectFrom('scim_group_members as m').innerJoin('scim_groups as g', 'g.id', 'm.group_id')
    .select(['g.display_name', 'g.external_id']).where('g.studio_id', '=', studioId).where('m.user_id', '=', userId).execute();
  // A mapping may name a group by its displayName or its externalId.
  return rows.flatMap((r) => (r.external_id ? [r.display_name, r.external_id] : [r.display_name]));
}

/** The groups the studio's mappings apply to for this account now. */
export async function groupsToMap(trx: Trx, studioId: string, userId: string, loginGroups: readonly string[]): Promise<string[]> {
  const inUse = await trx.selectFrom('scim_groups').select('id').where('studio_id', '=', studioId).limit(1).executeTakeFirst();
  return groupsForMappings({ scimGroupsInUse: !!inUse, scimGroups: inUse ? await scimGroupNames(trx, studioId, userId) : [], loginGroups });
}
