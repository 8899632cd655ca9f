// Share links: create (token shown once), list, revoke, re-time; the public page shows the file's
// name and size and nothing else of the project; downloads are counted and stamped; expired,
// revoked, trashed and unknown links all get the same 404 page; share.manage via core's policy;
// every action audited.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Harness } from '@backlot/test-kit/harness';
import { commitFile, contentWorld, countChunkReads, must, post, prose, raw, refused, sampleFile, sha, type ContentWorld } from '@backlot/test-kit/content-world';

const HOUR = 60 * 60 * 1000;

for (const kind of dbKinds()) {
  describe(`share links (${kind})`, () => {
    let h: Harness;
    let w: ContentWorld;
    let shared: string;
    let hidden: string;
    let file: Buffer;
    let cpId: string;
    let assetId: string;

    const patch = (who: ContentWorld['owner'], path: string, body: unknown) => h.request('PATCH', path, { token: who.token, body });
    const del = (who: ContentWorld['owner'], path: string) => h.request('DELETE', path, { token: who.token });
    const page = (token: string) => raw(h, 'GET', `/s/${token}`);
    const download = (token: string) => raw(h, 'GET', `/s/${token}/download`);
    const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

    before(async () => {
      h = await createHarness(kind);
      w = await contentWorld(h);
      shared = must(await post(h, w.owner, `/projects/${w.pid}/collections`, { parentId: null, name: 'Secret Sequence Alpha', shared: true }), 201).id;
      hidden = must(await post(h, w.owner, `/projects/${w.pid}/collections`, { parentId: null, name: 'Hidden Vault' }), 201).id;
      assetId = must(await post(h, w.owner, `/projects/${w.pid}/assets`, { collectionId: shared, name: 'hero <b>final<b> "v2"', extension: 'blend', description: 'Confidential notes about the villain' }), 201).id;
      must(await post(h, w.owner, `/projects/${w.pid}/assets`, { collectionId: shared, name: 'other-asset-name', extension: 'psd' }), 201);
      file = sampleFile(9, 600_000);
      const c = await commitFile(h, w.owner, w.pid, assetId, file, { comment: 'Director approved the secret ending' });
      cpId = c.checkpoint.id;
    });
    after(async () => {
      await h.close();
    });

    test('create, list, public page, download with count and last access', async () => {
      const created = must(await post(h, w.by.supervisor, `/projects/${w.pid}/checkpoints/${cpId}/shares`, {}), 201, 'create');
      assert.match(created.token, /^[A-Za-z0-9_-]{43}$/, '256-bit token');
      assert.equal(created.url, `${h.deps.baseUrl()}/s/${created.token}`);
      assert.equal(created.state, 'active');
      assert.equal(created.expiresAt, null);
      assert.equal(created.downloadCount, 0);
      const stored = await h.deps.db.selectFrom('share_links').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      assert.notEqual(stored.token_hash, created.token, 'only a hash is stored');
      assert.ok(!JSON.stringify(stored).includes(created.token));

      const listed = must(await h.as(w.by.supervisor).get(`/projects/${w.pid}/shares`), 200).shares;
      const mine = listed.find((s: any) => s.id === created.id);
      assert.ok(mine);
      assert.equal(mine.token, undefined, 'the token is shown once');
      assert.ok(!JSON.stringify(listed).includes(created.token));

      // The page: name, size, a download button. Nothing else of the project.
      const p = await page(created.token);
      assert.equal(p.status, 200);
      assert.match(String(p.headers['content-type']), /^text\/html/);
      assert.equal(p.headers['referrer-policy'], 'no-referrer');
      assert.match(String(p.headers['content-security-policy']), /default-src 'none'/);
      const html = p.raw.body;
      assert.ok(html.includes('hero &lt;b&gt;final&lt;b&gt; &quot;v2&quot;.blend'), 'file name, escaped');
      assert.ok(!html.includes('<b>final'), 'no markup injection');
      assert.ok(html.includes(`${file.length} bytes`), 'size');
      assert.ok(html.includes(`href="${created.token}/download"`), 'download button');
      for (const secret of ['Secret Sequence Alpha', 'Hidden Vault', 'other-asset-name', 'Confidential', 'Director approved', 'Content studio', 'Content 1', w.owner.email, w.by.supervisor.email, w.pid, w.studioId, assetId, cpId, '<script'])
        assert.ok(!html.includes(secret), `the page does not show ${secret}`);
      // Opening the page stamps the last access but is not a download.
      const afterPage = must(await h.as(w.by.supervisor).get(`/projects/${w.pid}/shares`), 200).shares.find((s: any) => s.id === created.id);
      assert.equal(afterPage.downloadCount, 0);
      assert.equal(afterPage.lastAccessAt, h.clock.now().toISOString());

      h.clock.advance(60_000);
      const d = await download(created.token);
      assert.equal(d.status, 200);
      assert.ok(d.bytes.equals(file), 'the file, intact');
      assert.equal(d.headers['content-length'], String(file.length));
      assert.match(String(d.headers['content-disposition']), /^attachment; filename="hero <b>final<b> _v2_\.blend"; filename\*=UTF-8''hero%20%3Cb%3Efinal%3Cb%3E%20%22v2%22\.blend$/);
      assert.equal((await download(created.token)).status, 200);
      const reads = countChunkReads(h);
      const head = await raw(h, 'HEAD', `/s/${created.token}/download`);
      assert.equal(head.status, 200, 'HEAD answers');
      assert.equal(head.headers['content-length'], String(file.length));
      assert.equal(head.headers['x-backlot-file-hash'], sha(file));
      const ownHead = await raw(h, 'HEAD', `/projects/${w.pid}/checkpoints/${cpId}/content`, w.by.supervisor);
      assert.equal(ownHead.status, 200);
      assert.equal(ownHead.headers['content-length'], String(file.length));
      assert.equal(reads.stop(), 0, 'a HEAD request reads no chunk');
      const after1 = must(await h.as(w.by.supervisor).get(`/projects/${w.pid}/shares`), 200).shares.find((s: any) => s.id === created.id);
      assert.equal(after1.downloadCount, 2, 'a HEAD request is not a download');
      assert.equal(after1.lastAccessAt, h.clock.now().toISOString());
      // No session needed, and a session does not matter.
      assert.equal((await raw(h, 'GET', `/s/${created.token}/download`, w.by.vendor)).status, 200);
    });

    test('expiry with the clock, extend, revoke; every dead link looks the same', async () => {
      const expiresAt = new Date(h.clock.now().getTime() + HOUR).toISOString();
      const s = must(await post(h, w.owner, `/projects/${w.pid}/checkpoints/${cpId}/shares`, { expiresAt }), 201);
      assert.equal(s.expiresAt, expiresAt);
      assert.equal((await page(s.token)).status, 200);
      h.clock.advance(HOUR);
      const expired = await page(s.token);
      const expiredDl = await download(s.token);
      assert.equal(expired.status, 404, 'expired at its expiry time');
      assert.equal(expiredDl.status, 404);
      const listed = must(await h.as(w.owner).get(`/projects/${w.pid}/shares`), 200).shares.find((x: any) => x.id === s.id);
      assert.equal(listed.state, 'expired');

      // Extend: a new expiry in the future brings it back; the past and nonsense are refused.
      refused(await patch(w.owner, `/projects/${w.pid}/shares/${s.id}`, { expiresAt: new Date(h.clock.now().getTime() - 1000).toISOString() }), 400, 'validation_failed');
      refused(await patch(w.owner, `/projects/${w.pid}/shares/${s.id}`, { expiresAt: 'next tuesday' }), 400, 'validation_failed');
      refused(await post(h, w.owner, `/projects/${w.pid}/checkpoints/${cpId}/shares`, { expiresAt: '2020-01-01T00:00:00Z' }), 400, 'validation_failed');
      const later = new Date(h.clock.now().getTime() + 2 * HOUR).toISOString();
      assert.equal(must(await patch(w.owner, `/projects/${w.pid}/shares/${s.id}`, { expiresAt: later }), 200).state, 'active');
      assert.equal((await download(s.token)).status, 200);
      assert.equal(must(await patch(w.owner, `/projects/${w.pid}/shares/${s.id}`, { expiresAt: null }), 200).expiresAt, null, 'never expires');
      h.clock.advance(100 * HOUR);
      assert.equal((await page(s.token)).status, 200);

      // Revoke: immediate, idempotent, final.
      const rv = must(await del(w.owner, `/projects/${w.pid}/shares/${s.id}`), 200);
      assert.equal(rv.state, 'revoked');
      must(await del(w.owner, `/projects/${w.pid}/shares/${s.id}`), 200);
      const revoked = await page(s.token);
      refused(await patch(w.owner, `/projects/${w.pid}/shares/${s.id}`, { expiresAt: null }), 409, 'conflict', 'a revoked link stays revoked');

      const unknown = await page('A'.repeat(43));
      const malformed = await page('x');
      for (const r of [revoked, unknown, malformed, await download('A'.repeat(43))]) {
        assert.equal(r.status, 404);
        assert.equal(r.raw.body, expired.raw.body, 'one page for every dead link');
      }

      // A trashed checkpoint's links stop working; restored, they work again.
      const s2 = must(await post(h, w.owner, `/projects/${w.pid}/checkpoints/${cpId}/shares`, {}), 201);
      must(await h.request('DELETE', `/projects/${w.pid}/checkpoints/${cpId}`, { token: w.owner.token }), 200);
      assert.equal((await page(s2.token)).raw.body, expired.raw.body);
      must(await post(h, w.owner, `/projects/${w.pid}/trash/${cpId}/restore`, {}), 200);
      assert.equal((await page(s2.token)).status, 200);
    });

    test('share.manage through core: who may create, list and manage links', async () => {
      // Supervisor and Production Manager hold share.manage; Assistant Supervisor, Artist, Vendor do not.
      for (const who of ['assistant_supervisor', 'artist', 'vendor'] as const) {
        refused(await post(h, w.by[who], `/projects/${w.pid}/checkpoints/${cpId}/shares`, {}), 403, 'forbidden', who);
        refused(await h.as(w.by[who]).get(`/projects/${w.pid}/shares`), 403, 'forbidden', who);
      }
      const pm = must(await post(h, w.by.production_manager, `/projects/${w.pid}/checkpoints/${cpId}/shares`, {}), 201, 'production manager');
      refused(await del(w.by.artist, `/projects/${w.pid}/shares/${pm.id}`), 403, 'forbidden');
      refused(await patch(w.by.vendor, `/projects/${w.pid}/shares/${pm.id}`, { expiresAt: null }), 403, 'forbidden');
      // Unknown checkpoint, and a checkpoint of an asset the caller cannot see: the same 404.
      const hiddenAsset = must(await post(h, w.owner, `/projects/${w.pid}/assets`, { collectionId: hidden, name: 'vaulted', extension: 'bin' }), 201).id;
      const hc = await commitFile(h, w.owner, w.pid, hiddenAsset, prose(2000, 3));
      const hiddenShare = must(await post(h, w.owner, `/projects/${w.pid}/checkpoints/${hc.checkpoint.id}/shares`, {}), 201);
      // The Supervisor sees every asset (view_all): may share it. Someone without view_all may not.
      must(await post(h, w.by.supervisor, `/projects/${w.pid}/checkpoints/${hc.checkpoint.id}/shares`, {}), 201);
      const customRole = must(await post(h, w.owner, `/projects/${w.pid}/roles`, { name: 'Sharer', permissions: ['share.manage', 'checkpoint.view', 'content.download'] }), 201).id;
      const sharer = await h.user(`sharer-${kind}@content.test`);
      must(await post(h, w.owner, `/studios/${w.studioId}/invitations`, { emails: [sharer.email], role: 'member' }), 201);
      must(await post(h, w.owner, `/projects/${w.pid}/members`, { userIds: [sharer.userId], roleId: customRole }), 201);
      const a = refused(await post(h, sharer, `/projects/${w.pid}/checkpoints/${hc.checkpoint.id}/shares`, {}), 404, 'not_found');
      const b = refused(await post(h, sharer, `/projects/${w.pid}/checkpoints/${crypto.randomUUID()}/shares`, {}), 404, 'not_found');
      assert.deepEqual(a, b, 'invisible and unknown checkpoints answer alike');
      must(await post(h, sharer, `/projects/${w.pid}/checkpoints/${cpId}/shares`, {}), 201, 'visible checkpoint');
      const theirList = must(await h.as(sharer).get(`/projects/${w.pid}/shares`), 200).shares;
      assert.ok(!theirList.some((s: any) => s.id === hiddenShare.id), 'links on invisible assets are not listed');
      refused(await del(sharer, `/projects/${w.pid}/shares/${hiddenShare.id}`), 404, 'not_found');
      const outsider = await h.user(`share-outsider-${kind}@content.test`);
      refused(await h.as(outsider).get(`/projects/${w.pid}/shares`), 404, 'not_found');
    });

    test('every share action is audited', async () => {
      const s = must(await post(h, w.owner, `/projects/${w.pid}/checkpoints/${cpId}/shares`, {}), 201);
      must(await patch(w.owner, `/projects/${w.pid}/shares/${s.id}`, { expiresAt: new Date(h.clock.now().getTime() + HOUR).toISOString() }), 200);
      assert.equal((await download(s.token)).status, 200);
      must(await del(w.owner, `/projects/${w.pid}/shares/${s.id}`), 200);
      const entries = must(await h.as(w.owner).get(`/studios/${w.studioId}/audit?limit=1000`), 200).entries.filter((e: any) => e.targetId === s.id);
      const actions = entries.map((e: any) => e.action).sort();
      assert.deepEqual(actions, ['share.created', 'share.downloaded', 'share.expiry_changed', 'share.revoked']);
      assert.ok(!JSON.stringify(entries).includes(s.token), 'tokens never reach the audit log');
      const verify = must(await h.as(w.owner).get(`/studios/${w.studioId}/audit/verify`), 200);
      assert.equal(verify.ok, true, JSON.stringify(verify));
    });
  });
}
