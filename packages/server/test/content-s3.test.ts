// The server with its chunks in S3-compatible object storage (s3rver on 127.0.0.1): the content
// round trip (check, upload, checkpoint, fetch, restore, file download, share link, collection),
// plus how the chunk store is chosen from config file and environment.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { restoreFile, S3ChunkBackend, verifyEncodedChunk } from '@backlot/storage';
import { createHarness, dbKinds, type Harness, type TestChunkBackend } from '@backlot/test-kit/harness';
import { loadConfig } from '../src/config/config.js';
import { GC_GRACE_MS } from '../src/content/gc.js';
import { check, chunkOf, commitFile, contentWorld, fetchChunks, frames, must, noise, parseFrames, post, raw, sampleFile, upload } from '@backlot/test-kit/content-world';

let tmp: string;
let s3: S3rver | undefined;
let endpoint = '';

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'backlot-s3-'));
  s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(tmp, 's3rver'), configureBuckets: [{ name: 'studio-chunks' }] });
  const { port } = await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
});

after(async () => {
  s3?.httpServer?.closeAllConnections();
  await s3?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('chunk store configuration', () => {
  test('fs by default under the data folder; sqlite and s3 from file and environment', async () => {
    const dir = await mkdtemp(join(tmp, 'cfg-'));
    assert.deepEqual(loadConfig({ dataDir: dir }, {}).chunkStore, { kind: 'fs' });
    const file = join(dir, 'backlot.config.json');
    await writeFile(file, JSON.stringify({ chunkStore: { kind: 's3', bucket: 'from-file', endpoint: 'http://file:9000', forcePathStyle: true } }));
    const c1 = loadConfig({ dataDir: dir }, {}).chunkStore;
    assert.deepEqual(c1, { kind: 's3', bucket: 'from-file', endpoint: 'http://file:9000', forcePathStyle: true });
    // Environment overrides single fields of the file's settings.
    const c2 = loadConfig({ dataDir: dir }, { BACKLOT_S3_BUCKET: 'from-env', BACKLOT_S3_REGION: 'eu-west-1', BACKLOT_S3_ACCESS_KEY_ID: 'k', BACKLOT_S3_SECRET_ACCESS_KEY: 's' }).chunkStore;
    assert.deepEqual(c2, { kind: 's3', bucket: 'from-env', endpoint: 'http://file:9000', forcePathStyle: true, region: 'eu-west-1', accessKeyId: 'k', secretAccessKey: 's' });
    assert.equal(loadConfig({ dataDir: dir }, { BACKLOT_CHUNK_STORE: 'sqlite' }).chunkStore.kind, 'sqlite');
    assert.throws(() => loadConfig({ dataDir: dir }, { BACKLOT_CHUNK_STORE: 'ftp' }), /chunk store kind/);
    await writeFile(file, JSON.stringify({ chunkStore: { kind: 's3' } }));
    assert.throws(() => loadConfig({ dataDir: dir }, {}), /needs a bucket/);
  });
});

for (const kind of dbKinds()) {
  describe(`content round trip on S3 (${kind})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(kind, {
        chunkStore: { kind: 's3', bucket: 'studio-chunks', endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true, prefix: `backlot-${kind}/` },
      });
    });
    after(async () => {
      await h.close();
      await h.deps.chunks.close();
    });

    test('check, upload, checkpoint, fetch, restore, download, share, collect', async () => {
      assert.ok((h.deps.chunks as TestChunkBackend).real instanceof S3ChunkBackend, 'the server opened the configured S3 store');
      const w = await contentWorld(h);
      const open = must(await post(h, w.owner, `/projects/${w.pid}/collections`, { parentId: null, name: 'Open', shared: true }), 201).id;
      const aid = must(await post(h, w.owner, `/projects/${w.pid}/assets`, { collectionId: open, name: 'cloud', extension: 'exr' }), 201).id;
      const data = sampleFile(21);
      const c = await commitFile(h, w.by.artist, w.pid, aid, data);
      const ids = c.manifest.chunks.map((x) => x.id);
      assert.deepEqual(must(await check(h, w.by.artist, w.pid, ids), 200).missing, []);
      // The objects are in the bucket, under the project's prefix.
      assert.deepEqual((await h.deps.chunks.store(w.pid).has(ids)).size, new Set(ids).size);

      const f = await fetchChunks(h, w.by.supervisor, w.pid, ids);
      assert.equal(f.status, 200);
      const byId = new Map(parseFrames(f.bytes).map((x) => [x.id, verifyEncodedChunk(x.id, x.encoded)]));
      const dest = join(tmp, `cloud-${kind}.exr`);
      await restoreFile(ids, async (id) => byId.get(id)!, dest, c.manifest.fileHash, { expectedSize: data.length });
      assert.ok((await readFile(dest)).equals(data));

      const file = await raw(h, 'GET', `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/content`, w.by.assistant_supervisor);
      assert.equal(file.status, 200);
      assert.ok(file.bytes.equals(data));

      const share = must(await post(h, w.owner, `/projects/${w.pid}/checkpoints/${c.checkpoint.id}/shares`, {}), 201);
      const shared = await raw(h, 'GET', `/s/${share.token}/download`);
      assert.ok(shared.bytes.equals(data));

      // An unreferenced upload is collected from the bucket after the grace period.
      const stray = chunkOf(noise(3000, 5));
      must(await upload(h, w.by.artist, w.pid, frames([stray])), 200);
      h.clock.advance(GC_GRACE_MS + 60_000);
      assert.equal(must(await post(h, w.owner, `/projects/${w.pid}/gc`, {}), 200).deleted, 1);
      assert.equal((await h.deps.chunks.store(w.pid).has([stray.id])).size, 0);
      assert.equal((await h.deps.chunks.store(w.pid).has(ids)).size, new Set(ids).size, 'referenced objects stay');
    });
  });
}
