// Sync through the HTTP API: push batches (per-op answers, idempotent retries, one bad op alone,
// refused ops audited), pull (incremental changes, paging that never splits a revision, snapshots
// when what the caller may see changes), no name of an invisible item in any pull, bad cursors,
// and concurrent pushes (distinct, contiguous revisions, nothing lost).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createHarness, dbKinds, type Harness } from '@backlot/test-kit/harness';
import { allStrings, As, audit, byId, ids, makeProject, makeWorld, must, refused, type Project, type World } from '@backlot/test-kit/production-world';

const SECRET = 'SECRETMARK';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

for (const kind of dbKinds()) {
  describe(`sync push and pull (${kind})`, () => {
    let h: Harness;
    let w: World;
    before(async () => {
      h = await createHarness(kind);
      w = await makeWorld(h, ['PM', 'Sup', 'Art', 'Art2', 'Ven', 'Ven2']);
    });
    after(async () => { await h.close(); });

    const as = (who: string, pid: string) => new As(h, who === 'owner' ? w.owner : w.u[who], pid);
    const uid = (who: string) => (who === 'owner' ? w.owner.userId : w.u[who].userId);
    const revisionOf = async (pid: string) => Number((await h.deps.db.selectFrom('projects').select('revision').where('id', '=', pid).executeTakeFirstOrThrow()).revision);

    /** Follows hasMore to the end; returns every page. */
    async function pullAll(c: As, since: string, limit?: number) {
      const pages: any[] = [];
      let cursor = since;
      for (let i = 0; i < 10_000; i++) {
        const page = must(await c.pull(cursor, limit), 200, 'pull page');
        pages.push(page);
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      return { pages, cursor };
    }

    test('push: per-op answers; one bad op does not stop the others; refused ops audited', async () => {
      const p = await makeProject(w, { Art: 'artist', PM: 'production_manager' });
      const A = as('owner', p.id);
      const home = must(await A.collection({ name: 'Home', shared: true }), 201);
      const rev0 = await revisionOf(p.id);
      const batch: [string, unknown][] = [
        ['b1', { type: 'collection.create', parentId: null, name: 'One' }],
        ['b2', { type: 'collection.create', parentId: null }], // malformed: no name
        ['b3', { type: 'collection.create', parentId: null, name: 'Home' }], // conflict
        ['b4', { type: 'no.such.op', name: 'x' }],
        ['b5', 42],
        ['b6', null],
        ['b7', { type: 'collection.create', parentId: null, name: 'Two', extra: true }],
        ['b8', { type: 'collection.delete', id: randomUUID() }],
        ['b9', { type: 'collection.create', parentId: home.id, name: 'Three' }],
      ];
      const res = must(await A.push(batch), 200).results;
      assert.deepEqual(res.map((r: any) => r.opId), batch.map(([id]) => id), 'answers in order, one per op');
      assert.deepEqual(res.map((r: any) => r.status), ['applied', 'rejected', 'conflict', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'applied']);
      for (const i of [1, 3, 4, 5, 6]) assert.equal(res[i].code, 'validation_failed', `op ${batch[i][0]}`);
      assert.equal(res[2].existingId, home.id);
      assert.equal(res[7].code, 'not_found');
      assert.equal(res[0].revision, rev0 + 1);
      assert.equal(res[8].revision, rev0 + 2, 'refused ops take no revision');
      assert.equal(res[0].result.name, 'One');
      assert.equal(await revisionOf(p.id), rev0 + 2);

      // the artist's forbidden ops are refused and audited; their allowed ones apply
      const art = as('Art', p.id);
      const task = must(await A.asset({ collectionId: home.id, name: 'task', kind: 'task', assigneeId: uid('Art') }), 201);
      const ar = must(await art.push([
        ['a1', { type: 'collection.create', parentId: null, name: 'Artist was here' }],
        ['a2', { type: 'task.status', assetId: task.id, statusId: p.st.wip }],
        ['a3', { type: 'task.assign', assetId: task.id, assigneeId: uid('PM') }],
        ['a4', { type: 'settings.update', tags: ['mine'] }],
        ['a5', await art.cpOp(task.id)],
      ]), 200).results;
      assert.deepEqual(ar.map((r: any) => [r.status, r.code]), [['rejected', 'forbidden'], ['applied', undefined], ['rejected', 'forbidden'], ['rejected', 'forbidden'], ['applied', undefined]]);
      const refusedOps = (await audit(w, 'sync.op_refused')).filter((e) => e.projectId === p.id && e.actorId === uid('Art'));
      assert.deepEqual(refusedOps.map((e) => e.targetId).sort(), ['a1', 'a3', 'a4']);
      assert.ok(refusedOps.every((e) => e.after.code === 'forbidden' && typeof e.after.type === 'string'));
      assert.equal(refusedOps.find((e) => e.targetId === 'a4').after.type, 'settings.update');

      // batch limits and shape
      refused(await A.r('POST', '/ops', { ops: [] }), 400, 'validation_failed', 'empty batch');
      refused(await A.push(Array.from({ length: 501 }, (_, i): [string, unknown] => [`x${i}`, { type: 'collection.delete', id: randomUUID() }])), 400, 'validation_failed', 'batch too large');
      refused(await A.push([['bad op id!', { type: 'collection.create', parentId: null, name: 'x' }]]), 400, 'validation_failed', 'op id pattern');
      refused(await A.r('POST', '/ops', { ops: [{ opId: 'a', op: {}, actorId: uid('PM') }] }), 400, 'validation_failed', 'no identity fields');
      refused(await as('Ven', p.id).push([['v1', { type: 'collection.create', parentId: null, name: 'x' }]]), 404, 'not_found', 'not a member');
      refused(await h.request('POST', `/projects/${p.id}/ops`, { body: { ops: [{ opId: 'anon', op: { type: 'collection.delete', id: randomUUID() } }] } }), 401);
    });

    test('push: retries by op id return the same answer and revision; op ids are per member', async () => {
      const p = await makeProject(w, { PM: 'production_manager', Art: 'artist' });
      const pm = as('PM', p.id);
      const batch: [string, unknown][] = [
        ['r1', { type: 'collection.create', parentId: null, name: 'Retry', shared: true }],
        ['r2', { type: 'collection.create', parentId: null, name: '../escape' }],
      ];
      const first = must(await pm.push(batch), 200).results;
      const rev = await revisionOf(p.id);
      const again = must(await pm.push(batch), 200).results;
      assert.deepEqual(again[0], first[0], 'the stored answer, same revision and result');
      assert.equal(again[1].status, 'rejected');
      assert.equal(await revisionOf(p.id), rev, 'a replay takes no revision');
      const snap = await pm.snapshot();
      assert.equal(snap.collections.filter((c: any) => c.name === 'Retry').length, 1, 'applied once');
      // the same id with a different op is a conflict, not the first op's answer; the same op
      // with its keys in another order is a retry
      const changed = must(await pm.push([['r1', { type: 'collection.create', parentId: null, name: 'Different' }]]), 200).results[0];
      assert.equal(changed.status, 'conflict');
      assert.equal(changed.code, 'op_id_reused');
      assert.equal(changed.details.opId, 'r1');
      const reordered = must(await pm.push([['r1', { shared: true, name: 'Retry', parentId: null, type: 'collection.create' }]]), 200).results[0];
      assert.deepEqual(reordered, first[0]);
      assert.equal(await revisionOf(p.id), rev, 'neither took a revision');
      // another member's op id space is their own
      const mine = must(await as('owner', p.id).push([['r1', { type: 'collection.create', parentId: null, name: 'Admin r1' }]]), 200).results[0];
      assert.equal(mine.status, 'applied');
      assert.equal(mine.revision, rev + 1);
      // REST writes and pushes share one revision sequence
      const viaRest = must(await pm.collection({ name: 'Rest' }), 201);
      assert.equal(viaRest.createdRev, rev + 2);
      // a rejected op id may be retried with a fixed op
      const fixed = must(await pm.push([['r2', { type: 'collection.create', parentId: null, name: 'escape' }]]), 200).results[0];
      assert.equal(fixed.status, 'applied');
      // concurrent retries of one op id apply it once
      const task = must(await as('owner', p.id).asset({ collectionId: first[0].result.id, name: 't', kind: 'task', assigneeId: uid('Art') }), 201);
      const art = as('Art', p.id);
      const op = await art.cpOp(task.id);
      const answers = await Promise.all(Array.from({ length: 6 }, () => art.push([['same-op', op]])));
      const results = answers.map((r) => must(r, 200, 'concurrent retry').results[0]);
      assert.ok(results.every((r) => r.status === 'applied'), JSON.stringify(results));
      assert.equal(new Set(results.map((r) => r.revision)).size, 1, 'one revision for all retries');
      const cps = await h.deps.db.selectFrom('checkpoints').select('id').where('asset_id', '=', task.id).execute();
      assert.equal(cps.length, 1, 'one checkpoint');
    });

    test('pull: snapshot, then incremental changes after the cursor', async () => {
      const p = await makeProject(w, { Art: 'artist' });
      const A = as('owner', p.id);
      const art = as('Art', p.id);
      const shared = must(await A.collection({ name: 'Shared', shared: true }), 201);
      const first = must(await art.pull(), 200);
      assert.equal(first.reset, true);
      assert.equal(first.hasMore, false);
      assert.equal(first.revision, await revisionOf(p.id));
      assert.match(first.cursor, /^\d+\.[A-Za-z0-9_-]{16}$/);
      assert.deepEqual(ids(first.snapshot.collections), [shared.id]);
      assert.deepEqual(first.snapshot.statuses.map((s: any) => s.key), ['todo', 'wip', 'wfa', 'retake', 'done']);
      assert.ok(first.snapshot.members.some((m: any) => m.userId === uid('Art')));
      assert.ok(Array.isArray(first.snapshot.settings.dependencyTypes));

      const none = must(await art.pull(first.cursor), 200);
      assert.equal(none.reset, false);
      assert.deepEqual(none.changes, []);
      assert.equal(none.cursor, first.cursor, 'nothing happened: the same cursor');

      const rev = await revisionOf(p.id);
      const a = must(await A.asset({ collectionId: shared.id, name: 'prop', extension: 'fbx' }), 201);
      must(await A.updateAsset(a.id, { name: 'prop2' }), 200);
      const st = must(await A.r('POST', '/statuses', { name: 'Hold', shortLabel: 'HLD', color: '#123456', category: 'active' }), 201);
      const inc = must(await art.pull(first.cursor), 200);
      assert.equal(inc.reset, false);
      assert.equal(inc.revision, rev + 3);
      assert.deepEqual(inc.changes.map((c: any) => [c.revision, c.entity, c.id, c.change]), [
        [rev + 1, 'asset', a.id, 'upsert'], [rev + 2, 'asset', a.id, 'upsert'], [rev + 3, 'status', st.id, 'upsert'],
      ]);
      assert.equal(inc.changes[1].data.name, 'prop2');
      assert.equal(inc.changes[0].actorId, uid('owner'));
      assert.ok(inc.changes.every((c: any) => typeof c.at === 'string'));
      const after = must(await art.pull(inc.cursor), 200);
      assert.deepEqual(after.changes, []);
      // the cursor from the middle still works
      const mid = must(await art.pull(inc.cursor.replace(/^\d+/, String(rev + 1))), 200);
      assert.ok(mid.reset === true || mid.changes.every((c: any) => c.revision > rev + 1));
    });

    test('pull paging: a page never splits a revision; every change is delivered exactly once', async () => {
      const p = await makeProject(w, {});
      const A = as('owner', p.id);
      const start = must(await A.pull(), 200).cursor;
      const box = must(await A.collection({ name: 'Box' }), 201);
      for (let i = 0; i < 7; i++) must(await A.asset({ collectionId: box.id, name: `item ${i}` }), 201);
      must(await A.collection({ parentId: box.id, name: 'Inner' }), 201);
      must(await A.deleteCollection(box.id), 200); // one revision, 9 removals
      must(await A.collection({ name: 'After' }), 201);
      must(await A.restore(box.id), 200); // one revision, 9 upserts
      for (let i = 0; i < 3; i++) must(await A.collection({ name: `tail ${i}` }), 201);

      const key = (c: any) => JSON.stringify([c.revision, c.entity, c.id, c.change, c.data]);
      const whole = must(await A.pull(start), 200);
      assert.equal(whole.hasMore, false);
      const expected = whole.changes.map(key);
      const perRevision = new Map<number, number>();
      for (const c of whole.changes) perRevision.set(c.revision, (perRevision.get(c.revision) ?? 0) + 1);
      assert.ok(Math.max(...perRevision.values()) >= 9, 'the fixture has big revisions');

      for (const limit of [1, 2, 3, 5, 8, 9, 10, 50]) {
        const { pages, cursor } = await pullAll(A, start, limit);
        const got = pages.flatMap((pg) => pg.changes.map(key));
        assert.deepEqual(got, expected, `limit ${limit}: every change exactly once, in order`);
        for (const [i, pg] of pages.entries()) {
          assert.equal(pg.reset, false);
          const revs = pg.changes.map((c: any) => c.revision);
          for (const r of new Set<number>(revs)) assert.equal(revs.filter((x: number) => x === r).length, perRevision.get(r), `limit ${limit}: revision ${r} whole in one page`);
          if (i < pages.length - 1) assert.equal(pg.hasMore, true);
          if (revs.length) assert.ok(Math.max(...revs) <= pg.revision, 'cursor at or after the last revision shown');
        }
        assert.equal(cursor, whole.cursor, `limit ${limit}: ends at the same cursor`);
      }
      refused(await A.pull(start, -1 as any), 400);
      refused(await h.request('GET', `/projects/${p.id}/changes?limit=abc`, { token: w.owner.token }), 400);
    });

    test('pull paging with a limit above the maximum loses nothing', async () => {
      const p = await makeProject(w, {});
      const A = as('owner', p.id);
      const start = must(await A.pull(), 200).cursor;
      const col = must(await A.collection({ name: 'Many' }), 201);
      const n = 1005;
      for (let i = 0; i < n; i += 500) {
        const ops = Array.from({ length: Math.min(500, n - i) }, (_, j): [string, unknown] => [`m${i + j}`, { type: 'asset.create', collectionId: col.id, name: `a${i + j}` }]);
        const res = must(await A.push(ops), 200).results;
        assert.ok(res.every((r: any) => r.status === 'applied'));
      }
      const { pages } = await pullAll(A, start, 5000);
      const got = pages.flatMap((pg) => pg.changes);
      assert.equal(got.length, n + 1, 'the collection and every asset');
      assert.equal(new Set(got.map((c: any) => c.revision)).size, n + 1);
    });

    /**
     * The vendor's world: T (task, hidden) -> D1 (hidden) -> C3 (whole collection, hidden, with a
     * sub-collection), D1 -> T (cycle), X2 (in C3's sub-collection) -> D2; secret items that must
     * never show, one of which depends on D1.
     */
    async function vendorWorld(p: Project) {
      const A = as('owner', p.id);
      const H = must(await A.collection({ name: 'H' }), 201);
      const H2 = must(await A.collection({ name: 'H2' }), 201);
      const C3 = must(await A.collection({ name: 'C3' }), 201);
      const C3sub = must(await A.collection({ parentId: C3.id, name: 'C3sub' }), 201);
      const S = must(await A.collection({ name: `${SECRET} folder` }), 201);
      const Ssub = must(await A.collection({ parentId: S.id, name: `${SECRET} sub` }), 201);
      const T = must(await A.asset({ collectionId: H.id, name: 'T', kind: 'task' }), 201);
      const D1 = must(await A.asset({ collectionId: H2.id, name: 'D1' }), 201);
      const D2 = must(await A.asset({ collectionId: H2.id, name: 'D2' }), 201);
      const X1 = must(await A.asset({ collectionId: C3.id, name: 'X1' }), 201);
      const X2 = must(await A.asset({ collectionId: C3sub.id, name: 'X2' }), 201);
      const Sa = must(await A.asset({ collectionId: S.id, name: `${SECRET} asset`, description: `${SECRET} description`, tags: [`${SECRET}tag`] }), 201);
      const St = must(await A.asset({ collectionId: Ssub.id, name: `${SECRET} task`, kind: 'task', assigneeId: uid('Sup') }), 201);
      const Sh = must(await A.asset({ collectionId: H.id, name: `${SECRET} sibling` }), 201); // beside T, not a dependency
      const deps = {
        TD1: must(await A.dep(T.id, { targetAssetId: D1.id, dependencyType: 'uses' }), 201),
        D1T: must(await A.dep(D1.id, { targetAssetId: T.id, dependencyType: 'references' }), 201),
        D1C3: must(await A.dep(D1.id, { targetCollectionId: C3.id, dependencyType: 'based-on' }), 201),
        X2D2: must(await A.dep(X2.id, { targetAssetId: D2.id, dependencyType: 'uses' }), 201),
        SaD1: must(await A.dep(Sa.id, { targetAssetId: D1.id, dependencyType: 'uses' }), 201),
      };
      must(await as('Sup', p.id).checkpoint(St.id, { comment: `${SECRET} comment` }), 201);
      return { A, H, H2, C3, C3sub, S, Ssub, T, D1, D2, X1, X2, Sa, St, Sh, deps };
    }

    const noSecrets = (body: unknown, what: string) => {
      const leaked = allStrings(body).filter((s) => s.includes(SECRET));
      assert.deepEqual(leaked, [], `${what}: names of invisible items leaked`);
    };

    test('pull after visibility changes: assignment adds the closure, reassignment drops it, removal ends access', async () => {
      const p = await makeProject(w, { Ven: 'vendor', Art: 'artist', Sup: 'supervisor' });
      const v = await vendorWorld(p);
      const { A, T, D1, D2, X1, X2 } = v;
      const ven = as('Ven', p.id);
      const c0 = must(await ven.pull(), 200);
      noSecrets(c0, 'initial snapshot');
      assert.deepEqual(c0.snapshot.assets, []);
      assert.deepEqual(c0.snapshot.collections, []);
      assert.deepEqual(c0.snapshot.dependencies, []);

      must(await A.assign(T.id, uid('Ven')), 200);
      const c1 = must(await ven.pull(c0.cursor), 200);
      noSecrets(c1, 'after assignment');
      assert.equal(c1.reset, true, 'visibility changed: a snapshot');
      assert.deepEqual(ids(c1.snapshot.assets), ids([T, D1, D2, X1, X2]));
      const full = c1.snapshot.collections.filter((c: any) => !c.nameOnly);
      const named = c1.snapshot.collections.filter((c: any) => c.nameOnly);
      assert.deepEqual(ids(full), ids([v.C3, v.C3sub]), 'a collection dependency shows the whole collection');
      assert.deepEqual(ids(named), ids([v.H, v.H2]), 'parents by name only');
      for (const c of named) assert.deepEqual(Object.keys(c).sort(), ['id', 'name', 'nameOnly', 'parentId']);
      assert.deepEqual(ids(c1.snapshot.dependencies), ids([v.deps.TD1, v.deps.D1T, v.deps.D1C3, v.deps.X2D2]));
      assert.equal(byId(c1.snapshot.assets, T.id).assigneeId, uid('Ven'));

      // ordinary changes to visible items arrive incrementally
      must(await A.updateAsset(D1.id, { name: 'D1 renamed' }), 200);
      must(await A.updateAsset(v.Sa.id, { name: `${SECRET} asset 2` }), 200);
      const c2 = must(await ven.pull(c1.cursor), 200);
      noSecrets(c2, 'incremental');
      assert.equal(c2.reset, false);
      assert.deepEqual(c2.changes.map((c: any) => [c.id, c.data.name]), [[D1.id, 'D1 renamed']]);
      // the vendor's checkpoint on T arrives to others as a change
      const cp = must(await ven.checkpoint(T.id), 201);
      const c3 = must(await ven.pull(c2.cursor), 200);
      assert.equal(c3.reset, false);
      assert.ok(c3.changes.some((c: any) => c.entity === 'checkpoint' && c.id === cp.id));

      // a new dependency of the task on an older hidden item: a snapshot with it
      must(await A.dep(T.id, { targetAssetId: v.Sh.id, dependencyType: 'references' }), 201);
      const c4 = must(await ven.pull(c3.cursor), 200);
      assert.equal(c4.reset, true);
      assert.ok(byId(c4.snapshot.assets, v.Sh.id), 'the new dependency is visible now');
      must(await A.r('DELETE', `/dependencies/${byId(c4.snapshot.dependencies.filter((d: any) => d.targetAssetId === v.Sh.id), c4.snapshot.dependencies.find((d: any) => d.targetAssetId === v.Sh.id).id).id}`), 200);
      const c5 = must(await ven.pull(c4.cursor), 200);
      noSecrets(c5, 'after the dependency went');
      assert.equal(c5.reset, true);
      assert.equal(byId(c5.snapshot.assets, v.Sh.id), undefined);

      // reassigned away: a snapshot without the task and its closure
      must(await A.assign(T.id, uid('Art')), 200);
      const c6 = must(await ven.pull(c5.cursor), 200);
      noSecrets(c6, 'after reassignment');
      assert.equal(c6.reset, true);
      assert.deepEqual(c6.snapshot.assets, []);
      assert.deepEqual(c6.snapshot.collections, []);
      assert.deepEqual(c6.snapshot.checkpoints, []);
      // and the new assignee gets it
      const art = must(await as('Art', p.id).pull(), 200);
      noSecrets(art, 'new assignee');
      assert.ok(byId(art.snapshot.assets, T.id));

      // unassigned and assigned back, then removed from the project: 404 at once
      must(await A.assign(T.id, uid('Ven')), 200);
      const c7 = must(await ven.pull(c6.cursor), 200);
      assert.equal(c7.reset, true);
      assert.deepEqual(ids(c7.snapshot.assets), ids([T, D1, D2, X1, X2]));
      must(await h.as(w.owner).delete(`/projects/${p.id}/members/${uid('Ven')}`), 200);
      refused(await ven.pull(c7.cursor), 404, 'not_found');
      refused(await ven.pull(), 404, 'not_found');
      refused(await ven.push([['gone', { type: 'task.status', assetId: T.id, statusId: p.st.wip }]]), 404, 'not_found');
    });

    test('pull after a role change and after the shared flag flips', async () => {
      const p = await makeProject(w, { Art2: 'artist', Sup: 'supervisor' });
      const v = await vendorWorld(p);
      const { A } = v;
      const art = as('Art2', p.id);
      const c0 = must(await art.pull(), 200);
      assert.deepEqual(c0.snapshot.assets, []);
      // view_all through a role change: everything, on the very next pull
      must(await h.as(w.owner).patch(`/projects/${p.id}/members/${uid('Art2')}`, { roleId: p.roles.supervisor }), 200);
      const c1 = must(await art.pull(c0.cursor), 200);
      assert.equal(c1.reset, true);
      const all = await A.snapshot();
      assert.deepEqual(ids(c1.snapshot.assets), ids(all.assets));
      assert.deepEqual(ids(c1.snapshot.collections), ids(all.collections));
      assert.ok(c1.snapshot.collections.every((c: any) => !c.nameOnly));
      // editing the role's permissions counts as a role change too
      const custom = must(await h.as(w.owner).post(`/projects/${p.id}/roles`, { name: 'Looker', permissions: ['asset.view_all', 'collection.view_all', 'checkpoint.view'] }), 201);
      must(await h.as(w.owner).patch(`/projects/${p.id}/members/${uid('Art2')}`, { roleId: custom.id }), 200);
      const c2 = must(await art.pull(c1.cursor), 200);
      assert.equal(c2.reset, true);
      must(await h.as(w.owner).patch(`/projects/${p.id}/roles/${custom.id}`, { permissions: ['checkpoint.view'] }), 200);
      const c3 = must(await art.pull(c2.cursor), 200);
      assert.equal(c3.reset, true, 'permissions of the role changed');
      noSecrets(c3, 'view_all taken away');
      assert.deepEqual(c3.snapshot.assets, []);
      // back to Artist
      must(await h.as(w.owner).patch(`/projects/${p.id}/members/${uid('Art2')}`, { roleId: p.roles.artist }), 200);
      const c4 = must(await art.pull(c3.cursor), 200);
      noSecrets(c4, 'artist again');

      // the shared flag: on shows the subtree (and its dependencies), off hides it again
      must(await A.updateCollection(v.C3.id, { shared: true }), 200);
      const c5 = must(await art.pull(c4.cursor), 200);
      noSecrets(c5, 'C3 shared');
      assert.equal(c5.reset, true);
      assert.deepEqual(ids(c5.snapshot.assets), ids([v.X1, v.X2, v.D2]));
      // changes inside the shared collection arrive incrementally
      const x3 = must(await A.asset({ collectionId: v.C3sub.id, name: 'X3' }), 201);
      const c6 = must(await art.pull(c5.cursor), 200);
      assert.equal(c6.reset, false);
      assert.deepEqual(c6.changes.map((c: any) => c.id), [x3.id]);
      must(await A.updateCollection(v.C3.id, { shared: false }), 200);
      const c7 = must(await art.pull(c6.cursor), 200);
      noSecrets(c7, 'C3 unshared');
      assert.equal(c7.reset, true);
      assert.deepEqual(c7.snapshot.assets, []);
      assert.deepEqual(c7.snapshot.collections, []);
      // a shared sub-collection: parents by name only
      must(await A.updateCollection(v.C3sub.id, { shared: true }), 200);
      const c8 = must(await art.pull(c7.cursor), 200);
      assert.equal(c8.reset, true);
      // X2 in it depends on D2 (in H2): H2 by name too
      assert.deepEqual(c8.snapshot.collections.map((c: any) => [c.id, !!c.nameOnly]).sort(), [[v.C3.id, true], [v.C3sub.id, false], [v.H2.id, true]].sort());
      assert.deepEqual(ids(c8.snapshot.assets), ids([v.X2, v.D2, x3]));
      noSecrets(c8, 'sub-collection shared');
    });

    test('asset.view_all without collection.view_all still sees the parent chain of every asset by name', async () => {
      const p = await makeProject(w, { Art2: 'assistant_supervisor', Sup: 'supervisor' });
      const v = await vendorWorld(p);
      const snap = await as('Art2', p.id).snapshot();
      const all = await v.A.snapshot();
      assert.deepEqual(ids(snap.assets), ids(all.assets), 'every asset');
      const parents = new Set(all.assets.map((a: any) => a.collectionId).filter(Boolean));
      for (const c of all.collections) if (c.parentId && parents.has(c.id)) parents.add(c.parentId);
      for (const id of parents) assert.ok(byId(snap.collections, id as string), `parent ${id} at least by name`);
    });

    test('a member never receives the name of an invisible item in any pull', async () => {
      const p = await makeProject(w, { Art: 'artist', Ven2: 'vendor', Sup: 'supervisor' });
      const v = await vendorWorld(p);
      const { A } = v;
      const shared = must(await A.collection({ name: 'Shared', shared: true }), 201);
      const mine = must(await A.asset({ collectionId: shared.id, name: 'mine', kind: 'task', assigneeId: uid('Art') }), 201);
      const watchers = ['Art', 'Ven2'].map((who) => ({ who, c: as(who, p.id), cursor: '' }));
      const bodies: { who: string; body: any }[] = [];
      const pullEveryone = async () => {
        for (const x of watchers) {
          // a paged pull, a whole pull and a snapshot each time
          const paged = await pullAll(x.c, x.cursor, 2);
          for (const page of paged.pages) bodies.push({ who: x.who, body: page });
          bodies.push({ who: x.who, body: must(await x.c.pull(x.cursor || undefined), 200) });
          bodies.push({ who: x.who, body: must(await x.c.pull(), 200) });
          x.cursor = paged.cursor;
        }
      };
      await pullEveryone();
      // a busy stretch of secret work, with visible work in between
      const S = v.S;
      const more = must(await A.collection({ parentId: S.id, name: `${SECRET} more` }), 201);
      must(await A.asset({ collectionId: more.id, name: `${SECRET} new`, extension: 'psd', tags: [`${SECRET}t`], description: `${SECRET} d` }), 201);
      await pullEveryone();
      must(await A.updateCollection(more.id, { name: `${SECRET} renamed`, description: `${SECRET} desc` }), 200);
      must(await A.updateAsset(v.Sa.id, { name: `${SECRET} again` }), 200);
      must(await A.updateAsset(mine.id, { name: 'mine v2' }), 200);
      must(await as('Sup', p.id).checkpoint(v.St.id, { comment: `${SECRET} second comment` }), 201);
      must(await as('Sup', p.id).status(v.St.id, p.st.wip), 200);
      const req = must(await A.request(v.St.id, { message: `${SECRET} may I` }), 201).id;
      await pullEveryone();
      must(await as('Sup', p.id).decline(req), 200);
      must(await A.dep(v.Sa.id, { targetCollectionId: more.id, dependencyType: 'uses' }), 201);
      must(await A.deleteCollection(more.id), 200);
      must(await A.restore(more.id), 200);
      must(await A.updateAsset(v.Sa.id, { collectionId: more.id }), 200);
      must(await as('Art', p.id).checkpoint(mine.id, { comment: 'visible work' }), 201);
      await pullEveryone();
      // visibility churn: the vendor gets T, then loses it
      must(await A.assign(v.T.id, uid('Ven2')), 200);
      await pullEveryone();
      must(await A.updateAsset(v.Sh.id, { name: `${SECRET} sibling 2` }), 200);
      must(await A.assign(v.T.id, null), 200);
      await pullEveryone();
      assert.ok(bodies.length > 30);
      for (const { who, body } of bodies) noSecrets(body, who);
      // the scan can fail: the admin does see the secrets
      assert.ok(allStrings(await A.snapshot()).some((s) => s.includes(SECRET)));
    });

    test('bad cursors: garbage and future cursors answer 400; a tampered or foreign cursor never shows more', async () => {
      const p = await makeProject(w, { Art: 'artist', Sup: 'supervisor' });
      const other = await makeProject(w, { Art: 'artist' });
      const v = await vendorWorld(p);
      const art = as('Art', p.id);
      const good = must(await art.pull(), 200).cursor as string;
      const [rev, digest] = good.split('.');
      for (const bad of ['garbage', '12', `${rev}.`, `.${digest}`, `${rev}.${digest}x`, `${rev}.${digest.slice(1)}`, `-1.${digest}`, `1e3.${digest}`, `${rev}.${digest.replace(/./, '+')}`, `${rev}.${digest}\u0000`, 'x'.repeat(41), '9'.repeat(16) + '.' + digest]) {
        const r = await art.pull(bad);
        assert.equal(r.status, 400, `cursor ${JSON.stringify(bad)}: ${JSON.stringify(r.body)}`);
        assert.ok(r.body.error, 'error shape');
      }
      refused(await art.pull(`${Number(rev) + 5}.${digest}`), 400, 'validation_failed', 'a cursor ahead of the server');
      // well-formed but tampered: the server's own view decides, never more than the caller may see
      const tampered = [`${rev}.AAAAAAAAAAAAAAAA`, `0.${digest}`, `1.${digest}`, `${Number(rev) - 1}.${digest}`];
      const adminCursor = must(await as('owner', p.id).pull(), 200).cursor;
      const foreign = must(await as('Art', other.id).pull(), 200).cursor;
      for (const c of [...tampered, adminCursor, foreign]) {
        const r = await art.pull(c);
        if (r.status === 400) continue;
        must(r, 200, `cursor ${c}`);
        noSecrets(r.body, `cursor ${c}`);
        if (r.body.reset) assert.deepEqual(r.body.snapshot.assets, []);
      }
      assert.equal(must(await art.pull(adminCursor), 200).reset, true, 'another member\'s cursor gets a snapshot');
      assert.ok(v.T);
    });

    test('concurrency: 20 parallel pushes from several members; distinct contiguous revisions, nothing lost', async () => {
      const p = await makeProject(w, { PM: 'production_manager', Sup: 'supervisor', Art: 'artist', Art2: 'artist', Ven: 'vendor' });
      const A = as('owner', p.id);
      const shared = must(await A.collection({ name: 'Shared', shared: true }), 201);
      const res = must(await A.asset({ collectionId: shared.id, name: 'shared resource' }), 201);
      const tasks: Record<string, string> = {};
      for (const who of ['Art', 'Art2', 'Ven', 'Sup']) tasks[who] = must(await A.asset({ collectionId: shared.id, name: `task of ${who}`, kind: 'task', assigneeId: uid(who) }), 201).id;
      // The Vendor sees only what is assigned to it and its dependencies (PRODUCT.md), not the
      // shared collection: its task uses the shared resource, so it checkpoints that too.
      must(await A.dep(tasks.Ven, { targetAssetId: res.id, dependencyType: 'uses' }), 201);
      // one status per op, so that every status op really changes something
      const statuses: string[] = [];
      for (let i = 0; i < 20; i++) statuses.push(must(await A.r('POST', '/statuses', { name: `step ${i}`, shortLabel: `S${i}`, color: '#101010', category: 'active' }), 201).id);
      const rev0 = await revisionOf(p.id);
      const people = ['owner', 'PM', 'Sup', 'Art', 'Art2', 'Ven'];
      const pushes = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const who = people[i % people.length];
        const c = as(who, p.id);
        const ops: [string, unknown][] = [];
        if (who === 'owner' || who === 'PM') {
          ops.push([`c${i}a`, { type: 'asset.create', collectionId: shared.id, name: `made ${i}` }]);
          ops.push([`c${i}b`, { type: 'collection.create', parentId: shared.id, name: `folder ${i}` }]);
          ops.push([`c${i}c`, { type: 'dependency.add', assetId: res.id, targetCollectionId: shared.id, dependencyType: i % 2 ? 'uses' : 'references' }]);
        } else {
          // each op its own chunk: a chunk row records one uploader
          ops.push([`c${i}a`, await c.cpOp(res.id, { comment: `resource by ${who} ${i}`, chunks: [sha(`r${i}`)] })]);
          ops.push([`c${i}b`, await c.cpOp(tasks[who], { comment: `task ${i}`, chunks: [sha(`t${i}`), sha(`u${i}`)] })]);
          ops.push([`c${i}c`, { type: 'task.status', assetId: tasks[who], statusId: statuses[i] }]);
        }
        return { who, i, reply: await c.push(ops) };
      }));
      const applied: { who: string; opId: string; revision: number; result: any }[] = [];
      const other: unknown[] = [];
      for (const { who, reply } of pushes) {
        for (const r of must(reply, 200, `push by ${who}`).results) {
          if (r.status === 'applied') applied.push({ who, opId: r.opId, revision: r.revision, result: r.result });
          else other.push({ who, ...r });
        }
      }
      // the owner/PM dependency ops: one per type is applied, the rest conflict as duplicates
      assert.ok(other.every((r: any) => r.status === 'conflict' && r.details.reason === 'duplicate'), JSON.stringify(other));
      assert.equal(applied.length + other.length, 60);
      const revisions = applied.map((a) => a.revision).sort((x, y) => x - y);
      assert.equal(new Set(revisions).size, revisions.length, 'every applied op has its own revision');
      assert.deepEqual(revisions, Array.from({ length: revisions.length }, (_, k) => rev0 + 1 + k), 'contiguous');
      assert.equal(await revisionOf(p.id), rev0 + revisions.length);
      // every revision is in the change log, and nothing was lost
      const log = await h.deps.db.selectFrom('change_log').select('revision').distinct().where('project_id', '=', p.id).where('revision', '>', rev0).execute();
      assert.equal(log.length, revisions.length);
      const snap = await A.snapshot();
      const made = applied.filter((a) => a.opId.endsWith('a') && (a.who === 'owner' || a.who === 'PM'));
      for (const m of made) assert.ok(byId(snap.assets, m.result.id), `asset ${m.opId} exists`);
      const resCps = snap.checkpoints.filter((c: any) => c.assetId === res.id).map((c: any) => c.number).sort((x: number, y: number) => x - y);
      const resOps = applied.filter((a) => a.opId.endsWith('a') && a.result.assetId === res.id);
      assert.deepEqual(resCps, Array.from({ length: resOps.length }, (_, k) => k + 1), 'checkpoint numbers 1..n, none lost or doubled');
      for (const who of ['Art', 'Art2', 'Ven', 'Sup']) {
        const n = applied.filter((a) => a.who === who && a.opId.endsWith('b')).length;
        assert.equal(snap.checkpoints.filter((c: any) => c.assetId === tasks[who]).length, n, `${who}'s task checkpoints`);
      }
      // an incremental pull from before sees every revision once
      const { pages } = await pullAll(A, `${rev0}.${(await A.pull()).body.cursor.split('.')[1]}`, 7);
      const seen = pages.flatMap((pg) => (pg.reset ? [] : pg.changes.map((c: any) => c.revision)));
      if (!pages[0].reset) assert.deepEqual([...new Set(seen)], revisions);
    });
  });
}
