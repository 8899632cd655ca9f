// Studios (switcher, settings, soft delete, member roles, suspension, removal, last-owner guard),
// projects (presets, names, visibility, rename, archive, soft delete), project members and
// project roles, all through the HTTP API.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Caller, type Harness, type Reply } from '@backlot/test-kit/harness';

function expectError(r: Reply, status: number, code?: string) {
  const msg = `expected ${status}${code ? ` ${code}` : ''}, got ${r.status}: ${JSON.stringify(r.body)}`;
  assert.equal(r.status, status, msg);
  assert.equal(typeof r.body?.error?.code, 'string', msg);
  assert.equal(typeof r.body.error.message, 'string', msg);
  assert.equal(typeof r.body.error.details, 'object', msg);
  if (code) assert.equal(r.body.error.code, code, msg);
}

function expectOk(r: Reply, status = 200) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

// ---- the role presets, written out independently from PRODUCT.md ------------------------------

const CATALOG: Record<string, string[]> = {
  project: ['project.settings', 'project.delete'],
  members: ['members.add', 'members.remove', 'members.change_role', 'roles.manage'],
  collections: ['collection.view_all', 'collection.create', 'collection.update', 'collection.delete'],
  assets: ['asset.view_all', 'asset.create', 'asset.update', 'asset.delete', 'dependency.manage'],
  templates: ['template.create', 'template.update', 'template.delete', 'workflow.manage'],
  checkpoints: ['checkpoint.view', 'checkpoint.create', 'checkpoint.delete', 'checkpoint.revert'],
  content: ['content.download', 'content.download_all'],
  assignment: ['assignment.assign', 'assignment.unassign', 'assignment.self_assign', 'assignment.take_over'],
  status: ['status.change', 'status.change_any', 'status.approve', 'status.retake'],
  sharing: ['share.manage', 'trash.restore', 'trash.purge', 'audit.view'],
};
const ALL = Object.values(CATALOG).flat();
const ANY_STATUS = ['status.change', 'status.change_any', 'status.approve', 'status.retake'];

const DEFAULT_PRESET: Record<string, { fixed: boolean; perms: string[] }> = {
  Admin: { fixed: true, perms: ALL },
  // settings, members, collection/asset create/update, dependencies, templates, workflows,
  // assign/unassign/take over, any status, share, restore, audit. No deletes, no role editing.
  // Downloads every file to review and hand on work (docs/roles.md).
  'Production Manager': {
    fixed: false,
    perms: [
      'project.settings', 'members.add', 'members.remove', 'members.change_role',
      'collection.view_all', 'collection.create', 'collection.update',
      'asset.view_all', 'asset.create', 'asset.update', 'dependency.manage',
      'template.create', 'template.update', 'workflow.manage', 'checkpoint.view', 'content.download_all',
      'assignment.assign', 'assignment.unassign', 'assignment.take_over',
      ...ANY_STATUS, 'share.manage', 'trash.restore', 'audit.view',
    ],
  },
  // view all, checkpoints (create/delete/revert), download (every file: reviewers pull what they
  // approve, docs/roles.md), assign/unassign/take over, any status, share links.
  Supervisor: {
    fixed: false,
    perms: [
      'collection.view_all', 'asset.view_all', 'checkpoint.view', 'checkpoint.create', 'checkpoint.delete', 'checkpoint.revert',
      'content.download', 'content.download_all', 'assignment.assign', 'assignment.unassign', 'assignment.take_over', ...ANY_STATUS, 'share.manage',
    ],
  },
  // "view all assets" (not the Supervisor's "view all": no collection.view_all), checkpoint, download, any status.
  'Assistant Supervisor': {
    fixed: false,
    perms: ['asset.view_all', 'checkpoint.view', 'checkpoint.create', 'content.download', ...ANY_STATUS],
  },
  // checkpoint and download what is visible, status of own tasks, self-assign.
  Artist: { fixed: false, perms: ['checkpoint.view', 'checkpoint.create', 'content.download', 'assignment.self_assign', 'status.change'] },
  // checkpoint and download only what is assigned, status of own tasks.
  Vendor: { fixed: false, perms: ['checkpoint.view', 'checkpoint.create', 'content.download', 'status.change'] },
};

const sorted = (a: string[]) => [...a].sort();

async function studioWith(h: Harness, owner: Caller, name: string, members: { caller: Caller; role: 'owner' | 'admin' | 'member' }[] = []) {
  const s = expectOk(await h.as(owner).post('/studios', { name }), 201);
  for (const role of ['owner', 'admin', 'member'] as const) {
    const emails = members.filter((m) => m.role === role).map((m) => m.caller.email);
    if (!emails.length) continue;
    const inv = expectOk(await h.as(owner).post(`/studios/${s.id}/invitations`, { emails, role }), 201);
    assert.ok(inv.results.every((r: any) => r.outcome === 'added'), JSON.stringify(inv));
  }
  return s.id as string;
}

async function rolesOf(h: Harness, who: Caller, projectId: string): Promise<Record<string, any>> {
  const r = expectOk(await h.as(who).get(`/projects/${projectId}/roles`));
  return Object.fromEntries(r.roles.map((x: any) => [x.name, x]));
}

async function memberIds(h: Harness, who: Caller, projectId: string): Promise<string[]> {
  return expectOk(await h.as(who).get(`/projects/${projectId}/members`)).members.map((m: any) => m.userId).sort();
}

for (const kind of dbKinds()) {
  describe(`studios (${kind})`, () => {
    let h: Harness;
    let owner: Caller, owner2: Caller, sadmin: Caller, m1: Caller, m2: Caller, outsider: Caller;
    let studioId: string;
    before(async () => {
      h = await createHarness(kind);
      owner = await h.setupAdmin('owner@studio.test');
      [owner2, sadmin, m1, m2, outsider] = await Promise.all(
        ['owner2', 'sadmin', 'm1', 'm2', 'outsider'].map((n) => h.user(`${n}@studio.test`)),
      );
    });
    after(async () => { await h.close(); });

    test('create and the switcher: each caller sees only their own studios', async () => {
      const created = expectOk(await h.as(owner).post('/studios', { name: 'Kugali' }), 201);
      studioId = created.id;
      assert.equal(created.myRole, 'owner');
      assert.deepEqual(created.allowedEmailDomains, []);
      const other = expectOk(await h.as(outsider).post('/studios', { name: 'Elsewhere' }), 201);
      const mine = expectOk(await h.as(owner).get('/studios')).studios;
      assert.deepEqual(mine.map((s: any) => [s.id, s.myRole]), [[studioId, 'owner']]);
      const theirs = expectOk(await h.as(outsider).get('/studios')).studios;
      assert.deepEqual(theirs.map((s: any) => s.id), [other.id]);
      assert.deepEqual(expectOk(await h.as(m1).get('/studios')).studios, []);
      expectError(await h.as(m1).get(`/studios/${studioId}`), 404, 'not_found');
      expectError(await h.as(owner).get(`/studios/${other.id}`), 404, 'not_found');
      expectError(await h.as(owner).get(`/studios/${other.id}/members`), 404);

      for (const [c, role] of [[owner2, 'owner'], [sadmin, 'admin'], [m1, 'member'], [m2, 'member']] as const) {
        const inv = expectOk(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: [c.email], role }), 201);
        assert.equal(inv.results[0].outcome, 'added');
      }
      const m1Studios = expectOk(await h.as(m1).get('/studios')).studios;
      assert.deepEqual(m1Studios.map((s: any) => [s.id, s.myRole]), [[studioId, 'member']]);
      const members = expectOk(await h.as(m1).get(`/studios/${studioId}/members`)).members;
      assert.equal(members.length, 5);
    });

    test('update name and allowed domains (owners only, domains validated and normalised)', async () => {
      const r = expectOk(await h.as(owner).patch(`/studios/${studioId}`, { name: 'Kugali Media', allowedEmailDomains: [' @Studio.TEST ', 'studio.test', 'example.com'] }));
      assert.equal(r.name, 'Kugali Media');
      assert.deepEqual(r.allowedEmailDomains, ['example.com', 'studio.test']);
      for (const bad of ['not a domain', 'x@y.com', 'localhost', '-bad.com', 'bad-.com', 'a/b.com', 'a..b.com', '.com', 'exa mple.com', 'a'.repeat(64) + '.com', 'ex\u0000ample.com']) {
        expectError(await h.as(owner).patch(`/studios/${studioId}`, { allowedEmailDomains: ['ok.com', bad] }), 400, 'validation_failed');
      }
      expectError(await h.as(owner).patch(`/studios/${studioId}`, { allowedEmailDomains: [''] }), 400);
      expectError(await h.as(owner).patch(`/studios/${studioId}`, { allowedEmailDomains: 'studio.test' }), 400);
      for (const name of ['a/b', '..', 'tab\there', ' padded', '', 'x'.repeat(201)])
        expectError(await h.as(owner).patch(`/studios/${studioId}`, { name }), 400);
      expectError(await h.as(sadmin).patch(`/studios/${studioId}`, { name: 'Admin Rename' }), 403, 'forbidden');
      expectError(await h.as(m1).patch(`/studios/${studioId}`, { name: 'Member Rename' }), 403, 'forbidden');
      expectError(await h.as(outsider).patch(`/studios/${studioId}`, { name: 'Outsider Rename' }), 404, 'not_found');
      const now = expectOk(await h.as(m1).get(`/studios/${studioId}`));
      assert.equal(now.name, 'Kugali Media', 'refused updates changed nothing');
      assert.deepEqual(now.allowedEmailDomains, ['example.com', 'studio.test']);
      // Clearing the domain restriction.
      assert.deepEqual(expectOk(await h.as(owner).patch(`/studios/${studioId}`, { allowedEmailDomains: [] })).allowedEmailDomains, []);
    });

    test('member role change; admins cannot touch owners; members cannot change anyone', async () => {
      const r = expectOk(await h.as(owner).patch(`/studios/${studioId}/members/${m2.userId}`, { role: 'admin' }));
      assert.equal(r.role, 'admin');
      expectOk(await h.as(m2).post(`/studios/${studioId}/projects`, { name: 'Made by m2' }), 201);
      expectOk(await h.as(owner).patch(`/studios/${studioId}/members/${m2.userId}`, { role: 'member' }));
      expectError(await h.as(m2).post(`/studios/${studioId}/projects`, { name: 'Made by m2 again' }), 403, 'forbidden');

      for (const [method, body] of [['patch', { role: 'member' }], ['patch', { role: 'admin' }], ['patch', { status: 'suspended' }], ['delete', undefined]] as const) {
        const res = method === 'patch' ? await h.as(sadmin).patch(`/studios/${studioId}/members/${owner.userId}`, body) : await h.as(sadmin).delete(`/studios/${studioId}/members/${owner.userId}`);
        expectError(res, 403, 'forbidden');
      }
      expectError(await h.as(sadmin).patch(`/studios/${studioId}/members/${m1.userId}`, { role: 'owner' }), 403, 'forbidden');
      expectError(await h.as(sadmin).patch(`/studios/${studioId}/members/${sadmin.userId}`, { role: 'owner' }), 403, 'forbidden');
      expectError(await h.as(m1).patch(`/studios/${studioId}/members/${m2.userId}`, { role: 'admin' }), 403, 'forbidden');
      expectError(await h.as(m1).patch(`/studios/${studioId}/members/${m1.userId}`, { role: 'admin' }), 403, 'forbidden');
      expectError(await h.as(outsider).patch(`/studios/${studioId}/members/${m1.userId}`, { role: 'admin' }), 404, 'not_found');
      expectError(await h.as(owner).patch(`/studios/${studioId}/members/${outsider.userId}`, { role: 'admin' }), 404, 'not_found');
      expectError(await h.as(owner).patch(`/studios/${studioId}/members/${m1.userId}`, { role: 'admin', status: 'suspended' }), 400);
      expectError(await h.as(owner).patch(`/studios/${studioId}/members/${m1.userId}`, {}), 400);
      const roles = Object.fromEntries(expectOk(await h.as(owner).get(`/studios/${studioId}/members`)).members.map((m: any) => [m.userId, m.role]));
      assert.equal(roles[owner.userId], 'owner');
      assert.equal(roles[m1.userId], 'member');
      assert.equal(roles[sadmin.userId], 'admin');
      // An admin may manage plain members.
      expectOk(await h.as(sadmin).patch(`/studios/${studioId}/members/${m2.userId}`, { status: 'suspended' }));
      expectOk(await h.as(sadmin).patch(`/studios/${studioId}/members/${m2.userId}`, { status: 'active' }));
    });

    test('suspension ends access to the studio and its projects at once; reactivation restores it', async () => {
      const p = expectOk(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Iwaju' }), 201);
      const artist = (await rolesOf(h, owner, p.id)).Artist;
      expectOk(await h.as(owner).post(`/projects/${p.id}/members`, { userIds: [m1.userId], roleId: artist.id }), 201);
      expectOk(await h.as(m1).get(`/projects/${p.id}`));

      const s = expectOk(await h.as(owner).patch(`/studios/${studioId}/members/${m1.userId}`, { status: 'suspended' }));
      assert.equal(s.suspended, true);
      expectError(await h.as(m1).get(`/studios/${studioId}`), 404, 'not_found');
      expectError(await h.as(m1).get(`/studios/${studioId}/projects`), 404);
      expectError(await h.as(m1).get(`/projects/${p.id}`), 404, 'not_found');
      expectError(await h.as(m1).get(`/projects/${p.id}/members`), 404);
      expectError(await h.as(m1).delete(`/projects/${p.id}/members/${m1.userId}`), 404);
      assert.deepEqual(expectOk(await h.as(m1).get('/studios')).studios, [], 'a suspended seat leaves the switcher');
      const listed = expectOk(await h.as(owner).get(`/studios/${studioId}/members`)).members.find((m: any) => m.userId === m1.userId);
      assert.equal(listed.status, 'suspended');
      // The project seat is kept while suspended.
      assert.ok((await memberIds(h, owner, p.id)).includes(m1.userId));

      expectOk(await h.as(owner).patch(`/studios/${studioId}/members/${m1.userId}`, { status: 'active' }));
      expectOk(await h.as(m1).get(`/studios/${studioId}`));
      const back = expectOk(await h.as(m1).get(`/projects/${p.id}`));
      assert.equal(back.myRoleId, artist.id);
    });

    test('removal takes the member out of the studio and all its projects', async () => {
      const p = expectOk(await h.as(owner).get(`/studios/${studioId}/projects`)).projects.find((x: any) => x.name === 'Iwaju');
      expectError(await h.as(m1).delete(`/studios/${studioId}/members/${m2.userId}`), 403, 'forbidden');
      assert.equal((await h.as(owner).delete(`/studios/${studioId}/members/${m1.userId}`)).status, 204);
      expectError(await h.as(m1).get(`/studios/${studioId}`), 404);
      expectError(await h.as(m1).get(`/projects/${p.id}`), 404);
      assert.ok(!(await memberIds(h, owner, p.id)).includes(m1.userId), 'project seats are removed with the studio seat');
      expectError(await h.as(owner).delete(`/studios/${studioId}/members/${m1.userId}`), 404, 'not_found');
      // Coming back later does not bring the old project seats back.
      const inv = expectOk(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: [m1.email], role: 'member' }), 201);
      assert.equal(inv.results[0].outcome, 'added');
      expectError(await h.as(m1).get(`/projects/${p.id}`), 404);
      assert.deepEqual(expectOk(await h.as(m1).get(`/studios/${studioId}/projects`)).projects, []);
      // Anyone may leave.
      assert.equal((await h.as(m1).delete(`/studios/${studioId}/members/${m1.userId}`)).status, 204);
      expectError(await h.as(m1).get(`/studios/${studioId}`), 404);
    });

    test('last-owner guard: a studio always keeps an active owner', async () => {
      const solo = await studioWith(h, owner, 'Solo Studio', [{ caller: sadmin, role: 'admin' }]);
      for (const [label, res] of [
        ['demote', await h.as(owner).patch(`/studios/${solo}/members/${owner.userId}`, { role: 'admin' })],
        ['suspend', await h.as(owner).patch(`/studios/${solo}/members/${owner.userId}`, { status: 'suspended' })],
        ['leave', await h.as(owner).delete(`/studios/${solo}/members/${owner.userId}`)],
      ] as const) {
        expectError(res, 409, 'conflict');
        assert.equal(res.body.error.details.reason, 'last_owner', label);
      }
      assert.equal(expectOk(await h.as(owner).get(`/studios/${solo}`)).myRole, 'owner');

      // With two owners, one may step down, and then the other is the last.
      expectOk(await h.as(owner).patch(`/studios/${solo}/members/${sadmin.userId}`, { role: 'owner' }));
      expectOk(await h.as(owner).patch(`/studios/${solo}/members/${owner.userId}`, { role: 'admin' }));
      expectError(await h.as(sadmin).patch(`/studios/${solo}/members/${sadmin.userId}`, { role: 'member' }), 409, 'conflict');
      expectError(await h.as(owner).patch(`/studios/${solo}/members/${sadmin.userId}`, { role: 'member' }), 403, 'forbidden');

      // A suspended owner does not count as the studio's owner.
      expectOk(await h.as(sadmin).patch(`/studios/${solo}/members/${owner.userId}`, { role: 'owner' }));
      expectOk(await h.as(sadmin).patch(`/studios/${solo}/members/${owner.userId}`, { status: 'suspended' }));
      expectError(await h.as(sadmin).delete(`/studios/${solo}/members/${sadmin.userId}`), 409, 'conflict');
      expectOk(await h.as(sadmin).patch(`/studios/${solo}/members/${owner.userId}`, { status: 'active' }));
      assert.equal((await h.as(sadmin).delete(`/studios/${solo}/members/${sadmin.userId}`)).status, 204, 'with another active owner, leaving works');
      expectError(await h.as(sadmin).get(`/studios/${solo}`), 404);
      const members = expectOk(await h.as(owner).get(`/studios/${solo}/members`)).members;
      assert.deepEqual(members.map((m: any) => [m.userId, m.role, m.status]), [[owner.userId, 'owner', 'active']]);
    });

    test('soft delete hides the studio and its projects from everyone; only owners may delete', async () => {
      const doomed = await studioWith(h, owner, 'Doomed', [{ caller: owner2, role: 'admin' }, { caller: m2, role: 'member' }]);
      const p = expectOk(await h.as(owner).post(`/studios/${doomed}/projects`, { name: 'Doomed Project' }), 201);
      expectError(await h.as(owner2).delete(`/studios/${doomed}`), 403, 'forbidden');
      expectError(await h.as(m2).delete(`/studios/${doomed}`), 403, 'forbidden');
      expectError(await h.as(outsider).delete(`/studios/${doomed}`), 404);
      expectOk(await h.as(owner).get(`/studios/${doomed}`));
      assert.equal((await h.as(owner).delete(`/studios/${doomed}`)).status, 204);
      for (const who of [owner, owner2, m2]) {
        expectError(await h.as(who).get(`/studios/${doomed}`), 404, 'not_found');
        assert.ok(!expectOk(await h.as(who).get('/studios')).studios.some((s: any) => s.id === doomed));
      }
      expectError(await h.as(owner).get(`/projects/${p.id}`), 404, 'not_found');
      expectError(await h.as(owner).post(`/studios/${doomed}/projects`, { name: 'After death' }), 404);
      expectError(await h.as(owner).patch(`/studios/${doomed}`, { name: 'Revived' }), 404);
      expectError(await h.as(owner).delete(`/studios/${doomed}`), 404);
      expectOk(await h.as(owner).get(`/studios/${studioId}`), 200);
    });
  });

  describe(`projects (${kind})`, () => {
    let h: Harness;
    let owner: Caller, sadmin: Caller, m1: Caller, m2: Caller, outsider: Caller;
    let studioId: string, otherStudio: string;
    before(async () => {
      h = await createHarness(kind);
      owner = await h.setupAdmin('owner@studio.test');
      [sadmin, m1, m2, outsider] = await Promise.all(['sadmin', 'm1', 'm2', 'outsider'].map((n) => h.user(`${n}@studio.test`)));
      studioId = await studioWith(h, owner, 'Kugali', [{ caller: sadmin, role: 'admin' }, { caller: m1, role: 'member' }, { caller: m2, role: 'member' }]);
      otherStudio = await studioWith(h, outsider, 'Elsewhere');
    });
    after(async () => { await h.close(); });

    test('the permission catalog matches PRODUCT.md', async () => {
      const c = expectOk(await h.as(m1).get('/permissions'));
      assert.deepEqual(sorted(c.permissions), sorted(ALL));
      assert.deepEqual(Object.fromEntries(c.areas.map((a: any) => [a.area, sorted(a.permissions)])), Object.fromEntries(Object.entries(CATALOG).map(([k, v]) => [k, sorted(v)])));
      // The roles editor explains each toggle and names each group from this answer alone.
      assert.deepEqual(sorted(Object.keys(c.descriptions)), sorted(ALL));
      for (const p of ALL) assert.match(c.descriptions[p], /^[A-Z].{8,100}\.$/, `one-line description of ${p}`);
      for (const a of c.areas) assert.ok(typeof a.label === 'string' && a.label.length > 0, `label of ${a.area}`);
    });

    test('default preset: six roles with the permissions of PRODUCT.md, creator is Admin', async () => {
      const p = expectOk(await h.as(sadmin).post(`/studios/${studioId}/projects`, { name: 'Iwaju' }), 201);
      assert.equal(p.preset, 'default');
      assert.equal(p.status, 'active');
      const roles = await rolesOf(h, sadmin, p.id);
      assert.deepEqual(sorted(Object.keys(roles)), sorted(Object.keys(DEFAULT_PRESET)));
      for (const [name, want] of Object.entries(DEFAULT_PRESET)) {
        assert.deepEqual(sorted(roles[name].permissions), sorted(want.perms), `permissions of ${name}`);
        assert.equal(roles[name].fixed, want.fixed, `fixed flag of ${name}`);
      }
      // Spot checks straight from the prose.
      const pm = roles['Production Manager'].permissions as string[];
      assert.ok(!pm.some((x) => x.endsWith('.delete') || x === 'trash.purge'), 'Production Manager has no deletes');
      assert.ok(!pm.includes('roles.manage'), 'Production Manager does not edit roles');
      assert.equal(p.myRoleId, roles.Admin.id);
      const members = expectOk(await h.as(sadmin).get(`/projects/${p.id}/members`));
      assert.deepEqual(members.members.map((m: any) => [m.userId, m.roleName]), [[sadmin.userId, 'Admin']]);
      assert.equal(members.warnings[0]?.code, 'few_admins');
      const mine = expectOk(await h.as(sadmin).get(`/projects/${p.id}`));
      assert.deepEqual(sorted(mine.myPermissions), sorted(ALL));
    });

    test('simple preset: Owner / Admin / Editor / Viewer; viewer is read only; creator holds the fixed role', async () => {
      const p = expectOk(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Simple One', preset: 'simple' }), 201);
      assert.equal(p.preset, 'simple');
      const roles = await rolesOf(h, owner, p.id);
      assert.deepEqual(sorted(Object.keys(roles)), ['Admin', 'Editor', 'Owner', 'Viewer']);
      assert.equal(roles.Owner.fixed, true);
      assert.deepEqual(sorted(roles.Owner.permissions), sorted(ALL));
      assert.equal(p.myRoleId, roles.Owner.id);
      for (const name of ['Admin', 'Editor', 'Viewer']) assert.equal(roles[name].fixed, false, name);
      const viewer = roles.Viewer.permissions as string[];
      const writes = viewer.filter((x) => /\.(create|update|delete|manage|assign|unassign|self_assign|take_over|change|change_any|approve|retake|revert|settings|add|remove|change_role|restore|purge)$/.test(x));
      assert.deepEqual(writes, [], 'Viewer holds only read permissions');
      assert.ok(viewer.includes('asset.view_all') && viewer.includes('checkpoint.view'));
      assert.ok(roles.Editor.permissions.includes('asset.create') && !roles.Editor.permissions.includes('roles.manage'));
      expectError(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Fancy', preset: 'fancy' }), 400);
    });

    test('names: unique per studio (409 with existingId), no path separators or control characters', async () => {
      const first = expectOk(await h.as(owner).get(`/studios/${studioId}/projects`)).projects.find((x: any) => x.name === 'Iwaju');
      const dup = await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Iwaju' });
      expectError(dup, 409, 'conflict');
      assert.equal(dup.body.error.details.existingId, first.id);
      expectOk(await h.as(outsider).post(`/studios/${otherStudio}/projects`, { name: 'Iwaju' }), 201);
      for (const name of ['a/b', 'a\\b', '..', '.', 'line\nbreak', 'nul\u0000', 'bell\u0007', 'del\u007f', ' lead', 'trail ', '', 'x'.repeat(201)])
        expectError(await h.as(owner).post(`/studios/${studioId}/projects`, { name }), 400);
      for (const name of ['Ìjàpá – season 2', 'Shot 010.v2', 'a..b', '日本語']) expectOk(await h.as(owner).post(`/studios/${studioId}/projects`, { name }), 201);
      expectError(await h.as(m1).post(`/studios/${studioId}/projects`, { name: 'Member project' }), 403, 'forbidden');
      expectError(await h.as(outsider).post(`/studios/${studioId}/projects`, { name: 'Intruder' }), 404, 'not_found');
    });

    test('list: members see only their projects, owners and admins see all', async () => {
      const all = expectOk(await h.as(owner).get(`/studios/${studioId}/projects`)).projects;
      assert.ok(all.length >= 6);
      assert.deepEqual(expectOk(await h.as(sadmin).get(`/studios/${studioId}/projects`)).projects.map((p: any) => p.id).sort(), all.map((p: any) => p.id).sort());
      assert.deepEqual(expectOk(await h.as(m1).get(`/studios/${studioId}/projects`)).projects, []);
      const iwaju = all.find((p: any) => p.name === 'Iwaju');
      expectError(await h.as(m1).get(`/projects/${iwaju.id}`), 404, 'not_found');
      const vendor = (await rolesOf(h, owner, iwaju.id)).Vendor;
      expectOk(await h.as(owner).post(`/projects/${iwaju.id}/members`, { userIds: [m1.userId], roleId: vendor.id }), 201);
      const visible = expectOk(await h.as(m1).get(`/studios/${studioId}/projects`)).projects;
      assert.deepEqual(visible.map((p: any) => [p.id, p.myRoleId]), [[iwaju.id, vendor.id]]);
      expectError(await h.as(outsider).get(`/studios/${studioId}/projects`), 404);
    });

    test('rename, archive / unarchive with list filters, permission checks', async () => {
      const p = expectOk(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Renamable' }), 201);
      const roles = await rolesOf(h, owner, p.id);
      expectOk(await h.as(owner).post(`/projects/${p.id}/members`, { userIds: [m1.userId], roleId: roles.Artist.id }), 201);
      expectOk(await h.as(owner).post(`/projects/${p.id}/members`, { userIds: [m2.userId], roleId: roles['Production Manager'].id }), 201);

      expectError(await h.as(m1).patch(`/projects/${p.id}`, { name: 'By artist' }), 403, 'forbidden');
      expectError(await h.as(outsider).patch(`/projects/${p.id}`, { name: 'By outsider' }), 404);
      assert.equal(expectOk(await h.as(m2).patch(`/projects/${p.id}`, { name: 'Renamed' })).name, 'Renamed', 'project.settings allows renaming');
      const clash = await h.as(owner).patch(`/projects/${p.id}`, { name: 'Iwaju' });
      expectError(clash, 409, 'conflict');
      assert.ok(clash.body.error.details.existingId);
      expectError(await h.as(owner).patch(`/projects/${p.id}`, { name: 'a/b' }), 400);
      assert.equal(expectOk(await h.as(m1).get(`/projects/${p.id}`)).name, 'Renamed');
      expectOk(await h.as(owner).patch(`/projects/${p.id}`, { name: 'Renamed' }), 200); // own name is not a clash

      expectError(await h.as(m1).post(`/projects/${p.id}/archive`), 403, 'forbidden');
      expectError(await h.as(m2).post(`/projects/${p.id}/archive`), 403, 'forbidden'); // archiving needs project.delete
      assert.equal(expectOk(await h.as(owner).post(`/projects/${p.id}/archive`)).status, 'archived');
      const ids = async (status?: string) =>
        expectOk(await h.as(owner).get(`/studios/${studioId}/projects${status ? `?status=${status}` : ''}`)).projects.map((x: any) => x.id);
      assert.ok(!(await ids()).includes(p.id), 'archived projects leave the default list');
      assert.ok(!(await ids('active')).includes(p.id));
      assert.deepEqual(await ids('archived'), [p.id]);
      assert.ok((await ids('all')).includes(p.id));
      assert.ok((await ids('all')).length === (await ids()).length + 1);
      expectError(await h.as(owner).get(`/studios/${studioId}/projects?status=deleted`), 400);
      assert.equal(expectOk(await h.as(m1).get(`/projects/${p.id}`)).status, 'archived', 'members still see an archived project');
      assert.equal(expectOk(await h.as(owner).post(`/projects/${p.id}/unarchive`)).status, 'active');
      assert.deepEqual(await ids('archived'), []);
    });

    test('soft delete: 404 afterwards for everyone, the name can be reused', async () => {
      const p = expectOk(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Short Lived' }), 201);
      const roles = await rolesOf(h, owner, p.id);
      expectOk(await h.as(owner).post(`/projects/${p.id}/members`, { userIds: [m1.userId, m2.userId], roleId: roles['Production Manager'].id }), 201);
      expectError(await h.as(m1).delete(`/projects/${p.id}`), 403, 'forbidden');
      assert.equal((await h.as(owner).delete(`/projects/${p.id}`)).status, 204);
      for (const who of [owner, m1, sadmin]) {
        expectError(await h.as(who).get(`/projects/${p.id}`), 404, 'not_found');
        expectError(await h.as(who).get(`/projects/${p.id}/members`), 404);
        expectError(await h.as(who).get(`/projects/${p.id}/roles`), 404);
      }
      expectError(await h.as(owner).patch(`/projects/${p.id}`, { name: 'Zombie' }), 404);
      expectError(await h.as(owner).delete(`/projects/${p.id}`), 404);
      expectError(await h.as(owner).post(`/projects/${p.id}/unarchive`), 404);
      assert.ok(!expectOk(await h.as(owner).get(`/studios/${studioId}/projects?status=all`)).projects.some((x: any) => x.id === p.id));
      const again = expectOk(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Short Lived' }), 201);
      assert.notEqual(again.id, p.id);
      expectError(await h.as(m1).get(`/projects/${again.id}`), 404, 'not_found'); // the old members get nothing from a new project of the same name
    });
  });

  describe(`project members (${kind})`, () => {
    let h: Harness;
    let owner: Caller, lead: Caller, m1: Caller, m2: Caller, m3: Caller, m4: Caller, outsider: Caller;
    let studioId: string, projectId: string, roles: Record<string, any>;
    before(async () => {
      h = await createHarness(kind);
      owner = await h.setupAdmin('owner@studio.test');
      [lead, m1, m2, m3, m4, outsider] = await Promise.all(['lead', 'm1', 'm2', 'm3', 'm4', 'outsider'].map((n) => h.user(`${n}@studio.test`)));
      studioId = await studioWith(h, owner, 'Kugali', [lead, m1, m2, m3, m4].map((caller) => ({ caller, role: 'member' as const })));
      await studioWith(h, outsider, 'Elsewhere');
      // The owner creates the project and is its only Admin at first.
      projectId = expectOk(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Iwaju' }), 201).id;
      roles = await rolesOf(h, owner, projectId);
    });
    after(async () => { await h.close(); });

    test('add several at once; already-members reported; non-studio users refused, all or nothing', async () => {
      const r = expectOk(await h.as(owner).post(`/projects/${projectId}/members`, { userIds: [m1.userId, m2.userId, m1.userId], roleId: roles.Artist.id }), 201);
      assert.deepEqual(sorted(r.added), sorted([m1.userId, m2.userId]));
      assert.deepEqual(r.alreadyMembers, []);
      assert.equal(r.warnings[0].code, 'few_admins');
      const again = expectOk(await h.as(owner).post(`/projects/${projectId}/members`, { userIds: [m1.userId, m3.userId], roleId: roles.Supervisor.id }), 201);
      assert.deepEqual(again.added, [m3.userId]);
      assert.deepEqual(again.alreadyMembers, [m1.userId]);
      const list = expectOk(await h.as(owner).get(`/projects/${projectId}/members`)).members;
      assert.equal(list.find((m: any) => m.userId === m1.userId).roleName, 'Artist', 'already-members keep their role');

      const refused = await h.as(owner).post(`/projects/${projectId}/members`, { userIds: [m4.userId, outsider.userId], roleId: roles.Artist.id });
      expectError(refused, 400, 'validation_failed');
      assert.deepEqual(refused.body.error.details.userIds, [outsider.userId]);
      assert.ok(!(await memberIds(h, owner, projectId)).includes(m4.userId), 'nobody was added');
      expectError(await h.as(owner).post(`/projects/${projectId}/members`, { userIds: ['00000000-0000-4000-8000-000000000001'], roleId: roles.Artist.id }), 400);
      expectError(await h.as(m1).post(`/projects/${projectId}/members`, { userIds: [m4.userId], roleId: roles.Artist.id }), 403, 'forbidden');
      expectError(await h.as(m4).post(`/projects/${projectId}/members`, { userIds: [m4.userId], roleId: roles.Admin.id }), 404, 'not_found');
      expectError(await h.as(outsider).post(`/projects/${projectId}/members`, { userIds: [outsider.userId], roleId: roles.Admin.id }), 404, 'not_found');
    });

    test('change role; a member who cannot grant Admin cannot escalate', async () => {
      const r = expectOk(await h.as(owner).patch(`/projects/${projectId}/members/${m2.userId}`, { roleId: roles['Production Manager'].id }));
      assert.equal(r.roleId, roles['Production Manager'].id);
      const view = expectOk(await h.as(m2).get(`/projects/${projectId}`));
      assert.deepEqual(sorted(view.myPermissions), sorted(DEFAULT_PRESET['Production Manager'].perms));
      // A Production Manager staffs the project with working roles, but never hands out Admin or an
      // administrative permission they lack, nor touches someone who holds one.
      const keeper = expectOk(await h.as(owner).post(`/projects/${projectId}/roles`, { name: 'Keeper', permissions: ['roles.manage', 'checkpoint.view'] }), 201);
      expectError(await h.as(m2).patch(`/projects/${projectId}/members/${m2.userId}`, { roleId: roles.Admin.id }), 403, 'forbidden');
      expectError(await h.as(m2).patch(`/projects/${projectId}/members/${m1.userId}`, { roleId: roles.Admin.id }), 403, 'forbidden');
      expectError(await h.as(m2).patch(`/projects/${projectId}/members/${m1.userId}`, { roleId: keeper.id }), 403, 'forbidden');
      expectError(await h.as(m2).patch(`/projects/${projectId}/members/${m2.userId}`, { roleId: keeper.id }), 403, 'forbidden');
      expectOk(await h.as(m2).patch(`/projects/${projectId}/members/${m1.userId}`, { roleId: roles.Supervisor.id }));
      expectOk(await h.as(owner).patch(`/projects/${projectId}/members/${m3.userId}`, { roleId: keeper.id }));
      expectError(await h.as(m2).patch(`/projects/${projectId}/members/${m3.userId}`, { roleId: roles.Artist.id }), 403, 'forbidden');
      expectOk(await h.as(owner).patch(`/projects/${projectId}/members/${m3.userId}`, { roleId: roles.Supervisor.id }));
      expectOk(await h.as(m2).patch(`/projects/${projectId}/members/${m1.userId}`, { roleId: roles.Vendor.id }));
      expectError(await h.as(owner).patch(`/projects/${projectId}/members/${m1.userId}`, { roleId: '00000000-0000-4000-8000-000000000002' }), 400);
      expectError(await h.as(m1).patch(`/projects/${projectId}/members/${m3.userId}`, { roleId: roles.Artist.id }), 403, 'forbidden');
      expectError(await h.as(owner).patch(`/projects/${projectId}/members/${m4.userId}`, { roleId: roles.Artist.id }), 404, 'not_found');
      const roleNames = Object.fromEntries(expectOk(await h.as(owner).get(`/projects/${projectId}/members`)).members.map((m: any) => [m.userId, m.roleName]));
      assert.equal(roleNames[m2.userId], 'Production Manager');
      assert.equal(roleNames[m1.userId], 'Vendor');
    });

    test('removal takes effect on the very next request', async () => {
      expectOk(await h.as(m3).get(`/projects/${projectId}`));
      const r = expectOk(await h.as(owner).delete(`/projects/${projectId}/members/${m3.userId}`));
      assert.ok(Array.isArray(r.warnings));
      expectError(await h.as(m3).get(`/projects/${projectId}`), 404, 'not_found');
      expectError(await h.as(m3).get(`/projects/${projectId}/members`), 404);
      assert.ok(!expectOk(await h.as(m3).get(`/studios/${studioId}/projects`)).projects.some((p: any) => p.id === projectId));
      expectOk(await h.as(m3).get(`/studios/${studioId}`)); // the studio seat stays
      expectError(await h.as(owner).delete(`/projects/${projectId}/members/${m3.userId}`), 404, 'not_found');
      expectError(await h.as(m1).delete(`/projects/${projectId}/members/${m2.userId}`), 403, 'forbidden');
      // Leaving needs no permission.
      expectOk(await h.as(m1).delete(`/projects/${projectId}/members/${m1.userId}`));
      expectError(await h.as(m1).get(`/projects/${projectId}`), 404);
    });

    test('last-Admin guard (409) and the few_admins warning', async () => {
      const demote = await h.as(owner).patch(`/projects/${projectId}/members/${owner.userId}`, { roleId: roles.Artist.id });
      expectError(demote, 409, 'conflict');
      assert.equal(demote.body.error.details.reason, 'last_admin');
      expectError(await h.as(owner).delete(`/projects/${projectId}/members/${owner.userId}`), 409, 'conflict');
      const lst = expectOk(await h.as(owner).get(`/projects/${projectId}/members`));
      assert.equal(lst.warnings[0].code, 'few_admins');
      assert.equal(lst.warnings[0].admins, 1);

      // A studio member's project seat keeps the studio from removing them while they are the last Admin.
      const p2 = expectOk(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Lead Only' }), 201);
      const r2 = await rolesOf(h, owner, p2.id);
      expectOk(await h.as(owner).post(`/projects/${p2.id}/members`, { userIds: [lead.userId], roleId: r2.Admin.id }), 201);
      expectOk(await h.as(owner).delete(`/projects/${p2.id}/members/${owner.userId}`));
      const stuck = await h.as(owner).delete(`/studios/${studioId}/members/${lead.userId}`);
      expectError(stuck, 409, 'conflict');
      assert.equal(stuck.body.error.details.reason, 'last_admin');
      expectOk(await h.as(lead).get(`/projects/${p2.id}`));

      const two = expectOk(await h.as(owner).post(`/projects/${projectId}/members`, { userIds: [lead.userId], roleId: roles.Admin.id }), 201);
      assert.deepEqual(two.warnings, [], 'two Admins: no warning');
      const down = expectOk(await h.as(owner).patch(`/projects/${projectId}/members/${owner.userId}`, { roleId: roles.Supervisor.id }));
      assert.equal(down.warnings[0].code, 'few_admins');
      expectError(await h.as(lead).patch(`/projects/${projectId}/members/${lead.userId}`, { roleId: roles.Artist.id }), 409);
      // Owners keep managing the project through their studio role even without the Admin seat.
      expectOk(await h.as(owner).patch(`/projects/${projectId}/members/${owner.userId}`, { roleId: roles.Admin.id }));
    });
  });

  describe(`project roles (${kind})`, () => {
    let h: Harness;
    let owner: Caller, coord: Caller, artist: Caller, spare: Caller, outsider: Caller;
    let studioId: string, projectId: string, roles: Record<string, any>, otherProject: string, otherRoles: Record<string, any>;
    before(async () => {
      h = await createHarness(kind);
      owner = await h.setupAdmin('owner@studio.test');
      [coord, artist, spare, outsider] = await Promise.all(['coord', 'artist', 'spare', 'outsider'].map((n) => h.user(`${n}@studio.test`)));
      studioId = await studioWith(h, owner, 'Kugali', [coord, artist, spare].map((caller) => ({ caller, role: 'member' as const })));
      projectId = expectOk(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Iwaju' }), 201).id;
      roles = await rolesOf(h, owner, projectId);
      otherProject = expectOk(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Other' }), 201).id;
      otherRoles = await rolesOf(h, owner, otherProject);
      expectOk(await h.as(owner).post(`/projects/${projectId}/members`, { userIds: [artist.userId], roleId: roles.Artist.id }), 201);
    });
    after(async () => { await h.close(); });

    test('create, list, edit and delete a custom role; validation', async () => {
      const c = expectOk(await h.as(owner).post(`/projects/${projectId}/roles`, { name: 'Lighter', permissions: ['checkpoint.create', 'checkpoint.view', 'checkpoint.view'] }), 201);
      assert.equal(c.fixed, false);
      assert.deepEqual(sorted(c.permissions), ['checkpoint.create', 'checkpoint.view'], 'duplicates collapse');
      const dup = await h.as(owner).post(`/projects/${projectId}/roles`, { name: 'Lighter', permissions: [] });
      expectError(dup, 409, 'conflict');
      assert.equal(dup.body.error.details.existingId, c.id);
      const unknown = await h.as(owner).post(`/projects/${projectId}/roles`, { name: 'Bad', permissions: ['checkpoint.view', 'root.everything'] });
      expectError(unknown, 400, 'validation_failed');
      assert.deepEqual(unknown.body.error.details.unknown, ['root.everything']);
      expectError(await h.as(owner).post(`/projects/${projectId}/roles`, { name: 'a/b', permissions: [] }), 400);
      expectError(await h.as(owner).post(`/projects/${projectId}/roles`, { name: 'x'.repeat(101), permissions: [] }), 400);
      expectError(await h.as(owner).post(`/projects/${projectId}/roles`, { name: 'NoPerms' }), 400);
      expectError(await h.as(artist).post(`/projects/${projectId}/roles`, { name: 'Mine', permissions: [] }), 403, 'forbidden');
      expectError(await h.as(outsider).post(`/projects/${projectId}/roles`, { name: 'Mine', permissions: [] }), 404);

      const listed = await rolesOf(h, artist, projectId);
      assert.equal(listed.Lighter.id, c.id);
      assert.equal(listed.Lighter.memberCount, 0);
      assert.equal(listed.Artist.memberCount, 1);

      const e = expectOk(await h.as(owner).patch(`/projects/${projectId}/roles/${c.id}`, { name: 'Lighting', permissions: ['checkpoint.view'] }));
      assert.equal(e.name, 'Lighting');
      assert.deepEqual(e.permissions, ['checkpoint.view']);
      expectError(await h.as(owner).patch(`/projects/${projectId}/roles/${c.id}`, { permissions: ['nope'] }), 400);
      expectError(await h.as(owner).patch(`/projects/${projectId}/roles/${c.id}`, { name: 'Artist' }), 409, 'conflict');
      assert.equal((await rolesOf(h, owner, projectId)).Lighting.permissions.length, 1, 'refused edits changed nothing');
      expectError(await h.as(owner).patch(`/projects/${projectId}/roles/${otherRoles.Artist.id}`, { name: 'Crossed' }), 404, 'not_found');
      expectError(await h.as(owner).delete(`/projects/${projectId}/roles/${otherRoles.Vendor.id}`), 404, 'not_found');
      assert.equal((await rolesOf(h, owner, otherProject)).Artist.name, 'Artist');

      const d = expectOk(await h.as(owner).delete(`/projects/${projectId}/roles/${c.id}`));
      assert.equal(d.movedMembers, 0);
      assert.equal((await rolesOf(h, owner, projectId)).Lighting, undefined);
      expectError(await h.as(owner).delete(`/projects/${projectId}/roles/${c.id}`), 404);
    });

    test('the fixed Admin role can be neither edited nor deleted', async () => {
      for (const res of [
        await h.as(owner).patch(`/projects/${projectId}/roles/${roles.Admin.id}`, { name: 'Boss' }),
        await h.as(owner).patch(`/projects/${projectId}/roles/${roles.Admin.id}`, { permissions: [] }),
        await h.as(owner).delete(`/projects/${projectId}/roles/${roles.Admin.id}`),
        await h.as(owner).delete(`/projects/${projectId}/roles/${roles.Admin.id}?replacementRoleId=${roles.Artist.id}`),
      ]) expectError(res, 403, 'forbidden');
      const admin = (await rolesOf(h, owner, projectId)).Admin;
      assert.deepEqual(sorted(admin.permissions), sorted(ALL));
      // The editable default roles can be edited.
      expectOk(await h.as(owner).patch(`/projects/${projectId}/roles/${roles.Vendor.id}`, { name: 'Contractor' }));
      expectOk(await h.as(owner).patch(`/projects/${projectId}/roles/${roles.Vendor.id}`, { name: 'Vendor' }));
    });

    test('deleting a role in use needs a replacement; members move with it', async () => {
      const temp = expectOk(await h.as(owner).post(`/projects/${projectId}/roles`, { name: 'Temp', permissions: ['checkpoint.view'] }), 201);
      expectOk(await h.as(owner).patch(`/projects/${projectId}/members/${artist.userId}`, { roleId: temp.id }));
      const refused = await h.as(owner).delete(`/projects/${projectId}/roles/${temp.id}`);
      expectError(refused, 409, 'conflict');
      assert.equal(refused.body.error.details.reason, 'role_in_use');
      expectError(await h.as(owner).delete(`/projects/${projectId}/roles/${temp.id}?replacementRoleId=${temp.id}`), 400);
      expectError(await h.as(owner).delete(`/projects/${projectId}/roles/${temp.id}?replacementRoleId=${otherRoles.Artist.id}`), 400);
      expectError(await h.as(owner).delete(`/projects/${projectId}/roles/${temp.id}?replacementRoleId=not-a-uuid`), 400);
      assert.equal(expectOk(await h.as(artist).get(`/projects/${projectId}`)).myRoleId, temp.id, 'still on the role after refusals');
      const d = expectOk(await h.as(owner).delete(`/projects/${projectId}/roles/${temp.id}?replacementRoleId=${roles.Artist.id}`));
      assert.equal(d.movedMembers, 1);
      assert.equal(expectOk(await h.as(artist).get(`/projects/${projectId}`)).myRoleId, roles.Artist.id);
      const list = expectOk(await h.as(owner).get(`/projects/${projectId}/members`)).members;
      assert.equal(list.find((m: any) => m.userId === artist.userId).roleName, 'Artist');
    });

    test('a role edit applies on the very next request of its members', async () => {
      const coordRole = expectOk(await h.as(owner).post(`/projects/${projectId}/roles`, {
        name: 'Coordinator', permissions: ['members.add', 'project.settings', 'checkpoint.view'],
      }), 201);
      const observer = expectOk(await h.as(owner).post(`/projects/${projectId}/roles`, { name: 'Observer', permissions: ['checkpoint.view'] }), 201);
      expectOk(await h.as(owner).post(`/projects/${projectId}/members`, { userIds: [coord.userId], roleId: coordRole.id }), 201);
      expectOk(await h.as(coord).patch(`/projects/${projectId}`, { name: 'Iwaju 2' }));
      expectOk(await h.as(coord).post(`/projects/${projectId}/members`, { userIds: [spare.userId], roleId: observer.id }), 201);
      expectOk(await h.as(owner).delete(`/projects/${projectId}/members/${spare.userId}`));

      expectOk(await h.as(owner).patch(`/projects/${projectId}/roles/${coordRole.id}`, { permissions: ['checkpoint.view'] }));
      expectError(await h.as(coord).patch(`/projects/${projectId}`, { name: 'Iwaju 3' }), 403, 'forbidden');
      expectError(await h.as(coord).post(`/projects/${projectId}/members`, { userIds: [spare.userId], roleId: observer.id }), 403, 'forbidden');
      assert.ok(!(await memberIds(h, owner, projectId)).includes(spare.userId));
      const view = expectOk(await h.as(coord).get(`/projects/${projectId}`));
      assert.deepEqual(view.myPermissions, ['checkpoint.view']);
      assert.equal(view.name, 'Iwaju 2');

      // Giving it back works immediately too.
      expectOk(await h.as(owner).patch(`/projects/${projectId}/roles/${coordRole.id}`, { permissions: ['project.settings', 'checkpoint.view'] }));
      expectOk(await h.as(coord).patch(`/projects/${projectId}`, { name: 'Iwaju 3' }));
      // A member's role change applies at once as well.
      expectOk(await h.as(owner).patch(`/projects/${projectId}/members/${coord.userId}`, { roleId: roles.Vendor.id }));
      expectError(await h.as(coord).patch(`/projects/${projectId}`, { name: 'Iwaju 4' }), 403, 'forbidden');
    });

    test('members with roles.manage cannot create or edit roles beyond what they hold', async () => {
      const mgr = expectOk(await h.as(owner).post(`/projects/${projectId}/roles`, { name: 'Role Manager', permissions: ['roles.manage', 'checkpoint.view'] }), 201);
      expectOk(await h.as(owner).patch(`/projects/${projectId}/members/${coord.userId}`, { roleId: mgr.id }));
      expectError(await h.as(coord).post(`/projects/${projectId}/roles`, { name: 'Too Much', permissions: ['project.delete'] }), 403, 'forbidden');
      expectOk(await h.as(coord).post(`/projects/${projectId}/roles`, { name: 'Viewer Lite', permissions: ['checkpoint.view'] }), 201);
      // Raising their own role is refused as well.
      expectError(await h.as(coord).patch(`/projects/${projectId}/roles/${mgr.id}`, { permissions: ['roles.manage', 'checkpoint.view', 'project.delete'] }), 403, 'forbidden');
      // Editing a role that holds administrative permissions they lack is refused.
      expectError(await h.as(coord).patch(`/projects/${projectId}/roles/${roles['Production Manager'].id}`, { permissions: ['checkpoint.view'] }), 403, 'forbidden');
      assert.deepEqual(sorted((await rolesOf(h, owner, projectId))['Production Manager'].permissions), sorted(DEFAULT_PRESET['Production Manager'].perms));
      // Working permissions may be handed out.
      expectOk(await h.as(coord).post(`/projects/${projectId}/roles`, { name: 'Worker', permissions: ['checkpoint.create', 'content.download'] }), 201);
      assert.deepEqual(sorted((await rolesOf(h, owner, projectId))['Role Manager'].permissions), ['checkpoint.view', 'roles.manage']);
    });
  });
}
