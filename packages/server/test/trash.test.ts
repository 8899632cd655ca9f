// The trash through the HTTP API: deleting a collection trashes its whole subtree (gone from
// pulls), restore puts it back in its old place, restore refusals (trashed parent, name taken),
// purge removes rows for good (dependencies into purged items too), who may restore and purge,
// and checkpoints to the trash and back.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createHarness, dbKinds, type Harness } from '@backlot/test-kit/harness';
import { As, audit, byId, H2, ids, makeProject, makeWorld, must, refused, type World } from '@backlot/test-kit/production-world';

for (const kind of dbKinds()) {
  describe(`trash (${kind})`, () => {
    let h: Harness;
    let w: World;
    before(async () => {
      h = await createHarness(kind);
      w = await makeWorld(h, ['PM', 'Sup', 'Art', 'Art2']);
    });
    after(async () => { await h.close(); });

    const as = (who: string, pid: string) => new As(h, who === 'owner' ? w.owner : w.u[who], pid);
    const rowsOf = async (table: 'collections' | 'assets' | 'checkpoints' | 'dependencies' | 'status_changes' | 'control_requests', column: string, values: string[]) =>
      values.length ? (await h.deps.db.selectFrom(table).selectAll().where(column as any, 'in', values).execute()) as any[] : [];

    /** Shared root R > C1 > C2, assets: a3 in R, a1 (task of Art) in C1, a2 in C2; a3 -> a2. */
    async function tree() {
      const p = await makeProject(w, { PM: 'production_manager', Sup: 'supervisor', Art: 'artist', Art2: 'artist' });
      const A = as('owner', p.id);
      const R = must(await A.collection({ name: 'R', shared: true }), 201);
      const C1 = must(await A.collection({ parentId: R.id, name: 'C1' }), 201);
      const C2 = must(await A.collection({ parentId: C1.id, name: 'C2' }), 201);
      const a1 = must(await A.asset({ collectionId: C1.id, name: 'a1', kind: 'task', assigneeId: w.u.Art.userId }), 201);
      const a2 = must(await A.asset({ collectionId: C2.id, name: 'a2', extension: 'png' }), 201);
      const a3 = must(await A.asset({ collectionId: R.id, name: 'a3' }), 201);
      const dep = must(await A.dep(a3.id, { targetAssetId: a2.id, dependencyType: 'uses' }), 201);
      return { p, A, R, C1, C2, a1, a2, a3, dep };
    }

    test('deleting a collection trashes its whole subtree: gone from reads and pulls; restore puts it back in its old place', async () => {
      const { p, A, R, C1, C2, a1, a2, a3, dep } = await tree();
      const art = as('Art', p.id);
      const cp = must(await art.checkpoint(a1.id), 201);
      const req = must(await as('Art2', p.id).request(a1.id), 201);
      const adminCursor = must(await A.pull(), 200).cursor;
      const artCursor = must(await art.pull(), 200).cursor;

      const del = must(await A.deleteCollection(C1.id), 200);
      assert.equal(del.collections, 2);
      assert.equal(del.assets, 2);
      // gone from snapshots
      for (const who of ['owner', 'Art', 'Sup']) {
        const snap = await as(who, p.id).snapshot();
        assert.deepEqual(ids(snap.collections), [R.id], `${who} collections`);
        assert.deepEqual(ids(snap.assets), [a3.id], `${who} assets`);
        assert.equal(byId(snap.checkpoints, cp.id), undefined, `${who} checkpoints of trashed assets`);
        assert.equal(snap.controlRequests.length, 0);
      }
      // incremental pulls remove them
      const inc = must(await A.pull(adminCursor), 200);
      assert.equal(inc.reset, false);
      const removed = inc.changes.filter((c: any) => c.change === 'remove').map((c: any) => c.id).sort();
      assert.deepEqual(removed, [C1.id, C2.id, a1.id, a2.id].sort());
      const artPull = must(await art.pull(artCursor), 200);
      if (artPull.reset) assert.deepEqual(ids(artPull.snapshot.assets), [a3.id]);
      else assert.deepEqual(artPull.changes.filter((c: any) => c.change === 'remove').map((c: any) => c.id).sort(), [C1.id, C2.id, a1.id, a2.id].sort());
      // trashed items cannot be worked on
      refused(await art.checkpoint(a1.id), 404, 'not_found', 'checkpoint on a trashed task');
      refused(await A.updateAsset(a2.id, { name: 'x' }), 404, 'not_found');
      refused(await A.collection({ parentId: C2.id, name: 'inside' }), 404, 'not_found', 'create inside a trashed collection');
      refused(await A.updateAsset(a3.id, { collectionId: C1.id }), 404, 'not_found', 'move into a trashed collection');
      refused(await A.deleteCollection(C1.id), 404, 'not_found', 'delete twice');
      assert.equal((await rowsOf('control_requests', 'id', [req.id]))[0].status, 'cancelled', 'pending requests end with the trash');
      // a new item may take the old name meanwhile elsewhere, and rows still exist (soft delete)
      assert.equal((await rowsOf('assets', 'id', [a1.id, a2.id])).length, 2);

      // restore: everything back in its old place, assignment and dependency intact
      const cursor2 = must(await A.pull(), 200).cursor;
      const restored = must(await as('PM', p.id).restore(C1.id), 200);
      assert.deepEqual(restored, { restored: C1.id, kind: 'collection' });
      const snap = await A.snapshot();
      assert.deepEqual(ids(snap.collections), [R.id, C1.id, C2.id].sort());
      assert.deepEqual(ids(snap.assets), [a1.id, a2.id, a3.id].sort());
      assert.equal(byId(snap.collections, C1.id).parentId, R.id);
      assert.equal(byId(snap.collections, C2.id).parentId, C1.id);
      assert.equal(byId(snap.assets, a2.id).collectionId, C2.id);
      assert.equal(byId(snap.assets, a1.id).assigneeId, w.u.Art.userId);
      assert.ok(byId(snap.dependencies, dep.id), 'the dependency came back with its target');
      assert.ok(byId(snap.checkpoints, cp.id), 'checkpoints of restored assets are back');
      const inc2 = must(await A.pull(cursor2), 200);
      assert.equal(inc2.reset, false);
      assert.deepEqual(inc2.changes.filter((c: any) => c.change === 'upsert').map((c: any) => c.id).sort(), [C1.id, C2.id, a1.id, a2.id].sort());
      // parents come before children in the change log
      const order = inc2.changes.map((c: any) => c.id);
      assert.ok(order.indexOf(C1.id) < order.indexOf(C2.id));
      assert.equal(await art.checkpoint(a1.id).then((r) => r.status), 201, 'the assignee works on');
      refused(await A.restore(C1.id), 404, 'not_found', 'restoring a live item');
      assert.ok((await audit(w, 'collection.trashed')).some((e) => e.targetId === C1.id));
      assert.ok((await audit(w, 'trash.restored')).some((e) => e.targetId === C1.id && e.actorId === w.u.PM.userId));
    });

    test('restore refuses a trashed parent (409) and a name taken at the old place (409 with existingId)', async () => {
      const { p, A, R, C1, C2, a1, a2 } = await tree();
      // C2 trashed on its own, then its parent
      must(await A.deleteCollection(C2.id), 200);
      must(await A.deleteCollection(C1.id), 200);
      const e = refused(await A.restore(C2.id), 409, 'conflict', 'parent trashed');
      assert.equal(e.details.reason, 'parent_trashed');
      assert.equal(e.details.parentId, C1.id);
      // an item that went to the trash with its parent is restored with it, not on its own
      const inner = await A.restore(a1.id);
      assert.ok(inner.status === 404 || inner.status === 409, `restoring a non-root item: ${inner.status}`);
      must(await A.restore(C1.id), 200);
      let snap = await A.snapshot();
      assert.ok(byId(snap.assets, a1.id), 'a1 came back with C1');
      assert.equal(byId(snap.collections, C2.id), undefined, 'C2 was trashed on its own: it stays');
      must(await A.restore(C2.id), 200);
      snap = await A.snapshot();
      assert.ok(byId(snap.assets, a2.id));

      // an asset trashed on its own, then its collection
      must(await A.deleteAsset(a2.id), 200);
      must(await A.deleteCollection(C2.id), 200);
      assert.equal(refused(await A.restore(a2.id), 409, 'conflict').details.parentId, C2.id);
      must(await A.restore(C2.id), 200);
      must(await A.restore(a2.id), 200);

      // name taken at the old place, for assets and collections
      must(await A.deleteAsset(a2.id), 200);
      const usurper = must(await A.asset({ collectionId: C2.id, name: 'a2', extension: 'png' }), 201);
      const taken = refused(await A.restore(a2.id), 409, 'conflict');
      assert.equal(taken.details.existingId, usurper.id);
      must(await A.updateAsset(usurper.id, { name: 'a2-new' }), 200);
      must(await A.restore(a2.id), 200);
      must(await A.deleteCollection(C1.id), 200);
      const c1b = must(await A.collection({ parentId: R.id, name: 'C1' }), 201);
      assert.equal(refused(await A.restore(C1.id), 409, 'conflict').details.existingId, c1b.id);
      // through the push: a conflict result
      const pushed = must(await A.push([['restore-c1', { type: 'trash.restore', id: C1.id }]]), 200);
      assert.equal(pushed.results[0].status, 'conflict');
      assert.equal(pushed.results[0].existingId, c1b.id);
      must(await A.deleteCollection(c1b.id), 200);
      must(await A.restore(C1.id), 200);
      refused(await A.restore(c1b.id), 409, 'conflict', 'now the other one is in the way');
      refused(await A.restore(randomUUID()), 404, 'not_found');
    });

    test('purge removes rows for good; dependencies into purged items disappear', async () => {
      const { p, A, R, C1, C2, a1, a2, a3, dep } = await tree();
      const art = as('Art', p.id);
      const cp1 = must(await art.checkpoint(a1.id, { statusId: p.st.wip }), 201);
      must(await art.checkpoint(a1.id, { fileHash: H2, chunks: [H2] }), 201);
      const req = must(await as('Art2', p.id).request(a1.id), 201);
      const toA1 = must(await A.dep(a3.id, { targetAssetId: a1.id, dependencyType: 'references' }), 201);
      const fromA1 = must(await A.dep(a1.id, { targetAssetId: a3.id, dependencyType: 'uses' }), 201);
      const toC2 = must(await A.dep(a3.id, { targetCollectionId: C2.id, dependencyType: 'based-on' }), 201);
      const keep = must(await A.dep(a3.id, { targetCollectionId: R.id, dependencyType: 'uses' }), 201);

      refused(await A.purge(a1.id), 404, 'not_found', 'only trashed items are purged');
      must(await A.deleteAsset(a1.id), 200);
      const cursor = must(await A.pull(), 200).cursor;
      refused(await as('PM', p.id).purge(a1.id), 403, 'forbidden', 'PM lacks trash.purge');
      assert.deepEqual(must(await A.purge(a1.id), 200), { purged: a1.id, kind: 'asset' });
      assert.equal((await rowsOf('assets', 'id', [a1.id])).length, 0);
      assert.equal((await rowsOf('checkpoints', 'asset_id', [a1.id])).length, 0);
      assert.equal((await rowsOf('status_changes', 'asset_id', [a1.id])).length, 0);
      assert.equal((await rowsOf('control_requests', 'id', [req.id])).length, 0);
      assert.equal((await rowsOf('dependencies', 'id', [toA1.id, fromA1.id])).length, 0, 'dependencies from and into the purged asset');
      const inc = must(await A.pull(cursor), 200);
      assert.equal(inc.reset, false);
      assert.deepEqual(inc.changes.filter((c: any) => c.entity === 'dependency' && c.change === 'remove').map((c: any) => c.id).sort(), [toA1.id, fromA1.id].sort());
      refused(await A.restore(a1.id), 404, 'not_found', 'purged is gone');
      refused(await A.purge(a1.id), 404, 'not_found');
      assert.ok(cp1);

      // a whole subtree
      must(await A.deleteCollection(C1.id), 200);
      must(await A.purge(C1.id), 200);
      assert.equal((await rowsOf('collections', 'id', [C1.id, C2.id])).length, 0);
      assert.equal((await rowsOf('assets', 'id', [a2.id])).length, 0);
      assert.equal((await rowsOf('dependencies', 'id', [dep.id, toC2.id])).length, 0, 'into a purged asset and a purged collection');
      assert.equal((await rowsOf('dependencies', 'id', [keep.id])).length, 1);
      const snap = await A.snapshot();
      assert.deepEqual(ids(snap.collections), [R.id]);
      assert.deepEqual(ids(snap.assets), [a3.id]);
      assert.deepEqual(ids(snap.dependencies), [keep.id]);
      // the name is free again at the old place
      must(await A.collection({ parentId: R.id, name: 'C1' }), 201);
      assert.ok((await audit(w, 'trash.purged')).some((e) => e.targetId === C1.id));
    });

    test('purging a collection whose subtree holds items trashed on their own', async () => {
      const { A, C1, C2, a1, a2, a3, dep } = await tree();
      const inner = must(await A.dep(a2.id, { targetCollectionId: C1.id, dependencyType: 'uses' }), 201);
      const intoA1 = must(await A.dep(a3.id, { targetAssetId: a1.id, dependencyType: 'uses' }), 201);
      must(await A.deleteAsset(a2.id), 200); // a2 in C2, trashed on its own
      must(await A.deleteCollection(C2.id), 200); // C2 in C1, trashed on its own
      must(await A.deleteAsset(a1.id), 200);
      must(await A.deleteCollection(C1.id), 200);
      // everything below goes, whatever trash entry it came from
      must(await A.purge(C1.id), 200);
      assert.equal((await rowsOf('collections', 'id', [C1.id, C2.id])).length, 0);
      assert.equal((await rowsOf('assets', 'id', [a1.id, a2.id])).length, 0);
      assert.equal((await rowsOf('dependencies', 'id', [inner.id, intoA1.id, dep.id])).length, 0);
      refused(await A.restore(C2.id), 404, 'not_found');
      refused(await A.restore(a2.id), 404, 'not_found');
      const snap = await A.snapshot();
      assert.deepEqual(ids(snap.assets), [a3.id]);
      assert.deepEqual(snap.dependencies, []);
    });

    test('restore replays parents before children', async () => {
      // Ids chosen so that any order by parent id or by id would put children first.
      const p = await makeProject(w, {});
      const A = as('owner', p.id);
      const idOf = (d: string) => `${d.repeat(8)}-${d.repeat(4)}-4${d.repeat(3)}-8${d.repeat(3)}-${d.repeat(12)}`;
      const chain = ['f', 'c', '9', '6', '3', '0'].map(idOf);
      let parentId: string | null = null;
      for (const [i, id] of chain.entries()) {
        must(await A.collection({ id, parentId, name: `level ${i}` }), 201);
        parentId = id;
      }
      must(await A.deleteCollection(chain[0]), 200);
      const cursor = must(await A.pull(), 200).cursor;
      must(await A.restore(chain[0]), 200);
      const inc = must(await A.pull(cursor), 200);
      assert.equal(inc.reset, false);
      assert.deepEqual(inc.changes.filter((c: any) => c.entity === 'collection').map((c: any) => c.id), chain);
    });

    test('who may delete, restore and purge', async () => {
      const { p, A, a2, a3 } = await tree();
      refused(await as('Sup', p.id).deleteAsset(a3.id), 403, 'forbidden', 'Supervisor lacks asset.delete');
      refused(await as('PM', p.id).deleteAsset(a3.id), 403, 'forbidden', 'PM: no deletes');
      refused(await as('Art', p.id).deleteAsset(a3.id), 403, 'forbidden');
      must(await A.deleteAsset(a3.id), 200);
      must(await A.deleteAsset(a2.id), 200);
      refused(await as('Sup', p.id).restore(a3.id), 403, 'forbidden', 'Supervisor lacks trash.restore');
      refused(await as('Art', p.id).restore(a3.id), 403, 'forbidden');
      must(await as('PM', p.id).restore(a3.id), 200, 'PM restores');
      refused(await as('PM', p.id).purge(a2.id), 403, 'forbidden');
      refused(await as('Sup', p.id).purge(a2.id), 403, 'forbidden');
      refused(await as('Art', p.id).purge(a2.id), 403, 'forbidden');
      // a custom role with trash.purge may purge
      const purger = must(await h.as(w.owner).post(`/projects/${p.id}/roles`, { name: 'Purger', permissions: ['trash.purge', 'asset.view_all'] }), 201);
      must(await h.as(w.owner).patch(`/projects/${p.id}/members/${w.u.Art2.userId}`, { roleId: purger.id }), 200);
      must(await as('Art2', p.id).purge(a2.id), 200);
      // refusals through the push are audited
      const pushed = must(await as('Sup', p.id).push([['p1', { type: 'trash.purge', id: a3.id }]]), 200);
      assert.equal(pushed.results[0].code, 'forbidden');
      assert.ok((await audit(w, 'sync.op_refused')).some((e) => e.actorId === w.u.Sup.userId && e.after.type === 'trash.purge'));
      assert.ok((await audit(w, 'request.refused')).some((e) => e.actorId === w.u.PM.userId && e.after.action === 'trash.purge'));
    });

    test('checkpoints to the trash and back', async () => {
      const { p, A, a1, a2 } = await tree();
      const art = as('Art', p.id);
      const sup = as('Sup', p.id);
      const c1 = must(await art.checkpoint(a1.id), 201);
      const c2 = must(await art.checkpoint(a1.id, { fileHash: H2, chunks: [H2], statusId: p.st.wfa }), 201);
      refused(await art.r('DELETE', `/checkpoints/${c2.id}`), 403, 'forbidden', 'Artist lacks checkpoint.delete');
      refused(await as('PM', p.id).r('DELETE', `/checkpoints/${c2.id}`), 403, 'forbidden', 'PM lacks checkpoint.delete');
      const cursor = must(await A.pull(), 200).cursor;
      must(await sup.r('DELETE', `/checkpoints/${c2.id}`), 200);
      let snap = await A.snapshot();
      assert.deepEqual(snap.checkpoints.filter((c: any) => c.assetId === a1.id).map((c: any) => c.id), [c1.id]);
      const inc = must(await A.pull(cursor), 200);
      assert.ok(inc.changes.some((c: any) => c.entity === 'checkpoint' && c.id === c2.id && c.change === 'remove'));
      refused(await sup.r('POST', `/checkpoints/${c2.id}/revert`, {}), 404, 'not_found', 'a trashed checkpoint cannot be reverted to');
      refused(await sup.r('DELETE', `/checkpoints/${c2.id}`), 404, 'not_found', 'twice');
      // numbers are never reused while the trashed one exists
      const c3 = must(await art.checkpoint(a1.id), 201);
      assert.equal(c3.number, 3);
      // restore: back in the history
      refused(await sup.restore(c2.id), 403, 'forbidden');
      must(await as('PM', p.id).restore(c2.id), 200);
      snap = await A.snapshot();
      assert.deepEqual(snap.checkpoints.filter((c: any) => c.assetId === a1.id).map((c: any) => c.number).sort(), [1, 2, 3]);
      refused(await A.restore(c2.id), 404, 'not_found', 'not in the trash any more');
      // a checkpoint whose asset is in the trash waits for its asset
      const r1 = must(await A.checkpoint(a2.id), 201);
      must(await A.r('DELETE', `/checkpoints/${r1.id}`), 200);
      must(await A.deleteAsset(a2.id), 200);
      assert.equal(refused(await A.restore(r1.id), 409, 'conflict').details.parentId, a2.id);
      must(await A.restore(a2.id), 200);
      must(await A.restore(r1.id), 200);
      // purge a checkpoint: gone; the trail keeps the status change without it
      must(await sup.r('DELETE', `/checkpoints/${c2.id}`), 200);
      must(await A.purge(c2.id), 200);
      assert.equal((await rowsOf('checkpoints', 'id', [c2.id])).length, 0);
      const trail = await rowsOf('status_changes', 'asset_id', [a1.id]);
      assert.equal(trail.length, 1);
      assert.equal(trail[0].checkpoint_id, null);
      assert.equal(trail[0].to_status_id, p.st.wfa);
      assert.ok((await audit(w, 'checkpoint.trashed')).some((e) => e.targetId === c2.id && e.actorId === w.u.Sup.userId));
    });
  });
}
