import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Caller, type Harness } from '@backlot/test-kit/harness';
import { pretendUploaded } from '@backlot/test-kit/content-world';

const HASH = 'a'.repeat(64);

for (const kind of dbKinds()) {
  describe(`production basics (${kind})`, () => {
    let h: Harness;
    let admin: Caller, artist: Caller, vendor: Caller;
    let pid: string;
    let roles: Record<string, string>;
    before(async () => {
      h = await createHarness(kind);
      admin = await h.setupAdmin();
      artist = await h.user('artist@studio.test');
      vendor = await h.user('vendor@studio.test');
      const s = await h.as(admin).post('/studios', { name: 'S' });
      await h.as(admin).post(`/studios/${s.body.id}/invitations`, { emails: [artist.email, vendor.email], role: 'member' });
      const p = await h.as(admin).post(`/studios/${s.body.id}/projects`, { name: 'P' });
      pid = p.body.id;
      const r = await h.as(admin).get(`/projects/${pid}/roles`);
      roles = Object.fromEntries(r.body.roles.map((x: any) => [x.key, x.id]));
      await h.as(admin).post(`/projects/${pid}/members`, { userIds: [artist.userId], roleId: roles.artist });
      await h.as(admin).post(`/projects/${pid}/members`, { userIds: [vendor.userId], roleId: roles.vendor });
    });
    after(async () => { await h.close(); });

    test('soft lock, visibility and pull', async () => {
      const shared = await h.as(admin).post(`/projects/${pid}/collections`, { parentId: null, name: 'Shared', shared: true });
      assert.equal(shared.status, 201, JSON.stringify(shared.body));
      const hidden = await h.as(admin).post(`/projects/${pid}/collections`, { parentId: null, name: 'Hidden' });
      const task = await h.as(admin).post(`/projects/${pid}/assets`, { collectionId: hidden.body.id, name: 'hero', extension: 'blend', kind: 'task' });
      assert.equal(task.status, 201, JSON.stringify(task.body));
      const dup = await h.as(admin).post(`/projects/${pid}/assets`, { collectionId: hidden.body.id, name: 'hero', extension: 'blend' });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.details.existingId, task.body.id);

      // Unassigned: nobody may checkpoint; the vendor cannot even see it.
      const cp0 = await h.as(admin).post(`/projects/${pid}/assets/${task.body.id}/checkpoints`, { fileHash: HASH, size: 1, chunks: [HASH] });
      assert.equal(cp0.status, 403, JSON.stringify(cp0.body));
      const cpV = await h.as(vendor).post(`/projects/${pid}/assets/${task.body.id}/checkpoints`, { fileHash: HASH, size: 1, chunks: [HASH] });
      assert.equal(cpV.status, 404);

      const first = await h.as(vendor).get(`/projects/${pid}/changes`);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.reset, true);
      assert.deepEqual(first.body.snapshot.assets, []);
      // A Vendor sees only what is explicitly assigned to it (PRODUCT.md): not even the shared collection.
      assert.deepEqual(first.body.snapshot.collections, []);
      const byArtist = await h.as(artist).get(`/projects/${pid}/changes`);
      assert.deepEqual(byArtist.body.snapshot.collections.map((c: any) => c.name), ['Shared'], 'an Artist sees the shared collection');

      const a = await h.request('PUT', `/projects/${pid}/assets/${task.body.id}/assignee`, { token: admin.token, body: { assigneeId: vendor.userId } });
      assert.equal(a.status, 200, JSON.stringify(a.body));

      const second = await h.as(vendor).get(`/projects/${pid}/changes?since=${first.body.cursor}`);
      assert.equal(second.body.reset, true, 'assignment changes visibility: snapshot');
      assert.deepEqual(second.body.snapshot.assets.map((x: any) => x.id), [task.body.id]);
      assert.deepEqual(second.body.snapshot.collections.find((c: any) => c.id === hidden.body.id)?.nameOnly, true);

      // A checkpoint lists chunks its author has uploaded (content.test.ts covers the upload itself).
      await pretendUploaded(h, pid, vendor.userId, [HASH], 1);
      const cp = await h.as(vendor).post(`/projects/${pid}/assets/${task.body.id}/checkpoints`, { fileHash: HASH, size: 1, chunks: [HASH], comment: 'v1' });
      assert.equal(cp.status, 201, JSON.stringify(cp.body));
      assert.equal(cp.body.authorId, vendor.userId);
      const byAdmin = await h.as(admin).post(`/projects/${pid}/assets/${task.body.id}/checkpoints`, { fileHash: HASH, size: 1, chunks: [HASH] });
      assert.equal(byAdmin.status, 403, 'soft lock holds against the Admin too');

      const push = await h.as(admin).post(`/projects/${pid}/ops`, { ops: [
        { opId: 'o1', op: { type: 'checkpoint.create', assetId: task.body.id, fileHash: HASH, size: 1, chunks: [HASH] } },
        { opId: 'o2', op: { type: 'collection.create', parentId: shared.body.id, name: 'Props' } },
      ] });
      assert.equal(push.status, 200, JSON.stringify(push.body));
      assert.equal(push.body.results[0].status, 'rejected');
      assert.equal(push.body.results[1].status, 'applied');
      const again = await h.as(admin).post(`/projects/${pid}/ops`, { ops: [{ opId: 'o2', op: { type: 'collection.create', parentId: shared.body.id, name: 'Props' } }] });
      assert.equal(again.body.results[0].status, 'applied', 'retry of an applied op id returns its result');
      assert.equal(again.body.results[0].revision, push.body.results[1].revision);

      const third = await h.as(vendor).get(`/projects/${pid}/changes?since=${second.body.cursor}`);
      assert.equal(third.body.reset, false, JSON.stringify(third.body));
      assert.ok(!third.body.changes.some((c: any) => c.entity === 'collection' && c.data.name === 'Props'), 'Props is in the shared collection: not the vendor\'s');
      assert.ok(third.body.changes.some((c: any) => c.entity === 'checkpoint'));
      const artistNext = await h.as(artist).get(`/projects/${pid}/changes?since=${byArtist.body.cursor}`);
      assert.ok(artistNext.body.changes.some((c: any) => c.entity === 'collection' && c.data.name === 'Props'), 'the Artist hears of Props');
    });
  });
}
