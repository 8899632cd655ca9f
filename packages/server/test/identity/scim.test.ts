// SCIM 2.0 provisioning (RFC 7643/7644) through HTTP, driven the way Okta and Entra ID drive it:
// the studio's SCIM token (owner-minted, hashed, rotated, revoked, audited; nothing else opens
// /scim and it opens nothing else), discovery, Users and Groups with filtering, paging and PATCH,
// group mappings re-applied on every change (never more than the owner's mappings give), and
// every bad request refused in SCIM's error shape with nothing changed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createHarness, dbKinds, type Caller, type Harness } from '@backlot/test-kit/harness';
import { must, refused } from '@backlot/test-kit/production-world';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface ScimReply { status: number; body: any; headers: Record<string, unknown> }

async function scim(h: Harness, studioId: string, token: string | null, method: string, path: string, body?: unknown, contentType = 'application/scim+json'): Promise<ScimReply> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await h.app.inject({ method: method as 'GET', url: `/scim/v2/${studioId}${path}`, headers, ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers };
}

/** A SCIM refusal: status, SCIM error shape, scimType when given. */
function scimRefused(r: ScimReply, status: number, scimType?: string, what = '') {
  assert.equal(r.status, status, `${what} answered ${r.status}, wanted ${status}: ${JSON.stringify(r.body)}`);
  assert.deepEqual(r.body.schemas, [ERROR], `${what}: SCIM error shape`);
  assert.equal(r.body.status, String(status));
  assert.equal(typeof r.body.detail, 'string');
  if (scimType) assert.equal(r.body.scimType, scimType, `${what}: ${JSON.stringify(r.body)}`);
  assert.match(String(r.headers['content-type']), /^application\/scim\+json/);
  return r.body;
}

const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER], userName, name: { givenName: userName.split('@')[0], familyName: 'Tester' }, emails: [{ value: userName, type: 'work', primary: true }], active: true, ...extra,
});
const ops = (...operations: unknown[]) => ({ schemas: [PATCH], Operations: operations });

for (const kind of dbKinds()) {
  describe(`SCIM provisioning (${kind})`, () => {
    let h: Harness;
    let owner: Caller, admin: Caller, outsider: Caller;
    let studioId: string, otherStudio: string, showA: string, supervisorRole: string, artistRole: string;
    let token: string, otherToken: string;
    const s = (method: string, path: string, body?: unknown) => scim(h, studioId, token, method, path, body);
    /** Everything SCIM and access could have changed, to prove a refusal changed nothing. */
    const snapshot = async () => JSON.stringify(await Promise.all([
      h.deps.db.selectFrom('users').select(['id', 'email', 'name', 'deactivated_at']).orderBy('id').execute(),
      h.deps.db.selectFrom('studio_members').selectAll().orderBy('studio_id').orderBy('user_id').execute(),
      h.deps.db.selectFrom('project_members').select(['project_id', 'user_id', 'role_id']).orderBy('project_id').orderBy('user_id').execute(),
      h.deps.db.selectFrom('scim_users').selectAll().orderBy('user_id').execute(),
      h.deps.db.selectFrom('scim_groups').selectAll().orderBy('id').execute(),
      h.deps.db.selectFrom('scim_group_members').selectAll().orderBy('group_id').orderBy('user_id').execute(),
      h.deps.db.selectFrom('sessions').select(['id', 'revoked_at']).orderBy('id').execute(),
    ]));
    const audit = async (action: string) => h.deps.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();
    const seat = (userId: string, studio = studioId) => h.deps.db.selectFrom('studio_members').selectAll().where('studio_id', '=', studio).where('user_id', '=', userId).executeTakeFirst();
    const projectRole = async (userId: string) => (await h.deps.db.selectFrom('project_members').select('role_id').where('project_id', '=', showA).where('user_id', '=', userId).executeTakeFirst())?.role_id ?? null;

    before(async () => {
      h = await createHarness(kind);
      owner = await h.setupAdmin('owner@studio.test');
      admin = await h.user('admin@studio.test');
      outsider = await h.user('outsider@elsewhere.test');
      studioId = must(await h.as(owner).post('/studios', { name: 'SCIM studio', allowedEmailDomains: ['studio.test'] }), 201).id;
      otherStudio = must(await h.as(outsider).post('/studios', { name: 'Other studio' }), 201).id;
      must(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: [admin.email], role: 'admin' }), 201);
      showA = must(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Show A' }), 201).id;
      const roles = must(await h.as(owner).get(`/projects/${showA}/roles`), 200).roles as any[];
      supervisorRole = roles.find((r) => r.key === 'supervisor').id;
      artistRole = roles.find((r) => r.key === 'artist').id;
      must(await h.as(owner).post(`/studios/${studioId}/sso/mappings`, { group: 'vfx-supervisors', studioRole: 'member', projectRoles: [{ projectId: showA, roleId: supervisorRole }] }), 201);
      must(await h.as(owner).post(`/studios/${studioId}/sso/mappings`, { group: 'artists', studioRole: 'member', projectRoles: [{ projectId: showA, roleId: artistRole }] }), 201);
      must(await h.as(owner).post(`/studios/${studioId}/sso/mappings`, { group: 'leads', studioRole: 'admin' }), 201);
      otherToken = must(await h.as(outsider).post(`/studios/${otherStudio}/scim/token`), 201).token;
    });
    after(async () => { await h.close(); });

    test('the SCIM token: owners mint, rotate and revoke it; shown once, stored hashed, audited', async () => {
      refused(await h.as(admin).post(`/studios/${studioId}/scim/token`), 403, 'forbidden', 'an admin');
      refused(await h.as(outsider).post(`/studios/${studioId}/scim/token`), 404, 'not_found', 'an outsider');
      const first = must(await h.as(owner).post(`/studios/${studioId}/scim/token`), 201);
      assert.match(first.token, /^blscim_[A-Za-z0-9_-]{43}$/);
      assert.equal(first.baseUrl.endsWith(`/scim/v2/${studioId}`), true);
      const row = await h.deps.db.selectFrom('scim_tokens').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
      assert.equal(row.token_hash, createHash('sha256').update(first.token).digest('hex'));
      assert.ok(!JSON.stringify(row).includes(first.token.slice(7)));
      const status = must(await h.as(owner).get(`/studios/${studioId}/scim`), 200);
      assert.equal(status.token.id, first.id);
      assert.ok(!JSON.stringify(status).includes(first.token));
      assert.equal((await scim(h, studioId, first.token, 'GET', '/ServiceProviderConfig')).status, 200);
      // Rotation: the old token stops at once.
      const second = must(await h.as(owner).post(`/studios/${studioId}/scim/token`), 201);
      scimRefused(await scim(h, studioId, first.token, 'GET', '/Users'), 401, undefined, 'rotated-out token');
      assert.equal((await scim(h, studioId, second.token, 'GET', '/Users')).status, 200);
      assert.equal(204, (await h.as(owner).delete(`/studios/${studioId}/scim/token`)).status);
      scimRefused(await scim(h, studioId, second.token, 'GET', '/Users'), 401, undefined, 'revoked token');
      token = must(await h.as(owner).post(`/studios/${studioId}/scim/token`), 201).token;
      const actions = (await h.deps.db.selectFrom('audit_log').select('action').where('studio_id', '=', studioId).execute()).map((r) => r.action);
      for (const a of ['scim.token_created', 'scim.token_rotated', 'scim.token_revoked']) assert.ok(actions.includes(a), a);
    });

    test('only the studio\'s own live SCIM token opens its /scim, and that token opens nothing else', async () => {
      const before = await snapshot();
      scimRefused(await scim(h, studioId, null, 'GET', '/Users'), 401, undefined, 'no token');
      scimRefused(await scim(h, studioId, owner.token!, 'GET', '/Users'), 401, undefined, 'the owner\'s session');
      const pat = must(await h.as(owner).post('/auth/tokens', { name: 'pat', access: 'admin' }), 201).token;
      scimRefused(await scim(h, studioId, pat, 'GET', '/Users'), 401, undefined, 'a personal access token');
      // Another studio's token: refused by name, for reads and writes alike; nothing changes.
      const err = scimRefused(await scim(h, studioId, otherToken, 'POST', '/Users', userBody('sneak@studio.test')), 403, undefined, 'another studio\'s token');
      assert.match(err.detail, /another studio/);
      scimRefused(await scim(h, studioId, otherToken, 'GET', '/Users'), 403);
      scimRefused(await scim(h, 'not-a-studio', token, 'GET', '/Users'), 404);
      assert.equal(await snapshot(), before, 'nothing changed');
      // The SCIM token is no session: the API refuses it.
      refused(await h.request('GET', '/auth/me', { token }), 401, 'unauthenticated');
      refused(await h.request('GET', `/studios/${studioId}`, { token }), 401, 'unauthenticated');
    });

    test('discovery: ServiceProviderConfig, Schemas, ResourceTypes, in application/scim+json', async () => {
      const spc = await s('GET', '/ServiceProviderConfig');
      assert.equal(spc.status, 200);
      assert.match(String(spc.headers['content-type']), /^application\/scim\+json/);
      assert.equal(spc.body.patch.supported, true);
      assert.equal(spc.body.filter.supported, true);
      assert.equal(spc.body.bulk.supported, false);
      const schemas = (await s('GET', '/Schemas')).body;
      assert.deepEqual(schemas.Resources.map((r: any) => r.id).sort(), [ENTERPRISE, GROUP, USER].sort());
      const user = (await s('GET', `/Schemas/${USER}`)).body;
      const userName = user.attributes.find((a: any) => a.name === 'userName');
      assert.equal(userName.required, true);
      assert.equal(userName.uniqueness, 'server');
      assert.equal(user.attributes.find((a: any) => a.name === 'groups').mutability, 'readOnly');
      const types = (await s('GET', '/ResourceTypes')).body.Resources;
      assert.deepEqual(types.map((t: any) => t.endpoint).sort(), ['/Groups', '/Users']);
      assert.equal((await s('GET', '/ResourceTypes/User')).body.schemaExtensions[0].schema, ENTERPRISE);
      scimRefused(await s('GET', '/Schemas/urn:nope'), 404);
      scimRefused(await s('GET', '/Nothing'), 404);
    });

    test('an IdP\'s user and group lifecycle: lookup, create, groups to roles, update, deactivate, reactivate, delete', async () => {
      // Okta looks the user up before creating.
      const none = (await s('GET', `/Users?filter=${encodeURIComponent('userName eq "mara@studio.test"')}`)).body;
      assert.equal(none.totalResults, 0);
      assert.deepEqual(none.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      const made = await s('POST', '/Users', userBody('Mara@studio.test', { externalId: '00u1', displayName: 'Mara Lind', [ENTERPRISE]: { department: 'FX' }, schemas: [USER, ENTERPRISE] }));
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const id = made.body.id;
      assert.equal(made.headers.location, made.body.meta.location);
      assert.equal(made.body.userName, 'Mara@studio.test');
      assert.equal(made.body.active, true);
      assert.equal(made.body[ENTERPRISE].department, 'FX');
      const account = await h.deps.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(account.email, 'mara@studio.test');
      assert.equal(account.name, 'Mara Lind');
      assert.equal(account.password_hash, null, 'SCIM accounts sign in through SSO');
      assert.equal(account.managed_by_studio, studioId);
      assert.equal((await seat(id))?.role, 'member');
      assert.equal(await projectRole(id), null, 'no group yet: no project');
      // The same account an SSO sign-in would use: the studio's IdP knows it.
      assert.ok(await h.deps.db.selectFrom('sso_identities').select('user_id').where('studio_id', '=', studioId).where('user_id', '=', id).executeTakeFirst());
      scimRefused(await s('POST', '/Users', userBody('mara@STUDIO.test')), 409, 'uniqueness', 'the same userName again');

      // Groups: the owner's mapping gives the project role.
      const group = await s('POST', '/Groups', { schemas: [GROUP], displayName: 'vfx-supervisors', externalId: 'g-1', members: [{ value: id }] });
      assert.equal(group.status, 201, JSON.stringify(group.body));
      assert.deepEqual(group.body.members.map((m: any) => m.value), [id]);
      assert.equal(await projectRole(id), supervisorRole);
      assert.deepEqual((await s('GET', `/Users/${id}`)).body.groups.map((g: any) => g.display), ['vfx-supervisors']);
      const gid = group.body.id;
      // Entra ID style: remove the member by a value filter; the mapped seat goes.
      assert.equal((await s('PATCH', `/Groups/${gid}`, ops({ op: 'Remove', path: `members[value eq "${id}"]` }))).status, 200);
      assert.equal(await projectRole(id), null);
      // Okta style: add members with a value list; the seat comes back.
      assert.equal((await s('PATCH', `/Groups/${gid}`, ops({ op: 'add', path: 'members', value: [{ value: id, display: 'Mara' }] }))).status, 200);
      assert.equal(await projectRole(id), supervisorRole);
      // Renaming the group re-decides: `artists` maps to Artist.
      const renamed = await s('PATCH', `/Groups/${gid}`, ops({ op: 'replace', value: { id: gid, displayName: 'artists' } }));
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      assert.equal(await projectRole(id), artistRole);
      assert.equal((await s('PUT', `/Groups/${gid}`, { schemas: [GROUP], displayName: 'vfx-supervisors', externalId: 'g-1', members: [{ value: id }] })).status, 200);
      assert.equal(await projectRole(id), supervisorRole);

      // PUT replaces the user; the IdP-made account follows its name and email.
      const put = await s('PUT', `/Users/${id}`, userBody('mara.lind@studio.test', { externalId: '00u1', displayName: 'Mara L.' }));
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.userName, 'mara.lind@studio.test');
      assert.equal(put.body[ENTERPRISE], undefined, 'PUT replaces: the extension is gone');
      const renamedAccount = await h.deps.db.selectFrom('users').select(['email', 'name']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.deepEqual(renamedAccount, { email: 'mara.lind@studio.test', name: 'Mara L.' });

      // Deactivate (Entra ID's capitalised op and string boolean), then reactivate (Okta's form).
      const off = await s('PATCH', `/Users/${id}`, ops({ op: 'Replace', path: 'active', value: 'False' }));
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.equal(off.body.active, false);
      assert.ok((await seat(id))?.suspended_at, 'the seat is suspended');
      assert.equal(await projectRole(id), null, 'project access removed');
      const on = await s('PATCH', `/Users/${id}`, ops({ op: 'replace', value: { active: true } }));
      assert.equal(on.body.active, true);
      assert.equal((await seat(id))?.suspended_at, null);
      assert.equal(await projectRole(id), supervisorRole, 'restored per the mappings');

      // Delete: gone for SCIM, the account and its history stay, the seat stays suspended.
      assert.equal((await s('DELETE', `/Users/${id}`)).status, 204);
      scimRefused(await s('GET', `/Users/${id}`), 404);
      assert.ok(await h.deps.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst());
      assert.ok((await seat(id))?.suspended_at);
      assert.equal(await projectRole(id), null);
      assert.deepEqual((await s('GET', `/Groups/${gid}`)).body.members, []);
      // Provisioned again later: the same account, re-linked, seat restored per mappings.
      const again = await s('POST', '/Users', userBody('mara.lind@studio.test'));
      assert.equal(again.status, 201, JSON.stringify(again.body));
      assert.equal(again.body.id, id);
      assert.equal((await seat(id))?.suspended_at, null);
      assert.equal((await s('DELETE', `/Groups/${gid}`)).status, 204);
      scimRefused(await s('GET', `/Groups/${gid}`), 404);

      for (const a of ['user.created_by_scim', 'scim.user_created', 'scim.group_created', 'scim.group_updated', 'scim.user_updated', 'scim.user_deprovisioned', 'scim.user_reactivated', 'scim.user_deleted', 'scim.group_deleted'])
        assert.ok((await audit(a)).length > 0, `audited: ${a}`);
      const dep = (await audit('scim.user_deprovisioned'))[0];
      assert.equal(dep.actor_id, null);
      assert.equal(JSON.parse(dep.after!).cause, 'deactivated');
    });

    test('filtering and paging', async () => {
      const names = ['ana', 'bo', 'cy', 'di', 'ed'];
      const ids: Record<string, string> = {};
      for (const [i, n] of names.entries())
        ids[n] = (await s('POST', '/Users', userBody(`${n}@paging.test`, { externalId: `ext-${n}`, displayName: `${n.toUpperCase()} Person`, ...(i % 2 ? { title: 'Lead' } : {}) }))).body.id;
      const q = async (filter: string, extra = '') => {
        const r = await s('GET', `/Users?filter=${encodeURIComponent(filter)}${extra}`);
        assert.equal(r.status, 200, `${filter}: ${JSON.stringify(r.body)}`);
        return r.body;
      };
      const userNames = (b: any) => b.Resources.map((r: any) => r.userName).sort();
      assert.deepEqual(userNames(await q('userName eq "BO@paging.test"')), ['bo@paging.test'], 'userName is case-insensitive');
      assert.deepEqual(userNames(await q('externalId eq "ext-cy"')), ['cy@paging.test']);
      assert.equal((await q('externalId eq "EXT-CY"')).totalResults, 0, 'externalId is case-exact');
      assert.deepEqual(userNames(await q('displayName eq "di person"')), ['di@paging.test']);
      assert.deepEqual(userNames(await q('userName eq "ana@paging.test" or externalId eq "ext-ed"')), ['ana@paging.test', 'ed@paging.test']);
      assert.deepEqual(userNames(await q('userName sw "a" and externalId eq "ext-ana"')), ['ana@paging.test']);
      assert.deepEqual(userNames(await q('userName ew "@paging.test" and title pr')), ['bo@paging.test', 'di@paging.test']);
      assert.deepEqual(userNames(await q('emails[type eq "work" and value co "cy@"]')), ['cy@paging.test']);
      assert.deepEqual(userNames(await q('userName ew "@paging.test" and not (title pr)')), ['ana@paging.test', 'cy@paging.test', 'ed@paging.test']);
      assert.equal((await q(`id eq "${ids.ed}"`)).Resources[0].userName, 'ed@paging.test');
      assert.deepEqual(userNames(await q('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ana@paging.test"')), ['ana@paging.test']);
      // Paging: 1-based startIndex, count, totals.
      const all = await q('userName ew "@paging.test"');
      assert.equal(all.totalResults, 5);
      const page = await q('userName ew "@paging.test"', '&startIndex=2&count=2');
      assert.equal(page.totalResults, 5);
      assert.equal(page.startIndex, 2);
      assert.equal(page.itemsPerPage, 2);
      assert.deepEqual(page.Resources.map((r: any) => r.id), all.Resources.slice(1, 3).map((r: any) => r.id));
      assert.equal((await q('userName ew "@paging.test"', '&startIndex=5&count=10')).Resources.length, 1);
      assert.equal((await q('userName ew "@paging.test"', '&count=0')).Resources.length, 0);
      const slim = await q('userName eq "ana@paging.test"', '&attributes=userName');
      assert.deepEqual(Object.keys(slim.Resources[0]).sort(), ['id', 'meta', 'schemas', 'userName']);
      // Groups: Entra ID looks them up by displayName without members.
      const g = (await s('POST', '/Groups', { schemas: [GROUP], displayName: 'Paging Crew', members: names.map((n) => ({ value: ids[n] })) })).body;
      const found = (await s('GET', `/Groups?filter=${encodeURIComponent('displayName eq "paging crew"')}&excludedAttributes=members`)).body;
      assert.equal(found.totalResults, 1);
      assert.equal(found.Resources[0].id, g.id);
      assert.equal(found.Resources[0].members, undefined);
      const byMember = (await s('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${ids.bo}"]`)}`)).body;
      assert.deepEqual(byMember.Resources.map((r: any) => r.id), [g.id]);
      // Unknown attributes, bad syntax, bad comparisons, bad paging: 400 invalidFilter / invalidValue.
      scimRefused(await s('GET', `/Users?filter=${encodeURIComponent('favouriteColour eq "red"')}`), 400, 'invalidFilter');
      scimRefused(await s('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter');
      scimRefused(await s('GET', `/Users?filter=${encodeURIComponent('userName eq "x" and')}`), 400, 'invalidFilter');
      scimRefused(await s('GET', `/Users?filter=${encodeURIComponent('active gt true')}`), 400, 'invalidFilter');
      scimRefused(await s('GET', `/Users?filter=${encodeURIComponent('name eq "x"')}`), 400, 'invalidFilter');
      scimRefused(await s('GET', `/Groups?filter=${encodeURIComponent('userName eq "x"')}`), 400, 'invalidFilter');
      scimRefused(await s('GET', '/Users?startIndex=abc'), 400, 'invalidValue');
      for (const n of names) assert.equal((await s('DELETE', `/Users/${ids[n]}`)).status, 204);
      assert.equal((await s('DELETE', `/Groups/${g.id}`)).status, 204);
    });

    test('bad input: malformed JSON, unknown attributes and schemas, wrong types, bad PATCHes — a clear 4xx, nothing changed', async () => {
      const id = (await s('POST', '/Users', userBody('kit@studio.test'))).body.id;
      const gid = (await s('POST', '/Groups', { schemas: [GROUP], displayName: 'kit-crew', members: [{ value: id }] })).body.id;
      const before = await snapshot();
      scimRefused(await s('POST', '/Users', '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": '), 400, 'invalidSyntax', 'malformed JSON');
      scimRefused(await scim(h, studioId, token, 'POST', '/Users', '{not json', 'application/json'), 400, 'invalidSyntax', 'malformed plain JSON');
      scimRefused(await s('POST', '/Users', '[1,2]'), 400, 'invalidSyntax', 'not an object');
      scimRefused(await s('POST', '/Users', userBody('new1@studio.test', { favouriteColour: 'red' })), 400, 'invalidSyntax', 'unknown attribute');
      scimRefused(await s('POST', '/Users', userBody('new2@studio.test', { name: { givenName: 'A', nickname2: 'x' } })), 400, 'invalidSyntax', 'unknown sub-attribute');
      scimRefused(await s('POST', '/Users', userBody('new3@studio.test', { 'urn:example:custom:2.0:User': { x: 1 } })), 400, 'invalidSyntax', 'unknown extension');
      scimRefused(await s('POST', '/Users', { ...userBody('new4@studio.test'), schemas: [GROUP] }), 400, 'invalidSyntax', 'wrong schemas');
      scimRefused(await s('POST', '/Users', userBody('new5@studio.test', { active: 'maybe' })), 400, 'invalidValue', 'wrong type');
      scimRefused(await s('POST', '/Users', userBody('new6@studio.test', { emails: 'x' })), 400, 'invalidValue', 'not a list');
      scimRefused(await s('POST', '/Users', { schemas: [USER], userName: 'not-an-email' }), 400, 'invalidValue', 'no email at all');
      scimRefused(await s('POST', '/Users', { schemas: [USER] }), 400, 'invalidValue', 'no userName');
      scimRefused(await s('POST', '/Users', userBody('nul\u0000@studio.test')), 400, undefined, 'NUL');
      scimRefused(await s('PATCH', `/Users/${id}`, { schemas: ['urn:wrong'], Operations: [{ op: 'replace', path: 'active', value: false }] }), 400, 'invalidSyntax', 'PATCH without its schema');
      scimRefused(await s('PATCH', `/Users/${id}`, ops({ op: 'frobnicate', path: 'active', value: false })), 400, undefined, 'unknown op');
      scimRefused(await s('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'favouriteColour', value: 'red' })), 400, 'invalidPath', 'unknown path');
      scimRefused(await s('PATCH', `/Users/${id}`, ops({ op: 'add', path: 'groups', value: [{ value: gid }] })), 400, 'mutability', 'groups are read-only');
      scimRefused(await s('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'id', value: 'x' })), 400, 'mutability', 'id is read-only (and the whole PATCH fails)');
      scimRefused(await s('POST', '/Groups', { schemas: [GROUP], displayName: 'ghosts', members: [{ value: owner.userId }] }), 400, 'invalidValue', 'a member SCIM never provisioned');
      scimRefused(await s('PATCH', `/Groups/${gid}`, ops({ op: 'add', path: 'members', value: [{ value: '00000000-0000-4000-8000-000000000000' }] })), 400, 'invalidValue', 'unknown member');
      scimRefused(await s('POST', '/Groups', { schemas: [GROUP], displayName: 'KIT-crew' }), 409, 'uniqueness', 'group name taken');
      scimRefused(await s('GET', '/Users/00000000-0000-4000-8000-000000000000'), 404);
      scimRefused(await s('PUT', '/Users/nope', userBody('kit@studio.test')), 404);
      scimRefused(await scim(h, otherStudio, otherToken, 'GET', `/Users/${id}`), 404, undefined, 'another studio does not see this user');
      assert.equal(await snapshot(), before, 'nothing changed');
    });

    test('no escalation: roles come only from the owner\'s mappings; linking never takes over an account', async () => {
      const id = (await s('POST', '/Users', userBody('vic@studio.test'))).body.id;
      const before = await snapshot();
      // Setting a role directly is not a SCIM attribute here.
      scimRefused(await s('PATCH', `/Users/${id}`, ops({ op: 'add', path: 'roles', value: [{ value: 'owner', primary: true }] })), 400, 'invalidPath', 'roles');
      scimRefused(await s('PATCH', `/Users/${id}`, ops({ op: 'replace', value: { 'urn:backlot:studioRole': 'owner' } })), 400, undefined, 'an invented extension');
      // Pointing a SCIM user at an existing account's email (the owner's, another studio's member's).
      scimRefused(await s('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'emails', value: [{ value: owner.email, primary: true }] })), 409, 'uniqueness', 'take over the owner by email');
      scimRefused(await s('POST', '/Users', userBody(owner.email)), 409, 'uniqueness', 'link the instance administrator');
      scimRefused(await s('POST', '/Users', userBody(outsider.email)), 409, 'uniqueness', 'link another studio\'s member');
      // A group with no mapping, or named like a role, gives a plain member seat.
      const g = await s('POST', '/Groups', { schemas: [GROUP], displayName: 'owners', members: [{ value: id }] });
      assert.equal(g.status, 201);
      assert.equal((await seat(id))?.role, 'member');
      assert.equal((await s('PATCH', `/Groups/${g.body.id}`, ops({ op: 'replace', path: 'displayName', value: 'leads' }))).status, 200);
      assert.equal((await seat(id))?.role, 'admin', 'what the owner\'s `leads` mapping says, no more');
      assert.equal((await s('DELETE', `/Groups/${g.body.id}`)).status, 204);
      assert.equal((await seat(id))?.role, 'member', 'taken back when the group goes');
      // Ownership only when an owner's mapping says so; and SCIM never deprovisions the last active owner.
      must(await h.as(owner).post(`/studios/${studioId}/sso/mappings`, { group: 'studio-owners', studioRole: 'owner' }), 201);
      const og = (await s('POST', '/Groups', { schemas: [GROUP], displayName: 'studio-owners', members: [{ value: id }] })).body;
      assert.equal((await seat(id))?.role, 'owner');
      must(await h.as(owner).patch(`/studios/${studioId}/members/${owner.userId}`, { status: 'suspended' }), 200);
      const last = await snapshot();
      scimRefused(await s('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'active', value: false })), 409, 'mutability', 'the last active owner');
      scimRefused(await s('DELETE', `/Users/${id}`), 409, 'mutability', 'the last active owner');
      assert.equal(await snapshot(), last, 'nothing changed');
      await h.deps.db.updateTable('studio_members').set({ suspended_at: null }).where('studio_id', '=', studioId).where('user_id', '=', owner.userId).execute();
      assert.equal((await s('DELETE', `/Groups/${og.id}`)).status, 204);
      assert.equal((await seat(id))?.role, 'owner', 'an owner seat is never taken by a mapping');
    });

    test('an existing account is linked by the SSO rules; without SCIM groups the last sign-in\'s groups apply', async () => {
      // Only studio groups may exist from earlier tests: start from none.
      for (const g of (await s('GET', '/Groups')).body.Resources) assert.equal((await s('DELETE', `/Groups/${g.id}`)).status, 204);
      const pat = await h.user('pat@studio.test');
      must(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: [pat.email], role: 'member' }), 201);
      await h.deps.db.insertInto('sso_identities').values({ studio_id: studioId, user_id: pat.userId, oidc_subject: 'sub-pat', saml_subject: null, login_groups: JSON.stringify(['artists']), created_at: h.clock.now().toISOString(), last_login_at: null }).execute();
      const linked = await s('POST', '/Users', userBody('PAT@studio.test', { displayName: 'Someone Else' }));
      assert.equal(linked.status, 201, JSON.stringify(linked.body));
      assert.equal(linked.body.id, pat.userId, 'the same account');
      assert.equal(await projectRole(pat.userId), artistRole, 'mapped from the groups of the last sign-in');
      const acc = await h.deps.db.selectFrom('users').select(['name', 'password_hash']).where('id', '=', pat.userId).executeTakeFirstOrThrow();
      assert.equal(acc.name, 'pat', 'a linked account keeps its own name');
      assert.ok(acc.password_hash);
      // Once groups come through SCIM they decide.
      const g = (await s('POST', '/Groups', { schemas: [GROUP], displayName: 'vfx-supervisors', members: [{ value: pat.userId }] })).body;
      assert.equal(await projectRole(pat.userId), supervisorRole);
      assert.equal((await s('DELETE', `/Groups/${g.id}`)).status, 204);
    });
  });
}
