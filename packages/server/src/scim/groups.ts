// SCIM Groups (RFC 7643 §4.2): the IdP's groups of this studio and who is in them. A group gives
// nothing by itself: the owner's group mappings name groups (by displayName or externalId) and
// say what their members get; after every change to a group, its affected members' mappings are
// re-applied (group-access.ts). Members must be users this studio's SCIM provisioned.
import { inTransaction, nowIso, type Trx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { newId } from '../auth/tokens.js';
import type { ScimGroupsTable } from '../db/schema.js';
import { invalidValue, ScimError, scimNotFound } from './errors.js';
import { compileFilter } from './filter.js';
import { listResponse, type ListQuery } from './listing.js';
import { applyPatch, asPathError } from './patch.js';
import { SCHEMA } from './paths.js';
import { GROUP, parseResource } from './schema.js';
import { reapplyMappings } from './group-access.js';
import { isId, type ScimCall } from './users.js';

type Db = ScimCall['ctx']['db'] | Trx;

async function membersOf(db: Db, groupIds: string[]) {
  const out = new Map<string, { value: string; display: string }[]>();
  if (!groupIds.length) return out;
  const rows = await db.selectFrom('scim_group_members as m').innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.group_id', 'u.id', 'u.name']).where('m.group_id', 'in', groupIds).orderBy('u.name').orderBy('u.id').execute();
  for (const r of rows) {
    let list = out.get(r.group_id);
    if (!list) out.set(r.group_id, (list = []));
    list.push({ value: r.id, display: r.name });
  }
  return out;
}

function resource(call: ScimCall, g: ScimGroupsTable, members: { value: string; display: string }[]): Record<string, unknown> {
  return {
    schemas: [SCHEMA.group], id: g.id, ...(g.external_id !== null ? { externalId: g.external_id } : {}), displayName: g.display_name,
    members: members.map((m) => ({ ...m, $ref: `${call.base}/Users/${m.value}`, type: 'User' })),
    meta: { resourceType: 'Group', created: g.created_at, lastModified: g.updated_at, location: `${call.base}/Groups/${g.id}` },
  };
}

async function loadGroup(db: Db, studioId: string, groupId: string) {
  if (!isId(groupId)) throw scimNotFound('group');
  const g = await db.selectFrom('scim_groups').selectAll().where('id', '=', groupId).where('studio_id', '=', studioId).executeTakeFirst();
  if (!g) throw scimNotFound('group');
  return g;
}

async function loadResource(call: ScimCall, db: Db, groupId: string) {
  const g = await loadGroup(db, call.studioId, groupId);
  return resource(call, g, (await membersOf(db, [g.id])).get(g.id) ?? []);
}

export const getGroup = (call: ScimCall, groupId: string) => loadResource(call, call.ctx.db, groupId);

export async function listGroups(call: ScimCall, q: ListQuery) {
  const filter = q.filter ? compileFilter(GROUP, q.filter) : null;
  let query = call.ctx.db.selectFrom('scim_groups').selectAll().where('studio_id', '=', call.studioId);
  const n = filter?.narrow;
  if (n?.attr === 'displayName') query = query.where('display_name_key', '=', n.value.toLowerCase());
  else if (n?.attr === 'externalId') query = query.where('external_id', '=', n.value);
  else if (n?.attr === 'id') query = query.where('id', '=', isId(n.value) ? n.value : '');
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  // Members are only loaded when they can matter: Entra ID asks with excludedAttributes=members.
  const wantMembers = !(q.excludedAttributes ?? '').toLowerCase().split(',').map((s) => s.trim()).includes('members') || !!filter;
  const members = wantMembers ? await membersOf(call.ctx.db, rows.map((r) => r.id)) : new Map();
  const all = rows.map((r) => resource(call, r, members.get(r.id) ?? [])).filter((r) => !filter || filter.test(r));
  return listResponse(all, q, SCHEMA.group);
}

interface Parsed {
  displayName: string;
  externalId: string | null;
  members: string[];
}

function parseGroup(body: unknown): Parsed {
  const g = parseResource(GROUP, body) as { displayName: string; externalId?: string; members?: { value?: string }[] };
  const members = [...new Set((g.members ?? []).map((m, i) => {
    if (typeof m.value !== 'string') throw invalidValue(`members[${i}].value is required`);
    return m.value;
  }))];
  const displayName = g.displayName.trim();
  if (!displayName) throw invalidValue('displayName is required');
  return { displayName, externalId: g.externalId ?? null, members };
}

/** Members must be users this studio's SCIM knows; anything else is refused before any change. */
async function assertMembers(trx: Trx, studioId: string, userIds: string[]) {
  if (!userIds.length) return;
  const bad = userIds.find((id) => !isId(id));
  if (bad) throw invalidValue(`no user "${bad}" is provisioned in this studio`);
  const known = new Set<string>();
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = await trx.selectFrom('scim_users').select('user_id').where('studio_id', '=', studioId).where('user_id', 'in', userIds.slice(i, i + 500)).execute();
    for (const r of rows) known.add(r.user_id);
  }
  const missing = userIds.find((id) => !known.has(id));
  if (missing) throw invalidValue(`no user "${missing}" is provisioned in this studio`);
}

async function assertNameFree(trx: Trx, studioId: string, displayName: string, exceptId?: string) {
  let q = trx.selectFrom('scim_groups').select('id').where('studio_id', '=', studioId).where('display_name_key', '=', displayName.toLowerCase());
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw new ScimError(409, `a group named "${displayName}" already exists in this studio`, 'uniqueness');
}

async function reapplyAll(call: ScimCall, trx: Trx, userIds: Iterable<string>) {
  for (const userId of new Set(userIds)) await reapplyMappings(call.ctx, trx, call.studioId, userId);
}

export async function createGroup(call: ScimCall, body: unknown) {
  const p = parseGroup(body);
  return inTransaction(call.ctx, async (trx) => {
    await assertNameFree(trx, call.studioId, p.displayName);
    await assertMembers(trx, call.studioId, p.members);
    const at = nowIso(call.ctx);
    const id = newId();
    await trx.insertInto('scim_groups').values({ id, studio_id: call.studioId, display_name: p.displayName, display_name_key: p.displayName.toLowerCase(), external_id: p.externalId, created_at: at, updated_at: at }).execute();
    for (const userId of p.members) await trx.insertInto('scim_group_members').values({ group_id: id, user_id: userId }).execute();
    await appendAudit(trx, {
      studioId: call.studioId, actorId: null, action: 'scim.group_created', targetType: 'scim_group', targetId: id,
      after: { displayName: p.displayName, externalId: p.externalId, members: p.members, scimToken: call.tokenId }, ip: call.ctx.ip,
    }, at);
    // The first SCIM group makes SCIM the source of groups for everyone in the studio (groupsToMap).
    const first = !(await trx.selectFrom('scim_groups').select('id').where('studio_id', '=', call.studioId).where('id', '!=', id).limit(1).executeTakeFirst());
    const everyone = first ? (await trx.selectFrom('scim_users').select('user_id').where('studio_id', '=', call.studioId).execute()).map((r) => r.user_id) : [];
    await reapplyAll(call, trx, [...p.members, ...everyone]);
    return loadResource(call, trx, id);
  });
}

async function replaceWith(call: ScimCall, trx: Trx, g: ScimGroupsTable, p: Parsed, via: 'put' | 'patch') {
  if (p.displayName.toLowerCase() !== g.display_name_key) await assertNameFree(trx, call.studioId, p.displayName, g.id);
  await assertMembers(trx, call.studioId, p.members);
  const at = nowIso(call.ctx);
  const before = ((await membersOf(trx, [g.id])).get(g.id) ?? []).map((m) => m.value);
  const added = p.members.filter((u) => !before.includes(u));
  const removed = before.filter((u) => !p.members.includes(u));
  const renamed = p.displayName !== g.display_name || p.externalId !== g.external_id;
  await trx.updateTable('scim_groups').set({ display_name: p.displayName, display_name_key: p.displayName.toLowerCase(), external_id: p.externalId, updated_at: at }).where('id', '=', g.id).execute();
  for (const userId of added) await trx.insertInto('scim_group_members').values({ group_id: g.id, user_id: userId }).execute();
  for (let i = 0; i < removed.length; i += 500)
    await trx.deleteFrom('scim_group_members').where('group_id', '=', g.id).where('user_id', 'in', removed.slice(i, i + 500)).execute();
  await appendAudit(trx, {
    studioId: call.studioId, actorId: null, action: 'scim.group_updated', targetType: 'scim_group', targetId: g.id,
    before: { displayName: g.display_name, externalId: g.external_id },
    after: { displayName: p.displayName, externalId: p.externalId, membersAdded: added, membersRemoved: removed, via, scimToken: call.tokenId }, ip: call.ctx.ip,
  }, at);
  // A new name can match other mappings: then every member's access is re-decided.
  await reapplyAll(call, trx, renamed ? [...before, ...added] : [...added, ...removed]);
  return loadResource(call, trx, g.id);
}

export async function replaceGroup(call: ScimCall, groupId: string, body: unknown) {
  const p = parseGroup(body);
  return inTransaction(call.ctx, async (trx) => replaceWith(call, trx, await loadGroup(trx, call.studioId, groupId), p, 'put'));
}

export async function patchGroup(call: ScimCall, groupId: string, body: unknown) {
  return inTransaction(call.ctx, async (trx) => {
    const g = await loadGroup(trx, call.studioId, groupId);
    const patched = applyPatch(resource(call, g, (await membersOf(trx, [g.id])).get(g.id) ?? []), body);
    let p: Parsed;
    try {
      p = parseGroup(patched);
    } catch (err) {
      throw asPathError(err);
    }
    return replaceWith(call, trx, g, p, 'patch');
  });
}

export async function deleteGroup(call: ScimCall, groupId: string) {
  await inTransaction(call.ctx, async (trx) => {
    const g = await loadGroup(trx, call.studioId, groupId);
    const members = ((await membersOf(trx, [g.id])).get(g.id) ?? []).map((m) => m.value);
    await trx.deleteFrom('scim_group_members').where('group_id', '=', g.id).execute();
    await trx.deleteFrom('scim_groups').where('id', '=', g.id).execute();
    await appendAudit(trx, { studioId: call.studioId, actorId: null, action: 'scim.group_deleted', targetType: 'scim_group', targetId: g.id, before: { displayName: g.display_name, members }, after: { scimToken: call.tokenId }, ip: call.ctx.ip }, nowIso(call.ctx));
    await reapplyAll(call, trx, members);
  });
}
