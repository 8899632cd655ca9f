// Hostile and malformed input against a representative set of routes: wrong types, missing and
// unknown fields, malformed/empty/oversized bodies, wrong content types, malformed and foreign ids,
// huge arrays, long strings, path-like and control-character names, bad emails, odd query
// strings. Every answer must be a 4xx with `{ error: { code, message, details } }` (never a 500),
// and nothing may change: the database is compared before and after each group of requests.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Caller, type Harness, type Reply } from '@backlot/test-kit/harness';

const PASSWORD = 'correct horse battery';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const MALFORMED_IDS = [
  'not-a-uuid', '12345', 'A0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-00000000000',
  '00000000-0000-4000-8000-0000000000000', '00000000000040008000000000000000', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '%00',
  "'%20OR%20'1'%3D'1", '%7Bid%7D', '00000000-0000-4000-8000-00000000000g', '%E0%A4%A',
];
const TOO_LONG_ID = 'a'.repeat(300);

interface Case {
  label: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  path: string;
  body?: unknown;
  /** Raw payload; sent with `contentType` (application/json unless given). */
  payload?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** null: no token; a string: that token; undefined: the default caller. */
  token?: string | null;
  /** Accepted statuses (all must be 4xx); any 4xx when absent. */
  status?: number | number[];
}

function assertErrorShape(r: Reply, where: string) {
  assert.ok(r.status >= 400 && r.status < 500, `${where}: expected a 4xx, got ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  assert.match(String(r.headers['content-type']), /application\/json/, `${where}: error must be JSON`);
  const e = r.body?.error;
  assert.ok(e && typeof e === 'object', `${where}: no error object in ${JSON.stringify(r.body).slice(0, 300)}`);
  assert.equal(typeof e.code, 'string', `${where}: error.code`);
  assert.equal(typeof e.message, 'string', `${where}: error.message`);
  assert.ok(e.details !== null && typeof e.details === 'object' && !Array.isArray(e.details), `${where}: error.details must be an object: ${JSON.stringify(r.body).slice(0, 300)}`);
  assert.deepEqual(Object.keys(r.body).sort(), ['error'], `${where}: nothing but error at the top level`);
}

const TABLES: Record<string, string[]> = {
  users: ['id', 'email', 'name', 'password_hash', 'is_instance_admin', 'deactivated_at'],
  sessions: ['id', 'user_id', 'revoked_at', 'expires_at'],
  setup_tokens: ['token_hash', 'used_at'],
  studios: ['id', 'name', 'allowed_domains', 'deleted_at'],
  studio_members: ['studio_id', 'user_id', 'role', 'suspended_at'],
  projects: ['id', 'studio_id', 'name', 'status', 'deleted_at'],
  roles: ['id', 'project_id', 'name', 'permissions', 'fixed'],
  project_members: ['project_id', 'user_id', 'role_id'],
  invitations: ['id', 'studio_id', 'email', 'token_hash', 'expires_at', 'accepted_at', 'revoked_at', 'sent_count'],
  audit_heads: ['scope'],
};

/** Everything a request could change, minus refusal records (refusals are audited by design). */
async function snapshot(h: Harness): Promise<Record<string, string[]>> {
  const db = h.deps.db as any;
  const out: Record<string, string[]> = {};
  for (const [table, cols] of Object.entries(TABLES)) {
    const rows = await db.selectFrom(table).select(cols).execute();
    out[table] = rows.map((r: unknown) => JSON.stringify(r)).sort();
  }
  const audit = await db.selectFrom('audit_log').select(['scope', 'seq', 'action', 'target_id'])
    .where('action', 'not in', ['request.refused', 'auth.login_failed']).execute();
  out.audit_log = audit.map((r: unknown) => JSON.stringify(r)).sort();
  return out;
}

function diff(before: Record<string, string[]>, after: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const t of Object.keys(before)) {
    const b = new Set(before[t]);
    const a = new Set(after[t]);
    for (const r of after[t]) if (!b.has(r)) out.push(`+ ${t} ${r}`);
    for (const r of before[t]) if (!a.has(r)) out.push(`- ${t} ${r}`);
  }
  return out;
}

/** Wrong-typed values for a field of the given kind. */
function wrongTypes(kind: 'string' | 'array'): unknown[] {
  return kind === 'string' ? [123, 0, true, null, [], ['x'], {}, { $ne: '' }] : ['a-string', 7, true, null, {}, { 0: 'x' }];
}

interface BodyRoute {
  label: string;
  method: 'POST' | 'PATCH';
  path: string;
  /** A body of the right shape; it is only ever sent mutated (never as is). */
  base: Record<string, unknown>;
  fields: Record<string, 'string' | 'array'>;
  required: string[];
  token?: string | null;
}

/** The generic hostile variations of one JSON route. */
function bodyCases(r: BodyRoute): Case[] {
  const c = (label: string, x: Partial<Case>): Case => ({ label: `${r.label}: ${label}`, method: r.method, path: r.path, token: r.token, ...x });
  const cases: Case[] = [
    c('malformed JSON', { payload: '{"name": "x",', status: 400 }),
    c('trailing garbage', { payload: JSON.stringify(r.base) + 'garbage', status: 400 }),
    c('single quotes', { payload: "{'name': 'x'}", status: 400 }),
    c('empty body with JSON content type', { payload: '', status: 400 }),
    c('JSON null', { payload: 'null', status: 400 }),
    c('JSON array', { payload: JSON.stringify([r.base]), status: 400 }),
    c('JSON string', { payload: '"hello"', status: 400 }),
    c('JSON number', { payload: '42', status: 400 }),
    c('__proto__ key', { payload: JSON.stringify(r.base).replace(/^\{/, '{"__proto__":{"isInstanceAdmin":true},'), status: 400 }),
    c('constructor.prototype key', { payload: JSON.stringify(r.base).replace(/^\{/, '{"constructor":{"prototype":{"isInstanceAdmin":true}},'), status: 400 }),
    // Fastify reads text/plain as a string, which the object schema then refuses.
    c('text/plain', { payload: JSON.stringify(r.base), contentType: 'text/plain', status: [400, 415] }),
    c('form encoded', { payload: 'name=x&email=y', contentType: 'application/x-www-form-urlencoded', status: 415 }),
    c('multipart', { payload: '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--', contentType: 'multipart/form-data; boundary=b', status: 415 }),
    c('xml', { payload: '<name>x</name>', contentType: 'application/xml', status: 415 }),
    c('oversized body (300 KiB)', { payload: JSON.stringify({ ...r.base, padding: 'x'.repeat(300 * 1024) }), status: 413 }),
    c('deeply nested', { payload: '['.repeat(50_000) + ']'.repeat(50_000), status: 400 }),
    c('unknown field', { body: { ...r.base, unexpected: 1 }, status: 400 }),
    c('identity field', { body: { ...r.base, userId: UNKNOWN, actorId: UNKNOWN }, status: 400 }),
  ];
  for (const f of r.required) {
    const { [f]: _drop, ...rest } = r.base;
    cases.push(c(`missing ${f}`, { body: rest, status: 400 }));
  }
  for (const [f, kind] of Object.entries(r.fields)) {
    for (const v of wrongTypes(kind)) cases.push(c(`${f} = ${JSON.stringify(v)}`, { body: { ...r.base, [f]: v }, status: 400 }));
    const long = 'x'.repeat(10_000);
    cases.push(c(`${f} very long`, { body: { ...r.base, [f]: kind === 'string' ? long : [long] }, status: 400 }));
  }
  return cases;
}

for (const kind of dbKinds()) {
  describe(`bad input (${kind})`, () => {
    let h: Harness;
    let admin: Caller, member: Caller, other: Caller, otherMember: Caller;
    // Ours: studio S, project P (with Artist role R held by `member`), invitation I.
    // Theirs (another studio the admin is not in): S2, P2, R2, invitation I2, session X2.
    let S: string, P: string, R: string, I: string, S2: string, P2: string, R2: string, I2: string, X2: string;

    async function send(c: Case): Promise<Reply> {
      const token = c.token === null ? undefined : (c.token ?? admin.token);
      if (c.payload !== undefined)
        return h.request(c.method, c.path, { token, payload: c.payload, headers: { 'content-type': c.contentType ?? 'application/json', ...c.headers } });
      return h.request(c.method, c.path, { token, body: c.body, headers: c.headers });
    }

    /** Sends every case; each must be a well-shaped 4xx; the database must be unchanged afterwards. */
    async function refuseAll(group: string, cases: Case[]) {
      assert.ok(cases.length > 0);
      const before = await snapshot(h);
      const log: string[] = [];
      for (const c of cases) {
        const r = await send(c);
        const where = `${c.label} [${c.method} ${c.path.slice(0, 120)}]`;
        assertErrorShape(r, where);
        if (c.status !== undefined) {
          const ok = [c.status].flat();
          assert.ok(ok.includes(r.status), `${where}: expected ${ok.join(' or ')}, got ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        }
        log.push(`${r.status} ${where}`);
      }
      const changes = diff(before, await snapshot(h));
      assert.deepEqual(changes, [], `${group}: refused requests changed the database:\n${changes.join('\n')}\nrequests:\n${log.join('\n')}`);
    }

    before(async () => {
      h = await createHarness(kind, { allowSignup: true });
      admin = await h.setupAdmin();
      [member, other, otherMember] = await Promise.all(['member', 'other', 'othermember'].map((n) => h.user(`${n}@studio.test`)));
      const mk = async (who: Caller, path: string, body: unknown) => {
        const r = await h.as(who).post(path, body);
        assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
        return r.body;
      };
      S = (await mk(admin, '/studios', { name: 'Ours' })).id;
      P = (await mk(admin, `/studios/${S}/projects`, { name: 'Our Project' })).id;
      await mk(admin, `/studios/${S}/invitations`, { emails: [member.email], role: 'member' });
      I = (await mk(admin, `/studios/${S}/invitations`, { emails: ['pending@studio.test'], role: 'member' })).results[0].invitationId;
      R = (await h.as(admin).get(`/projects/${P}/roles`)).body.roles.find((r: any) => r.key === 'artist').id;
      await mk(admin, `/projects/${P}/members`, { userIds: [member.userId], roleId: R });

      S2 = (await mk(other, '/studios', { name: 'Theirs' })).id;
      P2 = (await mk(other, `/studios/${S2}/projects`, { name: 'Their Project' })).id;
      await mk(other, `/studios/${S2}/invitations`, { emails: [otherMember.email], role: 'member' });
      I2 = (await mk(other, `/studios/${S2}/invitations`, { emails: ['their-pending@studio.test'], role: 'member' })).results[0].invitationId;
      R2 = (await h.as(other).get(`/projects/${P2}/roles`)).body.roles.find((r: any) => r.key === 'artist').id;
      await mk(other, `/projects/${P2}/members`, { userIds: [otherMember.userId], roleId: R2 });
      X2 = (await h.as(other).get('/auth/sessions')).body.sessions[0].id;
    });
    after(async () => { await h.close(); });

    /** Every route with ids in its path, with a body that would be valid. */
    const idRoutes = (): { method: Case['method']; path: string; body?: unknown; admin?: boolean }[] => [
      { method: 'GET', path: '/studios/{S}' },
      { method: 'PATCH', path: '/studios/{S}', body: { name: 'Probe' } },
      { method: 'DELETE', path: '/studios/{S}' },
      { method: 'GET', path: '/studios/{S}/members' },
      { method: 'PATCH', path: '/studios/{S}/members/{U}', body: { role: 'admin' } },
      { method: 'DELETE', path: '/studios/{S}/members/{U}' },
      { method: 'GET', path: '/studios/{S}/projects' },
      { method: 'POST', path: '/studios/{S}/projects', body: { name: 'Probe' } },
      { method: 'GET', path: '/projects/{P}' },
      { method: 'PATCH', path: '/projects/{P}', body: { name: 'Probe' } },
      { method: 'DELETE', path: '/projects/{P}' },
      { method: 'POST', path: '/projects/{P}/archive', body: {} },
      { method: 'POST', path: '/projects/{P}/unarchive', body: {} },
      { method: 'GET', path: '/projects/{P}/members' },
      { method: 'POST', path: '/projects/{P}/members', body: { userIds: ['{U}'], roleId: '{R}' } },
      { method: 'PATCH', path: '/projects/{P}/members/{U}', body: { roleId: '{R}' } },
      { method: 'DELETE', path: '/projects/{P}/members/{U}' },
      { method: 'GET', path: '/projects/{P}/roles' },
      { method: 'POST', path: '/projects/{P}/roles', body: { name: 'Probe', permissions: [] } },
      { method: 'PATCH', path: '/projects/{P}/roles/{R}', body: { name: 'Probe' } },
      { method: 'DELETE', path: '/projects/{P}/roles/{R}' },
      { method: 'GET', path: '/studios/{S}/invitations' },
      { method: 'POST', path: '/studios/{S}/invitations', body: { emails: ['probe@studio.test'], role: 'member' } },
      { method: 'POST', path: '/studios/{S}/invitations/{I}/resend', body: {} },
      { method: 'DELETE', path: '/studios/{S}/invitations/{I}' },
      { method: 'GET', path: '/studios/{S}/audit' },
      { method: 'GET', path: '/studios/{S}/audit/verify' },
      { method: 'GET', path: '/projects/{P}/audit' },
      { method: 'DELETE', path: '/auth/sessions/{X}' },
      { method: 'POST', path: '/admin/users/{U}/deactivate', body: {}, admin: true },
      { method: 'POST', path: '/admin/users/{U}/reactivate', body: {}, admin: true },
    ];

    const fill = (s: string, ids: Record<string, string>) => s.replace(/\{([SPURIX])\}/g, (_, k: string) => ids[k]);
    const fillBody = (b: unknown, ids: Record<string, string>) => (b === undefined ? undefined : JSON.parse(fill(JSON.stringify(b), ids)));
    const ours = () => ({ S, P, U: member.userId, R, I, X: X2 });

    test('malformed ids in paths answer 400 (an over-long one 404/414), whatever the route', async () => {
      const cases: Case[] = [];
      for (const route of idRoutes()) {
        const slots = [...new Set([...route.path.matchAll(/\{([SPURIX])\}/g)].map((m) => m[1]))];
        for (const slot of slots) {
          for (const bad of MALFORMED_IDS)
            cases.push({ label: `${slot}=${bad}`, method: route.method, path: fill(route.path, { ...ours(), [slot]: bad }), body: fillBody(route.body, ours()), status: 400 });
          cases.push({ label: `${slot}=300 chars`, method: route.method, path: fill(route.path, { ...ours(), [slot]: TOO_LONG_ID }), body: fillBody(route.body, ours()), status: [400, 404, 414] });
        }
      }
      assert.ok(new Set(cases.map((c) => c.path.split('/').slice(0, 3).join('/') + c.method)).size >= 15);
      await refuseAll('malformed ids', cases);
    });

    test('unknown but well-formed ids answer 404', async () => {
      const cases: Case[] = [];
      for (const route of idRoutes()) {
        const slots = [...new Set([...route.path.matchAll(/\{([SPURIX])\}/g)].map((m) => m[1]))];
        for (const slot of slots)
          cases.push({ label: `unknown ${slot}`, method: route.method, path: fill(route.path, { ...ours(), [slot]: UNKNOWN }), body: fillBody(route.body, ours()), status: 404 });
      }
      await refuseAll('unknown ids', cases);
    });

    test('another studio\'s studio, project, role, member, invitation and session ids never work', async () => {
      const theirs: Record<string, string> = { S: S2, P: P2, U: otherMember.userId, R: R2, I: I2, X: X2 };
      const cases: Case[] = [];
      for (const route of idRoutes()) {
        if (route.admin) continue; // instance administration is not studio-scoped
        const slots = [...new Set([...route.path.matchAll(/\{([SPURIX])\}/g)].map((m) => m[1]))];
        for (const slot of slots) {
          const ids = { ...ours(), [slot]: theirs[slot] };
          cases.push({ label: `foreign ${slot}`, method: route.method, path: fill(route.path, ids), body: fillBody(route.body, ids), status: [400, 404] });
        }
        // Every slot foreign at once.
        if (slots.length > 1) cases.push({ label: 'all foreign', method: route.method, path: fill(route.path, theirs), body: fillBody(route.body, theirs), status: [400, 404] });
      }
      // Foreign ids inside bodies and query strings.
      cases.push(
        { label: 'foreign user in members body', method: 'POST', path: `/projects/${P}/members`, body: { userIds: [otherMember.userId], roleId: R }, status: 400 },
        { label: 'foreign + own users in members body', method: 'POST', path: `/projects/${P}/members`, body: { userIds: [other.userId, member.userId], roleId: R }, status: 400 },
        { label: 'foreign role in members body', method: 'POST', path: `/projects/${P}/members`, body: { userIds: [member.userId], roleId: R2 }, status: 400 },
        { label: 'foreign role in role change', method: 'PATCH', path: `/projects/${P}/members/${member.userId}`, body: { roleId: R2 }, status: 400 },
        { label: 'foreign replacement role', method: 'DELETE', path: `/projects/${P}/roles/${R}?replacementRoleId=${R2}`, status: 400 },
        { label: 'foreign project in invitation', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: ['x1@studio.test'], role: 'member', projects: [{ projectId: P2, roleId: R2 }] }, status: 400 },
        { label: 'foreign role in invitation', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: ['x2@studio.test'], role: 'member', projects: [{ projectId: P, roleId: R2 }] }, status: 400 },
        { label: 'someone else\'s session', method: 'DELETE', path: `/auth/sessions/${X2}`, status: 404 },
      );
      await refuseAll('foreign ids', cases);
      // The other studio's things are untouched and still work for their owners.
      assert.equal((await h.as(other).get(`/projects/${P2}`)).status, 200);
      assert.equal((await h.as(otherMember).get(`/projects/${P2}`)).status, 200);
      assert.equal((await h.as(other).get('/auth/me')).status, 200);
    });

    test('JSON bodies: wrong types, missing and unknown fields, malformed/empty/oversized bodies, wrong content types', async () => {
      const routes: BodyRoute[] = [
        { label: 'login', method: 'POST', path: '/auth/login', base: { email: admin.email, password: PASSWORD, session: 'bearer' }, fields: { email: 'string', password: 'string', session: 'string' }, required: ['email', 'password'], token: null },
        { label: 'setup', method: 'POST', path: '/setup', base: { token: 'x'.repeat(43), email: 'root@studio.test', name: 'Root', password: PASSWORD }, fields: { token: 'string', email: 'string', name: 'string', password: 'string' }, required: ['token', 'email', 'name', 'password'], token: null },
        { label: 'signup', method: 'POST', path: '/auth/signup', base: { email: 'new@studio.test', name: 'New', password: PASSWORD }, fields: { email: 'string', name: 'string', password: 'string' }, required: ['email', 'name', 'password'], token: null },
        { label: 'password', method: 'POST', path: '/auth/password', base: { currentPassword: PASSWORD, newPassword: 'another long password' }, fields: { currentPassword: 'string', newPassword: 'string' }, required: ['currentPassword', 'newPassword'] },
        { label: 'create studio', method: 'POST', path: '/studios', base: { name: 'New Studio', allowedEmailDomains: ['studio.test'] }, fields: { name: 'string', allowedEmailDomains: 'array' }, required: ['name'] },
        { label: 'update studio', method: 'PATCH', path: `/studios/${S}`, base: { name: 'Renamed', allowedEmailDomains: ['studio.test'] }, fields: { name: 'string', allowedEmailDomains: 'array' }, required: [] },
        { label: 'studio member', method: 'PATCH', path: `/studios/${S}/members/${member.userId}`, base: { role: 'admin' }, fields: { role: 'string', status: 'string' }, required: [] },
        { label: 'create project', method: 'POST', path: `/studios/${S}/projects`, base: { name: 'New Project', preset: 'simple' }, fields: { name: 'string', preset: 'string' }, required: ['name'] },
        { label: 'rename project', method: 'PATCH', path: `/projects/${P}`, base: { name: 'Renamed Project' }, fields: { name: 'string' }, required: ['name'] },
        { label: 'add members', method: 'POST', path: `/projects/${P}/members`, base: { userIds: [admin.userId], roleId: R }, fields: { userIds: 'array', roleId: 'string' }, required: ['userIds', 'roleId'] },
        { label: 'change member role', method: 'PATCH', path: `/projects/${P}/members/${member.userId}`, base: { roleId: R }, fields: { roleId: 'string' }, required: ['roleId'] },
        { label: 'create role', method: 'POST', path: `/projects/${P}/roles`, base: { name: 'New Role', permissions: ['checkpoint.view'] }, fields: { name: 'string', permissions: 'array' }, required: ['name', 'permissions'] },
        { label: 'edit role', method: 'PATCH', path: `/projects/${P}/roles/${R}`, base: { name: 'Edited', permissions: ['checkpoint.view'] }, fields: { name: 'string', permissions: 'array' }, required: [] },
        { label: 'invite', method: 'POST', path: `/studios/${S}/invitations`, base: { emails: ['someone@studio.test'], role: 'member', projects: [{ projectId: P, roleId: R }] }, fields: { emails: 'array', role: 'string', projects: 'array' }, required: ['emails', 'role'] },
        { label: 'invitation lookup', method: 'POST', path: '/invitations/lookup', base: { token: 'x'.repeat(43) }, fields: { token: 'string' }, required: ['token'], token: null },
        { label: 'invitation accept', method: 'POST', path: '/invitations/accept', base: { token: 'x'.repeat(43), name: 'Someone', password: PASSWORD, session: 'bearer' }, fields: { token: 'string', name: 'string', password: 'string', session: 'string' }, required: ['token'], token: null },
      ];
      for (const r of routes) await refuseAll(r.label, bodyCases(r));
    });

    test('route-specific bad values: names, emails, domains, enums, huge arrays, long strings', async () => {
      const badNames = ['a/b', '/', 'a\\b', '..', '.', 'tab\tin', 'new\nline', 'nul\u0000', 'esc\u001b[31m', 'del\u007f', ' lead', 'trail ', '', ' ', 'x'.repeat(201)];
      const badEmails = ['', 'ab', 'plain', 'a@b', '@studio.test', 'a@', 'a b@studio.test', 'a@stu dio.test', '<a>@studio.test', 'a@studio..test', 'a@-studio.test', 'x\u0000y@studio.test', 'x@studio.test\u0000', `${'x'.repeat(250)}@studio.test`];
      const badDomains = ['not a domain', 'x@y.test', 'localhost', '-bad.test', 'a/b.test', 'a..b.test', '.test', 'ex\u0000ample.test', `${'a'.repeat(64)}.test`];
      const manyIds = Array.from({ length: 501 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      const cases: Case[] = [];
      for (const name of badNames) {
        cases.push(
          { label: `studio name ${JSON.stringify(name)}`, method: 'POST', path: '/studios', body: { name }, status: 400 },
          { label: `studio rename ${JSON.stringify(name)}`, method: 'PATCH', path: `/studios/${S}`, body: { name }, status: 400 },
          { label: `project name ${JSON.stringify(name)}`, method: 'POST', path: `/studios/${S}/projects`, body: { name }, status: 400 },
          { label: `project rename ${JSON.stringify(name)}`, method: 'PATCH', path: `/projects/${P}`, body: { name }, status: 400 },
          { label: `role name ${JSON.stringify(name)}`, method: 'POST', path: `/projects/${P}/roles`, body: { name, permissions: [] }, status: 400 },
          { label: `role rename ${JSON.stringify(name)}`, method: 'PATCH', path: `/projects/${P}/roles/${R}`, body: { name }, status: 400 },
          { label: `signup name ${JSON.stringify(name)}`, method: 'POST', path: '/auth/signup', body: { email: 'named@studio.test', name, password: PASSWORD }, token: null, status: 400 },
        );
      }
      cases.push({ label: 'role name 101 chars', method: 'POST', path: `/projects/${P}/roles`, body: { name: 'x'.repeat(101), permissions: [] }, status: 400 });
      for (const email of badEmails) {
        cases.push({ label: `signup email ${JSON.stringify(email)}`, method: 'POST', path: '/auth/signup', body: { email, name: 'Someone', password: PASSWORD }, token: null, status: 400 });
        cases.push({ label: `setup email ${JSON.stringify(email)}`, method: 'POST', path: '/setup', body: { token: 'x'.repeat(43), email, name: 'Someone', password: PASSWORD }, token: null, status: [400, 410] });
      }
      for (const d of badDomains) {
        cases.push({ label: `domain ${JSON.stringify(d)}`, method: 'POST', path: '/studios', body: { name: 'Domains', allowedEmailDomains: [d] }, status: 400 });
        cases.push({ label: `domain update ${JSON.stringify(d)}`, method: 'PATCH', path: `/studios/${S}`, body: { allowedEmailDomains: ['studio.test', d] }, status: 400 });
      }
      cases.push(
        { label: '101 domains', method: 'POST', path: '/studios', body: { name: 'Domains', allowedEmailDomains: Array.from({ length: 101 }, (_, i) => `d${i}.test`) }, status: 400 },
        { label: 'empty domain', method: 'PATCH', path: `/studios/${S}`, body: { allowedEmailDomains: [''] }, status: 400 },
        { label: 'preset enum', method: 'POST', path: `/studios/${S}/projects`, body: { name: 'Enum', preset: 'Default' }, status: 400 },
        { label: 'studio role enum', method: 'PATCH', path: `/studios/${S}/members/${member.userId}`, body: { role: 'superowner' }, status: 400 },
        { label: 'studio status enum', method: 'PATCH', path: `/studios/${S}/members/${member.userId}`, body: { status: 'banned' }, status: 400 },
        { label: 'role and status at once', method: 'PATCH', path: `/studios/${S}/members/${member.userId}`, body: { role: 'admin', status: 'suspended' }, status: 400 },
        { label: 'neither role nor status', method: 'PATCH', path: `/studios/${S}/members/${member.userId}`, body: {}, status: 400 },
        { label: 'session kind enum', method: 'POST', path: '/auth/login', body: { email: admin.email, password: PASSWORD, session: 'jwt' }, token: null, status: 400 },
        { label: 'empty userIds', method: 'POST', path: `/projects/${P}/members`, body: { userIds: [], roleId: R }, status: 400 },
        { label: '501 userIds', method: 'POST', path: `/projects/${P}/members`, body: { userIds: manyIds, roleId: R }, status: 400 },
        { label: '500 unknown userIds', method: 'POST', path: `/projects/${P}/members`, body: { userIds: manyIds.slice(0, 500), roleId: R }, status: 400 },
        { label: 'malformed id in userIds', method: 'POST', path: `/projects/${P}/members`, body: { userIds: [member.userId, 'nope'], roleId: R }, status: 400 },
        { label: 'unknown roleId', method: 'POST', path: `/projects/${P}/members`, body: { userIds: [admin.userId], roleId: UNKNOWN }, status: 400 },
        { label: 'unknown permission', method: 'POST', path: `/projects/${P}/roles`, body: { name: 'P1', permissions: ['checkpoint.view', 'admin.everything'] }, status: 400 },
        { label: 'permission case', method: 'POST', path: `/projects/${P}/roles`, body: { name: 'P2', permissions: ['Checkpoint.View'] }, status: 400 },
        { label: 'permission 65 chars', method: 'POST', path: `/projects/${P}/roles`, body: { name: 'P3', permissions: ['p'.repeat(65)] }, status: 400 },
        { label: '201 permissions', method: 'POST', path: `/projects/${P}/roles`, body: { name: 'P4', permissions: Array(201).fill('checkpoint.view') }, status: 400 },
        { label: 'permission not a string', method: 'PATCH', path: `/projects/${P}/roles/${R}`, body: { permissions: ['checkpoint.view', 1] }, status: 400 },
        { label: 'unknown permission on edit', method: 'PATCH', path: `/projects/${P}/roles/${R}`, body: { permissions: ['__proto__'] }, status: 400 },
        { label: 'no invitation emails', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: [], role: 'member' }, status: 400 },
        { label: '201 invitation emails', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: Array.from({ length: 201 }, (_, i) => `p${i}@studio.test`), role: 'member' }, status: 400 },
        { label: 'invitation email too short', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: ['ab'], role: 'member' }, status: 400 },
        { label: 'invitation email too long', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: [`${'x'.repeat(250)}@studio.test`], role: 'member' }, status: 400 },
        { label: 'invitation role enum', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: ['p@studio.test'], role: 'god' }, status: 400 },
        { label: 'invitation project extra field', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: ['p@studio.test'], role: 'member', projects: [{ projectId: P, roleId: R, admin: true }] }, status: 400 },
        { label: 'invitation project malformed id', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: ['p@studio.test'], role: 'member', projects: [{ projectId: 'x', roleId: R }] }, status: 400 },
        { label: 'invitation unknown project', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: ['p@studio.test'], role: 'member', projects: [{ projectId: UNKNOWN, roleId: R }] }, status: 400 },
        { label: '51 invitation projects', method: 'POST', path: `/studios/${S}/invitations`, body: { emails: ['p@studio.test'], role: 'member', projects: Array(51).fill({ projectId: P, roleId: R }) }, status: 400 },
        { label: 'lookup token too short', method: 'POST', path: '/invitations/lookup', body: { token: 'short' }, token: null, status: 400 },
        { label: 'lookup unknown token', method: 'POST', path: '/invitations/lookup', body: { token: 'x'.repeat(43) }, token: null, status: 404 },
        { label: 'lookup token with NUL', method: 'POST', path: '/invitations/lookup', body: { token: 'x'.repeat(30) + '\u0000' + 'x'.repeat(12) }, token: null, status: [400, 404] },
        { label: 'accept unknown token', method: 'POST', path: '/invitations/accept', body: { token: 'x'.repeat(43), name: 'Who', password: PASSWORD }, token: null, status: 404 },
        { label: 'password too short', method: 'POST', path: '/auth/password', body: { currentPassword: PASSWORD, newPassword: 'short' }, status: 400 },
        { label: 'password too long', method: 'POST', path: '/auth/password', body: { currentPassword: PASSWORD, newPassword: 'x'.repeat(257) }, status: 400 },
        { label: 'setup after setup', method: 'POST', path: '/setup', body: { token: 'x'.repeat(43), email: 'root@studio.test', name: 'Root', password: PASSWORD }, token: null, status: 410 },
        { label: 'unknown route', method: 'GET', path: '/nope', status: 404 },
        { label: 'unknown method', method: 'PUT', path: `/studios/${S}`, body: { name: 'Put' }, status: [404, 405] },
        { label: 'outside the API prefix', method: 'GET', path: '/api/v2/studios', status: 404 },
      );
      await refuseAll('specific values', cases);
    });

    test('bad emails in invitations are rejected one by one, and nothing is stored for them', async () => {
      const before = await snapshot(h);
      const emails = ['plain', 'a@b', 'a b@studio.test', '<a>@studio.test', 'x\u0000y@studio.test', 'tab\t@studio.test', 'a@studio..test'];
      const r = await h.as(admin).post(`/studios/${S}/invitations`, { emails, role: 'member' });
      if (r.status === 201) {
        assert.equal(r.body.results.length, emails.length, JSON.stringify(r.body));
        for (const x of r.body.results) assert.equal(x.outcome, 'rejected', JSON.stringify(x));
      } else assertErrorShape(r, 'invite bad emails');
      assert.deepEqual(diff(before, await snapshot(h)), []);
    });

    test('login with odd emails: the same 401 as a wrong password, never a 500', async () => {
      const before = await snapshot(h);
      const wrong = await h.request('POST', '/auth/login', { body: { email: admin.email, password: 'not the password' } });
      assertErrorShape(wrong, 'wrong password');
      for (const email of ['plain', 'a@b', 'x\u0000y@studio.test', `${admin.email}\u0000`, 'ADMIN@STUDIO.TEST\u0000', '\u0000\u0000\u0000', "' OR 1=1 --@x.test", 'a%@studio.test', '_@studio.test']) {
        const r = await h.request('POST', '/auth/login', { body: { email, password: 'not the password' } });
        assertErrorShape(r, `login ${JSON.stringify(email)}`);
        assert.equal(r.status, 401, `login ${JSON.stringify(email)}: ${JSON.stringify(r.body)}`);
        assert.deepEqual(r.body, wrong.body);
      }
      assert.deepEqual(diff(before, await snapshot(h)), []);
    });

    test('query strings: bad filters, enums, cursors and limits', async () => {
      const q = (path: string, status: number | number[] = 400): Case => ({ label: path, method: 'GET', path, status });
      const cases: Case[] = [
        q(`/studios/${S}/projects?status=deleted`),
        q(`/studios/${S}/projects?status=archived&status=all`),
        q(`/studios/${S}/projects?status=`),
        q(`/studios/${S}/projects?status=%00`),
        q(`/studios/${S}/invitations?status=bogus`),
        q(`/studios/${S}/audit?limit=abc`),
        q(`/studios/${S}/audit?limit=-1`),
        q(`/studios/${S}/audit?limit=99999`),
        q(`/studios/${S}/audit?limit=1&limit=2`),
        q(`/studios/${S}/audit?cursor=abc`),
        q(`/studios/${S}/audit?cursor=0`),
        q(`/studios/${S}/audit?cursor=-5`),
        q(`/studios/${S}/audit?cursor=1.5`),
        q(`/studios/${S}/audit?cursor=1e300`),
        q(`/studios/${S}/audit?cursor=99999999999999999999`),
        q(`/studios/${S}/audit?cursor=9007199254740993`),
        q(`/studios/${S}/audit?cursor=3000000000`),
        q(`/studios/${S}/audit?from=yesterday`),
        q(`/studios/${S}/audit?to=2026-13-45`),
        q(`/studios/${S}/audit?actor=not-a-uuid`),
        q(`/studios/${S}/audit?format=xml`),
        q(`/studios/${S}/audit?unknown=1`),
        q(`/studios/${S}/audit?action=${'x'.repeat(101)}`),
        q(`/studios/${S}/audit?targetId=${'x'.repeat(201)}`),
        q(`/projects/${P}/audit?cursor=99999999999999999999`),
        q(`/projects/${P}/audit?from=not-a-date`),
        { label: 'replacementRoleId malformed', method: 'DELETE', path: `/projects/${P}/roles/${R}?replacementRoleId=nope`, status: 400 },
        { label: 'replacementRoleId unknown', method: 'DELETE', path: `/projects/${P}/roles/${R}?replacementRoleId=${UNKNOWN}`, status: 400 },
        { label: 'replacementRoleId twice', method: 'DELETE', path: `/projects/${P}/roles/${R}?replacementRoleId=${UNKNOWN}&replacementRoleId=${UNKNOWN}`, status: 400 },
        { label: 'role in use without replacement', method: 'DELETE', path: `/projects/${P}/roles/${R}`, status: 409 },
      ];
      await refuseAll('query strings', cases);
      // Filters holding odd but valid text are answered, not crashed on.
      for (const f of ['action=%00', 'targetType=%00', 'targetId=a%00b', 'action=%25', 'action=%5F.*', "targetId='%20OR%201=1--", 'action=%E2%80%AE', 'from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z']) {
        const r = await h.as(admin).get(`/studios/${S}/audit?${f}`);
        if (r.status !== 200) assertErrorShape(r, `audit filter ${f}`);
        else assert.ok(Array.isArray(r.body.entries), f);
      }
      const verify = await h.as(admin).get(`/studios/${S}/audit/verify`);
      assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
    });

    test('unauthenticated and forged requests with bad input are still plain 4xx answers', async () => {
      const cases: Case[] = [
        { label: 'no token, valid body', method: 'POST', path: '/studios', body: { name: 'Anon' }, token: null, status: 401 },
        { label: 'no token, bad body', method: 'POST', path: '/studios', body: { name: 5 }, token: null, status: [400, 401] },
        { label: 'no token, oversized', method: 'POST', path: '/studios', payload: JSON.stringify({ name: 'x'.repeat(300 * 1024) }), token: null, status: [401, 413] },
        { label: 'garbage token', method: 'POST', path: '/studios', body: { name: 'Anon' }, token: 'garbage', status: 401 },
        { label: 'unknown token', method: 'GET', path: `/studios/${S}`, token: 'y'.repeat(43), status: 401 },
        { label: 'x-user-id header', method: 'POST', path: '/studios', body: { name: 'Forged' }, token: null, headers: { 'x-user-id': admin.userId }, status: 401 },
        { label: 'member forging x-user-id', method: 'DELETE', path: `/studios/${S}`, token: member.token!, headers: { 'x-user-id': admin.userId }, status: 403 },
        { label: 'member body naming admin', method: 'PATCH', path: `/studios/${S}`, token: member.token!, body: { name: 'Mine', userId: admin.userId }, status: 400 },
        { label: 'member on admin route', method: 'POST', path: `/admin/users/${admin.userId}/deactivate`, token: member.token!, body: {}, status: 403 },
        { label: 'member adding self as Admin', method: 'POST', path: `/projects/${P}/members`, token: member.token!, body: { userIds: [member.userId], roleId: R }, status: 403 },
      ];
      await refuseAll('unauthenticated', cases);
      assert.equal((await h.request('GET', '/health')).status, 200, 'the server is still up');
    });
  });
}
