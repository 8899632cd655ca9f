import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Harness } from '@backlot/test-kit/harness';

for (const kind of dbKinds()) {
  describe(`smoke (${kind})`, () => {
    let h: Harness;
    before(async () => { h = await createHarness(kind); });
    after(async () => { await h.close(); });

    test('setup, studio, project, members, roles', async () => {
      const admin = await h.setupAdmin();
      const s = await h.as(admin).post('/studios', { name: 'Kugali' });
      assert.equal(s.status, 201, JSON.stringify(s.body));
      const p = await h.as(admin).post(`/studios/${s.body.id}/projects`, { name: 'Iwaju' });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      const roles = await h.as(admin).get(`/projects/${p.body.id}/roles`);
      assert.equal(roles.status, 200);
      assert.equal(roles.body.roles.length, 6);
      const bob = await h.user('bob@studio.test');
      const inv = await h.as(admin).post(`/studios/${s.body.id}/invitations`, { emails: ['bob@studio.test', 'new@studio.test'], role: 'member' });
      assert.equal(inv.status, 201, JSON.stringify(inv.body));
      assert.deepEqual(inv.body.results.map((r: any) => r.outcome), ['added', 'invited']);
      const artist = roles.body.roles.find((r: any) => r.key === 'artist');
      const add = await h.as(admin).post(`/projects/${p.body.id}/members`, { userIds: [bob.userId], roleId: artist.id });
      assert.equal(add.status, 201, JSON.stringify(add.body));
      assert.equal(add.body.warnings[0].code, 'few_admins');
      const list = await h.as(bob).get(`/studios/${s.body.id}/projects`);
      assert.equal(list.body.projects.length, 1);
      const audit = await h.as(admin).get(`/studios/${s.body.id}/audit`);
      assert.equal(audit.status, 200);
      assert.ok(audit.body.entries.length >= 4);
      const verify = await h.as(admin).get(`/studios/${s.body.id}/audit/verify`);
      assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
    });
  });
}
