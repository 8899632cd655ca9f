// Publishing and restoring content through the client: a file as a checkpoint, a working folder,
// restores verified chunk by chunk and file by file, resumption after an interruption, idempotent
// checkpoint ops, and the wire protocol's failure modes.
//
// Two servers: a small in-test fake of the chunk protocol (to inject faults: failing uploads,
// corrupt and unrequested frames), and the real Backlot server (startServer on a temp data
// directory, port 0, output silenced) for the end-to-end cases.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync, existsSync, utimesSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cutPoints, encodeChunk, sha256Hex, verifyEncodedChunk, CorruptChunkError, FileHashMismatchError } from '@backlot/storage';
import { BacklotApi, ApiError, NetworkError, frameHeader } from '@backlot/api';
import { ChunkApi } from '../src/remote/chunks.js';
import { FrameDecoder } from '../src/remote/frame-decoder.js';
import { publishFile } from '../src/content/publish-file.js';
import { checkpointOpId, createCheckpoints, missingChunksOf } from '../src/content/checkpoints.js';
import { ChunkUploader } from '../src/content/upload.js';
import { chunkInto } from '../src/content/chunk-file.js';
import { restoreCheckpoint, restoreFiles, fetchCheckpointManifest } from '../src/content/restore.js';
import { loadConfig, startServer, type StartedServer } from '@backlot/server';
import { prepareSetup } from '@backlot/server/testing';
import { publishFolder } from '../src/folder/publish.js';
import { restoreFolder } from '../src/folder/restore.js';
import { loadState } from '../src/folder/state.js';
import { scanFolder } from '../src/folder/scan.js';
import { assetNameOf, FolderConflictError } from '../src/folder/items.js';
import { OpRejectedError } from '../src/remote/ops.js';
import { nodeHttpClient } from '../src/remote/node-http.js';

const MiB = 1024 * 1024;

/** Deterministic bytes that do not compress (SHA-256 in counter mode). */
function noise(n: number, seed: string): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0, k = 0; i < n; k++) {
    const block = createHash('sha256').update(`${seed}/${k}`).digest();
    i += block.copy(out, i);
  }
  return out;
}

/** Compressible, structured bytes. */
function records(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let o = 0; o + 16 <= n; o += 16) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.write(`rec${o % 997}`, o, 'latin1');
    out.writeUInt32LE(x & 0xffff, o + 8);
  }
  return out;
}

const tmpDirs: string[] = [];
function tmp(prefix = 'backlot-client-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}
after(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

// ---- a fake of the server's chunk protocol -----------------------------------------------------

interface FakeServer {
  url: string;
  chunks: Map<string, Buffer>;
  checkpoints: { opId: string; assetId: string; fileHash: string; size: number; chunks: string[]; id: string }[];
  /** Requests seen, by route. */
  hits: Record<string, number>;
  /** Fail the next N upload requests with this status (0 = drop the connection). */
  failUploads: { count: number; status: number; afterFrames?: number };
  /** Replace what fetch sends. */
  tamperFetch?: (frames: { id: string; encoded: Buffer }[]) => { id: string; encoded: Buffer }[];
  /** Drop the connection of the next N fetch answers after this many frames. */
  breakFetch: { count: number; afterFrames: number };
  /** Ids asked for, per fetch request. */
  fetchSizes: number[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

async function startFake(): Promise<FakeServer> {
  const applied = new Map<string, unknown>();
  const assets = new Map<string, { collectionId: string | null; name: string; extension: string; deleted: boolean }>();
  const collections = new Map<string, { parentId: string | null; name: string }>();
  const fake: FakeServer = {
    url: '', chunks: new Map(), checkpoints: [], hits: {}, failUploads: { count: 0, status: 503 }, breakFetch: { count: 0, afterFrames: 0 }, fetchSizes: [],
    close: async () => {},
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const applyOp = (op: any): unknown => {
    switch (op.type) {
      case 'collection.create': {
        for (const [id, c] of collections) if (c.parentId === op.parentId && c.name === op.name) throw { status: 'conflict', code: 'conflict', message: 'name taken', existingId: id, details: { reason: 'name_taken', existingId: id } };
        collections.set(op.id, { parentId: op.parentId, name: op.name });
        return { id: op.id };
      }
      case 'asset.create': {
        for (const [id, a] of assets) if (!a.deleted && a.collectionId === op.collectionId && a.name === op.name && a.extension === op.extension) throw { status: 'conflict', code: 'conflict', message: 'name taken', existingId: id, details: { reason: 'name_taken', existingId: id } };
        if (op.collectionId !== null && !collections.has(op.collectionId)) throw { status: 'rejected', code: 'not_found', message: 'collection not found', details: {} };
        assets.set(op.id, { collectionId: op.collectionId, name: op.name, extension: op.extension, deleted: false });
        return { id: op.id };
      }
      case 'asset.delete': {
        const a = assets.get(op.id);
        if (!a || a.deleted) throw { status: 'rejected', code: 'not_found', message: 'asset not found', details: {} };
        a.deleted = true;
        return { trashed: op.id };
      }
      case 'checkpoint.create': {
        if (!assets.has(op.assetId)) throw { status: 'rejected', code: 'not_found', message: 'asset not found', details: {} };
        const missing = [...new Set<string>(op.chunks)].filter((id) => !fake.chunks.has(id));
        if (missing.length) throw { status: 'rejected', code: 'missing_chunks', message: `${missing.length} missing`, details: { missing, count: missing.length } };
        const number = fake.checkpoints.filter((c) => c.assetId === op.assetId).length + 1;
        const cp = { id: randomUUID(), assetId: op.assetId, fileHash: op.fileHash, size: op.size, chunks: op.chunks, opId: '' };
        fake.checkpoints.push(cp);
        return { id: cp.id, assetId: cp.assetId, number, fileHash: cp.fileHash, size: cp.size };
      }
    }
    throw { status: 'rejected', code: 'validation_failed', message: `unknown op ${op.type}`, details: {} };
  };
  const server: Server = createServer(async (req, res) => {
    try {
      const m = /^\/api\/v1\/projects\/([^/]+)\/(chunks\/check|chunks\/fetch|chunks|ops)$/.exec(req.url ?? '');
      if (!m || req.method !== 'POST') return json(res, 404, { error: { code: 'not_found', message: 'no route' } });
      if (req.headers.authorization !== 'Bearer fake-token') return json(res, 401, { error: { code: 'unauthenticated', message: 'sign in' } });
      const route = m[2];
      fake.hits[route] = (fake.hits[route] ?? 0) + 1;
      if (route === 'chunks') {
        if (fake.failUploads.count > 0) {
          fake.failUploads.count--;
          if (fake.failUploads.status === 0) {
            // Take part of the body, store what arrived complete, then drop the connection.
            const decoder = new FrameDecoder();
            let frames = 0;
            for await (const p of req) {
              decoder.push(p as Buffer);
              for (let f = decoder.next(); f; f = decoder.next()) {
                fake.chunks.set(f.id, f.encoded);
                if (++frames >= (fake.failUploads.afterFrames ?? 1)) return req.socket.destroy();
              }
            }
            return req.socket.destroy();
          }
          await readBody(req);
          return json(res, fake.failUploads.status, { error: { code: 'unavailable', message: 'try later' } });
        }
        const decoder = new FrameDecoder();
        let stored = 0;
        let bytes = 0;
        for await (const p of req) {
          decoder.push(p as Buffer);
          for (let f = decoder.next(); f; f = decoder.next()) {
            verifyEncodedChunk(f.id, f.encoded);
            if (!fake.chunks.has(f.id)) {
              fake.chunks.set(f.id, f.encoded);
              stored++;
              bytes += f.encoded.length;
            }
          }
        }
        return json(res, 200, { stored, bytes });
      }
      const body = JSON.parse((await readBody(req)).toString('utf8'));
      if (route === 'chunks/check') {
        if (!Array.isArray(body.ids) || body.ids.length > 10_000) return json(res, 400, { error: { code: 'validation_failed', message: 'ids' } });
        return json(res, 200, { missing: body.ids.filter((id: string) => !fake.chunks.has(id)) });
      }
      if (route === 'chunks/fetch') {
        if (!Array.isArray(body.ids) || body.ids.length > 1000) return json(res, 400, { error: { code: 'validation_failed', message: 'ids' } });
        let frames = body.ids.map((id: string) => ({ id, encoded: fake.chunks.get(id)! })).filter((f: any) => f.encoded);
        if (fake.tamperFetch) frames = fake.tamperFetch(frames);
        fake.fetchSizes.push(body.ids.length);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        if (fake.breakFetch.count > 0) {
          fake.breakFetch.count--;
          for (const f of frames.slice(0, fake.breakFetch.afterFrames)) {
            res.write(frameHeader(f.id, f.encoded.length));
            res.write(f.encoded);
          }
          // Once what was written reached the socket, cut the answer off.
          return res.write(new Uint8Array(0), () => req.socket.destroy());
        }
        for (const f of frames) {
          res.write(frameHeader(f.id, f.encoded.length));
          res.write(f.encoded);
        }
        return res.end();
      }
      // ops
      const results = body.ops.map(({ opId, op }: { opId: string; op: any }) => {
        if (applied.has(opId)) return applied.get(opId);
        try {
          const result = applyOp(op);
          const r = { opId, status: 'applied', revision: applied.size + 1, result };
          applied.set(opId, r);
          return r;
        } catch (e: any) {
          if (!e?.status) throw e;
          return { opId, ...e };
        }
      });
      return json(res, 200, { results });
    } catch (err) {
      if (!res.headersSent) json(res, 500, { error: { code: 'internal', message: String((err as Error).message) } });
      else res.destroy();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  // A project with one asset ready for checkpoints.
  assets.set('00000000-0000-4000-8000-000000000001', { collectionId: null, name: 'scene', extension: 'blend', deleted: false });
  return fake;
}

const FAKE_ASSET = '00000000-0000-4000-8000-000000000001';
const fastRetry = { attempts: 3, baseDelayMs: 5 };

// Both ways of sending: fetch (the api's default, as in a browser) and node:http (the CLI's).
for (const [client, http] of [['fetch', undefined], ['node:http', nodeHttpClient()]] as const) {
  describe(`client content against a fake chunk server (${client})`, () => {
    let fake: FakeServer;
    let api: BacklotApi;
    before(async () => {
      fake = await startFake();
      api = new BacklotApi({ baseUrl: fake.url, auth: { kind: 'bearer', token: 'fake-token' }, http });
    });
    after(() => fake.close());

    test('errors come back typed with the server code', async () => {
      const anon = new BacklotApi({ baseUrl: fake.url, http });
      await assert.rejects(anon.content.checkChunks('p1', []), (e: unknown) => e instanceof ApiError && e.status === 401 && e.code === 'unauthenticated');
      const dead = new BacklotApi({ baseUrl: 'http://127.0.0.1:1', auth: { kind: 'bearer', token: 'x' }, retry: false, http });
      await assert.rejects(dead.meta.health(), (e: unknown) => e instanceof NetworkError);
    });

    test('publish then restore a multi-chunk file; only missing chunks are sent the second time', async () => {
      const dir = tmp();
      const file = join(dir, 'scene.blend');
      const data = Buffer.concat([records(3 * MiB, 1), noise(2 * MiB, 'a'), records(1 * MiB, 2)]);
      writeFileSync(file, data);
      const first = await publishFile(api, 'p1', FAKE_ASSET, file, { baseCheckpointId: null, retry: fastRetry });
      assert.equal(first.file.fileHash, sha256Hex(data));
      assert.equal(first.file.size, data.length);
      assert.ok(first.file.chunks.length >= 5, `chunks: ${first.file.chunks.length}`);
      assert.equal(first.stats.present, 0);
      assert.equal(first.stats.uploaded, new Set(first.file.chunks).size);
      assert.ok(first.stats.uploadedBytes < data.length, 'records compress');

      // Edit the middle: most chunks are already there.
      data.fill(7, 3 * MiB + 100, 3 * MiB + 5000);
      writeFileSync(file, data);
      const second = await publishFile(api, 'p1', FAKE_ASSET, file, { baseCheckpointId: first.checkpoint.id, retry: fastRetry });
      assert.equal(second.checkpoint.number, 2);
      assert.ok(second.stats.uploaded >= 1 && second.stats.uploaded <= 2, `uploaded ${second.stats.uploaded}`);
      assert.equal(second.stats.present + second.stats.uploaded, new Set(second.file.chunks).size);
      assert.equal(second.stats.encoded, second.stats.uploaded, 'only missing chunks are compressed');

      const out = join(dir, 'restored', 'scene.blend');
      mkdirSync(join(dir, 'restored'));
      const r = await restoreCheckpoint(api, 'p1', second.file, out);
      assert.equal(r.bytes, data.length);
      assert.ok(readFileSync(out).equals(data));
      // 'encode-all' mode gives the same manifest.
      const uploader = new ChunkUploader(api, 'p1');
      const again = await chunkInto(file, uploader, { mode: 'encode-all' });
      await uploader.flush();
      assert.deepEqual(again.chunks, second.file.chunks);
      assert.equal(uploader.stats.uploaded, 0);
    });

    test('empty and tiny files, repeated chunks, batches across files', async () => {
      const dir = tmp();
      const block = noise(700 * 1024, 'rep');
      const files = {
        'empty.json': Buffer.alloc(0),
        'one.py': Buffer.from('x'),
        'rep.bin': Buffer.concat([block, block, block, block]), // cut as a, b, b, c
      };
      const restored: { path: string; fileHash: string; size: number; chunks: string[] }[] = [];
      for (const [name, data] of Object.entries(files)) {
        writeFileSync(join(dir, name), data);
        const r = await publishFile(api, 'p1', FAKE_ASSET, join(dir, name), { retry: fastRetry });
        assert.equal(r.file.fileHash, sha256Hex(data));
        restored.push({ path: join(dir, 'out', name), ...r.file });
      }
      const res = await restoreFiles(api, 'p1', restored, { batchBytes: 1 * MiB, keepBytes: 0 });
      for (const [name, data] of Object.entries(files)) assert.ok(readFileSync(join(dir, 'out', name)).equals(data), name);
      assert.equal(res.files, 3);
      assert.ok(res.fetch.refetched >= 1, 'with keepBytes 0, a repeated chunk is fetched again');
    });

    test('an interrupted upload resumes: re-running sends only what did not arrive', async () => {
      const dir = tmp();
      const file = join(dir, 'big.mp4');
      const data = noise(6 * MiB, 'resume');
      writeFileSync(file, data);
      fake.failUploads = { count: 10, status: 0, afterFrames: 3 }; // drop every connection after 3 frames
      await assert.rejects(publishFile(api, 'p1', FAKE_ASSET, file, { uploadBatchBytes: 8 * MiB, retry: { attempts: 1 } }), NetworkError);
      const before = fake.chunks.size;
      fake.failUploads = { count: 0, status: 503 };
      const r = await publishFile(api, 'p1', FAKE_ASSET, file, { retry: fastRetry });
      assert.ok(r.stats.present >= 3, `present after the interruption: ${r.stats.present}`);
      assert.equal(r.stats.present + r.stats.uploaded, new Set(r.file.chunks).size);
      assert.ok(fake.chunks.size > before);
    });

    test('transient 503s on upload are retried', async () => {
      const dir = tmp();
      const file = join(dir, 'retry.png');
      writeFileSync(file, noise(1 * MiB, 'retry503'));
      fake.failUploads = { count: 2, status: 503 };
      const r = await publishFile(api, 'p1', FAKE_ASSET, file, { retry: fastRetry });
      assert.equal(fake.failUploads.count, 0);
      assert.ok(r.checkpoint.id);
    });

    test('the checkpoint op id makes a retry idempotent; a changed base makes a new checkpoint', async () => {
      const dir = tmp();
      const file = join(dir, 'idem.psd');
      writeFileSync(file, records(600 * 1024, 77));
      const a = await publishFile(api, 'p1', FAKE_ASSET, file, { baseCheckpointId: 'base-1', retry: fastRetry });
      const b = await publishFile(api, 'p1', FAKE_ASSET, file, { baseCheckpointId: 'base-1', retry: fastRetry });
      assert.equal(a.opId, b.opId);
      assert.equal(a.checkpoint.id, b.checkpoint.id, 'the replay answers the recorded checkpoint');
      const c = await publishFile(api, 'p1', FAKE_ASSET, file, { baseCheckpointId: a.checkpoint.id, retry: fastRetry });
      assert.notEqual(c.checkpoint.id, a.checkpoint.id);
      assert.equal(checkpointOpId('x', null, 'h', 1), checkpointOpId('x', null, 'h', 1));
      assert.notEqual(checkpointOpId('x', null, 'h', 1), checkpointOpId('x', 'y', 'h', 1));
    });

    test('a checkpoint whose chunks vanished is re-uploaded once', async () => {
      const dir = tmp();
      const file = join(dir, 'gc.exr');
      writeFileSync(file, noise(900 * 1024, 'gc'));
      const known = new Set<string>();
      const first = await publishFile(api, 'p1', FAKE_ASSET, file, { known, retry: fastRetry });
      // The server loses the chunks; the client still believes they are there.
      for (const id of first.file.chunks) fake.chunks.delete(id);
      const second = await publishFile(api, 'p1', FAKE_ASSET, file, { known, baseCheckpointId: first.checkpoint.id, retry: fastRetry });
      assert.ok(second.stats.uploaded >= 1);
      for (const id of first.file.chunks) assert.ok(fake.chunks.has(id));
    });

    test('restore refuses corrupt, unrequested and missing chunks and leaves the destination alone', async () => {
      const dir = tmp();
      const file = join(dir, 'victim.blend');
      const data = records(1200 * 1024, 5);
      writeFileSync(file, data);
      const p = await publishFile(api, 'p1', FAKE_ASSET, file, { retry: fastRetry });
      const dest = join(dir, 'dest.blend');
      writeFileSync(dest, 'keep me');
      const id0 = p.file.chunks[0];
      try {
        fake.tamperFetch = (frames) => frames.map((f) => (f.id === id0 ? { id: f.id, encoded: encodeChunk(Buffer.from('evil')) } : f));
        await assert.rejects(restoreCheckpoint(api, 'p1', p.file, dest, { retry: { attempts: 1 } }), CorruptChunkError);
        fake.tamperFetch = (frames) => [{ id: sha256Hex(Buffer.from('other')), encoded: encodeChunk(Buffer.from('other')) }, ...frames];
        await assert.rejects(restoreCheckpoint(api, 'p1', p.file, dest, { retry: { attempts: 1 } }), /not asked for/);
        fake.tamperFetch = (frames) => frames.slice(1);
        await assert.rejects(restoreCheckpoint(api, 'p1', p.file, dest, { retry: { attempts: 1 } }), /missing/i);
        fake.tamperFetch = undefined;
        // Right chunks, wrong expected file hash: the whole-file check refuses.
        await assert.rejects(restoreCheckpoint(api, 'p1', { ...p.file, fileHash: sha256Hex(Buffer.from('no')) }, dest), FileHashMismatchError);
      } finally {
        fake.tamperFetch = undefined;
      }
      assert.equal(readFileSync(dest, 'utf8'), 'keep me');
      assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.tmp')), []);
      await restoreCheckpoint(api, 'p1', p.file, dest);
      assert.ok(readFileSync(dest).equals(data));
    });

    test('a fetch answer that breaks off is resumed for the chunks that did not arrive', async () => {
      const dir = tmp();
      const file = join(dir, 'cut.exr');
      const data = noise(6 * MiB, 'cut');
      writeFileSync(file, data);
      const p = await publishFile(api, 'p1', FAKE_ASSET, file, { retry: fastRetry });
      const unique = new Set(p.file.chunks).size;
      assert.ok(unique > 12, `chunks: ${unique}`);
      try {
        fake.fetchSizes = [];
        fake.breakFetch = { count: 1, afterFrames: 12 };
        const r = await restoreCheckpoint(api, 'p1', p.file, join(dir, 'out.exr'));
        assert.ok(readFileSync(join(dir, 'out.exr')).equals(data));
        assert.equal(r.fetch.requests, 2);
        assert.equal(fake.fetchSizes[0], unique);
        assert.ok(fake.fetchSizes[1] < unique, `the second request asks only for the rest: ${fake.fetchSizes}`);
        assert.equal(r.fetch.chunks, unique, 'each chunk handed out once');
        // Without attempts left, the broken answer is the error.
        fake.breakFetch = { count: 1, afterFrames: 12 };
        await assert.rejects(restoreCheckpoint(api, 'p1', p.file, join(dir, 'out2.exr'), { retry: { attempts: 1 } }), NetworkError);
      } finally {
        fake.breakFetch = { count: 0, afterFrames: 0 };
      }
    });

    test('the frame decoder refuses oversized frames before buffering them', () => {
      const d = new FrameDecoder(1024);
      const h = frameHeader('a'.repeat(64), 5000);
      d.push(h);
      assert.throws(() => d.next(), /exceeds/);
    });

    test('folder publish: new, changed, touched, copied, renamed, deleted; restore rebuilds the tree', async () => {
      const root = tmp();
      const w = (p: string, data: Buffer) => {
        mkdirSync(join(root, p, '..'), { recursive: true });
        writeFileSync(join(root, p), data);
      };
      w('assets/props/chair.blend', records(2 * MiB, 1));
      w('assets/props/chair.png', noise(300 * 1024, 'png'));
      w('shots/sq01/sh010/layout.blend', records(1 * MiB, 2));
      w('pipeline/build.py', Buffer.from('print("hi")\n'));
      const r1 = await publishFolder(api, 'p1', root, { retry: fastRetry });
      assert.equal(r1.published.length, 4);
      const s1 = await loadState(root);
      assert.equal(Object.keys(s1.files).length, 4);
      assert.deepEqual(Object.keys(s1.pending.assets), []);
      assert.ok(s1.collections['assets/props'] && s1.collections['shots/sq01/sh010']);

      // Nothing changed: nothing read, nothing sent.
      const hits = { ...fake.hits };
      const r2 = await publishFolder(api, 'p1', root, { retry: fastRetry });
      assert.equal(r2.published.length, 0);
      assert.equal(r2.unchanged, 4);
      assert.deepEqual(fake.hits, hits);

      // Touched (same bytes, new mtime), edited, copied, renamed, deleted.
      utimesSync(join(root, 'pipeline/build.py'), new Date(), new Date(Date.now() + 5000));
      const chair = records(2 * MiB, 1);
      chair.fill(1, 1000, 3000);
      w('assets/props/chair.blend', chair);
      w('assets/props/chair_v2.blend', chair);
      w('edit/layout.blend', readFileSync(join(root, 'shots/sq01/sh010/layout.blend')));
      rmSync(join(root, 'shots/sq01/sh010/layout.blend'));
      rmSync(join(root, 'assets/props/chair.png'));
      const r3 = await publishFolder(api, 'p1', root, { retry: fastRetry });
      assert.deepEqual(r3.touched, ['pipeline/build.py']);
      assert.deepEqual(r3.published.map((p) => p.path).sort(), ['assets/props/chair.blend', 'assets/props/chair_v2.blend', 'edit/layout.blend']);
      assert.deepEqual(r3.removed.sort(), ['assets/props/chair.png', 'shots/sq01/sh010/layout.blend']);
      assert.ok(r3.upload.uploaded <= 2, `a small edit and copies upload little: ${r3.upload.uploaded}`);
      assert.equal(r3.published.find((p) => p.path === 'assets/props/chair.blend')!.number, 2);

      const dest = tmp();
      const state = await loadState(root);
      const rr = await restoreFolder(api, 'p1', state, dest);
      assert.equal(rr.files, 4);
      for (const p of Object.keys(state.files)) assert.ok(readFileSync(join(dest, p)).equals(readFileSync(join(root, p))), p);
      // The restored folder is a clean working folder.
      const scan = await scanFolder(dest, await loadState(dest));
      assert.deepEqual(scan.changed, []);
      assert.equal(scan.unchanged.length, 4);
    });

    test('folder publish after a crash between journal and answer replays the same op ids', async () => {
      const root = tmp();
      writeFileSync(join(root, 'a.blend'), records(500 * 1024, 3));
      await publishFolder(api, 'p1', root, { retry: fastRetry });
      // Simulate a crash after the server applied the creations but before the state recorded
      // them: put the creations back into the journal and forget the file.
      const s = await loadState(root);
      const t = s.files['a.blend'];
      s.pending.assets['a.blend'] = { id: t.assetId!, opId: `asset.create.${t.assetId}` };
      delete s.files['a.blend'];
      writeFileSync(join(root, '.backlot', 'state.json'), JSON.stringify(s));
      const r = await publishFolder(api, 'p1', root, { retry: fastRetry });
      assert.equal(r.published.length, 1);
      assert.equal(r.published[0].assetId, t.assetId, 'the journaled id was replayed, not a new asset');

      // A same-named asset that this folder did not create is a conflict unless adopting.
      const other = tmp();
      writeFileSync(join(other, 'a.blend'), records(500 * 1024, 4));
      await assert.rejects(publishFolder(api, 'p1', other, { retry: fastRetry }), FolderConflictError);
      const adopted = await publishFolder(api, 'p1', other, { retry: fastRetry, onNameTaken: 'adopt' });
      assert.equal(adopted.published[0].assetId, t.assetId);

      // An asset whose first checkpoint never got through has nothing to restore and is skipped.
      const st = await loadState(root);
      st.files['never.blend'] = { size: -1, mtimeMs: -1, fileHash: '', chunks: [], chunkSizes: [], assetId: randomUUID() };
      const dest = tmp();
      const rr = await restoreFolder(api, 'p1', st, dest);
      assert.equal(rr.files, 1);
      assert.ok(!existsSync(join(dest, 'never.blend')));
    });

    test('asset names', () => {
      assert.deepEqual(assetNameOf('chair_0012.blend'), { name: 'chair_0012', extension: 'blend' });
      assert.deepEqual(assetNameOf('.gitignore'), { name: '.gitignore', extension: '' });
      assert.deepEqual(assetNameOf('archive.tar.gz'), { name: 'archive.tar', extension: 'gz' });
      assert.deepEqual(assetNameOf('README'), { name: 'README', extension: '' });
    });

    test('ChunkApi.missing batches by 10,000 ids', async () => {
      const chunks = new ChunkApi(api, 'p1');
      const before = fake.hits['chunks/check'] ?? 0;
      const ids = Array.from({ length: 12_001 }, (_, i) => sha256Hex(Buffer.from(`id${i}`)));
      const missing = await chunks.missing(ids);
      assert.equal(missing.size, 12_001);
      assert.equal((fake.hits['chunks/check'] ?? 0) - before, 2);
    });

    test('state survives in .backlot and the scan ignores it', async () => {
      const root = tmp();
      writeFileSync(join(root, 'x.json'), '{}');
      await publishFolder(api, 'p1', root, { retry: fastRetry });
      assert.ok(existsSync(join(root, '.backlot', 'state.json')));
      const scan = await scanFolder(root, await loadState(root));
      assert.deepEqual(scan.changed, []);
    });
  });
}

// ---- the real server ---------------------------------------------------------------------------

describe('client content against a real Backlot server', () => {
  let server: StartedServer;
  let api: BacklotApi;
  let projectId: string;
  let dataDir: string;
  const newAsset = async (name: string, extension = 'blend') =>
    (await api.production.createAsset(projectId, { collectionId: null, name, extension, kind: 'resource' })).id;

  before(async () => {
    dataDir = tmp('backlot-client-server-');
    server = await startServer(loadConfig({ dataDir, port: 0, host: '127.0.0.1' }, {}), { logger: false, print: () => {} });
    const setupToken = await prepareSetup(server.deps);
    api = new BacklotApi({ baseUrl: server.url });
    // Setting up signs the api in as the administrator.
    await api.auth.setup({ token: setupToken!, email: 'admin@client.test', name: 'Admin', password: 'correct horse battery staple' });
    const studio = await api.studios.create({ name: 'Client Studio' });
    projectId = (await api.projects.create(studio.id, { name: 'Client Project' })).id;
  });
  after(() => server?.close());

  test('typed errors: bad token, unknown project', async () => {
    const bad = new BacklotApi({ baseUrl: server.url, auth: { kind: 'bearer', token: 'not-a-token' } });
    await assert.rejects(bad.content.checkChunks(projectId, []), (e: unknown) => e instanceof ApiError && e.status === 401 && typeof e.code === 'string');
    await assert.rejects(new ChunkApi(api, randomUUID()).missing([sha256Hex(Buffer.from('x'))]), (e: unknown) => e instanceof ApiError && e.status === 404);
  });

  test('publish, read the manifest back, restore; an edit uploads only new chunks', async () => {
    const dir = tmp();
    const assetId = await newAsset('hero');
    const file = join(dir, 'hero.blend');
    const data = Buffer.concat([records(2 * MiB, 11), noise(1 * MiB, 'hero'), records(2 * MiB, 12)]);
    writeFileSync(file, data);
    const first = await publishFile(api, projectId, assetId, file, { baseCheckpointId: null, comment: 'v1' });
    assert.equal(first.checkpoint.number, 1);
    assert.equal(first.checkpoint.fileHash, sha256Hex(data));
    const m = await fetchCheckpointManifest(api, projectId, first.checkpoint.id);
    assert.deepEqual(m.chunks, first.file.chunks);
    assert.deepEqual(m.chunkSizes, first.file.chunkSizes);
    assert.equal(m.fileName, 'hero.blend');

    data.fill(3, 2 * MiB + 10, 2 * MiB + 2000);
    writeFileSync(file, data);
    const second = await publishFile(api, projectId, assetId, file, { baseCheckpointId: first.checkpoint.id, comment: 'v2' });
    assert.equal(second.checkpoint.number, 2);
    assert.ok(second.stats.uploaded <= 2 && second.stats.present >= 3, JSON.stringify(second.stats));
    assert.equal(second.stats.encoded, second.stats.uploaded);

    const out = join(dir, 'restored', 'hero.blend');
    mkdirSync(join(dir, 'restored'));
    const m2 = await fetchCheckpointManifest(api, projectId, second.checkpoint.id);
    await restoreCheckpoint(api, projectId, m2, out);
    assert.ok(readFileSync(out).equals(data));
    // The older version is still there.
    await restoreCheckpoint(api, projectId, m, out);
    assert.equal(sha256Hex(readFileSync(out)), first.file.fileHash);
  });

  test('resume: chunks uploaded before an interruption are not sent again', async () => {
    const dir = tmp();
    const assetId = await newAsset('plate', 'exr');
    const file = join(dir, 'plate.exr');
    const data = noise(5 * MiB, 'plate');
    writeFileSync(file, data);
    // An earlier run got through part of the upload (the first two chunks), then died.
    const cuts = cutPoints(data);
    const chunks = cuts.map((end, i) => data.subarray(i === 0 ? 0 : cuts[i - 1], end));
    const frames = chunks.slice(0, 2).map((c) => ({ id: sha256Hex(c), encoded: encodeChunk(c) }));
    const up = await new ChunkApi(api, projectId).upload(frames);
    assert.equal(up.stored, 2);
    const r = await publishFile(api, projectId, assetId, file, { baseCheckpointId: null });
    assert.equal(r.stats.present, 2);
    assert.equal(r.stats.uploaded, new Set(chunks.map((c) => sha256Hex(c))).size - 2);
  });

  test('the same op id replays the recorded checkpoint; a checkpoint without its chunks is refused', async () => {
    const dir = tmp();
    const assetId = await newAsset('prop');
    const file = join(dir, 'prop.blend');
    writeFileSync(file, records(700 * 1024, 5));
    const a = await publishFile(api, projectId, assetId, file, { baseCheckpointId: null });
    const b = await publishFile(api, projectId, assetId, file, { baseCheckpointId: null });
    assert.equal(b.opId, a.opId);
    assert.equal(b.checkpoint.id, a.checkpoint.id);
    assert.equal(b.stats.uploaded, 0);

    const fake = sha256Hex(Buffer.from('never uploaded'));
    const [res] = await createCheckpoints(api, projectId, [{ assetId, fileHash: fake, size: 14, chunks: [fake], opId: `cp.${randomUUID()}` }]);
    assert.equal(res.status, 'rejected');
    const err = new OpRejectedError(res as Exclude<typeof res, { status: 'applied' }>, 'checkpoint.create');
    assert.equal(err.code, 'missing_chunks');
    assert.deepEqual(missingChunksOf(err), [fake]);
  });

  test('the server refuses a chunk that does not hash to its id', async () => {
    const chunks = new ChunkApi(api, projectId, { retry: { attempts: 1 } });
    await assert.rejects(
      chunks.upload([{ id: sha256Hex(Buffer.from('claimed')), encoded: encodeChunk(Buffer.from('actual')) }]),
      (e: unknown) => e instanceof ApiError && e.status >= 400 && e.status < 500,
    );
  });

  test('folder publish and restore from server manifests', async () => {
    const root = tmp();
    const w = (p: string, data: Buffer) => {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), data);
    };
    w('assets/characters/jako/jako.blend', records(3 * MiB, 21));
    w('assets/characters/jako/jako.psd', records(1 * MiB, 22));
    w('renders/sh010.exr', noise(2 * MiB, 'sh010'));
    w('pipeline/tool.py', Buffer.from('import bpy\n'));
    w('empty.json', Buffer.alloc(0));
    const r1 = await publishFolder(api, projectId, root);
    assert.equal(r1.published.length, 5, JSON.stringify(r1.failed.map((f) => f.error.message)));
    // Edit, copy, rename, delete; publish again.
    const jako = records(3 * MiB, 21);
    jako.fill(9, 100_000, 140_000);
    w('assets/characters/jako/jako.blend', jako);
    w('assets/characters/jako/jako_v2.blend', jako);
    mkdirSync(join(root, 'edit'));
    writeFileSync(join(root, 'edit', 'sh010.exr'), readFileSync(join(root, 'renders/sh010.exr')));
    rmSync(join(root, 'renders/sh010.exr'));
    rmSync(join(root, 'pipeline/tool.py'));
    const r2 = await publishFolder(api, projectId, root);
    assert.deepEqual(r2.published.map((p) => p.path).sort(), ['assets/characters/jako/jako.blend', 'assets/characters/jako/jako_v2.blend', 'edit/sh010.exr']);
    assert.deepEqual(r2.removed.sort(), ['pipeline/tool.py', 'renders/sh010.exr']);
    assert.deepEqual(r2.failed, []);
    assert.ok(r2.upload.uploaded <= 2, `uploaded ${r2.upload.uploaded}`);

    const dest = tmp();
    const r = await restoreFolder(api, projectId, await loadState(root), dest, { manifests: 'server' });
    assert.equal(r.files, 5);
    for (const p of ['assets/characters/jako/jako.blend', 'assets/characters/jako/jako_v2.blend', 'assets/characters/jako/jako.psd', 'edit/sh010.exr', 'empty.json'])
      assert.ok(readFileSync(join(dest, p)).equals(readFileSync(join(root, p))), p);
    assert.deepEqual((await scanFolder(dest, await loadState(dest))).changed, []);
  });
});
