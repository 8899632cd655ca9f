// Sync pushes and pulls under hostile and concurrent use, through the HTTP API:
// - op types and field names drawn from Object.prototype are rejected one by one, never a 500
//   that drops the batch (a property test over seeded random batches);
// - an unexpected error in one op is answered and the batch goes on;
// - the change log has no gaps: concurrent duplicate op ids and ops that change nothing take no
//   revision (docs/design.md, "The change log has no gaps");
// - removals reach only members who could see the removed item, and carry its id alone;
// - assigned-only roles see members' names, not their emails.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng } from '@backlot/test-kit/random';
import { createHarness, dbKinds, type Harness } from '@backlot/test-kit/harness';
import { As, H1, makeProject, makeWorld, must, type World } from '@backlot/test-kit/production-world';
import { HANDLERS } from '../src/ops/handlers.js';

/** Every own property name of Object.prototype: `constructor`, `__proto__`, `toString`, ... */
const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype);

for (const kind of dbKinds()) {
  describe(`sync hardening (${kind})`, () => {
    let h: Harness;
    let w: World;
    before(async () => {
      h = await createHarness(kind);
      w = await makeWorld(h, ['PM', 'Art', 'Ven']);
    });
    after(async () => { await h.close(); });

    const as = (who: string, pid: string) => new As(h, who === 'owner' ? w.owner : w.u[who], pid);
    const revisionOf = async (pid: string) => Number((await h.deps.db.selectFrom('projects').select('revision').where('id', '=', pid).executeTakeFirstOrThrow()).revision);

    /** Revisions 1..head each have at least one change-log entry, and none is above head. */
    async function assertGapFree(pid: string) {
      const head = await revisionOf(pid);
      const rows = await h.deps.db.selectFrom('change_log').select('revision').distinct().where('project_id', '=', pid).execute();
      const logged = new Set(rows.map((r) => Number(r.revision)));
      const gaps = Array.from({ length: head }, (_, i) => i + 1).filter((r) => !logged.has(r));
      assert.deepEqual(gaps, [], `revisions without a change-log entry (head ${head})`);
      assert.ok([...logged].every((r) => r <= head), 'no entry above the head revision');
    }

    test('property: op types and field names from Object.prototype are rejected alone; the rest of each batch applies', async () => {
      const p = await makeProject(w, {});
      const A = as('owner', p.id);
      const rng = seededRng(9001);
      let n = 0;
      const good = () => ({ type: 'collection.create', parentId: null, name: `ok-${++n}` });
      const hostile = (): unknown => {
        const name = rng.pick(PROTO_NAMES);
        switch (rng.int(5)) {
          case 0: return { type: name, name: 'x' };
          case 1: return { type: name };
          case 2: return { ...good(), [name === '__proto__' ? 'constructor' : name]: 'x' };
          case 3: return { type: `${name}.${rng.pick(PROTO_NAMES)}` };
          default: return { type: 'collection.create', parentId: null, name: { [name === '__proto__' ? 'valueOf' : name]: 1 } };
        }
      };
      let applied = 0;
      for (let round = 0; round < 40; round++) {
        const batch: [string, unknown][] = Array.from({ length: 1 + rng.int(8) }, (_, i) => [`p${round}-${i}`, rng.chance(0.5) ? good() : hostile()]);
        const res = must(await A.push(batch), 200, `round ${round}: ${JSON.stringify(batch)}`).results;
        assert.deepEqual(res.map((r: any) => r.opId), batch.map(([id]) => id), 'one answer per op, in order');
        batch.forEach(([, op], i) => {
          const isGood = typeof (op as any).name === 'string' && (op as any).type === 'collection.create' && Object.keys(op as object).length === 3;
          if (isGood) {
            assert.equal(res[i].status, 'applied', JSON.stringify(res[i]));
            applied++;
          } else {
            assert.equal(res[i].status, 'rejected', `${JSON.stringify(op)} → ${JSON.stringify(res[i])}`);
            assert.equal(res[i].code, 'validation_failed');
          }
        });
      }
      // The raw JSON key __proto__ itself is refused by the body parser, before any op runs.
      const rev = await revisionOf(p.id);
      const raw = await h.request('POST', `/projects/${p.id}/ops`, {
        token: w.owner.token, headers: { 'content-type': 'application/json' },
        payload: `{"ops":[{"opId":"a","op":{"type":"collection.create","parentId":null,"name":"first"}},{"opId":"b","op":{"type":"collection.create","__proto__":{"x":1}}}]}`,
      });
      assert.equal(raw.status, 400, JSON.stringify(raw.body));
      assert.equal(await revisionOf(p.id), rev, 'nothing of a refused body is applied');
      const names = (await A.snapshot()).collections.map((c: any) => c.name);
      assert.equal(names.filter((x: string) => x.startsWith('ok-')).length, applied);
      await assertGapFree(p.id);
    });

    test('an unexpected error in one op is answered (with the request id) and the batch goes on', async () => {
      const p = await makeProject(w, {});
      const A = as('owner', p.id);
      const original = HANDLERS['collection.create'];
      HANDLERS['collection.create'] = async (env, op) => {
        if (op.name === 'boom') throw new TypeError('a bug');
        return original(env, op);
      };
      try {
        const r = await A.push([
          ['i1', { type: 'collection.create', parentId: null, name: 'before' }],
          ['i2', { type: 'collection.create', parentId: null, name: 'boom' }],
          ['i3', { type: 'collection.create', parentId: null, name: 'after' }],
        ]);
        const res = must(r, 200).results;
        assert.deepEqual(res.map((x: any) => x.status), ['applied', 'rejected', 'applied']);
        assert.equal(res[1].code, 'internal');
        assert.equal(res[1].details.requestId, r.headers['x-request-id']);
      } finally {
        HANDLERS['collection.create'] = original;
      }
      assert.deepEqual((await A.snapshot()).collections.map((c: any) => c.name).sort(), ['after', 'before']);
      await assertGapFree(p.id);
    });

    test('change log without gaps: concurrent duplicate op ids and no-op ops take no revision', async () => {
      const p = await makeProject(w, { Art: 'artist' });
      const A = as('owner', p.id);
      const art = as('Art', p.id);
      const home = must(await A.collection({ name: 'Home', shared: true }), 201);
      const task = must(await A.asset({ collectionId: home.id, name: 'shot', kind: 'task', assigneeId: w.u.Art.userId }), 201);
      must(await art.status(task.id, p.st.wip), 200);

      // 20 op ids, each sent twice at once, mixed with 20 no-op status changes and 10 REST writes.
      const dupes = Array.from({ length: 20 }, (_, i) => [`dup-${i}`, { type: 'collection.create', parentId: home.id, name: `c${i}` }] as [string, unknown]);
      const noops = Array.from({ length: 20 }, (_, i) => [`noop-${i}`, { type: 'task.status', assetId: task.id, statusId: p.st.wip }] as [string, unknown]);
      const answers = await Promise.all([
        ...dupes.flatMap((op) => [A.push([op]), A.push([op])]),
        ...noops.map((op) => art.push([op])),
        ...Array.from({ length: 10 }, (_, i) => A.asset({ collectionId: home.id, name: `rest-${i}` })),
      ]);
      const head = await revisionOf(p.id);
      const pushed = answers.slice(0, 60).map((r) => must(r, 200).results[0]);
      for (const r of pushed) assert.equal(r.status, 'applied', JSON.stringify(r));
      for (let i = 0; i < 20; i++) assert.deepEqual(pushed[2 * i], pushed[2 * i + 1], 'both sends of one op id get one answer');
      for (const r of pushed.slice(40)) assert.ok(r.revision <= head, 'a no-op is applied at a revision that exists');
      for (const r of answers.slice(60)) must(r, 201);
      assert.equal(new Set(pushed.slice(0, 40).map((r) => r.revision)).size, 20, 'each op id took one revision');
      await assertGapFree(p.id);
      // A no-op sent alone answers the current revision and moves nothing.
      const rev = await revisionOf(p.id);
      const again = must(await art.push([['noop-alone', { type: 'task.status', assetId: task.id, statusId: p.st.wip }]]), 200).results[0];
      assert.equal(again.status, 'applied');
      assert.equal(again.revision, rev);
      assert.equal(await revisionOf(p.id), rev);
      must(await A.assign(task.id, w.u.Art.userId), 200, 'assigning the current assignee');
      assert.equal(await revisionOf(p.id), rev);
      await assertGapFree(p.id);
    });

    test('removals reach only members who could see the item, and carry only its id', async () => {
      const p = await makeProject(w, { Art: 'artist', Ven: 'vendor' });
      const A = as('owner', p.id);
      const art = as('Art', p.id);
      const ven = as('Ven', p.id);
      // The Artist sees the shared collection; the Vendor sees only its assigned task.
      const shared = must(await A.collection({ name: 'Shared', shared: true }), 201);
      const hidden = must(await A.collection({ name: 'Hidden' }), 201);
      const mine = must(await A.asset({ collectionId: shared.id, name: 'vendor-task', kind: 'task', assigneeId: w.u.Ven.userId }), 201);
      const x = must(await A.asset({ collectionId: shared.id, name: 'secret-x' }), 201);
      const y = must(await A.asset({ collectionId: shared.id, name: 'secret-y' }), 201);
      const z = must(await A.asset({ collectionId: hidden.id, name: 'secret-z' }), 201);
      const cp = must(await A.checkpoint(x.id, { chunks: [H1] }), 201);
      const dep = must(await A.dep(x.id, { targetAssetId: y.id, dependencyType: 'uses' }), 201);
      const sub = must(await A.collection({ parentId: hidden.id, name: 'Sub' }), 201);
      const venStart = must(await ven.pull(), 200);
      const artStart = must(await art.pull(), 200);
      assert.ok(!JSON.stringify(venStart).includes(x.id), 'the Vendor does not see x');

      must(await A.r('DELETE', `/checkpoints/${cp.id}`), 200);
      must(await A.r('DELETE', `/dependencies/${dep.id}`), 200);
      must(await A.deleteAsset(z.id), 200);
      must(await A.deleteCollection(sub.id), 200);
      // Something the Vendor sees changes too, so its pull is not empty for want of changes.
      must(await A.updateAsset(mine.id, { description: 'brief v2' }), 200);

      const venDiff = must(await ven.pull(venStart.cursor), 200);
      assert.equal(venDiff.reset, false, 'the Vendor gets a diff, not a snapshot');
      assert.ok(venDiff.changes.some((c: any) => c.id === mine.id), 'its own task arrives');
      const venText = JSON.stringify(venDiff);
      for (const [what, id] of [['checkpoint', cp.id], ['dependency', dep.id], ['asset x', x.id], ['asset z', z.id], ['collection', sub.id]] as const)
        assert.ok(!venText.includes(id), `the Vendor's pull names the ${what}: ${venText}`);

      const artDiff = must(await art.pull(artStart.cursor), 200);
      assert.equal(artDiff.reset, false);
      const removals = artDiff.changes.filter((c: any) => c.change === 'remove');
      assert.deepEqual(removals.map((c: any) => [c.entity, c.id]).sort(), [['checkpoint', cp.id], ['dependency', dep.id]].sort(),
        'the Artist, who saw them, is told of the checkpoint and the dependency; not of what it never saw');
      for (const r of removals) assert.deepEqual(Object.keys(r).sort(), ['change', 'entity', 'id', 'revision'], 'a removal carries its id alone');
      assert.ok(!JSON.stringify(artDiff).includes(z.id) && !JSON.stringify(artDiff).includes(sub.id));

      // The Admin sees everything: every removal.
      const adminStart = must(await A.pull(), 200);
      const gone = must(await A.asset({ collectionId: hidden.id, name: 'brief-lived' }), 201);
      must(await A.deleteAsset(gone.id), 200);
      const adminDiff = must(await A.pull(adminStart.cursor), 200);
      assert.ok(adminDiff.changes.some((c: any) => c.change === 'remove' && c.id === gone.id));
    });

    test('assigned-only roles see members by name, not by email', async () => {
      const p = await makeProject(w, { PM: 'production_manager', Art: 'artist', Ven: 'vendor' });
      const emails = (list: any[]) => list.map((m) => m.email).filter(Boolean);
      const venSnap = await as('Ven', p.id).snapshot();
      assert.equal(venSnap.members.length, 4);
      assert.deepEqual(emails(venSnap.members), [], JSON.stringify(venSnap.members));
      assert.ok(venSnap.members.every((m: any) => m.name && m.userId && m.roleId));
      const venList = must(await h.as(w.u.Ven).get(`/projects/${p.id}/members`), 200).members;
      assert.deepEqual(emails(venList), []);
      assert.ok(!JSON.stringify(venList).includes('@studio.test'));
      // Everyone else sees emails (the studio owner, the Production Manager, the Artist).
      for (const who of ['owner', 'PM', 'Art']) {
        assert.equal(emails((await as(who, p.id).snapshot()).members).length, 4, who);
        assert.equal(emails(must(await h.as(who === 'owner' ? w.owner : w.u[who]).get(`/projects/${p.id}/members`), 200).members).length, 4, who);
      }
      // An assigned-only role that manages members sees them in full.
      const roles = must(await h.as(w.owner).get(`/projects/${p.id}/roles`), 200).roles;
      const vendorRole = roles.find((r: any) => r.key === 'vendor');
      must(await h.request('PATCH', `/projects/${p.id}/roles/${vendorRole.id}`, { token: w.owner.token, body: { permissions: [...vendorRole.permissions, 'members.add'] } }), 200);
      assert.equal(emails((await as('Ven', p.id).snapshot()).members).length, 4);
    });
  });
}
