// Accounts and sessions through the HTTP API: first-run setup, login (bearer and cookie + CSRF),
// rate limiting, logout, password change, session listing/revocation, deactivation, sign-up,
// expiry, and that nothing but a verified session ever names the acting user.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Caller, type Harness, type Reply } from '@backlot/test-kit/harness';
import { prepareSetup } from '../src/admin/accounts.js';
import { sql } from 'kysely';
import pg from 'pg';

const PASSWORD = 'correct horse battery';
const DAY = 24 * 60 * 60 * 1000;

function expectError(r: Reply, status: number, code?: string) {
  const msg = `expected ${status}${code ? ` ${code}` : ''}, got ${r.status}: ${JSON.stringify(r.body)}`;
  assert.equal(r.status, status, msg);
  assert.equal(typeof r.body?.error?.code, 'string', msg);
  assert.equal(typeof r.body.error.message, 'string', msg);
  assert.equal(typeof r.body.error.details, 'object', msg);
  assert.notEqual(r.body.error.details, null, msg);
  if (code) assert.equal(r.body.error.code, code, msg);
}

function setCookies(r: Reply): string[] {
  const h = r.headers['set-cookie'];
  return h === undefined ? [] : Array.isArray(h) ? h : [h];
}

/** The Set-Cookie line for one cookie name, split into value and lower-cased attributes. */
function cookieLine(r: Reply, name: string) {
  const line = setCookies(r).find((c) => c.startsWith(`${name}=`));
  assert.ok(line, `no Set-Cookie for ${name} in ${JSON.stringify(setCookies(r))}`);
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  return { value: decodeURIComponent(pair.slice(name.length + 1)), attrs: attrs.map((a) => a.toLowerCase()), line };
}

async function login(h: Harness, email: string, password = PASSWORD, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return h.request('POST', '/auth/login', { body: { email, password, ...extra }, headers });
}

async function bearerLogin(h: Harness, email: string, password = PASSWORD): Promise<string> {
  const r = await login(h, email, password);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token;
}

async function countUsers(h: Harness): Promise<number> {
  const r = await h.deps.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

for (const kind of dbKinds()) {
  describe(`first-run setup (${kind})`, () => {
    let h: Harness;
    before(async () => { h = await createHarness(kind); });
    after(async () => { await h.close(); });

    test('there is no default account before setup', async () => {
      assert.equal(await countUsers(h), 0);
      for (const [email, password] of [['admin@localhost', 'admin'], ['admin@studio.test', PASSWORD], ['admin', 'password']]) {
        const r = await login(h, email, password);
        expectError(r, 401, 'unauthenticated');
      }
      expectError(await h.request('GET', '/auth/me'), 401, 'unauthenticated');
    });

    test('a wrong token is refused with 403; a restart invalidates the earlier token', async () => {
      const first = await prepareSetup(h.deps);
      assert.ok(first && first.length >= 22, 'prepareSetup returns a token while there is no account');
      const account = { email: 'root@studio.test', name: 'Root', password: PASSWORD };
      expectError(await h.request('POST', '/setup', { body: { token: 'not-the-token', ...account } }), 403, 'forbidden');
      const second = await prepareSetup(h.deps); // a restart prints a fresh token
      assert.ok(second && second !== first);
      expectError(await h.request('POST', '/setup', { body: { token: first, ...account } }), 403, 'forbidden');
      assert.equal(await countUsers(h), 0, 'a refused setup must not create an account');

      // A setup that fails validation does not consume the token.
      expectError(await h.request('POST', '/setup', { body: { token: second, ...account, password: 'short' } }), 400, 'validation_failed');
      expectError(await h.request('POST', '/setup', { body: { token: second, ...account, email: 'not an email' } }), 400, 'validation_failed');
      assert.equal(await countUsers(h), 0);

      const ok = await h.request('POST', '/setup', { body: { token: second, ...account } });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal(typeof ok.body.token, 'string');
      const me = await h.as(ok.body.token).get('/auth/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.id, ok.body.userId);
      assert.equal(me.body.isInstanceAdmin, true, 'the setup account is the instance administrator');

      // One-time: the same token again, and any token after an account exists, is gone.
      const again = await h.request('POST', '/setup', { body: { token: second, email: 'second@studio.test', name: 'Second', password: PASSWORD } });
      expectError(again, 410, 'gone');
      expectError(await h.request('POST', '/setup', { body: { token: 'anything-at-all', email: 'third@studio.test', name: 'Third', password: PASSWORD } }), 410, 'gone');
      assert.equal(await prepareSetup(h.deps), null, 'no setup token once an account exists');
      assert.equal(await countUsers(h), 1);
    });

    test('concurrent setups with one token create exactly one account', async () => {
      const fresh = await createHarness(kind);
      try {
        const token = await prepareSetup(fresh.deps);
        const results = await Promise.all(Array.from({ length: 4 }, (_, i) =>
          fresh.request('POST', '/setup', { body: { token, email: `racer${i}@studio.test`, name: `Racer ${i}`, password: PASSWORD } })));
        const statuses = results.map((r) => r.status).sort();
        assert.equal(statuses.filter((s) => s === 201).length, 1, `exactly one setup may succeed: ${statuses}`);
        for (const r of results) if (r.status !== 201) expectError(r, r.status);
        assert.equal(await countUsers(fresh), 1, 'one instance administrator, not several');
      } finally {
        await fresh.close();
      }
    });

    test('setup tokens are stored only as hashes', async () => {
      const rows = await h.deps.db.selectFrom('setup_tokens').selectAll().execute();
      for (const r of rows) assert.match(r.token_hash, /^[0-9a-f]{64}$/);
    });
  });

  describe(`login, cookies, CSRF, sessions (${kind})`, () => {
    let h: Harness;
    let admin: Caller;
    before(async () => {
      h = await createHarness(kind);
      admin = await h.setupAdmin();
    });
    after(async () => { await h.close(); });

    test('bearer login returns a token and sets no cookie', async () => {
      const r = await login(h, 'admin@studio.test');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(typeof r.body.token, 'string');
      assert.ok(r.body.token.length >= 40, 'token has at least 128 bits');
      assert.equal(r.body.userId, admin.userId);
      assert.deepEqual(setCookies(r), []);
      const me = await h.as(r.body.token).get('/auth/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.email, 'admin@studio.test');
      // Emails are matched case-insensitively.
      assert.equal((await login(h, '  ADMIN@Studio.Test ')).status, 200);
    });

    test('cookie login: HttpOnly SameSite=Strict session cookie, readable CSRF cookie, CSRF enforced on unsafe methods', async () => {
      const carol = await h.user('carol@studio.test');
      const r = await login(h, carol.email, PASSWORD, { session: 'cookie' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.token, undefined, 'the session token must not be in a cookie login body');
      const session = cookieLine(r, 'backlot_session');
      const csrf = cookieLine(r, 'backlot_csrf');
      assert.ok(session.attrs.includes('httponly'), `session cookie must be HttpOnly: ${session.line}`);
      assert.ok(session.attrs.includes('samesite=strict'), `session cookie must be SameSite=Strict: ${session.line}`);
      assert.ok(session.attrs.includes('path=/'), session.line);
      assert.ok(!csrf.attrs.includes('httponly'), `CSRF cookie must be readable by scripts: ${csrf.line}`);
      assert.ok(csrf.attrs.includes('samesite=strict'), csrf.line);
      assert.equal(r.body.csrfToken, csrf.value, 'the body repeats the CSRF token');
      assert.notEqual(session.value, csrf.value);

      const cookie = `backlot_session=${session.value}; backlot_csrf=${csrf.value}`;
      const me = await h.request('GET', '/auth/me', { headers: { cookie } });
      assert.equal(me.status, 200, 'GET works with the cookie alone');
      assert.equal(me.body.id, carol.userId);

      const before = (await h.as(admin).get('/studios')).body.studios.length;
      expectError(await h.request('POST', '/studios', { headers: { cookie }, body: { name: 'No CSRF' } }), 403, 'forbidden');
      expectError(await h.request('POST', '/studios', { headers: { cookie, 'x-csrf-token': 'wrong-token-value-123456' }, body: { name: 'Wrong CSRF' } }), 403, 'forbidden');
      // Another session's CSRF token is not this session's.
      const other = await login(h, carol.email, PASSWORD, { session: 'cookie' });
      expectError(await h.request('POST', '/studios', { headers: { cookie, 'x-csrf-token': other.body.csrfToken }, body: { name: 'Other CSRF' } }), 403, 'forbidden');
      // The CSRF cookie alone, echoed in the header, without the session does not authenticate.
      expectError(await h.request('POST', '/studios', { headers: { cookie: `backlot_csrf=${csrf.value}`, 'x-csrf-token': csrf.value }, body: { name: 'No session' } }), 401);
      const mine = await h.request('GET', '/studios', { headers: { cookie } });
      assert.equal(mine.body.studios.length, 0, 'refused POSTs created nothing');

      const ok = await h.request('POST', '/studios', { headers: { cookie, 'x-csrf-token': csrf.value }, body: { name: 'With CSRF' } });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal(ok.body.myRole, 'owner');
      assert.equal((await h.as(admin).get('/studios')).body.studios.length, before, 'the studio belongs to carol, not anyone else');
      assert.equal((await h.request('GET', '/studios', { headers: { cookie } })).body.studios.length, 1);

      // A browser session is not a bearer token.
      expectError(await h.as(session.value).get('/auth/me'), 401, 'unauthenticated');
    });

    test('a bearer token carried in the session cookie does not bypass CSRF', async () => {
      const dora = await h.user('dora@studio.test');
      const r = await h.request('POST', '/studios', { headers: { cookie: `backlot_session=${dora.token}` }, body: { name: 'Dora via cookie' } });
      assert.ok(r.status === 401 || r.status === 403, `a cookie-borne POST without CSRF token must be refused, got ${r.status} ${JSON.stringify(r.body)}`);
      const list = await h.as(dora).get('/studios');
      assert.equal(list.body.studios.length, 0, 'nothing was created');
    });

    test('wrong password, unknown email and malformed email get the same 401 answer', async () => {
      await h.user('erin@studio.test');
      const wrong = await login(h, 'erin@studio.test', 'not the password');
      const unknown = await login(h, 'nobody@studio.test', 'not the password');
      const odd = await login(h, 'no-at-sign', 'not the password');
      for (const r of [wrong, unknown, odd]) expectError(r, 401, 'unauthenticated');
      assert.deepEqual(wrong.body, unknown.body);
      assert.deepEqual(wrong.body, odd.body);
      assert.equal(wrong.headers['retry-after'], undefined);
    });

    test('logout ends exactly the current session', async () => {
      const fay = await h.user('fay@studio.test');
      const other = await bearerLogin(h, fay.email);
      const out = await h.as(fay).post('/auth/logout');
      assert.equal(out.status, 204);
      expectError(await h.as(fay).get('/auth/me'), 401, 'unauthenticated');
      expectError(await h.as(fay).post('/auth/logout'), 401);
      assert.equal((await h.as(other).get('/auth/me')).status, 200, 'the other session lives on');

      // Cookie logout needs the CSRF token and clears the cookies.
      const c = await login(h, fay.email, PASSWORD, { session: 'cookie' });
      const cookie = `backlot_session=${cookieLine(c, 'backlot_session').value}`;
      expectError(await h.request('POST', '/auth/logout', { headers: { cookie }, body: {} }), 403);
      const bye = await h.request('POST', '/auth/logout', { headers: { cookie, 'x-csrf-token': c.body.csrfToken }, body: {} });
      assert.equal(bye.status, 204);
      const cleared = cookieLine(bye, 'backlot_session');
      assert.equal(cleared.value, '');
      const me = await h.request('GET', '/auth/me', { headers: { cookie } });
      expectError(me, 401);
    });

    test('password change ends every other session, keeps the current one; old password stops working', async () => {
      const gus = await h.user('gus@studio.test');
      const second = await bearerLogin(h, gus.email);
      const c = await login(h, gus.email, PASSWORD, { session: 'cookie' });
      const cookie = `backlot_session=${cookieLine(c, 'backlot_session').value}`;

      expectError(await h.as(gus).post('/auth/password', { currentPassword: 'wrong password!', newPassword: 'a brand new password' }), 403, 'forbidden');
      expectError(await h.as(gus).post('/auth/password', { currentPassword: PASSWORD, newPassword: 'short' }), 400, 'validation_failed');
      assert.equal((await h.as(second).get('/auth/me')).status, 200, 'refused changes end nothing');

      const r = await h.as(gus).post('/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new password' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.endedSessions, 2);
      assert.equal((await h.as(gus).get('/auth/me')).status, 200, 'the current session stays');
      expectError(await h.as(second).get('/auth/me'), 401);
      expectError(await h.request('GET', '/auth/me', { headers: { cookie } }), 401);
      expectError(await login(h, gus.email, PASSWORD), 401);
      assert.equal((await login(h, gus.email, 'a brand new password')).status, 200);
    });

    test('listing and revoking own sessions; other users\' sessions are out of reach', async () => {
      const hal = await h.user('hal@studio.test');
      const hal2 = await bearerLogin(h, hal.email);
      const ivy = await h.user('ivy@studio.test');
      const list = await h.as(hal).get('/auth/sessions');
      assert.equal(list.status, 200);
      assert.equal(list.body.sessions.length, 2);
      const current = list.body.sessions.filter((s: any) => s.current);
      assert.equal(current.length, 1);
      for (const s of list.body.sessions) {
        assert.equal(s.token, undefined, 'no token in the listing');
        assert.equal(s.tokenHash, undefined);
        assert.equal(s.kind, 'bearer');
      }
      const ivySessions = (await h.as(ivy).get('/auth/sessions')).body.sessions;
      assert.equal(ivySessions.length, 1);
      assert.ok(!list.body.sessions.some((s: any) => s.id === ivySessions[0].id), 'listing shows only own sessions');

      // Revoking someone else's session: not found, and it keeps working.
      expectError(await h.as(hal).delete(`/auth/sessions/${ivySessions[0].id}`), 404, 'not_found');
      assert.equal((await h.as(ivy).get('/auth/me')).status, 200);

      const otherId = list.body.sessions.find((s: any) => !s.current).id;
      assert.equal((await h.as(hal).delete(`/auth/sessions/${otherId}`)).status, 204);
      expectError(await h.as(hal2).get('/auth/me'), 401);
      expectError(await h.as(hal).delete(`/auth/sessions/${otherId}`), 404, 'not_found');
      const after = await h.as(hal).get('/auth/sessions');
      assert.deepEqual(after.body.sessions.map((s: any) => s.id), [current[0].id]);
    });

    test('deactivation ends access at once; reactivation restores login; only instance admins may do it', async () => {
      const jo = await h.user('jo@studio.test');
      const kim = await h.user('kim@studio.test');
      expectError(await h.as(kim).post(`/admin/users/${jo.userId}/deactivate`), 403, 'forbidden');
      assert.equal((await h.as(jo).get('/auth/me')).status, 200, 'a refused deactivation changes nothing');
      expectError(await h.as(admin).post(`/admin/users/${admin.userId}/deactivate`), 409, 'conflict');
      expectError(await h.as(admin).post('/admin/users/00000000-0000-4000-8000-000000000000/deactivate'), 404, 'not_found');

      assert.equal((await h.as(admin).post(`/admin/users/${jo.userId}/deactivate`)).status, 204);
      expectError(await h.as(jo).get('/auth/me'), 401, 'unauthenticated');
      const refused = await login(h, jo.email);
      expectError(refused, 401, 'unauthenticated');
      assert.deepEqual(refused.body, (await login(h, 'nobody-at-all@studio.test', 'whatever pass')).body, 'deactivated looks like a wrong password');

      expectError(await h.as(kim).post(`/admin/users/${jo.userId}/reactivate`), 403, 'forbidden');
      assert.equal((await h.as(admin).post(`/admin/users/${jo.userId}/reactivate`)).status, 204);
      expectError(await h.as(jo).get('/auth/me'), 401, 'unauthenticated'); // old sessions stay ended after reactivation
      const again = await login(h, jo.email);
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal((await h.as(again.body.token).get('/auth/me')).body.id, jo.userId);
    });

    test('forged identity headers and body fields never change who is acting', async () => {
      const lee = await h.user('lee@studio.test');
      const forged = {
        'x-user-id': admin.userId, 'x-user': admin.email, 'x-forwarded-user': admin.email, 'x-backlot-user': admin.userId,
        'x-remote-user': admin.email, 'x-auth-request-email': admin.email,
      };
      const me = await h.request('GET', '/auth/me', { token: lee.token, headers: forged });
      assert.equal(me.status, 200);
      assert.equal(me.body.id, lee.userId);
      assert.equal(me.body.isInstanceAdmin, false);
      // With no session at all, the headers alone give nothing.
      expectError(await h.request('GET', '/auth/me', { headers: forged }), 401);
      expectError(await h.request('POST', `/admin/users/${lee.userId}/deactivate`, { headers: forged, body: {} }), 401);
      // An admin-only action with forged headers is still refused for lee.
      expectError(await h.request('POST', `/admin/users/${admin.userId}/deactivate`, { token: lee.token, headers: forged, body: {} }), 403);
      // A studio created with forged headers belongs to the real caller.
      const s = await h.request('POST', '/studios', { token: lee.token, headers: forged, body: { name: 'Lee Studio' } });
      assert.equal(s.status, 201, JSON.stringify(s.body));
      const members = await h.as(lee).get(`/studios/${s.body.id}/members`);
      assert.deepEqual(members.body.members.map((m: any) => [m.userId, m.role]), [[lee.userId, 'owner']]);
      expectError(await h.as(admin).get(`/studios/${s.body.id}`), 404);
      // Body fields that try to name a user are refused, not obeyed.
      for (const field of ['userId', 'actorId', 'createdBy', 'ownerId']) {
        const r = await h.as(lee).post('/studios', { name: `Forged ${field}`, [field]: admin.userId });
        expectError(r, 400, 'validation_failed');
      }
      expectError(await h.as(lee).post('/auth/password', { currentPassword: PASSWORD, newPassword: 'another long password', userId: admin.userId }), 400);
      expectError(await login(h, lee.email, PASSWORD, { userId: admin.userId }), 400);
      assert.equal((await login(h, admin.email)).status, 200, 'admin password unchanged');
    });

    test('malformed Authorization headers answer 401 and never fall back to another identity', async () => {
      const cookieLogin = await login(h, 'admin@studio.test', PASSWORD, { session: 'cookie' });
      const cookie = `backlot_session=${cookieLine(cookieLogin, 'backlot_session').value}`;
      const bad = [
        'Bearer', 'Bearer ', 'Basic YWRtaW46cGFzc3dvcmQ=', 'Bearer short', `Bearer ${admin.token} extra`,
        `Bearer ${admin.token}!`, `Token ${admin.token}`, `${admin.token}`, 'Bearer ' + 'a'.repeat(500), 'Bearer ../../etc/passwd-aaaaaaaaaaaa',
      ];
      for (const authorization of bad) {
        const r = await h.request('GET', '/auth/me', { headers: { authorization } });
        expectError(r, 401, 'unauthenticated');
        // Not even a valid cookie rescues a malformed Authorization header.
        expectError(await h.request('GET', '/auth/me', { headers: { authorization, cookie } }), 401, 'unauthenticated');
      }
      // Well-formed but unknown token.
      expectError(await h.as('A'.repeat(43)).get('/auth/me'), 401, 'unauthenticated');
      // Unauthenticated access to a protected route.
      expectError(await h.request('GET', '/studios'), 401, 'unauthenticated');
    });
  });

  describe(`login rate limiting (${kind})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(kind, { trustProxy: false });
      await h.setupAdmin();
    });
    after(async () => { await h.close(); });

    test('failed guesses slow one address down at one account, never lock the account out', async () => {
      const t = await createHarness(kind, { trustProxy: true });
      try {
        await t.setupAdmin();
        const mia = await t.user('mia@studio.test');
        const attacker = { 'x-forwarded-for': '198.51.100.1' };
        for (let i = 1; i <= 5; i++) expectError(await login(t, mia.email, `wrong password ${i}`, {}, attacker), 401, 'unauthenticated');
        const slowed = await login(t, mia.email, 'wrong password 6', {}, attacker);
        expectError(slowed, 429, 'rate_limited');
        assert.equal(slowed.headers['retry-after'], '2', 'the first wait is two seconds');
        // Slowed means no password is checked, not even the right one, from that address.
        expectError(await login(t, ' MIA@studio.test', PASSWORD, {}, attacker), 429, 'rate_limited');
        // Mia, from her own address, signs in at once; her existing session never stopped working.
        assert.equal((await login(t, mia.email, PASSWORD, {}, { 'x-forwarded-for': '203.0.113.5' })).status, 200);
        assert.equal((await t.as(mia).get('/auth/me')).status, 200);
        // The attacker's waits double: 2 s, then 4 s, ...
        t.clock.advance(2000);
        expectError(await login(t, mia.email, 'wrong password 7', {}, attacker), 401, 'unauthenticated');
        const again = await login(t, mia.email, 'wrong password 8', {}, attacker);
        expectError(again, 429, 'rate_limited');
        assert.equal(again.headers['retry-after'], '4');
        // Once the window has passed, the address starts afresh.
        t.clock.advance(16 * 60 * 1000);
        assert.equal((await login(t, mia.email, PASSWORD, {}, attacker)).status, 200);
      } finally {
        await t.close();
      }
    });

    test('guesses from many addresses at one account leave a right password from a new address working', async () => {
      const t = await createHarness(kind, { trustProxy: true });
      try {
        await t.setupAdmin();
        const ava = await t.user('ava@studio.test');
        const from = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i}` });
        for (let i = 1; i <= 60; i += 10)
          for (const r of await Promise.all(Array.from({ length: 10 }, (_, j) => login(t, ava.email, `botnet guess ${i + j}`, {}, from(i + j)))))
            expectError(r, 401, 'unauthenticated');
        // Under attack, an address that has failed once waits before its next guess...
        expectError(await login(t, ava.email, 'botnet guess again', {}, from(1)), 429, 'rate_limited');
        // ...but Ava's first attempt from anywhere else is checked, and her password works.
        assert.equal((await login(t, ava.email, PASSWORD, {}, { 'x-forwarded-for': '203.0.113.50' })).status, 200);
      } finally {
        await t.close();
      }
    });

    test('a burst of parallel guesses is limited like sequential ones', async () => {
      h.clock.advance(60 * 60 * 1000); // a fresh window
      const burst = await h.user('burst@studio.test');
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => login(h, burst.email, `parallel guess ${i}`)));
      const verified = results.filter((r) => r.status === 401).length;
      for (const r of results) assert.ok(r.status === 401 || r.status === 429, `${r.status} ${JSON.stringify(r.body)}`);
      assert.ok(verified <= 5, `at most 5 guesses may be checked before slowing down, ${verified} were`);
      // Whatever the burst used up, exactly 5 guesses are checked before the first wait.
      let more = 0;
      for (let r = await login(h, burst.email, 'one more guess'); r.status !== 429; r = await login(h, burst.email, 'one more guess')) {
        expectError(r, 401, 'unauthenticated');
        assert.ok(++more <= 5, 'sequential guesses are limited too');
      }
      assert.equal(verified + more, 5, `burst ${verified} + sequential ${more} checked guesses`);
      expectError(await login(h, burst.email), 429, 'rate_limited');
    });

    test('per address: failures across many emails block the address, forwarded-for headers are ignored', async () => {
      h.clock.advance(60 * 60 * 1000); // a fresh window
      const oli = await h.user('oli@studio.test');
      const failures: Promise<Reply>[] = [];
      for (let i = 0; i < 50; i++) {
        failures.push(login(h, `ghost${i}@studio.test`, 'guessing password', {}, { 'x-forwarded-for': `198.51.100.${i + 1}` }));
        if (failures.length === 10) for (const r of await Promise.all(failures.splice(0))) expectError(r, 401, 'unauthenticated');
      }
      for (const r of await Promise.all(failures)) expectError(r, 401, 'unauthenticated');
      const blocked = await login(h, oli.email, PASSWORD, {}, { 'x-forwarded-for': '203.0.113.77' });
      expectError(blocked, 429, 'rate_limited');
      assert.ok(Number(blocked.headers['retry-after']) > 0);
      expectError(await login(h, 'fresh-email@studio.test', 'x'.repeat(12)), 429);
      assert.equal((await h.as(oli).get('/auth/me')).status, 200, 'existing sessions are not affected');
      h.clock.advance(16 * 60 * 1000);
      assert.equal((await login(h, oli.email)).status, 200, 'the address is unblocked after the window');
    });

    test('the client address comes from X-Forwarded-For only when trustProxy is on', async () => {
      const trusting = await createHarness(kind, { trustProxy: true });
      try {
        await trusting.setupAdmin();
        const r = await trusting.request('POST', '/auth/login', { body: { email: 'admin@studio.test', password: PASSWORD }, headers: { 'x-forwarded-for': '203.0.113.9' } });
        assert.equal(r.status, 200);
        const sessions = (await trusting.as(r.body.token).get('/auth/sessions')).body.sessions;
        assert.equal(sessions.find((s: any) => s.current).ip, '203.0.113.9');
      } finally {
        await trusting.close();
      }
      const r = await login(h, 'oli@studio.test', PASSWORD, {}, { 'x-forwarded-for': '203.0.113.9' });
      assert.equal(r.status, 200);
      const sessions = (await h.as(r.body.token).get('/auth/sessions')).body.sessions;
      assert.notEqual(sessions.find((s: any) => s.current).ip, '203.0.113.9', 'untrusted proxy header must not set the address');
    });
  });

  describe(`sign-up (${kind})`, () => {
    test('sign-up is disabled by default', async () => {
      const h = await createHarness(kind);
      try {
        await h.setupAdmin();
        const r = await h.request('POST', '/auth/signup', { body: { email: 'pat@studio.test', name: 'Pat', password: PASSWORD } });
        expectError(r, 403, 'forbidden');
        expectError(await login(h, 'pat@studio.test'), 401);
        assert.equal(await countUsers(h), 1);
      } finally {
        await h.close();
      }
    });

    test('sign-up works when allowed, validates, and refuses a taken email', async () => {
      const h = await createHarness(kind, { allowSignup: true });
      try {
        const r = await h.request('POST', '/auth/signup', { body: { email: 'Pat@Studio.Test', name: 'Pat', password: PASSWORD } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        const me = await h.as(r.body.token).get('/auth/me');
        assert.equal(me.status, 200);
        assert.equal(me.body.email, 'pat@studio.test');
        assert.equal(me.body.isInstanceAdmin, false, 'signed-up accounts are never instance admins');
        expectError(await h.request('POST', '/auth/signup', { body: { email: 'pat@studio.test', name: 'Pat 2', password: PASSWORD } }), 409, 'conflict');
        expectError(await h.request('POST', '/auth/signup', { body: { email: 'weak@studio.test', name: 'Weak', password: 'short' } }), 400);
        expectError(await h.request('POST', '/auth/signup', { body: { email: 'bad email', name: 'Bad', password: PASSWORD } }), 400);
        expectError(await h.request('POST', '/auth/signup', { body: { email: 'slash@studio.test', name: 'a/b', password: PASSWORD } }), 400);
        expectError(await h.request('POST', '/auth/signup', { body: { email: 'admin@studio.test', name: 'Adm', password: PASSWORD, isInstanceAdmin: true } }), 400);
        assert.equal(await countUsers(h), 1);
        const c = await h.request('POST', '/auth/signup', { body: { email: 'quinn@studio.test', name: 'Quinn', password: PASSWORD, session: 'cookie' } });
        assert.equal(c.status, 201);
        assert.ok(cookieLine(c, 'backlot_session').attrs.includes('httponly'));
      } finally {
        await h.close();
      }
    });
  });

  if (kind === 'postgres') describe('database connections lost while idle (postgres)', () => {
    test('sessions keep working and the process survives when PostgreSQL terminates idle connections', async () => {
      const h = await createHarness(kind);
      try {
        const admin = await h.setupAdmin();
        // Open several pooled connections, then let them go idle.
        await Promise.all(Array.from({ length: 5 }, () => h.as(admin).get('/auth/me')));
        const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(h.deps.db);
        const killer = new pg.Client({ connectionString: process.env.BACKLOT_TEST_PG });
        await killer.connect();
        try {
          const killed = await killer.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [rows[0].name]);
          assert.ok(killed.rowCount! >= 1, 'some idle connection was terminated');
        } finally {
          await killer.end();
        }
        await new Promise((r) => setTimeout(r, 300)); // let the terminations reach the pool
        const me = await h.as(admin).get('/auth/me');
        assert.equal(me.status, 200, JSON.stringify(me.body));
        assert.equal(me.body.id, admin.userId);
      } finally {
        await h.close();
      }
    });
  });

  describe(`session expiry (${kind})`, () => {
    let h: Harness;
    before(async () => { h = await createHarness(kind); });
    after(async () => { await h.close(); });

    test('a session ends after 30 days, however active it was', async () => {
      const admin = await h.setupAdmin();
      const rex = await h.user('rex@studio.test');
      const listed = (await h.as(rex).get('/auth/sessions')).body.sessions[0];
      assert.equal(Date.parse(listed.expiresAt) - Date.parse(listed.createdAt), 30 * DAY);
      for (const day of [7, 14, 21, 28]) {
        h.clock.advance(7 * DAY);
        assert.equal((await h.as(rex).get('/auth/me')).status, 200, `still valid on day ${day}`);
      }
      // Day 28 now; two more days reach the expiry instant exactly.
      h.clock.advance(2 * DAY - 1);
      assert.equal((await h.as(rex).get('/auth/me')).status, 200, 'valid one millisecond before expiry');
      h.clock.advance(1);
      expectError(await h.as(rex).get('/auth/me'), 401, 'unauthenticated');
      expectError(await h.as(admin).get('/studios'), 401);
      const fresh = await login(h, rex.email);
      assert.equal(fresh.status, 200);
      assert.equal((await h.as(fresh.body.token).get('/auth/me')).status, 200);
      const sessions = (await h.as(fresh.body.token).get('/auth/sessions')).body.sessions;
      assert.equal(sessions.length, 1, 'expired sessions are not listed');
    });
  });
}
