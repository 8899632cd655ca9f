// The content store over HTTP: chunk check/upload/fetch round trips restored and verified, hash
// guessing, hostile frames, corruption at rest, checkpoint admission (missing chunks, sizes, soft
// lock, quotas), the download authorization matrix over the six default roles, previews, covers.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { encodeChunk, FsChunkStore, maxEncodedSize, restoreFile, verifyEncodedChunk } from '@backlot/storage';
import { createHarness, dbKinds, type Caller, type Harness } from '@backlot/test-kit/harness';
import { withinChunkBound } from '../src/content/manifests.js';
import {
  check, chunkOf, commitFile, contentWorld, fetchChunks, frame, frames, MAX_CHUNK_SIZE, must, noise, parseFrames, post, prose, put, raw,
  refused, ROLE_KEYS, sampleFile, sha, upload, type ContentWorld, type RoleKey,
} from '@backlot/test-kit/content-world';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), noise(2000, 77)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), noise(1500, 78)]);

for (const kind of dbKinds()) {
  describe(`content store over HTTP (${kind})`, () => {
    let h: Harness;
    let w: ContentWorld;
    let tmp: string;
    let shared: string;
    let hidden: string;
    const A = () => w.owner;

    const asset = async (body: Record<string, unknown>) =>
      must(await post(h, A(), `/projects/${w.pid}/assets`, { collectionId: shared, extension: 'bin', ...body }), 201, 'asset').id as string;
    const rowsOf = (id: string) => h.deps.db.selectFrom('project_chunks').selectAll().where('project_id', '=', w.pid).where('chunk_id', '=', id).execute();

    before(async () => {
      h = await createHarness(kind);
      w = await contentWorld(h);
      tmp = await mkdtemp(join(tmpdir(), 'backlot-content-'));
      shared = must(await post(h, A(), `/projects/${w.pid}/collections`, { parentId: null, name: 'Shared', shared: true }), 201).id;
      hidden = must(await post(h, A(), `/projects/${w.pid}/collections`, { parentId: null, name: 'Hidden' }), 201).id;
    });
    after(async () => {
      await h.close();
      await rm(tmp, { recursive: true, force: true });
    });

    test('round trip: check, upload, checkpoint, fetch, restore, content, manifest', async () => {
      const aid = await asset({ name: 'round', extension: 'blend' });
      const data = sampleFile(1);
      const c = await commitFile(h, w.by.artist, w.pid, aid, data, { comment: 'v1' });
      assert.ok(c.manifest.chunks.length >= 3, 'several chunks');
      assert.equal(c.uploaded, new Set(c.manifest.chunks.map((x) => x.id)).size, 'everything was missing at first');
      assert.equal(c.checkpoint.size, data.length);
      assert.equal(c.checkpoint.authorId, w.by.artist.userId);
      const ids = c.manifest.chunks.map((x) => x.id);
      assert.deepEqual(must(await check(h, w.by.artist, w.pid, ids), 200).missing, [], 'all present now');

      // A second identical upload is idempotent (verified again, stored once).
      const again = must(await upload(h, w.by.artist, w.pid, frames(c.chunks)), 200);
      assert.equal(again.stored, c.chunks.length);
      assert.equal(again.bytes, c.chunks.reduce((n, x) => n + x.encoded.length, 0));

      const f = await fetchChunks(h, w.by.artist, w.pid, ids);
      assert.equal(f.status, 200);
      assert.equal(f.headers['content-type'], 'application/octet-stream');
      const got = parseFrames(f.bytes);
      assert.deepEqual(got.map((x) => x.id), [...new Set(ids)], 'frames in request order, no repeats');
      const byId = new Map(got.map((x) => [x.id, verifyEncodedChunk(x.id, x.encoded)]));
      const dest = join(tmp, 'round.blend');
      await restoreFile(ids, async (id) => byId.get(id)!, dest, c.manifest.fileHash, { expectedSize: data.length });
      assert.ok((await readFile(dest)).equals(data), 'restored file is identical');

      const file = await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/content`, w.by.artist);
      assert.equal(file.status, 200);
      assert.ok(file.bytes.equals(data));
      assert.equal(file.headers['content-length'], String(data.length));
      assert.match(String(file.headers['content-disposition']), /^attachment; filename="round\.blend"; filename\*=UTF-8''round\.blend$/);

      const m = must(await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/manifest`, w.by.artist), 200);
      assert.deepEqual(m.chunks.map((x: any) => x.id), ids);
      assert.equal(m.chunks.reduce((n: number, x: any) => n + x.size, 0), data.length);
      assert.equal(m.fileHash, c.manifest.fileHash);

      // Rows: raw size and encoded size per chunk, uploader recorded.
      const row = (await rowsOf(ids[0]))[0];
      assert.equal(Number(row.size), c.manifest.chunks[0].size);
      assert.equal(Number(row.stored_size), c.chunks.find((x) => x.id === ids[0])!.encoded.length);
      assert.equal(row.created_by, w.by.artist.userId);

      // Revert copies the chunk list: the new checkpoint serves the same file.
      const v2 = await commitFile(h, w.by.artist, w.pid, aid, sampleFile(2, 300_000));
      assert.ok(v2.uploaded < new Set(v2.manifest.chunks.map((x) => x.id)).size || v2.uploaded > 0);
      const rev = must(await post(h, w.by.supervisor, `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/revert`, {}), 201, 'revert');
      const back = await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${rev.id}/content`, w.by.artist);
      assert.ok(back.bytes.equals(data), 'a revert serves the old content');
    });

    test('empty file and an empty fetch', async () => {
      const aid = await asset({ name: 'empty' });
      const c = await commitFile(h, w.by.artist, w.pid, aid, Buffer.alloc(0));
      assert.equal(c.manifest.chunks.length, 0);
      const file = await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/content`, w.by.artist);
      assert.equal(file.status, 200);
      assert.equal(file.bytes.length, 0);
      const f = await fetchChunks(h, w.by.artist, w.pid, []);
      assert.equal(f.status, 200);
      assert.equal(f.bytes.length, 0);
    });

    test('hash guessing: chunks of assets you may not download look exactly like random hashes', async () => {
      const secretAsset = await asset({ name: 'secret', collectionId: hidden });
      // A small file is one chunk whose id is the file hash, which is metadata (view_all sees it).
      const small = prose(5000, 9);
      const big = sampleFile(3);
      const s1 = await commitFile(h, A(), w.pid, secretAsset, small);
      assert.equal(s1.manifest.chunks[0].id, s1.manifest.fileHash, 'one-chunk file: chunk id = file hash');
      const s2 = await commitFile(h, A(), w.pid, secretAsset, big);
      const secretIds = [...new Set([...s1.manifest.chunks, ...s2.manifest.chunks].map((c) => c.id))];
      const randomIds = secretIds.map((_, i) => sha(Buffer.from(`random ${i}`)));

      // Roles that see the asset's metadata (Assistant Supervisor) or not (Artist, Vendor) but
      // may not download it; Supervisor and Production Manager download everything.
      for (const who of ['artist', 'vendor', 'assistant_supervisor'] as RoleKey[]) {
        const caller = w.by[who];
        const c1 = must(await check(h, caller, w.pid, secretIds), 200);
        const c2 = must(await check(h, caller, w.pid, randomIds), 200);
        assert.deepEqual(c1.missing, secretIds, `${who}: every secret chunk reported missing`);
        assert.deepEqual(c2.missing, randomIds);
        const f1 = await fetchChunks(h, caller, w.pid, [secretIds[0]]);
        const f2 = await fetchChunks(h, caller, w.pid, [randomIds[0]]);
        assert.equal(f1.status, 404, `${who}: fetch of a secret chunk`);
        assert.deepEqual(f1.body, f2.body, `${who}: identical answer for a forbidden and an unknown chunk`);
        assert.equal(f1.body.error.code, 'not_found');
        // One forbidden id among allowed ones spoils the whole request.
        const mine = await commitFile(h, caller, w.pid, await asset({ name: `mine-${who}`, kind: 'task', assigneeId: caller.userId }), prose(3000, who.length));
        const mixed = await fetchChunks(h, caller, w.pid, [mine.manifest.chunks[0].id, secretIds[0]]);
        assert.equal(mixed.status, 404);
      }

      // The Assistant Supervisor sees the secret asset's file hash (view_all) but may not download it.
      const sup = w.by.assistant_supervisor;
      const cps = must(await h.as(sup).get(`/projects/${w.pid}/changes`), 200).snapshot.checkpoints.filter((c: any) => c.assetId === secretAsset);
      assert.ok(cps.some((c: any) => c.fileHash === s1.manifest.fileHash), 'the file hash is visible metadata');
      // Dedup attack: a checkpoint of the Assistant Supervisor's own asset listing that hash is refused...
      const own = await asset({ name: 'borrowed' });
      const borrow = refused(await post(h, sup, `/projects/${w.pid}/assets/${own}/checkpoints`, { fileHash: s1.manifest.fileHash, size: small.length, chunks: [s1.manifest.fileHash] }), 409, 'missing_chunks');
      assert.deepEqual(borrow.details.missing, [s1.manifest.fileHash]);
      // ...and so is a preview hash naming it.
      const mineCp = await commitFile(h, sup, w.pid, own, prose(100, 1));
      const pv = must(await post(h, sup, `/projects/${w.pid}/ops`, { ops: [{ opId: 'pv', op: { type: 'checkpoint.preview', id: mineCp.checkpoint.id, previewHash: s1.manifest.fileHash } }] }), 200);
      assert.equal(pv.results[0].status, 'rejected');
      assert.equal(pv.results[0].code, 'missing_chunks');
      // Holding the bytes is proof enough: uploading them makes them usable.
      must(await upload(h, sup, w.pid, frames([chunkOf(small)])), 200);
      assert.deepEqual(must(await check(h, sup, w.pid, [s1.manifest.fileHash]), 200).missing, []);
      must(await post(h, sup, `/projects/${w.pid}/assets/${own}/checkpoints`, { fileHash: s1.manifest.fileHash, size: small.length, chunks: [s1.manifest.fileHash] }), 201);
    });

    test('hostile frames: forged id, zstd bomb, oversized frame, truncated bodies, wrong media type', async () => {
      const good = chunkOf(prose(4000, 11));
      const forgedRaw = prose(4000, 12);
      const forgedId = sha(Buffer.from('not the content'));
      const r1 = await upload(h, w.by.artist, w.pid, Buffer.concat([frame(good.id, good.encoded), frame(forgedId, encodeChunk(forgedRaw))]));
      const e1 = refused(r1, 400, 'invalid_chunk', 'forged frame');
      assert.equal(e1.details.chunkId, forgedId);
      assert.equal((await rowsOf(forgedId)).length, 0, 'no row for the forged chunk');
      assert.equal((await h.deps.chunks.store(w.pid).has([forgedId])).size, 0, 'no bytes for the forged chunk');
      assert.equal((await h.deps.chunks.store(w.pid).has([sha(forgedRaw)])).size, 0, 'nor under its real id');
      assert.equal((await rowsOf(good.id)).length, 1, 'the valid frame before it was kept');

      // A zstd frame that inflates past the chunk limit: refused from its header, never inflated.
      const bombRaw = Buffer.alloc(MAX_CHUNK_SIZE * 4);
      const bomb = encodeChunk(bombRaw);
      assert.ok(bomb.length < 10_000);
      refused(await upload(h, w.by.artist, w.pid, frame(sha(bombRaw), bomb)), 413, 'payload_too_large', 'zstd bomb');
      assert.equal((await rowsOf(sha(bombRaw))).length, 0);
      // Raw encoding one byte over the limit.
      const over = Buffer.concat([Buffer.from([0]), Buffer.alloc(MAX_CHUNK_SIZE + 1)]);
      refused(await upload(h, w.by.artist, w.pid, frame(sha(over.subarray(1)), over)), 413, 'payload_too_large', 'raw chunk too large');
      // Garbage encoding byte, empty frame.
      refused(await upload(h, w.by.artist, w.pid, frame(good.id, Buffer.concat([Buffer.from([7]), good.raw]))), 400, 'invalid_chunk');
      refused(await upload(h, w.by.artist, w.pid, frame(good.id, Buffer.alloc(0))), 400, 'invalid_chunk');

      // A frame declaring more than any encoded chunk may be: 413 from the header alone.
      const header = frame(good.id, Buffer.alloc(0), maxEncodedSize(MAX_CHUNK_SIZE) + 1);
      const e2 = refused(await upload(h, w.by.artist, w.pid, Buffer.concat([header, Buffer.alloc(100)])), 413, 'payload_too_large', 'oversized frame');
      assert.equal(e2.details.reason, 'frame_too_large');
      // A declared body beyond the request limit is refused before reading.
      refused(await upload(h, w.by.artist, w.pid, Buffer.alloc(10), { 'content-length': String(600 * 1024 * 1024) }), 413, 'payload_too_large', 'declared length');

      // Truncated: inside a header, inside a body.
      const t1 = frame(good.id, good.encoded);
      refused(await upload(h, w.by.artist, w.pid, t1.subarray(0, 20)), 400, 'bad_request', 'truncated header');
      const e3 = refused(await upload(h, w.by.artist, w.pid, t1.subarray(0, t1.length - 5)), 400, 'bad_request', 'truncated body');
      assert.equal(e3.details.reason, 'truncated');

      // JSON to the upload route, octet-stream to check.
      refused(await raw(h, 'POST', `/projects/${w.pid}/chunks`, w.by.artist, { payload: { ids: [] } }), 415, 'unsupported_media_type');
      const badCheck = await raw(h, 'POST', `/projects/${w.pid}/chunks/check`, w.by.artist, { payload: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(badCheck.status, 400);
      // Bad ids in check/fetch: uppercase, short, too many.
      refused(await check(h, w.by.artist, w.pid, ['A'.repeat(64)]), 400, 'validation_failed');
      refused(await check(h, w.by.artist, w.pid, ['abc']), 400, 'validation_failed');
      refused(await check(h, w.by.artist, w.pid, Array.from({ length: 10_001 }, (_, i) => sha(Buffer.from(String(i))))), 400, 'validation_failed');
      refused(await fetchChunks(h, w.by.artist, w.pid, Array.from({ length: 1001 }, (_, i) => sha(Buffer.from(String(i))))), 400, 'validation_failed');
      assert.equal((await check(h, w.by.artist, w.pid, Array.from({ length: 10_000 }, (_, i) => sha(Buffer.from(String(i)))))).status, 200, '10,000 ids are fine');
    });

    test('uploads need checkpoint.create; outsiders see no project', async () => {
      const c = chunkOf(prose(3000, 21));
      refused(await upload(h, w.by.production_manager, w.pid, frames([c])), 403, 'forbidden', 'Production Manager cannot checkpoint');
      const outsider = await h.user(`outsider-${kind}@content.test`);
      refused(await upload(h, outsider, w.pid, frames([c])), 404, 'not_found');
      refused(await check(h, outsider, w.pid, [c.id]), 404, 'not_found');
      refused(await upload(h, undefined, w.pid, frames([c])), 401, 'unauthenticated');
      assert.equal((await rowsOf(c.id)).length, 0);
    });

    test('corruption at rest is detected and never served (fetch, content, mid-stream)', async () => {
      const aid = await asset({ name: 'fragile' });
      const data = sampleFile(5, 700_000);
      const c = await commitFile(h, w.by.artist, w.pid, aid, data);
      const store = h.deps.chunks.store(w.pid) as FsChunkStore;
      const victim = c.manifest.chunks[0].id;
      const path = store.pathOf(victim);
      const original = await readFile(path);
      const bad = Buffer.from(original);
      bad[bad.length - 1] ^= 0xff;
      await writeFile(path, bad);
      const f = refused(await fetchChunks(h, w.by.artist, w.pid, [victim]), 409, 'corrupt_chunk', 'fetch');
      assert.equal(f.details.chunkId, victim);
      refused(await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/content`, w.by.artist), 409, 'corrupt_chunk', 'content');
      // Missing bytes are reported the same way.
      await rm(path);
      refused(await fetchChunks(h, w.by.artist, w.pid, [victim]), 409, 'corrupt_chunk');
      await writeFile(path, original);
      assert.equal((await fetchChunks(h, w.by.artist, w.pid, [victim])).status, 200, 'repaired');

      // Past the first 8 MiB the headers are out: the connection is cut, the file never completes.
      const bigAsset = await asset({ name: 'large' });
      const big = noise(12 * 1024 * 1024, 6);
      const bc = await commitFile(h, w.by.artist, w.pid, bigAsset, big);
      const late = bc.manifest.chunks[bc.manifest.chunks.length - 1].id;
      const latePath = store.pathOf(late);
      const lateBytes = await readFile(latePath);
      const flipped = Buffer.from(lateBytes);
      flipped[flipped.length >> 1] ^= 0x01;
      await writeFile(latePath, flipped);
      await assert.rejects(raw(h, 'GET', `/projects/${w.pid}/checkpoints/${bc.checkpoint.id}/content`, w.by.artist), /failed verification/, 'in-process: the response is destroyed');
      // Over a real socket: a short, aborted transfer.
      const url = await h.app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const got = await new Promise<{ status: number; bytes: number; aborted: boolean }>((resolve) => {
          const req = httpRequest(`${url}/api/v1/projects/${w.pid}/checkpoints/${bc.checkpoint.id}/content`, { headers: { authorization: `Bearer ${w.by.artist.token}` } }, (res) => {
            let bytes = 0;
            let aborted = false;
            res.on('data', (d: Buffer) => (bytes += d.length));
            res.on('aborted', () => (aborted = true));
            res.on('error', () => (aborted = true));
            res.on('close', () => resolve({ status: res.statusCode ?? 0, bytes, aborted }));
          });
          req.on('error', () => resolve({ status: 0, bytes: 0, aborted: true }));
          req.end();
        });
        assert.equal(got.status, 200, 'headers were already sent');
        assert.ok(got.bytes < big.length, `transfer cut short (${got.bytes} of ${big.length})`);
        assert.ok(got.aborted, 'the client sees an aborted transfer');
      } finally {
        await writeFile(latePath, lateBytes);
      }
    });

    test('a download sends bytes that match their recorded checksum as stored; a stale checksum only costs a decode', async () => {
      const aid = await asset({ name: 'checksummed' });
      const c = await commitFile(h, w.by.artist, w.pid, aid, sampleFile(8, 900_000));
      const store = h.deps.chunks.store(w.pid) as FsChunkStore;
      const ids = c.manifest.chunks.map((x) => x.id);
      for (const id of ids) {
        const [row] = await rowsOf(id);
        assert.equal(row.stored_crc, crc32(await readFile(store.pathOf(id))) | 0, 'recorded at upload, of the bytes stored');
      }
      const expected = await Promise.all(ids.map(async (id) => ({ id, encoded: await readFile(store.pathOf(id)) })));
      const served = async () => {
        const f = await fetchChunks(h, w.by.artist, w.pid, ids);
        assert.equal(f.status, 200);
        return parseFrames(f.bytes).map((x) => ({ id: x.id, encoded: Buffer.from(x.encoded) }));
      };
      assert.deepEqual(await served(), expected);
      // A wrong checksum (say, a row restored from an older backup) is no reason to refuse.
      await h.deps.db.updateTable('project_chunks').set({ stored_crc: 12345 }).where('project_id', '=', w.pid).where('chunk_id', 'in', ids).execute();
      assert.deepEqual(await served(), expected);
      // Nor is a missing one (rows from before the checksums).
      await h.deps.db.updateTable('project_chunks').set({ stored_crc: null }).where('project_id', '=', w.pid).where('chunk_id', 'in', ids).execute();
      assert.deepEqual(await served(), expected);
    });

    test('checkpoint admission: missing chunks, sizes, soft lock', async () => {
      const aid = await asset({ name: 'admission' });
      const c1 = chunkOf(prose(5000, 31));
      const c2 = chunkOf(noise(7000, 32));
      must(await upload(h, w.by.artist, w.pid, frames([c1])), 200);
      const e = refused(await post(h, w.by.artist, `/projects/${w.pid}/assets/${aid}/checkpoints`, { fileHash: sha(Buffer.concat([c1.raw, c2.raw])), size: 12000, chunks: [c1.id, c2.id] }), 409, 'missing_chunks');
      assert.deepEqual(e.details.missing, [c2.id]);
      assert.equal(e.details.count, 1);
      must(await upload(h, w.by.artist, w.pid, frames([c2])), 200);
      const e2 = refused(await post(h, w.by.artist, `/projects/${w.pid}/assets/${aid}/checkpoints`, { fileHash: sha(Buffer.concat([c1.raw, c2.raw])), size: 11999, chunks: [c1.id, c2.id] }), 400, 'validation_failed');
      assert.equal(e2.details.expected, 12000);
      const cp = must(await post(h, w.by.artist, `/projects/${w.pid}/assets/${aid}/checkpoints`, { fileHash: sha(Buffer.concat([c1.raw, c2.raw, c1.raw])), size: 17000, chunks: [c1.id, c2.id, c1.id] }), 201, 'repeats count');
      const rows = await h.deps.db.selectFrom('checkpoint_chunks').selectAll().where('checkpoint_id', '=', cp.id).orderBy('seq').execute();
      assert.deepEqual(rows.map((r) => [Number(r.seq), r.chunk_id]), [[0, c1.id], [1, c2.id], [2, c1.id]]);
      // The same through a sync push.
      const pushed = must(await post(h, w.by.artist, `/projects/${w.pid}/ops`, { ops: [{ opId: 'miss', op: { type: 'checkpoint.create', assetId: aid, fileHash: c1.id, size: 1, chunks: [sha(Buffer.from('nope'))] } }] }), 200);
      assert.equal(pushed.results[0].status, 'rejected');
      assert.equal(pushed.results[0].code, 'missing_chunks');

      // Soft lock: chunks do not open a task held by someone else.
      const task = await asset({ name: 'locked', kind: 'task', assigneeId: w.by.artist.userId });
      const data = prose(9000, 33);
      must(await upload(h, w.by.supervisor, w.pid, frames([chunkOf(data)])), 200);
      const lock = refused(await post(h, w.by.supervisor, `/projects/${w.pid}/assets/${task}/checkpoints`, { fileHash: sha(data), size: data.length, chunks: [sha(data)] }), 403, 'forbidden', 'soft lock');
      assert.equal(lock.details.reason, 'soft_lock');
      refused(await post(h, A(), `/projects/${w.pid}/assets/${task}/checkpoints`, { fileHash: sha(data), size: data.length, chunks: [sha(data)] }), 403, 'forbidden', 'soft lock holds against the Admin');
      // The assignee has not uploaded these bytes: the supervisor's upload does not count for them.
      refused(await post(h, w.by.artist, `/projects/${w.pid}/assets/${task}/checkpoints`, { fileHash: sha(data), size: data.length, chunks: [sha(data)] }), 409, 'missing_chunks');
      must(await upload(h, w.by.artist, w.pid, frames([chunkOf(data)])), 200);
      must(await post(h, w.by.artist, `/projects/${w.pid}/assets/${task}/checkpoints`, { fileHash: sha(data), size: data.length, chunks: [sha(data)] }), 201);
    });

    test('download authorization matrix: six default roles x assigned / visible / invisible', async () => {
      // Independent expectation (PRODUCT.md, docs/roles.md): content needs content.download on a
      // visible asset, or content.download_all. Admin, Production Manager and Supervisor have
      // download_all (they review and hand on everyone's work); Assistant Supervisor and Artist
      // download what is visible to them (assigned, or in a shared collection), not the rest; the
      // Vendor "only what is explicitly assigned (and its dependencies)": shared collections do
      // not count for it.
      const expected: Record<RoleKey, Record<'assigned' | 'visible' | 'invisible', boolean>> = {
        admin: { assigned: true, visible: true, invisible: true },
        production_manager: { assigned: true, visible: true, invisible: true },
        supervisor: { assigned: true, visible: true, invisible: true },
        assistant_supervisor: { assigned: true, visible: true, invisible: false },
        artist: { assigned: true, visible: true, invisible: false },
        vendor: { assigned: true, visible: false, invisible: false },
      };
      // Who sees metadata of everything (asset.view_all) gets 403 for content it cannot
      // download; who cannot see the asset at all gets 404.
      const seesAll: Record<RoleKey, boolean> = { admin: true, production_manager: true, supervisor: true, assistant_supervisor: true, artist: false, vendor: false };

      const visibleAsset = await asset({ name: 'matrix-visible' });
      const visible = await commitFile(h, A(), w.pid, visibleAsset, prose(4000, 41));
      const invisibleAsset = await asset({ name: 'matrix-invisible', collectionId: hidden });
      const invisible = await commitFile(h, A(), w.pid, invisibleAsset, prose(4000, 42));
      for (const role of ROLE_KEYS) {
        const who: Caller = w.by[role];
        // A task in the hidden collection, checkpointed by the Admin, then assigned to `who`.
        const t = await asset({ name: `matrix-task-${role}`, collectionId: hidden, kind: 'task', assigneeId: A().userId });
        const assigned = await commitFile(h, A(), w.pid, t, prose(4000, 50 + role.length));
        must(await put(h, A(), `/projects/${w.pid}/assets/${t}/assignee`, { assigneeId: who.userId }), 200, 'assign');
        const cases = { assigned, visible, invisible };
        for (const [target, c] of Object.entries(cases) as [keyof typeof cases, typeof visible][]) {
          const allowed = expected[role][target];
          const label = `${role} / ${target}`;
          const ids = c.manifest.chunks.map((x) => x.id);
          const checked = must(await check(h, who, w.pid, ids), 200, label);
          assert.deepEqual(checked.missing, allowed ? [] : ids, `${label}: check`);
          const f = await fetchChunks(h, who, w.pid, ids);
          assert.equal(f.status, allowed ? 200 : 404, `${label}: fetch`);
          if (allowed) assert.deepEqual(parseFrames(f.bytes).map((x) => x.id), ids);
          const file = await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/content`, who);
          const visibleToRole = target === 'assigned' || (target === 'visible' && role !== 'vendor') || seesAll[role];
          assert.equal(file.status, allowed ? 200 : visibleToRole ? 403 : 404, `${label}: content`);
          const manifest = await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/manifest`, who);
          assert.equal(manifest.status, file.status, `${label}: manifest`);
          // Many at once: the same decision for each id, without failing the others.
          const many = must(await post(h, who, `/projects/${w.pid}/checkpoints/manifests`, { ids: [c.checkpoint.id, visible.checkpoint.id] }), 200, `${label}: manifests`);
          if (allowed) assert.deepEqual(many.manifests.find((m: any) => m.id === c.checkpoint.id), manifest.body, `${label}: manifests`);
          else assert.deepEqual(many.refused.find((r: any) => r.id === c.checkpoint.id)?.code, file.status === 403 ? 'forbidden' : 'not_found', `${label}: manifests`);
        }
      }
    });

    test('many manifests in one request: in the order asked, each id decided alone, refusals of unseen ids audited', async () => {
      const seen = await commitFile(h, A(), w.pid, await asset({ name: 'many-a' }), prose(3000, 91));
      const second = await commitFile(h, A(), w.pid, await asset({ name: 'many-b' }), sampleFile(92, 700_000));
      const secret = await commitFile(h, A(), w.pid, await asset({ name: 'many-secret', collectionId: hidden }), prose(3000, 93));
      const gone = await commitFile(h, A(), w.pid, await asset({ name: 'many-gone' }), prose(3000, 94));
      must(await raw(h, 'DELETE', `/projects/${w.pid}/checkpoints/${gone.checkpoint.id}`, A()), 200);
      const elsewhere = await contentWorld(h, w);
      const otherOpen = must(await post(h, elsewhere.owner, `/projects/${elsewhere.pid}/collections`, { parentId: null, name: 'Open', shared: true }), 201).id;
      const otherAsset = must(await post(h, elsewhere.owner, `/projects/${elsewhere.pid}/assets`, { collectionId: otherOpen, name: 'x', extension: 'bin' }), 201).id;
      const other = await commitFile(h, elsewhere.owner, elsewhere.pid, otherAsset, prose(3000, 95));
      const unknown = crypto.randomUUID();

      const ids = [second.checkpoint.id, secret.checkpoint.id, seen.checkpoint.id, gone.checkpoint.id, other.checkpoint.id, unknown, seen.checkpoint.id];
      const auditCount = async () => (await h.deps.db.selectFrom('audit_log').select('seq').where('action', '=', 'request.refused').where('actor_id', '=', w.by.artist.userId).execute()).length;
      const before = await auditCount();
      const answer = must(await post(h, w.by.artist, `/projects/${w.pid}/checkpoints/manifests`, { ids }), 200);
      assert.deepEqual(answer.manifests.map((m: any) => m.id), [second.checkpoint.id, seen.checkpoint.id], 'in the order asked, once each');
      for (const m of answer.manifests) assert.deepEqual(m, must(await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${m.id}/manifest`, w.by.artist), 200));
      assert.ok(answer.manifests[0].chunks.length > 1);
      // Invisible, deleted, another project's and made-up ids: one answer, word for word.
      assert.deepEqual(answer.refused.map((r: any) => r.id), [secret.checkpoint.id, gone.checkpoint.id, other.checkpoint.id, unknown]);
      assert.equal(new Set(answer.refused.map((r: any) => JSON.stringify({ code: r.code, message: r.message }))).size, 1);
      assert.equal(answer.refused[0].code, 'not_found');
      assert.deepEqual(answer.deferred, []);
      assert.equal(await auditCount(), before + 1, 'one audit entry for the request');

      // A role that sees everything but may download nothing: forbidden, routine, not audited.
      const role = must(await post(h, A(), `/projects/${w.pid}/roles`, { name: 'Browser', permissions: ['collection.view_all', 'asset.view_all', 'checkpoint.view'] }), 201).id;
      const browser = await h.user(`browser-${kind}@content.test`);
      must(await post(h, A(), `/studios/${w.studioId}/invitations`, { emails: [browser.email], role: 'member' }), 201);
      must(await post(h, A(), `/projects/${w.pid}/members`, { userIds: [browser.userId], roleId: role }), 201);
      const looked = must(await post(h, browser, `/projects/${w.pid}/checkpoints/manifests`, { ids: [seen.checkpoint.id, secret.checkpoint.id] }), 200);
      assert.deepEqual(looked.manifests, []);
      assert.deepEqual(looked.refused.map((r: any) => [r.id, r.code]), [[seen.checkpoint.id, 'forbidden'], [secret.checkpoint.id, 'forbidden']]);
      assert.equal((await h.deps.db.selectFrom('audit_log').select('seq').where('action', '=', 'request.refused').where('actor_id', '=', browser.userId).execute()).length, 0);

      // Bad input changes nothing and says what is wrong; outsiders learn nothing of the project.
      refused(await post(h, w.by.artist, `/projects/${w.pid}/checkpoints/manifests`, { ids: [] }), 400, 'validation_failed');
      refused(await post(h, w.by.artist, `/projects/${w.pid}/checkpoints/manifests`, { ids: ['../x'] }), 400, 'validation_failed');
      refused(await post(h, w.by.artist, `/projects/${w.pid}/checkpoints/manifests`, { ids: Array.from({ length: 1001 }, () => unknown) }), 400, 'validation_failed');
      const outsider = await h.user(`manifests-outsider-${kind}@content.test`);
      refused(await post(h, outsider, `/projects/${w.pid}/checkpoints/manifests`, { ids: [seen.checkpoint.id] }), 404, 'not_found');
    });

    test('a manifests answer stays within its chunk bound: the leading ones, at least one, the rest deferred', () => {
      const m = (id: string, chunks: number) => ({ id, chunks });
      assert.deepEqual(withinChunkBound([m('a', 40), m('b', 50), m('c', 20)], 100), { granted: ['a', 'b'], deferred: ['c'] });
      assert.deepEqual(withinChunkBound([m('a', 40), m('b', 60)], 100), { granted: ['a', 'b'], deferred: [] });
      assert.deepEqual(withinChunkBound([m('a', 500), m('b', 1)], 100), { granted: ['a'], deferred: ['b'] }, 'one larger than the bound still comes');
      assert.deepEqual(withinChunkBound([], 100), { granted: [], deferred: [] });
    });

    test('content.download_all alone reaches any asset, seen or not', async () => {
      const role = must(await post(h, A(), `/projects/${w.pid}/roles`, { name: 'Archivist', permissions: ['checkpoint.view', 'content.download_all'] }), 201).id;
      const archivist = await h.user(`archivist-${kind}@content.test`);
      must(await post(h, A(), `/studios/${w.studioId}/invitations`, { emails: [archivist.email], role: 'member' }), 201);
      must(await post(h, A(), `/projects/${w.pid}/members`, { userIds: [archivist.userId], roleId: role }), 201);
      const aid = await asset({ name: 'archived-take', collectionId: hidden });
      const c = await commitFile(h, A(), w.pid, aid, prose(5000, 81));
      const ids = c.manifest.chunks.map((x) => x.id);
      assert.deepEqual(must(await check(h, archivist, w.pid, ids), 200).missing, []);
      assert.equal((await fetchChunks(h, archivist, w.pid, ids)).status, 200);
      assert.equal((await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/content`, archivist)).status, 200);
    });

    test('quotas: uploads and checkpoints past a quota are refused; usage per project and studio', async () => {
      const w2 = await contentWorld(h, w);
      const open = must(await post(h, w2.owner, `/projects/${w2.pid}/collections`, { parentId: null, name: 'Open', shared: true }), 201).id;
      const aid = must(await post(h, w2.owner, `/projects/${w2.pid}/assets`, { collectionId: open, name: 'q', extension: 'bin' }), 201).id;
      const c1 = chunkOf(noise(10_000, 61));
      const c2 = chunkOf(noise(10_000, 62));
      const u0 = must(await h.as(w2.by.artist).get(`/projects/${w2.pid}/usage`), 200, 'usage (member)');
      assert.deepEqual(u0, { projectId: w2.pid, usedBytes: 0, rawBytes: 0, chunks: 0, quotaBytes: null, remainingBytes: null });

      // Only studio owners and admins set quotas.
      refused(await put(h, w2.by.admin, `/projects/${w2.pid}/quota`, { bytes: 1 }), 403, 'forbidden', 'a project Admin is not a studio admin');
      refused(await put(h, w2.by.artist, `/studios/${w2.studioId}/quota`, { bytes: 1 }), 403, 'forbidden');
      refused(await put(h, w2.owner, `/projects/${w2.pid}/quota`, { bytes: -1 }), 400, 'validation_failed');
      refused(await put(h, w2.owner, `/projects/${w2.pid}/quota`, { bytes: 1.5 }), 400, 'validation_failed');
      must(await put(h, w2.owner, `/projects/${w2.pid}/quota`, { bytes: c1.encoded.length + 5 }), 200, 'set project quota');

      must(await upload(h, w2.by.artist, w2.pid, frames([c1])), 200, 'within quota');
      const q = refused(await upload(h, w2.by.artist, w2.pid, frames([c2])), 413, 'quota_exceeded', 'past quota');
      assert.equal(q.details.scope, 'project');
      assert.equal((await h.deps.chunks.store(w2.pid).has([c2.id])).size, 0, 'nothing stored past the quota');
      assert.equal((await h.deps.db.selectFrom('project_chunks').select('chunk_id').where('project_id', '=', w2.pid).execute()).length, 1);
      // Re-uploading what is stored adds nothing and is fine.
      must(await upload(h, w2.by.artist, w2.pid, frames([c1])), 200, 'dedup needs no quota');
      const u1 = must(await h.as(w2.by.artist).get(`/projects/${w2.pid}/usage`), 200);
      assert.equal(u1.usedBytes, c1.encoded.length);
      assert.equal(u1.rawBytes, 10_000);
      assert.equal(u1.remainingBytes, 5);
      // A checkpoint of stored chunks adds nothing...
      must(await post(h, w2.by.artist, `/projects/${w2.pid}/assets/${aid}/checkpoints`, { fileHash: sha(c1.raw), size: 10_000, chunks: [c1.id] }), 201);
      // ...but while the project is above a (lowered) quota, no checkpoint is accepted.
      must(await put(h, w2.owner, `/projects/${w2.pid}/quota`, { bytes: 100 }), 200);
      const qc = refused(await post(h, w2.by.artist, `/projects/${w2.pid}/assets/${aid}/checkpoints`, { fileHash: sha(c1.raw), size: 10_000, chunks: [c1.id] }), 413, 'quota_exceeded', 'checkpoint above quota');
      assert.equal(qc.details.scope, 'project');
      must(await put(h, w2.owner, `/projects/${w2.pid}/quota`, { bytes: null }), 200, 'clear');

      // Studio quota counts every project of the studio.
      const su = must(await h.as(w2.owner).get(`/studios/${w2.studioId}/usage`), 200, 'studio usage');
      const mine = su.projects.find((p: any) => p.id === w2.pid);
      assert.equal(mine.usedBytes, c1.encoded.length);
      assert.ok(su.projects.some((p: any) => p.id === w.pid && p.usedBytes > 0), 'breakdown lists the other project');
      assert.equal(su.usedBytes, su.projects.reduce((n: number, p: any) => n + p.usedBytes, 0));
      refused(await h.as(w2.by.admin).get(`/studios/${w2.studioId}/usage`), 403, 'forbidden', 'studio usage is for owners and admins');
      must(await put(h, w2.owner, `/studios/${w2.studioId}/quota`, { bytes: su.usedBytes + 10 }), 200);
      const qs = refused(await upload(h, w2.by.artist, w2.pid, frames([c2])), 413, 'quota_exceeded');
      assert.equal(qs.details.scope, 'studio');
      assert.equal(must(await h.as(w2.by.artist).get(`/projects/${w2.pid}/usage`), 200).remainingBytes, 10);
      must(await put(h, w2.owner, `/studios/${w2.studioId}/quota`, { bytes: null }), 200);
      must(await upload(h, w2.by.artist, w2.pid, frames([c2])), 200, 'no quota, no limit');

      // Quota changes are audited.
      const auditRows = must(await h.as(w2.owner).get(`/studios/${w2.studioId}/audit?limit=1000`), 200).entries.map((e: any) => e.action);
      assert.ok(auditRows.includes('project.quota_changed'));
      assert.ok(auditRows.includes('studio.quota_changed'));
    });

    test('previews and covers', async () => {
      const t = await asset({ name: 'shot010', kind: 'task', assigneeId: w.by.artist.userId });
      const c = await commitFile(h, w.by.artist, w.pid, t, prose(3000, 71));
      const url = `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/preview`;
      refused(await raw(h, 'GET', url, w.by.artist), 404, 'not_found', 'no preview yet');
      refused(await raw(h, 'PUT', url, w.by.artist, { payload: JPEG, headers: { 'content-type': 'image/png' } }), 415, 'unsupported_media_type', 'JPEG bytes sent as PNG');
      refused(await raw(h, 'PUT', url, w.by.artist, { payload: Buffer.from('<svg/>'), headers: { 'content-type': 'image/svg+xml' } }), 415, 'unsupported_media_type');
      refused(await raw(h, 'PUT', url, w.by.artist, { payload: Buffer.concat([PNG, Buffer.alloc(4 * 1024 * 1024)]), headers: { 'content-type': 'image/png' } }), 413, 'payload_too_large');
      refused(await raw(h, 'PUT', url, w.by.assistant_supervisor, { payload: PNG, headers: { 'content-type': 'image/png' } }), 403, 'forbidden', 'not the author, no asset.update');
      refused(await raw(h, 'PUT', url, w.by.vendor, { payload: PNG, headers: { 'content-type': 'image/png' } }), 404, 'not_found', 'cannot see it');
      const set = must(await raw(h, 'PUT', url, w.by.artist, { payload: PNG, headers: { 'content-type': 'image/png' } }), 200, 'author sets the preview');
      assert.equal(set.previewHash, sha(PNG));
      const got = await raw(h, 'GET', url, w.by.production_manager);
      assert.equal(got.status, 200, 'visible metadata, no download permission needed');
      assert.equal(got.headers['content-type'], 'image/png');
      assert.ok(got.bytes.equals(PNG));
      // The Production Manager (asset.update) may replace it.
      must(await raw(h, 'PUT', url, w.by.production_manager, { payload: JPEG, headers: { 'content-type': 'image/jpeg' } }), 200);
      // Invisible to the vendor: 404 like an unknown checkpoint.
      const hiddenTask = must(await post(h, A(), `/projects/${w.pid}/assets`, { collectionId: hidden, name: 'shot020', extension: 'bin', kind: 'task', assigneeId: w.by.artist.userId }), 201).id;
      const hc = await commitFile(h, w.by.artist, w.pid, hiddenTask, prose(1000, 72));
      must(await raw(h, 'PUT', `/projects/${w.pid}/checkpoints/${hc.checkpoint.id}/preview`, w.by.artist, { payload: PNG, headers: { 'content-type': 'image/png' } }), 200);
      refused(await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${hc.checkpoint.id}/preview`, w.by.vendor), 404, 'not_found');
      // The change is in the change log (a pull shows the preview hash).
      const snap = must(await h.as(w.by.artist).get(`/projects/${w.pid}/changes`), 200).snapshot;
      assert.equal(snap.checkpoints.find((x: any) => x.id === c.checkpoint.id).previewHash, sha(JPEG));

      // Cover: the assignee, or asset.update.
      const cover = `/projects/${w.pid}/assets/${t}/cover`;
      must(await put(h, w.by.artist, cover, { checkpointId: c.checkpoint.id }), 200, 'assignee sets the cover');
      refused(await put(h, w.by.assistant_supervisor, cover, { checkpointId: c.checkpoint.id }), 403, 'forbidden');
      refused(await put(h, w.by.vendor, cover, { checkpointId: c.checkpoint.id }), 404, 'not_found');
      refused(await put(h, w.by.artist, cover, { checkpointId: hc.checkpoint.id }), 404, 'not_found', "another asset's checkpoint");
      const cleared = must(await put(h, w.by.production_manager, cover, { checkpointId: null }), 200);
      assert.equal(cleared.coverCheckpointId, null);
      const actions = must(await h.as(A()).get(`/studios/${w.studioId}/audit?limit=1000`), 200).entries.map((e: any) => e.action);
      assert.ok(actions.includes('checkpoint.preview_set'));
      assert.ok(actions.includes('asset.cover_set'));
      // Previews count as stored bytes and are not chunks anyone may fetch.
      refused(await fetchChunks(h, w.by.artist, w.pid, [sha(PNG)]), 404, 'not_found');
      // Removing a preview: the same rule as setting one.
      refused(await raw(h, 'DELETE', `/projects/${w.pid}/checkpoints/${hc.checkpoint.id}/preview`, w.by.vendor), 404, 'not_found');
      refused(await raw(h, 'DELETE', url, w.by.supervisor), 403, 'forbidden');
      assert.equal(must(await raw(h, 'DELETE', url, w.by.artist), 200).previewHash, null);
      refused(await raw(h, 'GET', url, w.by.artist), 404, 'not_found');
    });

    test('archived projects take no uploads', async () => {
      const w3 = await contentWorld(h, w);
      must(await h.as(w3.owner).post(`/projects/${w3.pid}/archive`, {}), 200);
      refused(await upload(h, w3.by.artist, w3.pid, frames([chunkOf(prose(100, 1))])), 409, 'conflict');
    });
  });
}
