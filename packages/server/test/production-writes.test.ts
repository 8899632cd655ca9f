// Production writes through the HTTP API: collections, assets, dependencies, names, client-chosen
// ids, project vocabularies and statuses, status rules and trail, checkpoint records, the soft lock
// (REST and sync push alike), and archived projects.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createHarness, dbKinds, type Harness } from '@backlot/test-kit/harness';
import { As, byId, CHUNK_SIZE, H1, H2, H3, makeProject, makeWorld, must, refused, audit, type World } from '@backlot/test-kit/production-world';

for (const kind of dbKinds()) {
  describe(`production writes (${kind})`, () => {
    let h: Harness;
    let w: World;
    before(async () => {
      h = await createHarness(kind);
      w = await makeWorld(h, ['PM', 'Sup', 'Art', 'Art2', 'Ven']);
    });
    after(async () => { await h.close(); });

    const as = (who: string, pid: string) => new As(h, who === 'owner' ? w.owner : w.u[who], pid);

    test('collections: nested create, rename, move (never into its own subtree), retype, describe, shared', async () => {
      const p = await makeProject(w, { PM: 'production_manager', Art: 'artist' });
      const A = as('owner', p.id);
      const pm = as('PM', p.id);
      must(await pm.r('PATCH', '/settings', { collectionTypes: ['Sequence', 'Shot', 'Folder'] }), 200, 'settings by PM');

      const seq = must(await pm.collection({ name: 'SEQ010', collectionType: 'Sequence', description: 'first sequence' }), 201);
      assert.equal(seq.parentId, null);
      assert.equal(seq.type, 'Sequence');
      assert.equal(seq.description, 'first sequence');
      assert.equal(seq.shared, false);
      assert.equal(seq.createdBy, w.u.PM.userId);
      const shot = must(await pm.collection({ parentId: seq.id, name: 'SH0010', collectionType: 'Shot' }), 201);
      const anim = must(await pm.collection({ parentId: shot.id, name: 'anim' }), 201);
      assert.equal(anim.parentId, shot.id);
      assert.equal(anim.type, null);
      refused(await pm.collection({ name: 'x', collectionType: 'Character' }), 400, 'validation_failed', 'type outside the project vocabulary');
      refused(await pm.collection({ parentId: randomUUID(), name: 'orphan' }), 404, 'not_found', 'unknown parent');
      refused(await as('Art', p.id).collection({ name: 'by artist' }), 403, 'forbidden', 'Artist lacks collection.create');

      // rename
      const renamed = must(await pm.updateCollection(shot.id, { name: 'SH0020' }), 200);
      assert.equal(renamed.name, 'SH0020');
      assert.equal(renamed.parentId, seq.id);
      assert.equal(renamed.type, 'Shot', 'rename keeps the type');
      // moves into itself or below itself are refused
      for (const target of [seq.id, shot.id, anim.id]) {
        const e = refused(await pm.updateCollection(seq.id, { parentId: target }), 409, 'conflict', `move into own subtree ${target}`);
        assert.equal(e.details.reason, 'cycle');
      }
      refused(await pm.updateCollection(shot.id, { parentId: anim.id }), 409, 'conflict', 'move below own child');
      // a legal move: anim to the root, then under seq
      assert.equal(must(await pm.updateCollection(anim.id, { parentId: null }), 200).parentId, null);
      assert.equal(must(await pm.updateCollection(anim.id, { parentId: seq.id }), 200).parentId, seq.id);
      // move of seq below a sibling tree is fine
      const other = must(await pm.collection({ name: 'Other' }), 201);
      assert.equal(must(await pm.updateCollection(seq.id, { parentId: other.id }), 200).parentId, other.id);

      // retype within the vocabulary, clear the type, refuse unknown types
      assert.equal(must(await pm.updateCollection(shot.id, { collectionType: 'Folder' }), 200).type, 'Folder');
      refused(await pm.updateCollection(shot.id, { collectionType: 'Shots' }), 400, 'validation_failed');
      assert.equal(must(await pm.updateCollection(shot.id, { collectionType: null }), 200).type, null);
      // vocabulary changes: a type removed from the project can no longer be given
      must(await A.r('PATCH', '/settings', { collectionTypes: ['Folder'] }), 200);
      refused(await pm.updateCollection(shot.id, { collectionType: 'Sequence' }), 400, 'validation_failed');

      // describe
      assert.equal(must(await pm.updateCollection(shot.id, { description: 'hero shot' }), 200).description, 'hero shot');
      assert.equal(must(await pm.updateCollection(shot.id, { description: null }), 200).description, null);

      // shared flag: on and off, audited as such
      assert.equal(must(await pm.updateCollection(other.id, { shared: true }), 200).shared, true);
      assert.equal(must(await pm.updateCollection(other.id, { shared: false }), 200).shared, false);
      const sharedAudit = (await audit(w, 'collection.shared_changed')).filter((e) => e.targetId === other.id);
      assert.equal(sharedAudit.length, 2);
      assert.deepEqual(sharedAudit.map((e) => e.after.shared), [false, true]);

      // unknown fields are refused, as is an Artist trying to update
      refused(await pm.updateCollection(shot.id, { name: 'ok', color: 'red' }), 400, 'validation_failed');
      refused(await as('Art', p.id).updateCollection(shot.id, { name: 'nope' }), 404, 'not_found', 'artist cannot see the unshared collection');

      // the admin's snapshot shows the final tree
      const snap = await A.snapshot();
      const c = (id: string) => byId(snap.collections, id)!;
      assert.equal(c(other.id).parentId, null);
      assert.equal(c(seq.id).parentId, other.id);
      assert.equal(c(shot.id).parentId, seq.id);
      assert.equal(c(shot.id).name, 'SH0020');
      assert.equal(c(anim.id).parentId, seq.id);
      assert.equal(c(seq.id).description, 'first sequence');
    });

    test('names: a conflict names the item in the way only to who may see it (no ids of invisible items)', async () => {
      const p = await makeProject(w, { Art: 'artist', Art2: 'artist' });
      const A = as('owner', p.id);
      // A role that may create files but sees only shared collections and its own tasks.
      const maker = must(await A.r('POST', '/roles', { name: 'Maker', permissions: ['asset.create', 'checkpoint.view'] }), 201);
      must(await A.r('PATCH', `/members/${w.u.Art.userId}`, { roleId: maker.id }), 200, 'Art becomes a Maker');
      const hidden = must(await A.asset({ name: 'secret', extension: 'blend', kind: 'task', assigneeId: w.u.Art2.userId }), 201);
      const seen = must(await A.asset({ name: 'mine', extension: 'blend', kind: 'task', assigneeId: w.u.Art.userId }), 201);
      const art = as('Art', p.id);
      // REST and sync push alike: 409 name_taken, with the id only where the caller sees the item.
      const blind = refused(await art.asset({ name: 'secret', extension: 'blend' }), 409, 'conflict', 'name taken by an invisible task');
      assert.equal(blind.details.reason, 'name_taken');
      assert.equal(blind.details.existingId, undefined, 'the invisible task is not named');
      assert.ok(!JSON.stringify(blind).includes(hidden.id));
      const pushed = must(await art.push([['n1', { type: 'asset.create', collectionId: null, name: 'secret', extension: 'blend' }]]), 200).results[0];
      assert.equal(pushed.status, 'conflict');
      assert.equal(pushed.existingId, undefined);
      assert.ok(!JSON.stringify(pushed).includes(hidden.id));
      const visible = refused(await art.asset({ name: 'mine', extension: 'blend' }), 409, 'conflict', 'name taken by a visible task');
      assert.equal(visible.details.existingId, seen.id);
      assert.equal(refused(await A.asset({ name: 'secret', extension: 'blend' }), 409, 'conflict').details.existingId, hidden.id, 'the owner sees it');
    });

    test('assets: create resource and task (extension, type, tags), rename, move, convert task <-> resource', async () => {
      const p = await makeProject(w, { PM: 'production_manager', Art: 'artist', Art2: 'artist' });
      const A = as('owner', p.id);
      const pm = as('PM', p.id);
      const shared = must(await A.collection({ name: 'Shared', shared: true }), 201);
      const props = must(await A.collection({ name: 'Props' }), 201);

      const res = must(await pm.asset({ collectionId: props.id, name: 'hero', extension: '.BLEND', assetType: 'Model', tags: [' wip ', 'hero', 'wip'], description: 'the hero' }), 201);
      assert.equal(res.kind, 'resource');
      assert.equal(res.extension, 'blend', 'extension normalised');
      assert.equal(res.type, 'Model');
      assert.deepEqual(res.tags, ['wip', 'hero']);
      assert.equal(res.statusId, null);
      assert.equal(res.assigneeId, null);
      assert.equal(res.createdBy, w.u.PM.userId);
      refused(await pm.asset({ name: 'x', assetType: 'Sound' }), 400, 'validation_failed', 'asset type outside the vocabulary');
      refused(await pm.asset({ name: 'x', extension: 'a/b' }), 400, 'validation_failed', 'extension with a slash');
      refused(await pm.asset({ name: 'x', assigneeId: w.u.Art.userId }), 400, 'validation_failed', 'a resource has no assignee');
      refused(await pm.asset({ name: 'link', url: 'javascript:alert(1)' }), 400, 'validation_failed');
      const link = must(await pm.asset({ name: 'ref board', url: 'https://example.com/board' }), 201);
      assert.equal(link.url, 'https://example.com/board');

      const task = must(await pm.asset({ collectionId: shared.id, name: 'rig', extension: 'ma', kind: 'task', assetType: 'Rig' }), 201);
      assert.equal(task.kind, 'task');
      assert.equal(task.statusId, p.st.todo, 'a new task starts in the first todo status');
      assert.equal(task.assigneeId, null);
      const assigned = must(await pm.asset({ collectionId: shared.id, name: 'anim', kind: 'task', assigneeId: w.u.Art.userId }), 201);
      assert.equal(assigned.assigneeId, w.u.Art.userId);
      refused(await pm.asset({ name: 'ghost', kind: 'task', assigneeId: w.u.Ven.userId }), 400, 'validation_failed', 'assignee must be a project member');

      // rename, retag, retype, move
      const r1 = must(await pm.updateAsset(res.id, { name: 'hero_v2', tags: ['final'], assetType: 'Rig' }), 200);
      assert.equal(r1.name, 'hero_v2');
      assert.deepEqual(r1.tags, ['final']);
      assert.equal(r1.type, 'Rig');
      assert.equal(r1.extension, 'blend');
      const r2 = must(await pm.updateAsset(res.id, { collectionId: shared.id }), 200);
      assert.equal(r2.collectionId, shared.id);
      const r3 = must(await pm.updateAsset(res.id, { collectionId: null }), 200);
      assert.equal(r3.collectionId, null);
      refused(await pm.updateAsset(res.id, { collectionId: randomUUID() }), 404, 'not_found', 'move into an unknown collection');
      refused(await as('Art', p.id).updateAsset(task.id, { name: 'mine' }), 403, 'forbidden', 'Artist lacks asset.update');

      // convert task -> resource: drops the assignee and status, cancels pending requests
      const req = must(await as('Art2', p.id).request(assigned.id, { message: 'may I?' }), 201);
      assert.equal(req.status, 'pending');
      const conv = must(await pm.updateAsset(assigned.id, { kind: 'resource' }), 200);
      assert.equal(conv.kind, 'resource');
      assert.equal(conv.assigneeId, null);
      assert.equal(conv.statusId, null);
      const row = await h.deps.db.selectFrom('control_requests').selectAll().where('id', '=', req.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'cancelled');
      const snap = await A.snapshot();
      assert.equal(snap.controlRequests.find((r: any) => r.id === req.id), undefined, 'no longer pending');
      assert.ok((await audit(w, 'asset.converted')).some((e) => e.targetId === assigned.id && e.before.kind === 'task' && e.after.kind === 'resource'));
      // ...and back: a task again, unassigned, in the first todo status
      const back = must(await pm.updateAsset(assigned.id, { kind: 'task' }), 200);
      assert.equal(back.kind, 'task');
      assert.equal(back.assigneeId, null);
      assert.equal(back.statusId, p.st.todo);
      // the former assignee cannot checkpoint it now (unassigned task)
      refused(await as('Art', p.id).checkpoint(assigned.id), 403, 'forbidden');
    });

    test('dependencies: typed, asset->asset and asset->collection, cycles allowed, duplicates and bad types refused', async () => {
      const p = await makeProject(w, { PM: 'production_manager', Art: 'artist' });
      const pm = as('PM', p.id);
      const lib = must(await pm.collection({ name: 'Library' }), 201);
      const a = must(await pm.asset({ name: 'a', extension: 'ma' }), 201);
      const b = must(await pm.asset({ name: 'b', extension: 'ma' }), 201);
      const c = must(await pm.asset({ collectionId: lib.id, name: 'c' }), 201);

      const ab = must(await pm.dep(a.id, { targetAssetId: b.id, dependencyType: 'uses' }), 201);
      assert.equal(ab.assetId, a.id);
      assert.equal(ab.targetAssetId, b.id);
      assert.equal(ab.targetCollectionId, null);
      assert.equal(ab.type, 'uses');
      const aLib = must(await pm.dep(a.id, { targetCollectionId: lib.id, dependencyType: 'references' }), 201);
      assert.equal(aLib.targetCollectionId, lib.id);
      // cycles are fine
      must(await pm.dep(b.id, { targetAssetId: a.id, dependencyType: 'based-on' }), 201, 'b -> a closes a cycle');
      must(await pm.dep(c.id, { targetAssetId: a.id, dependencyType: 'uses' }), 201, 'c -> a (a -> lib contains c)');
      // same pair, another type: a different dependency
      must(await pm.dep(a.id, { targetAssetId: b.id, dependencyType: 'references' }), 201);
      // duplicates carry the existing id
      const dup = refused(await pm.dep(a.id, { targetAssetId: b.id, dependencyType: 'uses' }), 409, 'conflict');
      assert.equal(dup.details.existingId, ab.id);
      const dupC = refused(await pm.dep(a.id, { targetCollectionId: lib.id, dependencyType: 'references' }), 409, 'conflict');
      assert.equal(dupC.details.existingId, aLib.id);
      // bad input
      refused(await pm.dep(a.id, { targetAssetId: b.id, dependencyType: 'inspires' }), 400, 'validation_failed', 'unknown type');
      refused(await pm.dep(a.id, { targetAssetId: b.id, targetCollectionId: lib.id, dependencyType: 'uses' }), 400, 'validation_failed', 'two targets');
      refused(await pm.dep(a.id, { dependencyType: 'uses' }), 400, 'validation_failed', 'no target');
      refused(await pm.dep(a.id, { targetAssetId: a.id, dependencyType: 'uses' }), 400, 'validation_failed', 'self');
      refused(await pm.dep(a.id, { targetAssetId: randomUUID(), dependencyType: 'uses' }), 404, 'not_found', 'unknown target');
      refused(await as('Art', p.id).dep(a.id, { targetAssetId: b.id, dependencyType: 'based-on' }), 404, 'not_found', 'artist sees neither end');

      // dependency types are the project's
      must(await pm.r('PATCH', '/settings', { dependencyTypes: ['uses', 'feeds'] }), 200);
      must(await pm.dep(b.id, { targetAssetId: c.id, dependencyType: 'feeds' }), 201);
      refused(await pm.dep(b.id, { targetAssetId: c.id, dependencyType: 'references' }), 400, 'validation_failed');
      refused(await pm.r('PATCH', '/settings', { dependencyTypes: [] }), 400, 'validation_failed', 'at least one dependency type');

      // remove
      must(await pm.r('DELETE', `/dependencies/${ab.id}`), 200);
      refused(await pm.r('DELETE', `/dependencies/${ab.id}`), 404, 'not_found');
      const snap = await as('owner', p.id).snapshot();
      assert.equal(byId(snap.dependencies, ab.id), undefined);
      assert.equal(snap.dependencies.length, 5);
      // after removal, the same dependency may be added again
      must(await pm.dep(a.id, { targetAssetId: b.id, dependencyType: 'uses' }), 201);
    });

    test('names: path-like, control characters, dot names and too long are refused; duplicates conflict with existingId', async () => {
      const p = await makeProject(w, {});
      const A = as('owner', p.id);
      const bad = ['a/b', 'a\\b', 'tab\tname', 'nul\u0000x', 'bell\u0007', 'del\u007f', 'line\nbreak', '..', '.', ' lead', 'trail ', 'x'.repeat(201), ''];
      const home = must(await A.collection({ name: 'Home' }), 201);
      const asset = must(await A.asset({ name: 'ok', extension: 'png' }), 201);
      for (const name of bad) {
        const what = JSON.stringify(name);
        refused(await A.collection({ name }), 400, 'validation_failed', `collection ${what}`);
        refused(await A.asset({ name }), 400, 'validation_failed', `asset ${what}`);
        refused(await A.updateCollection(home.id, { name }), 400, 'validation_failed', `rename collection to ${what}`);
        refused(await A.updateAsset(asset.id, { name }), 400, 'validation_failed', `rename asset to ${what}`);
        const pushed = must(await A.push([['bad-name', { type: 'collection.create', parentId: null, name }]]), 200);
        assert.equal(pushed.results[0].status, 'rejected', what);
        assert.equal(pushed.results[0].code, 'validation_failed', what);
      }
      must(await A.collection({ name: 'x'.repeat(200) }), 201, '200 characters is the limit');
      must(await A.collection({ name: 'ünïcødé 名前 ok.v2' }), 201);

      // duplicates in the same place conflict and name the existing item
      const dupC = refused(await A.collection({ name: 'Home' }), 409, 'conflict');
      assert.equal(dupC.details.existingId, home.id);
      const child = must(await A.collection({ parentId: home.id, name: 'Home' }), 201, 'same name, another place');
      const a1 = must(await A.asset({ collectionId: home.id, name: 'tree', extension: 'fbx' }), 201);
      const dupA = refused(await A.asset({ collectionId: home.id, name: 'tree', extension: 'FBX' }), 409, 'conflict');
      assert.equal(dupA.details.existingId, a1.id);
      must(await A.asset({ collectionId: home.id, name: 'tree', extension: 'obj' }), 201, 'same name, other extension');
      must(await A.asset({ collectionId: child.id, name: 'tree', extension: 'fbx' }), 201, 'same name, other collection');
      must(await A.asset({ name: 'tree', extension: 'fbx' }), 201, 'same name at the root');
      // renames and moves into a taken name conflict too
      const a2 = must(await A.asset({ collectionId: home.id, name: 'bush', extension: 'fbx' }), 201);
      assert.equal(refused(await A.updateAsset(a2.id, { name: 'tree' }), 409, 'conflict').details.existingId, a1.id);
      const a3 = must(await A.asset({ collectionId: child.id, name: 'bush', extension: 'fbx' }), 201);
      assert.equal(refused(await A.updateAsset(a3.id, { collectionId: home.id }), 409, 'conflict').details.existingId, a2.id);
      const c2 = must(await A.collection({ name: 'Away' }), 201);
      assert.equal(refused(await A.updateCollection(c2.id, { name: 'Home' }), 409, 'conflict').details.existingId, home.id);
      assert.equal(refused(await A.updateCollection(child.id, { parentId: null }), 409, 'conflict').details.existingId, home.id);
      // through the sync push: a conflict result carrying existingId
      const pushed = must(await A.push([['dup-c', { type: 'collection.create', parentId: null, name: 'Home' }]]), 200);
      assert.equal(pushed.results[0].status, 'conflict');
      assert.equal(pushed.results[0].existingId, home.id);
    });

    test('client-chosen ids: used as given; a taken id is a conflict', async () => {
      const p = await makeProject(w, { Art: 'artist' });
      const p2 = await makeProject(w, {});
      const A = as('owner', p.id);
      const cid = randomUUID();
      const col = must(await A.collection({ id: cid, name: 'Mine', shared: true }), 201);
      assert.equal(col.id, cid);
      const e = refused(await A.collection({ id: cid, name: 'Other' }), 409, 'conflict');
      assert.equal(e.details.existingId, cid);
      assert.equal(e.details.reason, 'id_taken');
      refused(await as('owner', p2.id).collection({ id: cid, name: 'Elsewhere' }), 409, 'conflict', 'an id taken in another project');

      const aid = randomUUID();
      assert.equal(must(await A.asset({ id: aid, collectionId: cid, name: 'a', kind: 'task', assigneeId: w.u.Art.userId }), 201).id, aid);
      refused(await A.asset({ id: aid, name: 'b' }), 409, 'conflict');
      const b = must(await A.asset({ name: 'b' }), 201);
      const did = randomUUID();
      assert.equal(must(await A.dep(aid, { id: did, targetAssetId: b.id, dependencyType: 'uses' }), 201).id, did);
      refused(await A.dep(b.id, { id: did, targetAssetId: aid, dependencyType: 'uses' }), 409, 'conflict');
      const kid = randomUUID();
      assert.equal(must(await as('Art', p.id).checkpoint(aid, { id: kid }), 201).id, kid);
      refused(await as('Art', p.id).checkpoint(aid, { id: kid }), 409, 'conflict');
      const sid = randomUUID();
      assert.equal(must(await A.r('POST', '/statuses', { id: sid, name: 'Hold', shortLabel: 'HLD', color: '#123456', category: 'active' }), 201).id, sid);
      refused(await A.r('POST', '/statuses', { id: sid, name: 'Hold 2', shortLabel: 'HL2', color: '#123456', category: 'active' }), 409, 'conflict');
      const rid = randomUUID();
      assert.equal(must(await A.request(aid, { id: rid }), 201).id, rid);
      // through the push: conflict with the existing id
      const pushed = must(await A.push([['reuse', { type: 'asset.create', id: aid, collectionId: null, name: 'c' }]]), 200);
      assert.equal(pushed.results[0].status, 'conflict');
      assert.equal(pushed.results[0].existingId, aid);
      refused(await A.collection({ id: 'not-a-uuid', name: 'Z' }), 400, 'validation_failed');
    });

    test('settings vocabularies and custom statuses: create, update, delete with a replacement that takes over its tasks', async () => {
      const p = await makeProject(w, { PM: 'production_manager', Sup: 'supervisor', Art: 'artist' });
      const pm = as('PM', p.id);
      const s = must(await pm.r('PATCH', '/settings', { assetTypes: ['Model', ' Model ', 'FX'], tags: ['hero', 'bg'] }), 200);
      assert.deepEqual(s.assetTypes, ['Model', 'FX'], 'trimmed and de-duplicated');
      assert.deepEqual(s.tags, ['hero', 'bg']);
      assert.ok(s.collectionTypes.length > 0, 'untouched lists stay');
      refused(await as('Sup', p.id).r('PATCH', '/settings', { tags: ['x'] }), 403, 'forbidden', 'Supervisor lacks project.settings');
      refused(await pm.r('PATCH', '/settings', { assetTypes: ['x'], colour: 'red' }), 400, 'validation_failed');
      must(await pm.asset({ name: 'fx', assetType: 'FX' }), 201);
      refused(await pm.asset({ name: 'tex', assetType: 'Texture' }), 400, 'validation_failed', 'Texture was dropped from the vocabulary');

      const hold = must(await pm.r('POST', '/statuses', { name: 'On hold', shortLabel: 'HOLD', color: '#777777', category: 'active' }), 201);
      assert.equal(hold.category, 'active');
      assert.equal(hold.key, null);
      assert.equal(refused(await pm.r('POST', '/statuses', { name: 'On hold', shortLabel: 'H2', color: '#777777', category: 'todo' }), 409, 'conflict').details.existingId, hold.id);
      refused(await pm.r('POST', '/statuses', { name: 'Bad', shortLabel: 'B', color: 'red', category: 'active' }), 400, 'validation_failed');
      refused(await pm.r('POST', '/statuses', { name: 'Bad', shortLabel: 'B', color: '#000000', category: 'finished' }), 400, 'validation_failed');
      refused(await as('Art', p.id).r('POST', '/statuses', { name: 'Mine', shortLabel: 'M', color: '#000000', category: 'active' }), 403, 'forbidden');
      const upd = must(await pm.r('PATCH', `/statuses/${hold.id}`, { name: 'Paused', color: '#abcdef', order: 9 }), 200);
      assert.equal(upd.name, 'Paused');
      assert.equal(upd.color, '#abcdef');
      assert.equal(upd.order, 9);
      assert.equal(upd.shortLabel, 'HOLD');
      // rename a built-in
      assert.equal(must(await pm.r('PATCH', `/statuses/${p.st.wfa}`, { name: 'Review' }), 200).name, 'Review');

      // two tasks in the custom status, then delete it with a replacement
      const col = must(await pm.collection({ name: 'Shots', shared: true }), 201);
      const t1 = must(await pm.asset({ collectionId: col.id, name: 't1', kind: 'task' }), 201);
      const t2 = must(await pm.asset({ collectionId: col.id, name: 't2', kind: 'task' }), 201);
      const t3 = must(await pm.asset({ collectionId: col.id, name: 't3', kind: 'task' }), 201);
      must(await pm.status(t1.id, hold.id), 200);
      must(await pm.status(t2.id, hold.id), 200);
      refused(await pm.r('DELETE', `/statuses/${hold.id}`), 400, 'validation_failed', 'replacement required');
      refused(await pm.r('DELETE', `/statuses/${hold.id}?replacementId=${hold.id}`), 400, 'validation_failed', 'replacement is itself');
      refused(await pm.r('DELETE', `/statuses/${hold.id}?replacementId=${randomUUID()}`), 400, 'validation_failed', 'unknown replacement');
      refused(await as('Sup', p.id).r('DELETE', `/statuses/${hold.id}?replacementId=${p.st.wip}`), 403, 'forbidden');
      const del = must(await pm.r('DELETE', `/statuses/${hold.id}?replacementId=${p.st.wip}`), 200);
      assert.equal(del.movedTasks, 2);
      const snap = await as('owner', p.id).snapshot();
      assert.equal(byId(snap.assets, t1.id).statusId, p.st.wip);
      assert.equal(byId(snap.assets, t2.id).statusId, p.st.wip);
      assert.equal(byId(snap.assets, t3.id).statusId, p.st.todo, 'tasks in other statuses stay');
      assert.equal(byId(snap.statuses, hold.id), undefined, 'deleted status gone');
      assert.equal(byId(snap.statuses, p.st.wfa).name, 'Review');
      refused(await pm.status(t3.id, hold.id), 400, 'validation_failed', 'a deleted status cannot be set');
      refused(await pm.r('PATCH', `/statuses/${hold.id}`, { name: 'Back' }), 400, 'validation_failed');
      // a name freed by the delete can be used again
      must(await pm.r('POST', '/statuses', { name: 'On hold', shortLabel: 'HOLD', color: '#777777', category: 'active' }), 201);
    });

    test('status rules: own with status.change, any with change_any, done needs approve, retake needs retake; trail kept', async () => {
      const p = await makeProject(w, { PM: 'production_manager', Sup: 'supervisor', Art: 'artist', Art2: 'artist', Ven: 'vendor' });
      const A = as('owner', p.id);
      const col = must(await A.collection({ name: 'Board', shared: true }), 201);
      const hidden = must(await A.collection({ name: 'Hidden' }), 201);
      const mk = async (name: string, assignee: string | null, collectionId = col.id) =>
        must(await A.asset({ collectionId, name, kind: 'task', ...(assignee && { assigneeId: w.u[assignee].userId }) }), 201);
      const tArt = await mk('art', 'Art');
      const tArt2 = await mk('art2', 'Art2');
      const tVen = await mk('ven', 'Ven');
      const tFree = await mk('free', null);
      const tHidden = await mk('hidden', 'Art2', hidden.id);
      const res = must(await A.asset({ collectionId: col.id, name: 'res' }), 201);
      const { todo, wip, wfa, retake, done } = p.st;

      const expectStatus = async (who: string, task: any, statusId: string, status: number, what: string) => {
        const r = await as(who, p.id).status(task.id, statusId);
        assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
        if (status === 200) assert.equal(r.body.statusId, statusId, what);
        h.clock.advance(1000);
      };
      // Artist: own task into todo/active/review; not done, not retake; not others'
      await expectStatus('Art', tArt, wip, 200, 'artist own -> WIP');
      await expectStatus('Art', tArt, wfa, 200, 'artist own -> WFA');
      await expectStatus('Art', tArt, done, 403, 'artist own -> Done needs approve');
      await expectStatus('Art', tArt, retake, 403, 'artist own -> Retake needs retake');
      await expectStatus('Art', tArt2, wip, 403, 'artist on another artist\'s task');
      await expectStatus('Art', tFree, wip, 403, 'artist on an unassigned task');
      await expectStatus('Art', tHidden, wip, 404, 'artist on an invisible task');
      // Vendor: own task only, no approve/retake. It sees only what is assigned to it and its
      // dependencies (PRODUCT.md), not the shared collection: another's task it sees is one its
      // own task depends on.
      must(await A.dep(tVen.id, { targetAssetId: tArt2.id, dependencyType: 'references' }), 201);
      await expectStatus('Ven', tVen, wip, 200, 'vendor own -> WIP');
      await expectStatus('Ven', tVen, done, 403, 'vendor own -> Done');
      await expectStatus('Ven', tVen, retake, 403, 'vendor own -> Retake');
      await expectStatus('Ven', tArt2, wip, 403, 'vendor on an artist\'s task it sees');
      await expectStatus('Ven', tArt, wip, 404, 'vendor on a shared task: not assigned to it, so invisible');
      // Supervisor: any task, approve and retake
      await expectStatus('Sup', tArt, retake, 200, 'supervisor -> Retake');
      await expectStatus('Sup', tArt2, done, 200, 'supervisor -> Done');
      await expectStatus('Sup', tFree, wip, 200, 'supervisor on unassigned');
      // Production Manager: any, approve and retake
      await expectStatus('PM', tArt, done, 200, 'PM -> Done');
      await expectStatus('PM', tVen, retake, 200, 'PM -> Retake');
      await expectStatus('PM', tHidden, todo, 200, 'PM sees all');
      // Artist working on from Retake / Done is an ordinary change of their own task
      await expectStatus('Art', tArt, wip, 200, 'artist own Done -> WIP');
      // resources have no status
      refused(await A.status(res.id, wip), 400, 'bad_request', 'resource');
      refused(await A.status(tArt.id, randomUUID()), 400, 'validation_failed', 'unknown status');

      // custom status: the category decides
      const approved = must(await A.r('POST', '/statuses', { name: 'Approved', shortLabel: 'APR', color: '#00ff00', category: 'done' }), 201);
      await expectStatus('Art', tArt, approved.id, 403, 'custom done status');
      must(await A.r('PATCH', `/statuses/${approved.id}`, { category: 'review' }), 200);
      await expectStatus('Art', tArt, approved.id, 200, 'same status, now in review');
      must(await A.r('PATCH', `/statuses/${approved.id}`, { category: 'retake' }), 200);
      await expectStatus('Art', tArt, wip, 200, 'artist back to WIP');
      await expectStatus('Art', tArt, approved.id, 403, 'now a retake status');

      // the same rules through the sync push; refusals are audited
      const pushed = must(await as('Art', p.id).push([['s1', { type: 'task.status', assetId: tArt.id, statusId: done }], ['s2', { type: 'task.status', assetId: tArt.id, statusId: wfa }]]), 200);
      assert.equal(pushed.results[0].status, 'rejected');
      assert.equal(pushed.results[0].code, 'forbidden');
      assert.equal(pushed.results[1].status, 'applied');
      h.clock.advance(1000);

      // the trail: every change kept with who and when, in order
      const trail = await h.deps.db.selectFrom('status_changes').selectAll().where('asset_id', '=', tArt.id).orderBy('created_at').execute();
      assert.deepEqual(trail.map((t) => [t.from_status_id, t.to_status_id, t.actor_id]), [
        [todo, wip, w.u.Art.userId],
        [wip, wfa, w.u.Art.userId],
        [wfa, retake, w.u.Sup.userId],
        [retake, done, w.u.PM.userId],
        [done, wip, w.u.Art.userId],
        [wip, approved.id, w.u.Art.userId],
        [approved.id, wip, w.u.Art.userId],
        [wip, wfa, w.u.Art.userId],
      ]);
      assert.equal(new Set(trail.map((t) => t.created_at)).size, trail.length, 'each with its own server time');
      // the audit log has each change too
      const audited = (await audit(w, 'task.status_changed')).filter((e) => e.targetId === tArt.id);
      assert.equal(audited.length, trail.length);
      // and the change log carries the asset's status as of each change
      const pulled = must(await A.pull(), 200);
      assert.equal(byId(pulled.snapshot.assets, tArt.id).statusId, wfa);
      const log = await h.deps.db.selectFrom('change_log').select(['data']).where('project_id', '=', p.id).where('entity', '=', 'asset').where('entity_id', '=', tArt.id).orderBy('revision').execute();
      const statuses = log.map((l) => JSON.parse(l.data!).statusId);
      assert.deepEqual(statuses.filter((s, i) => s !== statuses[i - 1]), [todo, wip, wfa, retake, done, wip, approved.id, wip, wfa]);
    });

    test('checkpoint records: author, time and number are the server\'s; client-sent author is refused', async () => {
      const p = await makeProject(w, { Art: 'artist', Sup: 'supervisor' });
      const A = as('owner', p.id);
      const art = as('Art', p.id);
      const task = must(await A.asset({ name: 'hero', kind: 'task', assigneeId: w.u.Art.userId }), 201);
      const t0 = h.clock.now().toISOString();
      const c1 = must(await art.checkpoint(task.id, { comment: 'first', chunks: [H1, H2, H1] }), 201);
      assert.equal(c1.authorId, w.u.Art.userId);
      assert.equal(c1.createdAt, t0);
      assert.equal(c1.number, 1);
      assert.equal(c1.size, 3 * CHUNK_SIZE, 'the size of its chunks');
      assert.equal(c1.comment, 'first');
      assert.equal(c1.statusId, p.st.todo, 'records the status it was made in');
      h.clock.advance(60_000);
      const c2 = must(await art.checkpoint(task.id, { fileHash: H2, chunks: [H2, H3] }), 201);
      assert.equal(c2.number, 2);
      assert.equal(c2.createdAt, h.clock.now().toISOString());
      for (const forged of [{ authorId: w.u.Sup.userId }, { author: w.u.Sup.userId }, { number: 7 }, { createdAt: '2020-01-01T00:00:00.000Z' }, { assetId: task.id }]) {
        refused(await art.checkpoint(task.id, forged), 400, 'validation_failed', `REST ${JSON.stringify(forged)}`);
        if ('assetId' in forged) continue; // the URL carries it over REST; an op carries it anyway
        const pushed = must(await art.push([['forged', await art.cpOp(task.id, forged)]]), 200);
        assert.equal(pushed.results[0].status, 'rejected', JSON.stringify(forged));
        assert.equal(pushed.results[0].code, 'validation_failed');
      }
      refused(await art.checkpoint(task.id, { fileHash: 'abc' }), 400, 'validation_failed', 'bad hash');
      refused(await art.checkpoint(task.id, { size: -1 }), 400, 'validation_failed', 'negative size');
      const pushed = must(await art.push([['c3', await art.cpOp(task.id, { chunks: [H3] })]]), 200);
      assert.equal(pushed.results[0].status, 'applied');
      assert.equal(pushed.results[0].result.authorId, w.u.Art.userId);
      assert.equal(pushed.results[0].result.number, 3);
      const snap = await A.snapshot();
      const cps = snap.checkpoints.filter((c: any) => c.assetId === task.id).sort((x: any, y: any) => x.number - y.number);
      assert.deepEqual(cps.map((c: any) => [c.number, c.authorId]), [[1, w.u.Art.userId], [2, w.u.Art.userId], [3, w.u.Art.userId]]);
    });

    test('a very large file: a chunk list past the ordinary JSON body limit is taken over REST and push', async () => {
      const p = await makeProject(w, { Art: 'artist' });
      const art = as('Art', p.id);
      const task = must(await as('owner', p.id).asset({ name: 'plate', kind: 'task', assigneeId: w.u.Art.userId }), 201);
      // 4,500 ids are ~300 KB of JSON (ordinary bodies stop at 256 KiB): about a 1.1 GB file.
      const chunks = Array.from({ length: 4500 }, (_, i) => createHash('sha256').update(`chunk ${i}`).digest('hex'));
      const viaRest = must(await art.checkpoint(task.id, { chunks }), 201, 'REST');
      assert.equal(viaRest.size, chunks.length * CHUNK_SIZE);
      const pushed = must(await art.push([['big', await art.cpOp(task.id, { chunks: [...chunks].reverse() })]]), 200, 'push');
      assert.equal(pushed.results[0].status, 'applied', JSON.stringify(pushed.results[0]));
    });

    test('soft lock (REST and push): unassigned nobody, only the assignee, reassignment takes the right away at once; resources', async () => {
      const p = await makeProject(w, { PM: 'production_manager', Sup: 'supervisor', Art: 'artist', Art2: 'artist', Ven: 'vendor' });
      const A = as('owner', p.id);
      const shared = must(await A.collection({ name: 'Shared', shared: true }), 201);
      const hidden = must(await A.collection({ name: 'Hidden' }), 201);
      const task = must(await A.asset({ collectionId: shared.id, name: 'shot', kind: 'task' }), 201);
      const hiddenTask = must(await A.asset({ collectionId: hidden.id, name: 'secret', kind: 'task' }), 201);

      const viaRest = async (who: string, assetId: string) => (await as(who, p.id).checkpoint(assetId)).status;
      let n = 0;
      const viaPush = async (who: string, assetId: string) => {
        const me = as(who, p.id);
        const r = must(await me.push([[`sl-${++n}`, await me.cpOp(assetId)]]), 200).results[0];
        return r.status === 'applied' ? 201 : r.code === 'forbidden' ? 403 : r.code === 'not_found' ? 404 : r.code;
      };
      const expectBoth = async (who: string, assetId: string, status: number, what: string) => {
        assert.equal(await viaRest(who, assetId), status, `REST: ${what}`);
        assert.equal(await viaPush(who, assetId), status, `push: ${what}`);
      };

      // The Vendor sees only what is assigned to it (PRODUCT.md): it checks the soft lock on a
      // shared task it depends on through a task of its own.
      const venTask = must(await A.asset({ collectionId: hidden.id, name: 'vendor shot', kind: 'task', assigneeId: w.u.Ven.userId }), 201);
      must(await A.dep(venTask.id, { targetAssetId: task.id, dependencyType: 'references' }), 201);
      // unassigned: nobody, not even the Admin
      for (const who of ['owner', 'Sup', 'Art', 'Ven']) await expectBoth(who, task.id, 403, `${who} on unassigned task`);
      await expectBoth('PM', task.id, 403, 'PM lacks checkpoint.create');
      const lock = refused(await A.checkpoint(task.id), 403, 'forbidden');
      assert.equal(lock.details.reason, 'soft_lock');

      // assigned to Art: only Art
      must(await A.assign(task.id, w.u.Art.userId), 200);
      await expectBoth('Art', task.id, 201, 'assignee');
      for (const who of ['owner', 'Sup', 'Art2', 'Ven']) await expectBoth(who, task.id, 403, `${who} is not the assignee`);
      const other = refused(await A.checkpoint(task.id), 403, 'forbidden');
      assert.equal(other.details.assigneeId, w.u.Art.userId);

      // reassigned to Art2: Art loses the right on the very next request
      must(await A.assign(task.id, w.u.Art2.userId), 200);
      await expectBoth('Art', task.id, 403, 'previous assignee');
      await expectBoth('Art2', task.id, 201, 'new assignee');
      // unassigned again: nobody
      must(await A.assign(task.id, null), 200);
      await expectBoth('Art2', task.id, 403, 'unassigned again');

      // a hidden task assigned to Art: Art may, others who cannot see it get 404
      must(await A.assign(hiddenTask.id, w.u.Art.userId), 200);
      await expectBoth('Art', hiddenTask.id, 201, 'assignee of a hidden task');
      await expectBoth('Art2', hiddenTask.id, 404, 'invisible to Art2');
      must(await A.assign(hiddenTask.id, w.u.Ven.userId), 200);
      await expectBoth('Art', hiddenTask.id, 404, 'reassigned away and now invisible');
      await expectBoth('Ven', hiddenTask.id, 201, 'vendor assignee');

      // resources: anyone with checkpoint.create who sees them
      const res = must(await A.asset({ collectionId: shared.id, name: 'texture', extension: 'png' }), 201);
      const hiddenRes = must(await A.asset({ collectionId: hidden.id, name: 'secret-texture', extension: 'png' }), 201);
      for (const who of ['owner', 'Sup', 'Art', 'Art2']) await expectBoth(who, res.id, 201, `${who} on a visible resource`);
      await expectBoth('PM', res.id, 403, 'PM lacks checkpoint.create');
      await expectBoth('Ven', res.id, 404, 'vendor on a shared resource nothing of its own depends on');
      await expectBoth('Art', hiddenRes.id, 404, 'artist on a hidden resource');
      await expectBoth('Sup', hiddenRes.id, 201, 'supervisor sees all');
      // a dependency of the vendor's task makes the hidden resource visible to them
      must(await A.dep(hiddenTask.id, { targetAssetId: hiddenRes.id, dependencyType: 'uses' }), 201);
      await expectBoth('Ven', hiddenRes.id, 201, 'dependency of an assigned task');

      // refused checkpoint pushes are audited
      const refusedOps = (await audit(w, 'sync.op_refused')).filter((e) => e.projectId === p.id && e.after?.type === 'checkpoint.create');
      assert.ok(refusedOps.length >= 10, `refused checkpoint ops audited (${refusedOps.length})`);
      assert.ok(refusedOps.some((e) => e.actorId === w.owner.userId && e.after.code === 'forbidden'));
    });

    test('checkpoint with a status follows the status rules; revert makes a new latest checkpoint', async () => {
      const p = await makeProject(w, { Sup: 'supervisor', Art: 'artist' });
      const A = as('owner', p.id);
      const art = as('Art', p.id);
      const sup = as('Sup', p.id);
      const task = must(await A.asset({ name: 'shot', kind: 'task', assigneeId: w.u.Art.userId }), 201);
      const res = must(await A.asset({ name: 'res' }), 201);

      const c1 = must(await art.checkpoint(task.id, { statusId: p.st.wfa, comment: 'for review' }), 201);
      assert.equal(c1.statusId, p.st.wfa);
      refused(await art.checkpoint(task.id, { statusId: p.st.done }), 403, 'forbidden', 'artist cannot approve while checkpointing');
      refused(await art.checkpoint(task.id, { statusId: p.st.retake }), 403, 'forbidden');
      refused(await art.checkpoint(task.id, { statusId: randomUUID() }), 400, 'validation_failed');
      refused(await A.checkpoint(res.id, { statusId: p.st.wip }), 400, 'validation_failed', 'resources have no status');
      let snap = await A.snapshot();
      assert.equal(snap.checkpoints.filter((c: any) => c.assetId === task.id).length, 1, 'refused checkpoints left nothing behind');
      assert.equal(byId(snap.assets, task.id).statusId, p.st.wfa);
      const trail = await h.deps.db.selectFrom('status_changes').selectAll().where('asset_id', '=', task.id).execute();
      assert.equal(trail.length, 1);
      assert.equal(trail[0].checkpoint_id, c1.id, 'the trail links the checkpoint it was made with');
      assert.equal(trail[0].to_status_id, p.st.wfa);

      // the supervisor, as assignee, may approve while checkpointing
      must(await A.assign(task.id, w.u.Sup.userId), 200);
      const c2 = must(await sup.checkpoint(task.id, { fileHash: H2, chunks: [H2], statusId: p.st.done }), 201);
      assert.equal(c2.number, 2);
      assert.equal(c2.statusId, p.st.done);
      h.clock.advance(1000);
      const c3 = must(await sup.checkpoint(task.id, { fileHash: H3, chunks: [H3] }), 201);
      assert.equal(c3.statusId, p.st.done, 'no status given: the current one');

      // revert: a new checkpoint 4 with checkpoint 1's content
      h.clock.advance(1000);
      const rv = must(await sup.r('POST', `/checkpoints/${c1.id}/revert`, {}), 201);
      assert.equal(rv.number, 4);
      assert.equal(rv.fileHash, H1);
      assert.equal(rv.revertedFrom, c1.id);
      assert.equal(rv.authorId, w.u.Sup.userId);
      assert.match(rv.comment, /1/);
      refused(await sup.r('POST', `/checkpoints/${c1.id}/revert`, { authorId: w.u.Art.userId }), 400, 'validation_failed');
      snap = await A.snapshot();
      const history = snap.checkpoints.filter((c: any) => c.assetId === task.id).sort((x: any, y: any) => x.number - y.number);
      assert.deepEqual(history.map((c: any) => [c.number, c.fileHash]), [[1, H1], [2, H2], [3, H3], [4, H1]], 'linear history');
      // revert follows the soft lock and needs checkpoint.revert
      must(await A.assign(task.id, w.u.Art.userId), 200);
      refused(await sup.r('POST', `/checkpoints/${c2.id}/revert`, {}), 403, 'forbidden', 'no longer the assignee');
      refused(await art.r('POST', `/checkpoints/${c2.id}/revert`, {}), 403, 'forbidden', 'Artist lacks checkpoint.revert');
      refused(await A.r('POST', `/checkpoints/${randomUUID()}/revert`, {}), 404, 'not_found');
      assert.ok((await audit(w, 'checkpoint.reverted')).some((e) => e.targetId === rv.id));
    });

    test('ids of another project are unknown here', async () => {
      const p = await makeProject(w, { Art: 'artist' });
      const q = await makeProject(w, { Art: 'artist' });
      const A = as('owner', p.id);
      const Q = as('owner', q.id);
      const mine = must(await A.collection({ name: 'Mine', shared: true }), 201);
      const myTask = must(await A.asset({ collectionId: mine.id, name: 't', kind: 'task', assigneeId: w.u.Art.userId }), 201);
      const theirs = must(await Q.collection({ name: 'Theirs', shared: true }), 201);
      const theirAsset = must(await Q.asset({ collectionId: theirs.id, name: 'a', kind: 'task', assigneeId: w.u.Art.userId }), 201);
      refused(await A.updateAsset(theirAsset.id, { name: 'stolen' }), 404, 'not_found', 'asset of another project');
      refused(await A.updateCollection(theirs.id, { name: 'stolen' }), 404, 'not_found');
      refused(await A.collection({ parentId: theirs.id, name: 'inside theirs' }), 404, 'not_found');
      refused(await A.updateAsset(myTask.id, { collectionId: theirs.id }), 404, 'not_found', 'move into another project');
      refused(await A.dep(myTask.id, { targetAssetId: theirAsset.id, dependencyType: 'uses' }), 404, 'not_found');
      refused(await A.dep(myTask.id, { targetCollectionId: theirs.id, dependencyType: 'uses' }), 404, 'not_found');
      refused(await A.status(myTask.id, q.st.wip), 400, 'validation_failed', 'status of another project');
      refused(await as('Art', p.id).checkpoint(theirAsset.id), 404, 'not_found', 'checkpoint through the wrong project');
      refused(await A.deleteAsset(theirAsset.id), 404, 'not_found');
      const pushed = must(await A.push([['x1', { type: 'asset.delete', id: theirAsset.id }], ['x2', { type: 'task.assign', assetId: theirAsset.id, assigneeId: null }]]), 200);
      assert.deepEqual(pushed.results.map((r: any) => r.code), ['not_found', 'not_found']);
      const snap = await Q.snapshot();
      assert.equal(byId(snap.assets, theirAsset.id).name, 'a');
      assert.equal(byId(snap.assets, theirAsset.id).assigneeId, w.u.Art.userId);
    });

    test('an archived project refuses writes (409) over REST and push, and accepts them again once unarchived', async () => {
      const p = await makeProject(w, { Art: 'artist' });
      const A = as('owner', p.id);
      const col = must(await A.collection({ name: 'Before', shared: true }), 201);
      const task = must(await A.asset({ collectionId: col.id, name: 't', kind: 'task', assigneeId: w.u.Art.userId }), 201);
      must(await h.as(w.owner).post(`/projects/${p.id}/archive`), 200);
      const e = refused(await A.collection({ name: 'After' }), 409, 'conflict');
      assert.equal(e.details.reason, 'archived');
      refused(await A.updateCollection(col.id, { name: 'Renamed' }), 409, 'conflict');
      refused(await as('Art', p.id).checkpoint(task.id), 409, 'conflict');
      refused(await as('Art', p.id).status(task.id, p.st.wip), 409, 'conflict');
      refused(await A.r('PATCH', '/settings', { tags: ['x'] }), 409, 'conflict');
      refused(await A.deleteCollection(col.id), 409, 'conflict');
      const pushed = must(await as('Art', p.id).push([['arch', await as('Art', p.id).cpOp(task.id)]]), 200);
      assert.notEqual(pushed.results[0].status, 'applied');
      assert.equal(pushed.results[0].details.reason, 'archived');
      // reads still work, and nothing changed
      const snap = await A.snapshot();
      assert.deepEqual(snap.collections.map((c: any) => c.name), ['Before']);
      assert.equal(snap.checkpoints.length, 0);
      must(await h.as(w.owner).post(`/projects/${p.id}/unarchive`), 200);
      must(await A.collection({ name: 'After' }), 201);
      must(await as('Art', p.id).checkpoint(task.id), 201);
    });
  });
}
