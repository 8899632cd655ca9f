// SCIM Users (RFC 7643 §4.1) as Backlot accounts with a seat in the studio. Creating one finds or
// makes the account exactly as an SSO sign-in would (same email, same linking rules,
// auth/sso/provision.ts), and records the IdP's view of it (scim_users); the studio seat and
// project seats come from the owner's group mappings. `active: false` and DELETE deprovision
// (deprovision.ts). The account's email and name follow the IdP only for accounts this studio's
// IdP created: an account linked from before keeps its own.
import { normalizeEmail } from '@backlot/core';
import { inTransaction, nowIso, type Ctx, type Trx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { newId } from '../auth/tokens.js';
import { assertLinkable } from '../auth/sso/provision.js';
import type { ScimUsersTable } from '../db/schema.js';
import { invalidValue, ScimError, scimNotFound } from './errors.js';
import { compileFilter } from './filter.js';
import { listResponse, type ListQuery } from './listing.js';
import { applyPatch, asPathError } from './patch.js';
import { SCHEMA } from './paths.js';
import { parseResource, USER } from './schema.js';
import { deprovision, reprovision } from './deprovision.js';
import { reapplyMappings } from './group-access.js';

export interface ScimCall {
  ctx: Ctx;
  studioId: string;
  tokenId: string;
  /** This studio's SCIM base URL, for `location` and `$ref`. */
  base: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isId = (id: string) => UUID.test(id);

// ---- reading ------------------------------------------------------------------------------------

type Row = ScimUsersTable;

async function groupsOf(db: Ctx['db'] | Trx, studioId: string, userIds: string[]) {
  const out = new Map<string, { value: string; display: string }[]>();
  if (!userIds.length) return out;
  const rows = await db.selectFrom('scim_group_members as m').innerJoin('scim_groups as g', 'g.id', 'm.group_id')
    .select(['m.user_id', 'g.id', 'g.display_name']).where('g.studio_id', '=', studioId).where('m.user_id', 'in', userIds).orderBy('g.display_name').execute();
  for (const r of rows) {
    let list = out.get(r.user_id);
    if (!list) out.set(r.user_id, (list = []));
    list.push({ value: r.id, display: r.display_name });
  }
  return out;
}

function resource(call: ScimCall, row: Row, groups: { value: string; display: string }[]): Record<string, unknown> {
  const attributes = JSON.parse(row.attributes) as Record<string, unknown>;
  return {
    schemas: attributes[SCHEMA.enterprise] ? [SCHEMA.user, SCHEMA.enterprise] : [SCHEMA.user],
    id: row.user_id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    userName: row.user_name,
    ...attributes,
    active: row.active === 1,
    groups: groups.map((g) => ({ ...g, $ref: `${call.base}/Groups/${g.value}`, type: 'direct' })),
    meta: { resourceType: 'User', created: row.created_at, lastModified: row.updated_at, location: `${call.base}/Users/${row.user_id}` },
  };
}

async function loadRow(db: Ctx['db'] | Trx, studioId: string, userId: string): Promise<Row> {
  if (!isId(userId)) throw scimNotFound('user');
  const row = await db.selectFrom('scim_users').selectAll().where('studio_id', '=', studioId).where('user_id', '=', userId).executeTakeFirst();
  if (!row) throw scimNotFound('user');
  return row;
}

async function loadResource(call: ScimCall, db: Ctx['db'] | Trx, userId: string) {
  const row = await loadRow(db, call.studioId, userId);
  return resource(call, row, (await groupsOf(db, call.studioId, [userId])).get(userId) ?? []);
}

export const getUser = (call: ScimCall, userId: string) => loadResource(call, call.ctx.db, userId);

export async function listUsers(call: ScimCall, q: ListQuery) {
  const filter = q.filter ? compileFilter(USER, q.filter) : null;
  let query = call.ctx.db.selectFrom('scim_users').selectAll().where('studio_id', '=', call.studioId);
  const n = filter?.narrow;
  if (n?.attr === 'userName') query = query.where('user_name_key', '=', n.value.toLowerCase());
  else if (n?.attr === 'externalId') query = query.where('external_id', '=', n.value);
  else if (n?.attr === 'id') query = query.where('user_id', '=', isId(n.value) ? n.value : '');
  const rows = await query.orderBy('created_at').orderBy('user_id').execute();
  const groups = await groupsOf(call.ctx.db, call.studioId, rows.map((r) => r.user_id));
  const all = rows.map((r) => resource(call, r, groups.get(r.user_id) ?? [])).filter((r) => !filter || filter.test(r));
  return listResponse(all, q, SCHEMA.user);
}

// ---- writing ------------------------------------------------------------------------------------

interface Parsed {
  userName: string;
  externalId: string | null;
  active: boolean;
  email: string;
  displayName: string;
  attributes: Record<string, unknown>;
}

/** A checked User body: the account's email is the primary (or first) email, else the userName. */
function parseUser(body: unknown): Parsed {
  const { userName, externalId, active, ...attributes } = parseResource(USER, body) as Record<string, unknown> & { userName: string; externalId?: string; active?: boolean };
  const emails = (attributes.emails as { value?: string; primary?: boolean }[] | undefined) ?? [];
  const chosen = emails.find((e) => e.primary && e.value)?.value ?? emails.find((e) => e.value)?.value ?? userName;
  const email = normalizeEmail(chosen);
  if (!email) throw invalidValue('the user needs an email address: a primary email, or a userName that is one');
  const name = attributes.name as { formatted?: string; givenName?: string; familyName?: string } | undefined;
  const displayName = ((attributes.displayName as string | undefined)?.trim() || name?.formatted?.trim()
    || [name?.givenName, name?.familyName].filter(Boolean).join(' ').trim() || email.split('@')[0]).slice(0, 200);
  return { userName: userName.trim(), externalId: externalId ?? null, active: active ?? true, email, displayName, attributes };
}

async function assertUserNameFree(trx: Trx, studioId: string, userName: string, exceptUserId?: string) {
  let q = trx.selectFrom('scim_users').select('user_id').where('studio_id', '=', studioId).where('user_name_key', '=', userName.toLowerCase());
  if (exceptUserId) q = q.where('user_id', '!=', exceptUserId);
  if (await q.executeTakeFirst()) throw new ScimError(409, `a user with userName "${userName}" already exists in this studio`, 'uniqueness');
}

/** Finds the account an SSO sign-in of this email would use, or makes it; refuses a take-over. */
async function accountFor(call: ScimCall, trx: Trx, p: Parsed, at: string): Promise<{ userId: string; created: boolean }> {
  const existing = await trx.selectFrom('users').selectAll().where('email', '=', p.email).executeTakeFirst();
  if (existing) {
    if (await trx.selectFrom('scim_users').select('user_id').where('studio_id', '=', call.studioId).where('user_id', '=', existing.id).executeTakeFirst())
      throw new ScimError(409, 'this account is already provisioned in this studio under another userName', 'uniqueness');
    const known = !!(await trx.selectFrom('sso_identities').select('user_id').where('studio_id', '=', call.studioId).where('user_id', '=', existing.id).executeTakeFirst());
    await assertLinkable(trx, call.studioId, existing, known);
    return { userId: existing.id, created: false };
  }
  const userId = newId();
  await trx.insertInto('users').values({
    id: userId, email: p.email, name: p.displayName, password_hash: null, is_instance_admin: 0, deactivated_at: null, created_at: at,
    last_active_at: null, service_studio_id: null, managed_by_studio: call.studioId,
  }).execute();
  await appendAudit(trx, { studioId: call.studioId, actorId: null, action: 'user.created_by_scim', targetType: 'user', targetId: userId, after: { email: p.email }, ip: call.ctx.ip }, at);
  return { userId, created: true };
}

/** Moves the seat to match `active`: deprovision, re-provision, or (still active) re-apply the mappings. */
async function settle(call: ScimCall, trx: Trx, userId: string, wasActive: boolean | null, active: boolean, cause: 'deactivated' | 'deleted' = 'deactivated') {
  if (!active) {
    if (wasActive !== false) await deprovision(call.ctx, trx, call.studioId, userId, cause, call.tokenId);
    else {
      // Created inactive: a suspended seat, so a later SSO sign-in is refused too.
      const seat = await trx.selectFrom('studio_members').select('user_id').where('studio_id', '=', call.studioId).where('user_id', '=', userId).executeTakeFirst();
      if (!seat) await trx.insertInto('studio_members').values({ studio_id: call.studioId, user_id: userId, role: 'member', suspended_at: nowIso(call.ctx), joined_at: nowIso(call.ctx), suspended_via: 'scim' }).execute();
    }
  } else if (wasActive === false) await reprovision(call.ctx, trx, call.studioId, userId, call.tokenId);
  else await reapplyMappings(call.ctx, trx, call.studioId, userId);
}

export async function createUser(call: ScimCall, body: unknown) {
  const p = parseUser(body);
  return inTransaction(call.ctx, async (trx) => {
    const at = nowIso(call.ctx);
    await assertUserNameFree(trx, call.studioId, p.userName);
    const { userId, created } = await accountFor(call, trx, p, at);
    if (!(await trx.selectFrom('sso_identities').select('user_id').where('studio_id', '=', call.studioId).where('user_id', '=', userId).executeTakeFirst()))
      await trx.insertInto('sso_identities').values({ studio_id: call.studioId, user_id: userId, oidc_subject: null, saml_subject: null, login_groups: '[]', created_at: at, last_login_at: null }).execute();
    await trx.insertInto('scim_users').values({
      studio_id: call.studioId, user_id: userId, user_name: p.userName, user_name_key: p.userName.toLowerCase(), external_id: p.externalId,
      active: p.active ? 1 : 0, attributes: JSON.stringify(p.attributes), created_at: at, updated_at: at,
    }).execute();
    await appendAudit(trx, {
      studioId: call.studioId, actorId: null, action: 'scim.user_created', targetType: 'user', targetId: userId,
      after: { userName: p.userName, externalId: p.externalId, active: p.active, linked: !created, scimToken: call.tokenId }, ip: call.ctx.ip,
    }, at);
    // A linked account may hold a seat already: treat it as active before, so `active: false` deprovisions it.
    const seat = await trx.selectFrom('studio_members').select('suspended_at').where('studio_id', '=', call.studioId).where('user_id', '=', userId).executeTakeFirst();
    await settle(call, trx, userId, seat ? !seat.suspended_at : p.active ? true : false, p.active);
    return loadResource(call, trx, userId);
  });
}

async function replaceWith(call: ScimCall, trx: Trx, row: Row, p: Parsed, via: 'put' | 'patch') {
  const at = nowIso(call.ctx);
  if (p.userName.toLowerCase() !== row.user_name_key) await assertUserNameFree(trx, call.studioId, p.userName, row.user_id);
  const account = await trx.selectFrom('users').select(['email', 'name', 'managed_by_studio']).where('id', '=', row.user_id).executeTakeFirstOrThrow();
  if (account.managed_by_studio === call.studioId && (account.email !== p.email || account.name !== p.displayName)) {
    if (account.email !== p.email && (await trx.selectFrom('users').select('id').where('email', '=', p.email).executeTakeFirst()))
      throw new ScimError(409, 'another account already uses this email address', 'uniqueness');
    await trx.updateTable('users').set({ email: p.email, name: p.displayName }).where('id', '=', row.user_id).execute();
  }
  await trx.updateTable('scim_users').set({
    user_name: p.userName, user_name_key: p.userName.toLowerCase(), external_id: p.externalId, active: p.active ? 1 : 0,
    attributes: JSON.stringify(p.attributes), updated_at: at,
  }).where('studio_id', '=', call.studioId).where('user_id', '=', row.user_id).execute();
  await appendAudit(trx, {
    studioId: call.studioId, actorId: null, action: 'scim.user_updated', targetType: 'user', targetId: row.user_id,
    before: { userName: row.user_name, externalId: row.external_id, active: row.active === 1 },
    after: { userName: p.userName, externalId: p.externalId, active: p.active, via, scimToken: call.tokenId }, ip: call.ctx.ip,
  }, at);
  if (p.active !== (row.active === 1)) await settle(call, trx, row.user_id, row.active === 1, p.active);
  return loadResource(call, trx, row.user_id);
}

export async function replaceUser(call: ScimCall, userId: string, body: unknown) {
  const p = parseUser(body);
  return inTransaction(call.ctx, async (trx) => replaceWith(call, trx, await loadRow(trx, call.studioId, userId), p, 'put'));
}

export async function patchUser(call: ScimCall, userId: string, body: unknown) {
  return inTransaction(call.ctx, async (trx) => {
    const row = await loadRow(trx, call.studioId, userId);
    const current = resource(call, row, (await groupsOf(trx, call.studioId, [userId])).get(userId) ?? []);
    const patched = applyPatch(current, body);
    let p: Parsed;
    try {
      p = parseUser(patched);
    } catch (err) {
      throw asPathError(err);
    }
    return replaceWith(call, trx, row, p, 'patch');
  });
}

/** DELETE: deprovisioned like `active: false`, then forgotten by SCIM; the account and its history stay. */
export async function deleteUser(call: ScimCall, userId: string) {
  await inTransaction(call.ctx, async (trx) => {
    const row = await loadRow(trx, call.studioId, userId);
    await settle(call, trx, userId, row.active === 1, false, 'deleted');
    const groups = trx.selectFrom('scim_groups').select('id').where('studio_id', '=', call.studioId);
    await trx.deleteFrom('scim_group_members').where('user_id', '=', userId).where('group_id', 'in', groups).execute();
    await trx.deleteFrom('scim_users').where('studio_id', '=', call.studioId).where('user_id', '=', userId).execute();
    await appendAudit(trx, { studioId: call.studioId, actorId: null, action: 'scim.user_deleted', targetType: 'user', targetId: userId, before: { userName: row.user_name }, after: { scimToken: call.tokenId }, ip: call.ctx.ip }, nowIso(call.ctx));
  });
}

