// Personal access tokens and studio service accounts through the HTTP API: scopes (read-only,
// content-only, admin, project-limited) narrow what the account may do in every route, sync
// push and download; tokens never mint tokens nor touch the account; expiry, revocation and
// deactivation end a token on its next request; secrets are stored hashed; changes audited.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createHarness, dbKinds, type Caller, type Harness } from '@backlot/test-kit/harness';
import { must, refused } from '@backlot/test-kit/production-world';

const DAY = 24 * 60 * 60 * 1000;

for (const kind of dbKinds()) {
  describe(`access tokens (${kind})`, () => {
    let h: Harness;
    let owner: Caller, artist: Caller, admin: Caller;
    let studioId: string, pid: string, other: string, artistRole: string, openCollection: string;

    const tok = (token: string): Caller => ({ token, userId: '', email: '' });
    const mint = async (who: Caller, body: Record<string, unknown>) => must(await h.as(who).post('/auth/tokens', body), 201, 'mint');
    const auditActions = async () => (await h.deps.db.selectFrom('audit_log').select('action').execute()).map((r) => r.action);

    before(async () => {
      h = await createHarness(kind);
      owner = await h.setupAdmin();
      artist = await h.user('artist@tokens.test');
      admin = await h.user('admin@tokens.test');
      studioId = must(await h.as(owner).post('/studios', { name: 'Token studio' }), 201).id;
      must(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: [artist.email], role: 'member' }), 201);
      must(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: [admin.email], role: 'admin' }), 201);
      pid = must(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Show A' }), 201).id;
      other = must(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Show B' }), 201).id;
      const roles = must(await h.as(owner).get(`/projects/${pid}/roles`), 200).roles as any[];
      artistRole = roles.find((r) => r.key === 'artist').id;
      const supervisorRole = roles.find((r) => r.key === 'supervisor').id;
      must(await h.as(owner).post(`/projects/${pid}/members`, { userIds: [artist.userId], roleId: supervisorRole }), 201);
      const otherRoles = must(await h.as(owner).get(`/projects/${other}/roles`), 200).roles as any[];
      must(await h.as(owner).post(`/projects/${other}/members`, { userIds: [artist.userId], roleId: otherRoles.find((r) => r.key === 'supervisor').id }), 201);
      openCollection = must(await h.as(owner).post(`/projects/${pid}/collections`, { parentId: null, name: 'Open', shared: true }), 201).id;
    });
    after(async () => { await h.close(); });

    test('a token is shown once, stored only as its SHA-256, listed without its secret, and audited', async () => {
      const made = await mint(artist, { name: 'farm', access: 'read' });
      assert.match(made.token, /^blt_[A-Za-z0-9_-]{43}$/);
      assert.equal(made.access, 'read');
      assert.equal(made.projects, null);
      assert.equal(Date.parse(made.expiresAt) - h.clock.now().getTime(), 90 * DAY, 'default expiry');
      const row = await h.deps.db.selectFrom('access_tokens').selectAll().where('id', '=', made.id).executeTakeFirstOrThrow();
      assert.equal(row.token_hash, createHash('sha256').update(made.token).digest('hex'));
      assert.ok(!JSON.stringify(row).includes(made.token.slice(4)), 'the secret is nowhere in the row');
      const list = must(await h.as(artist).get('/auth/tokens'), 200).tokens as any[];
      const listed = list.find((t) => t.id === made.id);
      assert.ok(listed && !('token' in listed) && listed.lastUsedAt === null);
      assert.ok(!JSON.stringify(list).includes(made.token));
      must(await h.as(tok(made.token)).get('/auth/me'), 200);
      const after = (must(await h.as(artist).get('/auth/tokens'), 200).tokens as any[]).find((t) => t.id === made.id);
      assert.equal(after.lastUsedAt, h.clock.now().toISOString(), 'last use is recorded');
      assert.ok((await auditActions()).includes('token.created'));
    });

    test('read-only: reads work; every write, sync push and upload is refused and changes nothing', async () => {
      const t = tok((await mint(artist, { name: 'reader', access: 'read' })).token);
      must(await h.as(t).get(`/projects/${pid}/board`), 200);
      must(await h.as(t).get(`/studios/${studioId}/projects`), 200);
      const before = must(await h.as(owner).get(`/projects/${pid}/assets`), 200);
      refused(await h.as(t).post(`/projects/${pid}/assets`, { collectionId: openCollection, name: 'nope' }), 403, 'forbidden', 'asset create');
      const push = must(await h.request('POST', `/projects/${pid}/ops`, { token: t.token, body: { ops: [{ opId: 'r1', op: { type: 'collection.create', parentId: null, name: 'x' } }] } }), 200, 'push');
      assert.equal(push.results[0].status, 'rejected');
      assert.equal(push.results[0].code, 'forbidden');
      refused(await h.request('POST', `/projects/${pid}/chunks`, { token: t.token, headers: { 'content-type': 'application/octet-stream' }, payload: '' }), 403, 'forbidden', 'upload');
      assert.deepEqual(must(await h.as(owner).get(`/projects/${pid}/assets`), 200), before, 'nothing changed');
      // Control requests need no permission, yet change the project: a read token may not.
      const task = must(await h.as(owner).post(`/projects/${pid}/assets`, { collectionId: openCollection, name: 'held', kind: 'task', assigneeId: owner.userId }), 201).id;
      const before2 = must(await h.as(owner).get(`/projects/${pid}/assets`), 200);
      refused(await h.as(t).post(`/projects/${pid}/assets/${task}/control-requests`, {}), 403, 'forbidden', 'control request');
      assert.deepEqual(must(await h.as(owner).get(`/projects/${pid}/assets`), 200), before2);
      assert.deepEqual(await h.deps.db.selectFrom('control_requests').selectAll().execute(), []);
    });

    test('content-only: production work is allowed, administration is not', async () => {
      // The owner's content token works on production but may not administer: members, renames, studio changes.
      const ot = tok((await mint(owner, { name: 'owner-content', access: 'content' })).token);
      must(await h.as(ot).post(`/projects/${pid}/assets`, { collectionId: openCollection, name: 'plate-by-token' }), 201, 'asset create');
      refused(await h.as(ot).post(`/projects/${pid}/members`, { userIds: [admin.userId], roleId: artistRole }), 403, 'forbidden', 'members.add');
      refused(await h.as(ot).patch(`/projects/${pid}`, { name: 'Renamed' }), 403, 'forbidden', 'rename');
      refused(await h.as(ot).patch(`/studios/${studioId}`, { name: 'Renamed' }), 403, 'forbidden', 'studio update');
      refused(await h.as(ot).post(`/studios/${studioId}/invitations`, { emails: ['x@tokens.test'], role: 'member' }), 403, 'forbidden', 'invite');
      assert.equal(must(await h.as(owner).get(`/projects/${pid}`), 200).name, 'Show A');
      const members = must(await h.as(owner).get(`/projects/${pid}/members`), 200).members as any[];
      assert.ok(!members.some((m) => m.userId === admin.userId));
    });

    test('admin scope does what the account may, and never more', async () => {
      const ot = tok((await mint(owner, { name: 'owner-admin', access: 'admin' })).token);
      must(await h.as(ot).patch(`/projects/${other}`, { name: 'Show B2' }), 200, 'rename');
      const at = tok((await mint(artist, { name: 'artist-admin', access: 'admin' })).token);
      refused(await h.as(at).patch(`/projects/${pid}`, { name: 'X' }), 403, 'forbidden', 'the artist cannot rename by role');
    });

    test('project-limited: other projects are unknown, lists show only its projects, studio-wide work refused', async () => {
      const t = tok((await mint(artist, { name: 'one show', access: 'content', projects: [pid] })).token);
      must(await h.as(t).get(`/projects/${pid}/board`), 200);
      refused(await h.as(t).get(`/projects/${other}/board`), 404, 'not_found');
      refused(await h.as(t).get(`/projects/${other}`), 404, 'not_found');
      const listed = (must(await h.as(t).get(`/studios/${studioId}/projects`), 200).projects as any[]).map((p) => p.id);
      assert.deepEqual(listed, [pid]);
      refused(await h.request('GET', `/projects/${other}/changes`, { token: t.token }), 404, 'not_found', 'pull');
      const ot = tok((await mint(owner, { name: 'owner-one', access: 'admin', projects: [pid] })).token);
      refused(await h.as(ot).get(`/studios/${studioId}/audit`), 403, 'forbidden', 'studio audit');
      refused(await h.as(ot).post(`/studios/${studioId}/projects`, { name: 'New' }), 403, 'forbidden', 'create project');
    });

    test('a token never mints tokens nor manages the account', async () => {
      const t = tok((await mint(owner, { name: 'all', access: 'admin' })).token);
      const count = async () => (await h.deps.db.selectFrom('access_tokens').select('id').execute()).length;
      const n = await count();
      refused(await h.as(t).post('/auth/tokens', { name: 'more', access: 'admin' }), 403, 'forbidden');
      refused(await h.as(t).post('/auth/password', { currentPassword: 'correct horse battery', newPassword: 'another long password' }), 403, 'forbidden');
      refused(await h.as(t).post('/studios', { name: 'Elsewhere' }), 403, 'forbidden');
      refused(await h.as(t).post(`/admin/users/${artist.userId}/deactivate`), 403, 'forbidden');
      refused(await h.as(t).post('/auth/logout'), 403, 'forbidden');
      assert.equal(await count(), n);
      must(await h.as(t).get('/auth/me'), 200);
    });

    test('bad input is refused and creates nothing', async () => {
      const count = async () => (await h.deps.db.selectFrom('access_tokens').select('id').execute()).length;
      const n = await count();
      for (const body of [
        { name: 'x', access: 'root' },
        { name: '', access: 'read' },
        { name: 'x', access: 'read', expiresInDays: 0 },
        { name: 'x', access: 'read', expiresInDays: 10000 },
        { name: 'x', access: 'read', projects: [] },
        { name: 'x', access: 'read', extra: 1 },
      ]) refused(await h.as(artist).post('/auth/tokens', body), 400, 'validation_failed', JSON.stringify(body));
      // A project the account cannot see is refused like an unknown one.
      const hidden = must(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Hidden' }), 201).id;
      refused(await h.as(artist).post('/auth/tokens', { name: 'x', access: 'read', projects: [hidden] }), 400, 'validation_failed');
      refused(await h.as(artist).post('/auth/tokens', { name: 'x', access: 'read', projects: ['00000000-0000-4000-8000-000000000000'] }), 400, 'validation_failed');
      refused(await h.as(tok('blt_' + 'x'.repeat(43))).get('/auth/me'), 401, 'unauthenticated');
      assert.equal(await count(), n);
    });

    test('expiry, revocation and deactivation end a token on its very next request', async () => {
      const short = await mint(artist, { name: 'short', access: 'read', expiresInDays: 1 });
      must(await h.as(tok(short.token)).get('/auth/me'), 200);
      h.clock.advance(DAY);
      refused(await h.as(tok(short.token)).get('/auth/me'), 401, 'unauthenticated', 'expired');
      const r = await mint(artist, { name: 'revoked', access: 'read' });
      must(await h.as(tok(r.token)).get('/auth/me'), 200);
      refused(await h.as(admin).delete(`/auth/tokens/${r.id}`), 404, 'not_found', 'someone else\'s token');
      must(await h.as(artist).delete(`/auth/tokens/${r.id}`), 204);
      refused(await h.as(tok(r.token)).get('/auth/me'), 401, 'unauthenticated', 'revoked');
      refused(await h.as(artist).delete(`/auth/tokens/${r.id}`), 404, 'not_found', 'twice');
      assert.ok((await auditActions()).includes('token.revoked'));
      const d = await mint(admin, { name: 'until deactivated', access: 'read' });
      must(await h.as(tok(d.token)).get('/auth/me'), 200);
      must(await h.as(owner).post(`/admin/users/${admin.userId}/deactivate`), 204);
      refused(await h.as(tok(d.token)).get('/auth/me'), 401, 'unauthenticated', 'deactivated');
      must(await h.as(owner).post(`/admin/users/${admin.userId}/reactivate`), 204);
      admin = { ...admin, token: must(await h.request('POST', '/auth/login', { body: { email: admin.email, password: 'correct horse battery' } }), 200).token };
    });

    test('a token is never accepted as a cookie', async () => {
      const t = await mint(artist, { name: 'cookie', access: 'admin' });
      const r = await h.request('GET', '/auth/me', { headers: { cookie: `backlot_session=${t.token}` } });
      refused(r, 401, 'unauthenticated');
    });

    test('service accounts: managed by owners and admins, seated like people, working through tokens', async () => {
      const member = await h.user('member@tokens.test');
      must(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: [member.email], role: 'member' }), 201);
      refused(await h.as(member).post(`/studios/${studioId}/service-accounts`, { name: 'farm' }), 403, 'forbidden', 'a member');
      refused(await h.as(admin).post(`/studios/${studioId}/service-accounts`, { name: 'farm', role: 'owner' }), 403, 'forbidden', 'admin grants owner');
      const sa = must(await h.as(admin).post(`/studios/${studioId}/service-accounts`, { name: 'Render farm' }), 201);
      assert.equal(sa.role, 'member');
      // No project access until seated, like anyone.
      const made = must(await h.as(admin).post(`/studios/${studioId}/service-accounts/${sa.userId}/tokens`, { name: 'farm-1', access: 'content' }), 201);
      const t = tok(made.token);
      refused(await h.as(t).get(`/projects/${pid}/board`), 404, 'not_found');
      must(await h.as(owner).post(`/projects/${pid}/members`, { userIds: [sa.userId], roleId: artistRole }), 201);
      must(await h.as(t).get(`/projects/${pid}/board`), 200);
      // A service account never signs in with a password.
      const email = (await h.deps.db.selectFrom('users').select('email').where('id', '=', sa.userId).executeTakeFirstOrThrow()).email;
      refused(await h.request('POST', '/auth/login', { body: { email, password: 'correct horse battery' } }), 401, 'unauthenticated');
      // Tokens of one studio's service accounts are managed only there; not by a token.
      const adminToken = tok((await mint(admin, { name: 'admin-t', access: 'admin' })).token);
      refused(await h.as(adminToken).post(`/studios/${studioId}/service-accounts/${sa.userId}/tokens`, { name: 'x', access: 'admin' }), 403, 'forbidden');
      const listed = must(await h.as(owner).get(`/studios/${studioId}/service-accounts`), 200).serviceAccounts as any[];
      assert.equal(listed.find((a) => a.userId === sa.userId).tokens.length, 1);
      must(await h.as(owner).delete(`/studios/${studioId}/service-accounts/${sa.userId}`), 204);
      refused(await h.as(t).get(`/projects/${pid}/board`), 401, 'unauthenticated', 'deactivated account');
      const actions = await auditActions();
      assert.ok(actions.includes('service_account.created') && actions.includes('service_account.deactivated'));
    });
  });
}
