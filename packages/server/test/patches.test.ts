// Patch chunks over HTTP: an uploaded patch is verified by rebuilding and hashing it with bases
// the uploader may use (else refused, nothing stored, the same answer as for an unknown base);
// the server bounds chains by keeping too-deep patches whole; a fetch sends a patch as stored only
// to a caller who takes patches and may fetch its bases; garbage collection keeps a base while a
// patch needs it and collects both once neither is referenced.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { chunkId, encodeChunk, encodePatch, MAX_PATCH_DEPTH, patchHeaderOf, verifyMadeHere } from '@backlot/storage';
import { createHarness, dbKinds, type Harness } from '@backlot/test-kit/harness';
import { contentWorld, frame, must, noise, parseFrames, post, prose, raw, refused, upload, type ContentWorld } from '@backlot/test-kit/content-world';
import { gc } from '../src/content/gc.js';
import { backgroundIdle } from '../src/content/background.js';
import { pendingRebases, resumeRebases } from '../src/content/rebase.js';

/** A re-save: a pointer-sized field in about every 28 records of 128 bytes changes. */
function resave(prev: Buffer, seed: number): Buffer {
  const out = Buffer.from(prev);
  const n = noise(Math.ceil(out.length / 32) + 8, seed);
  for (let o = 100, k = 0; o + 4 <= out.length; o += 128, k += 4) if (n[k] % 28 === 0) out.writeUInt32LE(n.readUInt32LE(k), o);
  return out;
}

for (const kind of dbKinds()) {
  describe(`patch chunks over HTTP (${kind})`, () => {
    let h: Harness;
    let w: ContentWorld;
    let shared: string;
    let hidden: string;
    const storedOf = async (id: string) => h.deps.chunks.store(w.pid).get(id);
    const basesRows = (id: string) => h.deps.db.selectFrom('chunk_bases').select('base_id').where('project_id', '=', w.pid).where('chunk_id', '=', id).execute();

    const asset = async (collectionId: string, name: string) =>
      must(await post(h, w.owner, `/projects/${w.pid}/assets`, { collectionId, name, extension: 'blend' }), 201, 'asset').id as string;
    const checkpoint = async (assetId: string, raw: Buffer) =>
      must(await post(h, w.owner, `/projects/${w.pid}/assets/${assetId}/checkpoints`, { fileHash: chunkId(raw), size: raw.length, chunks: [chunkId(raw)] }), 201, 'checkpoint');

    before(async () => {
      h = await createHarness(kind);
      w = await contentWorld(h);
      shared = must(await post(h, w.owner, `/projects/${w.pid}/collections`, { parentId: null, name: 'Shared', shared: true }), 201).id;
      hidden = must(await post(h, w.owner, `/projects/${w.pid}/collections`, { parentId: null, name: 'Hidden' }), 201).id;
    });
    after(() => h.close());

    test('a patch is verified and admitted; once its checkpoint is in, the newest version is stored whole and the previous one as a patch on it', async () => {
      const v1 = prose(200_000, 1);
      const v2 = resave(v1, 2);
      const aid = await asset(shared, 'scene');
      must(await upload(h, w.owner, w.pid, frame(chunkId(v1), encodeChunk(v1))), 200);
      await checkpoint(aid, v1);
      const patch = encodePatch(v2, [{ id: chunkId(v1), raw: v1, depth: 0 }])!;
      const up = must(await upload(h, w.owner, w.pid, frame(chunkId(v2), patch)), 200);
      assert.equal(up.bytes, patch.length);
      assert.deepEqual((await basesRows(chunkId(v2))).map((r) => r.base_id), [chunkId(v1)], 'stored as sent until a checkpoint names it');
      await checkpoint(aid, v2);
      await backgroundIdle(h.deps.chunks);
      assert.equal(patchHeaderOf((await storedOf(chunkId(v2)))!), null, 'the newest version is whole');
      assert.deepEqual(patchHeaderOf((await storedOf(chunkId(v1)))!)?.bases, [chunkId(v2)], 'the previous one is a patch on it');
      assert.deepEqual(await basesRows(chunkId(v2)), []);
      assert.deepEqual((await basesRows(chunkId(v1))).map((r) => r.base_id), [chunkId(v2)]);
      for (const id of [chunkId(v1), chunkId(v2)]) {
        const row = await h.deps.db.selectFrom('project_chunks').select('stored_crc').where('project_id', '=', w.pid).where('chunk_id', '=', id).executeTakeFirstOrThrow();
        assert.equal(row.stored_crc, crc32((await storedOf(id))!) | 0, 'the rebase records the checksum of the encoding it stored');
      }

      // Someone who may download the asset (shared collection) and takes patches gets the old version as a patch.
      const viewer = w.by.artist;
      const asPatch = await raw(h, 'POST', `/projects/${w.pid}/chunks/fetch`, viewer, { payload: { ids: [chunkId(v1)], patches: true } });
      assert.equal(asPatch.status, 200);
      const got = parseFrames(asPatch.bytes);
      assert.deepEqual(patchHeaderOf(got[0].encoded)?.bases, [chunkId(v2)]);
      assert.deepEqual(got.map((f) => f.id), [chunkId(v1), chunkId(v2)], 'the base the caller does not hold follows in the same answer');
      // A caller who says they hold the base gets the patch alone.
      const alone = await raw(h, 'POST', `/projects/${w.pid}/chunks/fetch`, viewer, { payload: { ids: [chunkId(v1)], patches: true, held: { [chunkId(v1)]: [chunkId(v2)] } } });
      assert.deepEqual(parseFrames(alone.bytes).map((f) => f.id), [chunkId(v1)]);
      // Without asking for patches, it comes whole.
      const whole = await raw(h, 'POST', `/projects/${w.pid}/chunks/fetch`, viewer, { payload: { ids: [chunkId(v1)] } });
      assert.equal(patchHeaderOf(parseFrames(whole.bytes)[0].encoded), null);
      // The server's own reconstruction walks the chain: both versions, byte for byte.
      const cps = must(await raw(h, 'GET', `/projects/${w.pid}/assets/${aid}/checkpoints`, viewer), 200).checkpoints;
      assert.ok((await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${cps[1].id}/content`, viewer)).bytes.equals(v1));
      assert.ok((await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${cps[0].id}/content`, viewer)).bytes.equals(v2));
    });

    /** v1 then v2 (a re-save sent as a patch) checkpointed on a new asset, rebased: v2 whole, v1 a patch on it. */
    const twoVersions = async (name: string, seed: number) => {
      const v1 = noise(160_000, seed); // like encoded media: a patch is far smaller than the whole
      const v2 = resave(v1, seed + 1);
      const aid = await asset(shared, name);
      must(await upload(h, w.owner, w.pid, frame(chunkId(v1), encodeChunk(v1))), 200);
      const cp1 = await checkpoint(aid, v1);
      must(await upload(h, w.owner, w.pid, frame(chunkId(v2), encodePatch(v2, [{ id: chunkId(v1), raw: v1, depth: 0 }])!)), 200);
      const cp2 = await checkpoint(aid, v2);
      await backgroundIdle(h.deps.chunks);
      return { v1, v2, cp1: cp1.id as string, cp2: cp2.id as string };
    };
    const basesOfStored = async (data: Buffer) => patchHeaderOf((await storedOf(chunkId(data)))!)?.bases ?? null;

    test('the newest version is stored whole again when the one after it is deleted, and when that one is restored', async () => {
      const { v1, v2, cp1, cp2 } = await twoVersions('undone', 61);
      assert.deepEqual(await basesOfStored(v1), [chunkId(v2)]);
      must(await raw(h, 'DELETE', `/projects/${w.pid}/checkpoints/${cp2}`, w.owner), 200, 'delete the newest');
      await backgroundIdle(h.deps.chunks);
      assert.equal(await basesOfStored(v1), null, 'v1 is the newest again: whole');
      assert.deepEqual(await basesOfStored(v2), [chunkId(v1)], 'the deleted version rests on it');
      must(await raw(h, 'POST', `/projects/${w.pid}/trash/${cp2}/restore`, w.owner), 200, 'restore');
      await backgroundIdle(h.deps.chunks);
      assert.equal(await basesOfStored(v2), null, 'restored, v2 is the newest: whole');
      assert.deepEqual(await basesOfStored(v1), [chunkId(v2)]);
      assert.deepEqual(await pendingRebases(h.deps, w.pid), []);
      for (const [cp, data] of [[cp1, v1], [cp2, v2]] as const) assert.ok((await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${cp}/content`, w.owner)).bytes.equals(data));
    });

    test('a rebase a stopped server left pending is found from what is stored and resumed', async () => {
      const { v1, v2, cp1, cp2 } = await twoVersions('pending', 71);
      // Back to how the upload left it, as if the server had stopped before rebasing: v1 whole, v2 a patch on v1.
      const store = h.deps.chunks.store(w.pid);
      const onV1 = [{ id: chunkId(v1), raw: v1, depth: 0 }];
      await store.replaceVerifiedMany([verifyMadeHere(chunkId(v1), encodeChunk(v1), v1)]);
      await h.deps.db.deleteFrom('chunk_bases').where('project_id', '=', w.pid).where('chunk_id', '=', chunkId(v1)).execute();
      await h.deps.db.insertInto('chunk_bases').values({ project_id: w.pid, chunk_id: chunkId(v2), base_id: chunkId(v1) }).execute();
      await store.replaceVerifiedMany([verifyMadeHere(chunkId(v2), encodePatch(v2, onV1)!, v2, onV1)]);
      assert.deepEqual(await pendingRebases(h.deps, w.pid), [{ projectId: w.pid, checkpointId: cp2 }]);

      assert.equal(await resumeRebases(h.deps), 1);
      await backgroundIdle(h.deps.chunks);
      assert.equal(await basesOfStored(v2), null);
      assert.deepEqual(await basesOfStored(v1), [chunkId(v2)]);
      assert.deepEqual(await pendingRebases(h.deps), []);
      for (const [cp, data] of [[cp1, v1], [cp2, v2]] as const) assert.ok((await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${cp}/content`, w.owner)).bytes.equals(data));
    });

    test('a chunk stored whole comes as a patch against what the caller holds, only if they may download it', async () => {
      const v1 = noise(220_000, 51); // like encoded media: whole, it does not compress
      const v2 = resave(v1, 52);
      const open = await asset(shared, 'held-open');
      const secret = await asset(hidden, 'held-secret');
      for (const [aid, data] of [[secret, v1], [open, v2]] as const) {
        must(await upload(h, w.owner, w.pid, frame(chunkId(data), encodeChunk(data))), 200);
        await checkpoint(aid, data);
      }
      const fetchHeld = (who: typeof w.owner) =>
        raw(h, 'POST', `/projects/${w.pid}/chunks/fetch`, who, { payload: { ids: [chunkId(v2)], patches: true, held: { [chunkId(v2)]: [chunkId(v1)] } } });
      // The owner may download v1: v2 comes as a patch against it.
      const got = parseFrames((await fetchHeld(w.owner)).bytes)[0].encoded;
      assert.deepEqual(patchHeaderOf(got)?.bases, [chunkId(v1)]);
      assert.ok(got.length < 0.05 * v2.length);
      // An artist who claims to hold the hidden v1 gets v2 whole: no patch against what they may not have.
      const artist = parseFrames((await fetchHeld(w.by.artist)).bytes)[0].encoded;
      assert.equal(patchHeaderOf(artist), null);
      refused(await raw(h, 'POST', `/projects/${w.pid}/chunks/fetch`, w.owner, { payload: { ids: [chunkId(v2)], patches: true, held: { [chunkId(v2)]: ['x'] } } }), 400, 'validation_failed');
    });

    test('a patch against a base the uploader may not use is refused like one against an unknown base; nothing is stored', async () => {
      const secret = prose(150_000, 11);
      const secretAsset = await asset(hidden, 'secret');
      must(await upload(h, w.owner, w.pid, frame(chunkId(secret), encodeChunk(secret))), 200);
      await checkpoint(secretAsset, secret);
      const guess = resave(secret, 12);
      const viaSecret = encodePatch(guess, [{ id: chunkId(secret), raw: secret, depth: 0 }])!;
      const unknownBase = prose(150_000, 13);
      const viaUnknown = encodePatch(guess, [{ id: chunkId(unknownBase), raw: unknownBase, depth: 0 }])!;
      const vendor = w.by.vendor; // sees nothing of the hidden collection
      const a = refused(await upload(h, vendor, w.pid, frame(chunkId(guess), viaSecret)), 400, 'invalid_chunk');
      const b = refused(await upload(h, vendor, w.pid, frame(chunkId(guess), viaUnknown)), 400, 'invalid_chunk');
      assert.equal(a.details.reason, 'base_missing');
      assert.deepEqual(a.details, b.details, 'no difference between a forbidden and an unknown base');
      assert.equal(await storedOf(chunkId(guess)), null);
    });

    test('a bad patch is refused and nothing is stored: wrong content, malformed header, a base named twice', async () => {
      const v1 = prose(120_000, 21);
      const v2 = resave(v1, 22);
      must(await upload(h, w.owner, w.pid, frame(chunkId(v1), encodeChunk(v1))), 200);
      const patch = encodePatch(v2, [{ id: chunkId(v1), raw: v1, depth: 0 }])!;
      const other = resave(v1, 23);
      const e1 = refused(await upload(h, w.owner, w.pid, frame(chunkId(other), patch)), 400, 'invalid_chunk');
      assert.equal(e1.details.reason, 'hash_mismatch');
      refused(await upload(h, w.owner, w.pid, frame(chunkId(v2), Buffer.from([2, 1, 9]))), 400, 'invalid_chunk');
      const twice = Buffer.concat([Buffer.from([2, 1, 2]), Buffer.from(chunkId(v1), 'hex'), Buffer.from(chunkId(v1), 'hex'), patch.subarray(35)]);
      refused(await upload(h, w.owner, w.pid, frame(chunkId(v2), twice)), 400, 'invalid_chunk');
      const truncated = patch.subarray(0, patch.length - 5);
      refused(await upload(h, w.owner, w.pid, frame(chunkId(v2), truncated)), 400, 'invalid_chunk');
      assert.equal(await storedOf(chunkId(v2)), null);
      assert.equal(await storedOf(chunkId(other)), null);
    });

    test('chains stay bounded: a patch deeper than the server allows is stored whole', async () => {
      let prev = prose(100_000, 31);
      must(await upload(h, w.owner, w.pid, frame(chunkId(prev), encodeChunk(prev))), 200);
      const depths: number[] = [];
      for (let v = 1; v <= MAX_PATCH_DEPTH + 2; v++) {
        const next = resave(prev, 100 + v);
        // The writer always patches against the previous version at depth 1 (as a client that
        // keeps its pristine copy whole would).
        must(await upload(h, w.owner, w.pid, frame(chunkId(next), encodePatch(next, [{ id: chunkId(prev), raw: prev, depth: 0 }])!)), 200);
        depths.push(patchHeaderOf((await storedOf(chunkId(next)))!)?.depth ?? 0);
        prev = next;
      }
      assert.deepEqual(depths, [1, 2, 3, 4, 5, 6, 7, 8, 0, 1]);
    });

    test('garbage collection keeps a base while a patch needs it, then collects both', async () => {
      const v1 = noise(180_000, 41);
      const v2 = resave(v1, 42);
      const v3 = resave(v1, 43);
      const a = await asset(shared, 'gc-a');
      const b = await asset(shared, 'gc-b');
      const patchUp = async (next: Buffer, prev: Buffer) => must(await upload(h, w.owner, w.pid, frame(chunkId(next), encodePatch(next, [{ id: chunkId(prev), raw: prev, depth: 0 }])!)), 200);
      must(await upload(h, w.owner, w.pid, frame(chunkId(v1), encodeChunk(v1))), 200);
      const a1 = await checkpoint(a, v1);
      await patchUp(v2, v1);
      await checkpoint(a, v2);
      await checkpoint(b, v1); // b's newest is v1: kept whole
      await backgroundIdle(h.deps.chunks);
      await patchUp(v3, v1);
      await checkpoint(b, v3); // now v1 is nobody's newest: it becomes a patch on v3
      await backgroundIdle(h.deps.chunks);
      assert.deepEqual(patchHeaderOf((await storedOf(chunkId(v1)))!)?.bases, [chunkId(v3)]);
      const purge = async (id: string) => {
        must(await raw(h, 'DELETE', `/projects/${w.pid}/assets/${id}`, w.owner), 200, 'trash');
        must(await raw(h, 'DELETE', `/projects/${w.pid}/trash/${id}`, w.owner), 200, 'purge');
        await backgroundIdle(h.deps.chunks);
      };
      // b goes: v3 is in no checkpoint any more, but a's first checkpoint (v1) is a patch on it.
      await purge(b);
      h.clock.advance(2 * 60 * 60 * 1000);
      await gc(h.deps, w.pid);
      assert.ok(await storedOf(chunkId(v3)), 'the base stays while the patch needs it');
      assert.ok((await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${a1.id}/content`, w.owner)).bytes.equals(v1));
      // Once a goes too, one collection takes everything (bases in a later pass of the same run).
      await purge(a);
      h.clock.advance(2 * 60 * 60 * 1000);
      await gc(h.deps, w.pid);
      for (const v of [v1, v2, v3]) assert.equal(await storedOf(chunkId(v)), null);
      assert.deepEqual(await basesRows(chunkId(v1)), []);
    });
  });
}
