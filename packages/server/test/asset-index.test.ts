// The board and lists search an in-memory asset index that each process moves forward by
// replaying the change log. If any write forgot to log what it changed, the replayed index would
// drift from the database: this drives random writes through the HTTP API, reading between them
// so the cache replays, and checks the replayed state against one rebuilt from the database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Harness } from '@backlot/test-kit/harness';
import { As, makeProject, makeWorld, must, type Project, type World } from '@backlot/test-kit/production-world';
import { forgetGraph, stateAt } from '../src/projection/graph-cache.js';
import { seededRng } from '@backlot/test-kit/random';

const snapshotOf = (state: Awaited<ReturnType<typeof stateAt>>) => ({
  index: [...state.index.all()].sort((a, b) => (a.id < b.id ? -1 : 1)),
  assets: [...state.graph.assets.values()].map((a) => ({ ...a })).sort((a, b) => (a.id < b.id ? -1 : 1)),
  collections: [...state.graph.collections.values()].map((c) => ({ ...c })).sort((a, b) => (a.id < b.id ? -1 : 1)),
});

for (const kind of dbKinds()) {
  describe(`asset index replay (${kind})`, () => {
    let h: Harness;
    let w: World;
    let p: Project;
    before(async () => {
      h = await createHarness(kind);
      w = await makeWorld(h, ['Ari', 'Bo']);
      p = await makeProject(w, { Ari: 'artist', Bo: 'supervisor' });
    });
    after(async () => h?.close());

    test('random writes: the replayed index equals one rebuilt from the database', async () => {
      const admin = new As(h, w.owner, p.id);
      const ari = new As(h, w.u.Ari, p.id);
      const rng = seededRng(20261123);
      const rnd = rng.next;
      const pick = rng.pick;
      const collections: string[] = [];
      const assets: string[] = [];
      const trashed: string[] = [];
      const checkpoints: string[] = [];
      const statuses = Object.values(p.st);
      const ok = (status: number) => status >= 200 && status < 300;
      for (let i = 0; i < 4; i++) collections.push(must(await admin.collection({ name: `c${i}`, parentId: i ? pick(collections) : null }), 201).id);
      // A read first, so the rest of the run is replayed onto a cached state.
      must(await admin.r('GET', '/board'), 200);

      for (let step = 0; step < 140; step++) {
        const roll = rnd();
        const a = assets.length ? pick(assets) : null;
        if (roll < 0.25 || !a) {
          const body = { collectionId: rnd() < 0.2 ? null : pick(collections), name: `a${step}`, extension: pick(['psd', 'blend', 'EXR']), kind: rnd() < 0.7 ? 'task' : 'resource', assetType: pick(['Model', 'Rig', null]), tags: rnd() < 0.5 ? ['hero'] : [] };
          const r = await admin.asset(body);
          if (ok(r.status)) assets.push(r.body.id);
        } else if (roll < 0.35) {
          await admin.updateAsset(a, pick([{ name: `r${step}` }, { tags: ['metal', `t${step}`] }, { assetType: 'Prop' }, { collectionId: pick(collections) }, { kind: pick(['task', 'resource']) }]));
        } else if (roll < 0.45) {
          await admin.assign(a, pick([w.u.Ari.userId, w.u.Bo.userId, null]));
        } else if (roll < 0.55) {
          await admin.status(a, pick(statuses));
        } else if (roll < 0.65) {
          // Checkpoints move the asset's update time (as the assignee: the soft lock).
          await admin.assign(a, w.u.Ari.userId);
          const r = await ari.checkpoint(a, { comment: `s${step}` });
          if (ok(r.status)) checkpoints.push(r.body.id ?? r.body.checkpoint?.id);
        } else if (roll < 0.72) {
          const r = await admin.deleteAsset(a);
          if (ok(r.status)) { assets.splice(assets.indexOf(a), 1); trashed.push(a); }
        } else if (roll < 0.77 && trashed.length) {
          const t = pick(trashed);
          const r = await admin.restore(t);
          if (ok(r.status)) { trashed.splice(trashed.indexOf(t), 1); assets.push(t); }
        } else if (roll < 0.8 && collections.length > 2) {
          const c = pick(collections.slice(1));
          const r = await admin.deleteCollection(c);
          if (ok(r.status) && rnd() < 0.5) await admin.restore(c);
        } else if (roll < 0.83 && checkpoints.length) {
          const cp = pick(checkpoints);
          if (ok((await admin.r('DELETE', `/checkpoints/${cp}`)).status)) await admin.purge(cp);
        } else if (roll < 0.86) {
          const r = await admin.r('POST', '/statuses', { name: `S${step}`, shortLabel: 'S', color: '#123456', category: 'in_progress' });
          if (ok(r.status)) {
            await admin.status(a, r.body.id);
            await admin.r('DELETE', `/statuses/${r.body.id}?replacementId=${pick(statuses)}`);
          }
        } else if (roll < 0.9) {
          await admin.updateCollection(pick(collections), { name: `n${step}`, shared: rnd() < 0.5 });
        } else {
          const r = await admin.collection({ name: `c${step}`, parentId: pick(collections) });
          if (ok(r.status)) collections.push(r.body.id);
        }
        if (step % 7 === 0) must(await admin.r('GET', '/board'), 200);
      }

      const revision = Number((await h.deps.db.selectFrom('projects').select('revision').where('id', '=', p.id).executeTakeFirstOrThrow()).revision);
      const replayed = snapshotOf(await stateAt(h.deps.db, p.id, revision));
      forgetGraph(p.id);
      const rebuilt = snapshotOf(await stateAt(h.deps.db, p.id, revision));
      assert.ok(rebuilt.index.length > 20, `enough live assets to mean something (${rebuilt.index.length})`);
      assert.deepEqual(replayed.index, rebuilt.index);
      assert.deepEqual(replayed.assets, rebuilt.assets);
      assert.deepEqual(replayed.collections, rebuilt.collections);
    });
  });
}
