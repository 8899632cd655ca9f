// Single sign-on with OpenID Connect against a real IdP (oidc-provider on 127.0.0.1), through the
// HTTP API and a browser that honours SameSite: the owner's settings (audited, secret sealed),
// group mappings (escalation refused), the web redirect flow ending in the session cookie, the
// CLI's loopback flow ending in a bearer session, JIT accounts with mappings re-applied on every
// sign-in, linking existing accounts only when safe, SSO-only password refusal with break-glass,
// the SSO session age, and the refusals: unknown state, another browser, nonce mismatch, the
// IdP of another studio. Each refusal is a 4xx that makes no account and no session.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createHarness, dbKinds, type Caller, type Harness } from '@backlot/test-kit/harness';
import { must, refused } from '@backlot/test-kit/production-world';
import { Browser, startOidcIdp, type OidcIdp } from './idps.js';

const HOST = 'backlot.test';
const BASE = `http://${HOST}`;
const CALLBACK = `${BASE}/api/v1/auth/sso/oidc/callback`;
const isCallback = (u: URL) => u.host === HOST && u.pathname === '/api/v1/auth/sso/oidc/callback';

for (const kind of dbKinds()) {
  describe(`SSO with OpenID Connect (${kind})`, () => {
    let h: Harness;
    let idpA: OidcIdp, idpB: OidcIdp;
    let owner: Caller, admin: Caller;
    let studioA: string, studioB: string, showA: string, supervisor: string, artist: string;

    const counts = async () => ({
      users: (await h.deps.db.selectFrom('users').select('id').execute()).length,
      sessions: (await h.deps.db.selectFrom('sessions').select('id').execute()).length,
    });
    const userByEmail = (email: string) => h.deps.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    const browser = () => new Browser(h.app, HOST);
    const startUrl = (studioId: string, q = '') => `${BASE}/api/v1/auth/sso/${studioId}/start${q}`;
    const meWithCookie = async (b: Browser) => {
      const jar = b.cookies(HOST);
      const session = jar.get('backlot_session');
      if (!session) return null;
      return h.request('GET', '/auth/me', { headers: { cookie: `backlot_session=${session.value}` } });
    };

    before(async () => {
      h = await createHarness(kind, { publicUrl: BASE });
      idpA = await startOidcIdp(CALLBACK);
      idpB = await startOidcIdp(CALLBACK);
      owner = await h.setupAdmin();
      admin = await h.user('admin@studio-a.test');
      studioA = must(await h.as(owner).post('/studios', { name: 'Studio A', allowedEmailDomains: ['studio-a.test'] }), 201).id;
      studioB = must(await h.as(owner).post('/studios', { name: 'Studio B' }), 201).id;
      must(await h.as(owner).post(`/studios/${studioA}/invitations`, { emails: [admin.email], role: 'admin' }), 201);
      showA = must(await h.as(owner).post(`/studios/${studioA}/projects`, { name: 'Show A' }), 201).id;
      const roles = must(await h.as(owner).get(`/projects/${showA}/roles`), 200).roles as any[];
      supervisor = roles.find((r) => r.key === 'supervisor').id;
      artist = roles.find((r) => r.key === 'artist').id;
      idpA.accounts.set('alice', { email: 'alice@studio-a.test', name: 'Alice', groups: ['vfx-supervisors'] });
      idpB.accounts.set('mallory', { email: 'mallory@studio-b.test', name: 'Mallory', groups: [] });
    });
    after(async () => {
      await h.close();
      await idpA.close();
      await idpB.close();
    });

    test('owners configure OIDC: discovered, audited, the client secret sealed and never shown; others refused', async () => {
      const before = await counts();
      refused(await h.request('PUT', `/studios/${studioA}/sso/oidc`, { token: admin.token, body: { issuer: idpA.issuer, clientId: idpA.clientId, clientSecret: idpA.clientSecret } }), 403, 'forbidden', 'an admin');
      refused(await h.request('PUT', `/studios/${studioA}/sso/oidc`, { token: owner.token, body: { issuer: 'http://idp.example.com', clientId: 'x', clientSecret: 'y' } }), 400, 'validation_failed', 'plain http');
      refused(await h.request('PUT', `/studios/${studioA}/sso/oidc`, { token: owner.token, body: { issuer: 'http://127.0.0.1:9/none', clientId: 'x', clientSecret: 'y' } }), 400, 'bad_request', 'no IdP there');
      assert.equal(await h.deps.db.selectFrom('studio_sso').select('studio_id').where('studio_id', '=', studioA).executeTakeFirst(), undefined, 'nothing saved');
      const view = must(await h.request('PUT', `/studios/${studioA}/sso/oidc`, { token: owner.token, body: { issuer: idpA.issuer, clientId: idpA.clientId, clientSecret: idpA.clientSecret } }), 200);
      assert.equal(view.oidc.issuer, idpA.issuer);
      assert.equal(view.oidc.hasClientSecret, true);
      assert.equal(view.oidc.redirectUri, CALLBACK);
      assert.ok(!JSON.stringify(view).includes(idpA.clientSecret));
      const row = await h.deps.db.selectFrom('studio_sso').selectAll().where('studio_id', '=', studioA).executeTakeFirstOrThrow();
      assert.ok(row.oidc_client_secret && !row.oidc_client_secret.includes(idpA.clientSecret), 'sealed at rest');
      const audit = await h.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'sso.oidc_configured').execute();
      assert.equal(audit.length, 1);
      assert.ok(!JSON.stringify(audit).includes(idpA.clientSecret), 'the audit entry has no secret');
      must(await h.request('PUT', `/studios/${studioB}/sso/oidc`, { token: owner.token, body: { issuer: idpB.issuer, clientId: idpB.clientId, clientSecret: idpB.clientSecret } }), 200);
      assert.deepEqual(await counts(), before);
    });

    test('group mappings: added by owners and admins, refused when they would escalate', async () => {
      const m = must(await h.as(admin).post(`/studios/${studioA}/sso/mappings`, { group: 'vfx-supervisors', studioRole: 'member', projectRoles: [{ projectId: showA, roleId: supervisor }] }), 201);
      assert.equal(m.group, 'vfx-supervisors');
      const n = (await h.deps.db.selectFrom('sso_mappings').select('id').execute()).length;
      const e = refused(await h.as(admin).post(`/studios/${studioA}/sso/mappings`, { group: 'it', studioRole: 'owner' }), 403, 'forbidden', 'admin maps to owner');
      assert.equal(e.details.reason, 'escalation');
      const other = must(await h.as(owner).post(`/studios/${studioB}/projects`, { name: 'Show B' }), 201).id;
      refused(await h.as(owner).post(`/studios/${studioA}/sso/mappings`, { group: 'x', studioRole: 'member', projectRoles: [{ projectId: other, roleId: supervisor }] }), 400, 'validation_failed', 'a project of another studio');
      refused(await h.as(owner).post(`/studios/${studioA}/sso/mappings`, { group: 'x', studioRole: 'member', projectRoles: [{ projectId: showA, roleId: '00000000-0000-4000-8000-000000000000' }] }), 400, 'validation_failed', 'an unknown role');
      refused(await h.as(owner).post(`/studios/${studioA}/sso/mappings`, { group: 'x', studioRole: 'root' }), 400, 'validation_failed', 'an unknown studio role');
      assert.equal((await h.deps.db.selectFrom('sso_mappings').select('id').execute()).length, n, 'nothing added');
      const settings = must(await h.as(admin).get(`/studios/${studioA}/sso`), 200);
      assert.equal(settings.mappings.length, 1);
    });

    test('web sign-in: a JIT account, its studio seat and mapped project role, ending in the session cookie', async () => {
      idpA.signInAs('alice');
      const b = browser();
      const page = await b.go(startUrl(studioA, '?returnTo=/projects'));
      assert.equal(page.status, 404, 'landed on the returnTo path (no web app in this test)');
      assert.equal(new URL(page.url).pathname, '/projects');
      const me = must((await meWithCookie(b))!, 200);
      assert.equal(me.email, 'alice@studio-a.test');
      const alice = (await userByEmail('alice@studio-a.test'))!;
      assert.equal(alice.password_hash, null);
      assert.equal(alice.managed_by_studio, studioA);
      const seat = await h.deps.db.selectFrom('studio_members').selectAll().where('user_id', '=', alice.id).execute();
      assert.deepEqual(seat.map((s) => [s.studio_id, s.role]), [[studioA, 'member']]);
      const pm = await h.deps.db.selectFrom('project_members').selectAll().where('user_id', '=', alice.id).execute();
      assert.deepEqual(pm.map((p) => [p.project_id, p.role_id]), [[showA, supervisor]]);
      const actions = (await h.deps.db.selectFrom('audit_log').select('action').where('studio_id', '=', studioA).execute()).map((a) => a.action);
      assert.ok(actions.includes('auth.sso_login') && actions.includes('user.created_by_sso'));
      // The binding cookie is gone and the session cookie is HttpOnly, as for a password sign-in.
      assert.ok(!b.cookies(HOST).has('backlot_sso'));
    });

    test('mappings are re-applied on every sign-in: a group gone takes its project seat back', async () => {
      idpA.accounts.get('alice')!.groups = ['artists'];
      must(await h.as(owner).post(`/studios/${studioA}/sso/mappings`, { group: 'artists', studioRole: 'member', projectRoles: [{ projectId: showA, roleId: artist }] }), 201);
      idpA.signInAs('alice');
      await browser().go(startUrl(studioA));
      const alice = (await userByEmail('alice@studio-a.test'))!;
      let pm = await h.deps.db.selectFrom('project_members').selectAll().where('user_id', '=', alice.id).execute();
      assert.deepEqual(pm.map((p) => p.role_id), [artist]);
      idpA.accounts.get('alice')!.groups = [];
      await browser().go(startUrl(studioA));
      pm = await h.deps.db.selectFrom('project_members').selectAll().where('user_id', '=', alice.id).execute();
      assert.deepEqual(pm, [], 'no group gives a seat any more');
      // Never owner without an owner mapping, however the groups look.
      const seat = await h.deps.db.selectFrom('studio_members').select('role').where('user_id', '=', alice.id).executeTakeFirstOrThrow();
      assert.equal(seat.role, 'member');
    });

    test('the CLI loopback flow: a one-time code redeemed with the verifier for a bearer session', async () => {
      idpA.signInAs('alice');
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const loopback = 'http://127.0.0.1:45678/callback';
      const stop = await browser().go(startUrl(studioA, `?cliRedirect=${encodeURIComponent(loopback)}&cliChallenge=${challenge}`), { stopAt: (u) => u.host === '127.0.0.1:45678' });
      const code = new URL(stop.url).searchParams.get('code')!;
      assert.ok(code);
      refused(await h.request('POST', '/auth/sso/cli/exchange', { body: { code, verifier: randomBytes(32).toString('base64url') } }), 401, 'unauthenticated', 'wrong verifier');
      const got = must(await h.request('POST', '/auth/sso/cli/exchange', { body: { code, verifier } }), 200);
      assert.equal(must(await h.as(got.token).get('/auth/me'), 200).email, 'alice@studio-a.test');
      refused(await h.request('POST', '/auth/sso/cli/exchange', { body: { code, verifier } }), 401, 'unauthenticated', 'used twice');
      refused(await h.request('GET', `/auth/sso/${studioA}/start?cliRedirect=${encodeURIComponent('http://evil.example.com:80/x')}&cliChallenge=${challenge}`), 400, 'validation_failed', 'not loopback');
    });

    test('refused: unknown state, a sign-in finished in another browser, a nonce mismatch, the IdP of another studio', async () => {
      idpA.accounts.set('bob', { email: 'bob@studio-a.test', name: 'Bob', groups: [] });
      idpA.signInAs('bob');
      const before = await counts();
      // A made-up state.
      refused(await h.request('GET', '/auth/sso/oidc/callback?code=abc&state=made-up'), 400, 'bad_request', 'unknown state');
      // Started in one browser, the IdP's answer delivered to another: no binding cookie there.
      const one = browser();
      const cb = await one.go(startUrl(studioA), { stopAt: isCallback });
      const other = browser();
      const page = await other.go(cb.url);
      assert.equal(page.status, 403, page.body);
      assert.equal(JSON.parse(page.body).error.details.reason, 'sso_binding');
      assert.equal(await meWithCookie(other), null);
      // Nonce mismatch: the attempt's nonce differs from the ID token's.
      const b2 = browser();
      const cb2 = await b2.go(startUrl(studioA), { stopAt: isCallback });
      await h.deps.db.updateTable('sso_states').set({ nonce: 'another-nonce' }).where('used_at', 'is', null).where('studio_id', '=', studioA).execute();
      const p2 = await b2.go(cb2.url);
      assert.equal(p2.status, 401, p2.body);
      // The IdP of studio B answers; the state is studio A's: A's IdP rejects B's code.
      idpB.signInAs('mallory');
      const bB = browser();
      const cbB = await bB.go(startUrl(studioB), { stopAt: isCallback });
      const bA = browser();
      const cbA = await bA.go(startUrl(studioA), { stopAt: isCallback });
      const mixed = new URL(cbA.url);
      mixed.searchParams.set('code', new URL(cbB.url).searchParams.get('code')!);
      const p3 = await bA.go(mixed.href);
      assert.equal(p3.status, 401, p3.body);
      assert.equal(await userByEmail('mallory@studio-b.test'), undefined);
      assert.equal(await userByEmail('bob@studio-a.test'), undefined, 'bob got no account from refused attempts');
      assert.deepEqual(await counts(), before, 'no account, no session');
      const refusedAudit = await h.deps.db.selectFrom('audit_log').select('action').where('studio_id', '=', studioA).where('action', '=', 'auth.sso_refused').execute();
      assert.ok(refusedAudit.length >= 2);
    });

    test('existing accounts: linked only when the studio alone vouches for them; otherwise refused', async () => {
      // Member of studio A only, under its domain: linked.
      const lead = await h.user('lead@studio-a.test');
      must(await h.as(owner).post(`/studios/${studioA}/invitations`, { emails: [lead.email], role: 'member' }), 201);
      idpA.accounts.set('lead', { email: lead.email, name: 'Lead', groups: [] });
      idpA.signInAs('lead');
      const b = browser();
      await b.go(startUrl(studioA));
      assert.equal(must((await meWithCookie(b))!, 200).id, lead.userId);
      // Also in studio B: studio A's IdP may not take it over.
      const shared = await h.user('shared@studio-a.test');
      must(await h.as(owner).post(`/studios/${studioA}/invitations`, { emails: [shared.email], role: 'member' }), 201);
      must(await h.as(owner).post(`/studios/${studioB}/invitations`, { emails: [shared.email], role: 'member' }), 201);
      idpA.accounts.set('shared', { email: shared.email, name: 'Shared', groups: [] });
      idpA.signInAs('shared');
      const b2 = browser();
      const page = await b2.go(startUrl(studioA));
      assert.equal(page.status, 409, page.body);
      assert.equal(await meWithCookie(b2), null);
      // The instance administrator is never linked.
      idpA.accounts.set('root', { email: owner.email, name: 'Root', groups: [] });
      idpA.signInAs('root');
      assert.equal((await browser().go(startUrl(studioA))).status, 409);
    });

    test('SSO-managed accounts: password sign-in refused when required, except break-glass (audited)', async () => {
      const lead = (await userByEmail('lead@studio-a.test'))!;
      const login = () => h.request('POST', '/auth/login', { body: { email: lead.email, password: 'correct horse battery' } });
      must(await login(), 200, 'not yet required');
      refused(await h.request('PATCH', `/studios/${studioA}/sso`, { token: admin.token, body: { enforced: true } }), 403, 'forbidden', 'admins do not set SSO policy');
      must(await h.request('PATCH', `/studios/${studioA}/sso`, { token: owner.token, body: { enforced: true } }), 200);
      const e = refused(await login(), 403, 'forbidden');
      assert.equal(e.details.reason, 'sso_required');
      // A wrong password still answers like any wrong password.
      refused(await h.request('POST', '/auth/login', { body: { email: lead.email, password: 'wrong wrong wrong' } }), 401, 'unauthenticated');
      // Others are not affected.
      must(await h.request('POST', '/auth/login', { body: { email: admin.email, password: 'correct horse battery' } }), 200);
      refused(await h.request('PATCH', `/studios/${studioA}/sso`, { token: owner.token, body: { breakGlass: ['00000000-0000-4000-8000-000000000000'] } }), 400, 'validation_failed', 'not a member');
      must(await h.request('PATCH', `/studios/${studioA}/sso`, { token: owner.token, body: { breakGlass: [lead.id] } }), 200);
      must(await login(), 200, 'break-glass');
      const glass = await h.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'auth.break_glass_login').execute();
      assert.equal(glass.length, 1);
      assert.equal(glass[0].studio_id, studioA);
      const changes = await h.deps.db.selectFrom('audit_log').select('action').where('action', '=', 'sso.policy_changed').execute();
      assert.equal(changes.length, 2);
    });

    test('SSO sessions end at the studio\'s maximum age', async () => {
      must(await h.request('PATCH', `/studios/${studioA}/sso`, { token: owner.token, body: { sessionMaxMinutes: 60 } }), 200);
      idpA.signInAs('alice');
      const b = browser();
      await b.go(startUrl(studioA));
      must((await meWithCookie(b))!, 200);
      h.clock.advance(59 * 60_000);
      must((await meWithCookie(b))!, 200);
      h.clock.advance(2 * 60_000);
      refused((await meWithCookie(b))!, 401, 'unauthenticated');
    });
  });
}
