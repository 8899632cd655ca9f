// Garbage collection of stored chunks and previews. A property test drives random histories of
// uploads, checkpoints, reverts, previews, trash, restore, purge, clock moves and collections
// through the HTTP API against an independent model: a collection never deletes a blob that a
// surviving checkpoint (live or trashed) references, deletes exactly the unreferenced blobs older
// than the grace period, and in the end leaves only referenced blobs in the database and the store.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Harness } from '@backlot/test-kit/harness';
import { gc, GC_GRACE_MS } from '../src/content/gc.js';
import { backgroundIdle } from '../src/content/background.js';
import { chunkOf, contentWorld, frames, must, noise, post, raw, refused, sha, upload, type ContentWorld, type TestChunk } from '@backlot/test-kit/content-world';
import { seededRng } from '@backlot/test-kit/random';

const MIN = 60 * 1000;

const png = (seed: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), noise(64 + (seed % 50), seed)]);

interface ModelCheckpoint {
  id: string;
  assetId: string;
  chunks: string[];
  preview: string | null;
  trashed: boolean;
}

async function storedRows(h: Harness, pid: string): Promise<Set<string>> {
  return new Set((await h.deps.db.selectFrom('project_chunks').select('chunk_id').where('project_id', '=', pid).execute()).map((r) => r.chunk_id));
}

async function storeList(h: Harness, pid: string): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const id of h.deps.chunks.store(pid).list()) out.add(id);
  return out;
}

const sorted = (s: Iterable<string>) => [...s].sort();

for (const kind of dbKinds()) {
  describe(`garbage collection (${kind})`, () => {
    let h: Harness;
    let w: ContentWorld;
    before(async () => {
      h = await createHarness(kind);
      w = await contentWorld(h);
    });
    after(async () => {
      await h.close();
    });

    for (const seed of [1, 2, 3, 4, 5, 6]) {
      test(`property: random history ${seed} never loses a referenced blob and eventually collects the rest`, async () => {
        const world = seed === 1 ? w : await contentWorld(h, w);
        const pid = world.pid;
        const me = world.owner;
        const r = seededRng(seed * 7919);
        const open = must(await post(h, me, `/projects/${pid}/collections`, { parentId: null, name: 'Open', shared: true }), 201).id;
        let assetNo = 0;
        const assets = new Map<string, 'live' | 'trashed'>();
        const newAsset = async () => {
          const id = must(await post(h, me, `/projects/${pid}/assets`, { collectionId: open, name: `a${++assetNo}`, extension: 'bin' }), 201, 'asset').id as string;
          assets.set(id, 'live');
          return id;
        };
        for (let i = 0; i < 3; i++) await newAsset();

        // The model: blobs with rows (and when they were last uploaded), checkpoints.
        const pool: TestChunk[] = Array.from({ length: 24 }, (_, i) => chunkOf(noise(40 + ((i * 37) % 160), seed * 1000 + i)));
        const rawOf = new Map(pool.map((c) => [c.id, c.raw]));
        const stored = new Map<string, number>(); // id -> upload time
        const cps = new Map<string, ModelCheckpoint>();
        const now = () => h.clock.now().getTime();

        const referenced = () => {
          const out = new Set<string>();
          for (const c of cps.values()) {
            for (const id of c.chunks) out.add(id);
            if (c.preview) out.add(c.preview);
          }
          return out;
        };
        /** What a collection at this moment must delete. */
        const modelGc = () => {
          const refs = referenced();
          for (const [id, at] of stored) if (!refs.has(id) && at < now() - GC_GRACE_MS) stored.delete(id);
        };
        const assertInvariants = async (when: string) => {
          const refs = referenced();
          const rows = await storedRows(h, pid);
          const bytes = await storeList(h, pid);
          for (const id of refs) {
            assert.ok(rows.has(id), `${when}: referenced blob ${id.slice(0, 8)} lost its row`);
            assert.ok(bytes.has(id), `${when}: referenced blob ${id.slice(0, 8)} lost its bytes`);
          }
          assert.deepEqual(sorted(rows), sorted(stored.keys()), `${when}: rows match the model`);
          assert.deepEqual(sorted(bytes), sorted(stored.keys()), `${when}: stored bytes match the model`);
        };
        const stats = { collected: 0, purges: 0, checkpoints: 0, kept: 0 };
        const collect = () => {
          const before = stored.size;
          const unreferencedBefore = [...stored.keys()].filter((id) => !referenced().has(id)).length;
          modelGc();
          stats.collected += before - stored.size;
          stats.kept += unreferencedBefore - (before - stored.size); // unreferenced but young
        };
        const afterPurge = async () => {
          await backgroundIdle(h.deps.chunks); // the purge schedules a collection
          stats.purges++;
          collect();
        };

        for (let step = 0; step < 60; step++) {
          const action = r.pick(['upload', 'upload', 'upload', 'checkpoint', 'checkpoint', 'checkpoint', 'checkpoint', 'revert', 'preview', 'trashCp', 'restoreCp', 'purgeCp', 'trashAsset', 'restoreAsset', 'purgeAsset', 'advance', 'advance', 'gc'] as const);
          const liveCps = [...cps.values()].filter((c) => !c.trashed && assets.get(c.assetId) === 'live');
          const liveAssets = [...assets].filter(([, s]) => s === 'live').map(([id]) => id);
          const label = `seed ${seed} step ${step} ${action}`;
          switch (action) {
            case 'upload': {
              const picks = [...new Set(Array.from({ length: 1 + r.int(3) }, () => r.pick(pool)))];
              must(await upload(h, me, pid, frames(picks)), 200, label);
              for (const c of picks) stored.set(c.id, now());
              break;
            }
            case 'checkpoint': {
              const avail = [...stored.keys()].filter((id) => rawOf.has(id));
              if (!avail.length || !liveAssets.length) break;
              const chunks = Array.from({ length: 1 + r.int(3) }, () => r.pick(avail));
              const data = Buffer.concat(chunks.map((id) => rawOf.get(id)!));
              const assetId = r.pick(liveAssets);
              const cp = must(await post(h, me, `/projects/${pid}/assets/${assetId}/checkpoints`, { fileHash: sha(data), size: data.length, chunks }), 201, label);
              cps.set(cp.id, { id: cp.id, assetId, chunks, preview: null, trashed: false });
              stats.checkpoints++;
              break;
            }
            case 'revert': {
              if (!liveCps.length) break;
              const old = r.pick(liveCps);
              const cp = must(await post(h, me, `/projects/${pid}/checkpoints/${old.id}/revert`, {}), 201, label);
              cps.set(cp.id, { id: cp.id, assetId: old.assetId, chunks: old.chunks, preview: old.preview, trashed: false });
              break;
            }
            case 'preview': {
              if (!liveCps.length) break;
              const cp = r.pick(liveCps);
              const img = png(r.int(6));
              must(await raw(h, 'PUT', `/projects/${pid}/checkpoints/${cp.id}/preview`, me, { payload: img, headers: { 'content-type': 'image/png' } }), 200, label);
              cp.preview = sha(img);
              stored.set(sha(img), now());
              break;
            }
            case 'trashCp': {
              if (!liveCps.length) break;
              const cp = r.pick(liveCps);
              must(await h.request('DELETE', `/projects/${pid}/checkpoints/${cp.id}`, { token: me.token }), 200, label);
              cp.trashed = true;
              break;
            }
            case 'restoreCp': {
              const trashed = [...cps.values()].filter((c) => c.trashed && assets.get(c.assetId) === 'live');
              if (!trashed.length) break;
              const cp = r.pick(trashed);
              must(await post(h, me, `/projects/${pid}/trash/${cp.id}/restore`, {}), 200, label);
              cp.trashed = false;
              break;
            }
            case 'purgeCp': {
              const trashed = [...cps.values()].filter((c) => c.trashed);
              if (!trashed.length) break;
              const cp = r.pick(trashed);
              must(await h.request('DELETE', `/projects/${pid}/trash/${cp.id}`, { token: me.token }), 200, label);
              cps.delete(cp.id);
              await afterPurge();
              await assertInvariants(label);
              break;
            }
            case 'trashAsset': {
              if (liveAssets.length < 2) break;
              const id = r.pick(liveAssets);
              must(await h.request('DELETE', `/projects/${pid}/assets/${id}`, { token: me.token }), 200, label);
              assets.set(id, 'trashed');
              break;
            }
            case 'restoreAsset': {
              const trashed = [...assets].filter(([, s]) => s === 'trashed').map(([id]) => id);
              if (!trashed.length) break;
              const id = r.pick(trashed);
              must(await post(h, me, `/projects/${pid}/trash/${id}/restore`, {}), 200, label);
              assets.set(id, 'live');
              break;
            }
            case 'purgeAsset': {
              const trashed = [...assets].filter(([, s]) => s === 'trashed').map(([id]) => id);
              if (!trashed.length) break;
              const id = r.pick(trashed);
              must(await h.request('DELETE', `/projects/${pid}/trash/${id}`, { token: me.token }), 200, label);
              assets.delete(id);
              for (const c of [...cps.values()]) if (c.assetId === id) cps.delete(c.id);
              await newAsset();
              await afterPurge();
              await assertInvariants(label);
              break;
            }
            case 'advance':
              h.clock.advance(r.int(45) * MIN);
              break;
            case 'gc': {
              // Over HTTP, or directly with tiny rounds (paging past previews and survivors).
              const res = r.next() < 0.5
                ? must(await post(h, me, `/projects/${pid}/gc`, {}), 200, label)
                : await gc(h.deps, pid, { roundSize: 1 + r.int(3) });
              const before = stored.size;
              collect();
              assert.equal(res.deleted, before - stored.size, `${label}: deleted count`);
              await assertInvariants(label);
              break;
            }
          }
        }
        // Eventually: past the grace period, one collection leaves exactly the referenced blobs.
        h.clock.advance(GC_GRACE_MS + MIN);
        await gc(h.deps, pid, { roundSize: 2 });
        collect();
        // The history was not trivial: things were referenced, purged, collected and spared.
        assert.ok(stats.checkpoints >= 3 && stats.purges > 0 && stats.collected > 0, `seed ${seed}: ${JSON.stringify(stats)}`);
        await assertInvariants(`seed ${seed} final`);
        assert.deepEqual(sorted(stored.keys()), sorted(referenced()), 'only referenced blobs remain');
        // Everything still referenced downloads intact.
        for (const c of [...cps.values()].filter((x) => !x.trashed && assets.get(x.assetId) === 'live').slice(0, 5)) {
          const file = await raw(h, 'GET', `/projects/${pid}/checkpoints/${c.id}/content`, me);
          assert.equal(file.status, 200);
          assert.ok(file.bytes.equals(Buffer.concat(c.chunks.map((id) => rawOf.get(id)!))));
        }
      });
    }

    test('uploads in flight are safe: the grace period, and re-uploads renew it', async () => {
      const world = await contentWorld(h, w);
      const { pid, owner } = world;
      const open = must(await post(h, owner, `/projects/${pid}/collections`, { parentId: null, name: 'Open', shared: true }), 201).id;
      const aid = must(await post(h, owner, `/projects/${pid}/assets`, { collectionId: open, name: 'wip', extension: 'bin' }), 201).id;
      const x = chunkOf(noise(500, 1));
      const y = chunkOf(noise(500, 2));
      must(await upload(h, owner, pid, frames([x, y])), 200);
      h.clock.advance(GC_GRACE_MS - MIN);
      assert.equal(must(await post(h, owner, `/projects/${pid}/gc`, {}), 200).deleted, 0, 'young chunks are kept');
      // y is uploaded again (a resumed sync): renewed.
      must(await upload(h, owner, pid, frames([y])), 200);
      h.clock.advance(2 * MIN);
      const res = must(await post(h, owner, `/projects/${pid}/gc`, {}), 200);
      assert.equal(res.deleted, 1);
      assert.equal(res.bytes, x.encoded.length);
      assert.deepEqual(sorted(await storeList(h, pid)), [y.id]);
      // The client now checkpoints y (after asking: present for its uploader).
      assert.deepEqual(must(await post(h, owner, `/projects/${pid}/chunks/check`, { ids: [x.id, y.id] }), 200).missing, [x.id]);
      must(await post(h, owner, `/projects/${pid}/assets/${aid}/checkpoints`, { fileHash: sha(y.raw), size: y.raw.length, chunks: [y.id] }), 201);
      h.clock.advance(10 * GC_GRACE_MS);
      assert.equal(must(await post(h, owner, `/projects/${pid}/gc`, {}), 200).deleted, 0, 'referenced: kept for good');
      // A checkpoint listing a collected chunk is refused; uploading it again makes it whole.
      refused(await post(h, owner, `/projects/${pid}/assets/${aid}/checkpoints`, { fileHash: sha(x.raw), size: x.raw.length, chunks: [x.id] }), 409, 'missing_chunks');
      must(await upload(h, owner, pid, frames([x])), 200);
      must(await post(h, owner, `/projects/${pid}/assets/${aid}/checkpoints`, { fileHash: sha(x.raw), size: x.raw.length, chunks: [x.id] }), 201);
      assert.equal((await raw(h, 'GET', `/projects/${pid}/chunks/fetch`, owner)).status, 404, 'fetch is POST only');
      const f = await raw(h, 'POST', `/projects/${pid}/chunks/fetch`, owner, { payload: { ids: [x.id] } });
      assert.equal(f.status, 200);
    });

    test('a purge collects what it unreferenced, in the background; /gc needs trash.purge', async () => {
      const world = await contentWorld(h, w);
      const { pid, owner, by } = world;
      const open = must(await post(h, owner, `/projects/${pid}/collections`, { parentId: null, name: 'Open', shared: true }), 201).id;
      const aid = must(await post(h, owner, `/projects/${pid}/assets`, { collectionId: open, name: 'gone', extension: 'bin' }), 201).id;
      const c = chunkOf(noise(800, 3));
      const keep = chunkOf(noise(800, 4));
      must(await upload(h, owner, pid, frames([c, keep])), 200);
      const cp = must(await post(h, owner, `/projects/${pid}/assets/${aid}/checkpoints`, { fileHash: sha(c.raw), size: 800, chunks: [c.id] }), 201);
      const cp2 = must(await post(h, owner, `/projects/${pid}/assets/${aid}/checkpoints`, { fileHash: sha(keep.raw), size: 800, chunks: [keep.id] }), 201);
      must(await h.request('DELETE', `/projects/${pid}/checkpoints/${cp.id}`, { token: owner.token }), 200);
      h.clock.advance(GC_GRACE_MS + MIN);
      assert.equal(must(await post(h, owner, `/projects/${pid}/gc`, {}), 200).deleted, 0, 'a trashed checkpoint still holds its chunks');
      must(await h.request('DELETE', `/projects/${pid}/trash/${cp.id}`, { token: owner.token }), 200, 'purge');
      await backgroundIdle(h.deps.chunks);
      assert.deepEqual(sorted(await storeList(h, pid)), [keep.id], 'collected after the purge');
      assert.deepEqual(sorted(await storedRows(h, pid)), [keep.id]);
      assert.equal((await raw(h, 'GET', `/projects/${pid}/checkpoints/${cp2.id}/content`, owner)).status, 200);

      refused(await post(h, by.artist, `/projects/${pid}/gc`, {}), 403, 'forbidden');
      refused(await post(h, by.production_manager, `/projects/${pid}/gc`, {}), 403, 'forbidden', 'restore is not purge');
      const outsider = await h.user(`gc-outsider-${kind}@content.test`);
      refused(await post(h, outsider, `/projects/${pid}/gc`, {}), 404, 'not_found');
    });
  });
}
