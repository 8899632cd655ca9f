// One contract, three backends. Every store must behave identically from the outside.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import S3rver from 's3rver';
import {
  ChunkTooLargeError,
  chunkId,
  CorruptChunkError,
  encodeChunk,
  FsChunkBackend,
  FsChunkStore,
  InvalidEncodingError,
  MAX_CHUNK_SIZE,
  MissingChunkError,
  readChunk,
  S3ChunkBackend,
  SqliteChunkBackend,
  StorageError,
  VerifiedChunk,
  verifyChunk,
  type ChunkBackend,
} from '../src/index.js';
import { collect, pseudoRandom, textLike } from './helpers.js';

function chunk(seed: number, size = 40_000, compressible = seed % 2 === 0) {
  const raw = compressible ? textLike(size, seed) : pseudoRandom(size, seed);
  return { id: chunkId(raw), raw, encoded: encodeChunk(raw) };
}

interface Fixture {
  name: string;
  /** Ids for the large has() batch; s3rver answers ~150 HEADs/s, so S3 gets fewer. */
  batch: number;
  open(): Promise<ChunkBackend>;
  teardown(): Promise<void>;
}

let tmp: string;
let s3: S3rver | undefined;
let s3Endpoint = '';

const fixtures: Fixture[] = [
  {
    name: 'fs',
    batch: 1200,
    async open() {
      return new FsChunkBackend({ dir: join(tmp, 'fs') });
    },
    async teardown() {},
  },
  {
    name: 'sqlite',
    batch: 1200,
    async open() {
      return new SqliteChunkBackend({ file: join(tmp, 'chunks.db') });
    },
    async teardown() {},
  },
  {
    name: 's3',
    batch: 120,
    async open() {
      return new S3ChunkBackend({
        bucket: 'chunks',
        endpoint: s3Endpoint,
        region: 'us-east-1',
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        forcePathStyle: true,
        prefix: 'backlot/',
      });
    },
    async teardown() {},
  },
];

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'backlot-stores-'));
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(tmp, 's3rver'),
    configureBuckets: [{ name: 'chunks' }],
  });
  const { port } = await s3.run();
  s3Endpoint = `http://127.0.0.1:${port}`;
});

after(async () => {
  s3?.httpServer?.closeAllConnections();
  await s3?.close();
  await rm(tmp, { recursive: true, force: true });
});

for (const fx of fixtures) {
  describe(`ChunkStore contract: ${fx.name}`, () => {
    let backend: ChunkBackend;
    before(async () => {
      backend = await fx.open();
    });
    after(async () => {
      await backend.close();
      await fx.teardown();
    });

    it('put, has, get, list, delete', async () => {
      const store = backend.store('project-a');
      const chunks = [chunk(1), chunk(2), chunk(3), chunk(4, 300_000)];
      const absent = chunk(99);
      assert.deepEqual(await store.has(chunks.map((c) => c.id)), new Set());
      for (const c of chunks) await store.put(c.id, c.encoded);
      // Idempotent.
      await store.put(chunks[0].id, chunks[0].encoded);

      const present = await store.has([...chunks.map((c) => c.id), absent.id, chunks[0].id]);
      assert.deepEqual(present, new Set(chunks.map((c) => c.id)));
      for (const c of chunks) {
        assert.ok((await store.get(c.id))?.equals(c.encoded), 'stored bytes come back unchanged');
        assert.ok((await readChunk(store, c.id)).equals(c.raw), 'readChunk decodes');
      }
      assert.equal(await store.get(absent.id), null);
      await assert.rejects(readChunk(store, absent.id), MissingChunkError);

      assert.deepEqual((await collect(store.list())).sort(), chunks.map((c) => c.id).sort());

      await store.delete([chunks[0].id, chunks[1].id, absent.id]);
      assert.deepEqual(await store.has(chunks.map((c) => c.id)), new Set([chunks[2].id, chunks[3].id]));
      assert.deepEqual((await collect(store.list())).sort(), [chunks[2].id, chunks[3].id].sort());
      assert.equal(await store.get(chunks[0].id), null);
    });

    it('putVerified stores a chunk verified once, and only a real proof', async () => {
      const store = backend.store('project-v');
      const c = chunk(21);
      const proof = verifyChunk(c.id, c.encoded);
      assert.equal(proof.size, c.raw.length);
      await store.putVerified(proof);
      assert.ok((await readChunk(store, c.id)).equals(c.raw));
      // A look-alike object or a hand-made VerifiedChunk is no proof.
      await assert.rejects(store.putVerified({ id: c.id, encoded: c.encoded, size: c.raw.length } as unknown as VerifiedChunk), TypeError);
      assert.throws(() => new VerifiedChunk(Symbol('verified-chunk'), c.id, c.encoded, c.raw.length), TypeError);
      // verifyChunk refuses what put refuses.
      assert.throws(() => verifyChunk(chunk(22).id, c.encoded), CorruptChunkError);
    });

    it('putVerifiedMany stores a batch (repeats and stored chunks included); list() is in ascending order', async () => {
      const store = backend.store('project-many');
      const chunks = Array.from({ length: 40 }, (_, i) => chunk(200 + i, 2000 + i));
      await store.put(chunks[3].id, chunks[3].encoded);
      const proofs = chunks.map((c) => verifyChunk(c.id, c.encoded));
      await store.putVerifiedMany([...proofs, proofs[0]]);
      for (const c of chunks) assert.ok((await readChunk(store, c.id)).equals(c.raw));
      const listed = await collect(store.list());
      assert.deepEqual(listed, chunks.map((c) => c.id).sort(), 'every id once, ascending');
      await assert.rejects(store.putVerifiedMany([{ id: chunks[0].id, encoded: chunks[0].encoded, size: 1 } as unknown as VerifiedChunk]), TypeError);
      assert.equal(await store.cleanTemp({ olderThanMs: 0, deadWriters: true }), 0, 'a completed write leaves nothing behind');
    });

    it('keeps namespaces apart', async () => {
      const a = backend.store('ns-one');
      const b = backend.store('ns-two');
      const c = chunk(5);
      await a.put(c.id, c.encoded);
      assert.deepEqual(await b.has([c.id]), new Set());
      assert.equal(await b.get(c.id), null);
      assert.deepEqual(await collect(b.list()), []);
      await b.delete([c.id]);
      assert.deepEqual(await a.has([c.id]), new Set([c.id]));
    });

    it('verifies chunks on put and stores nothing on mismatch', async () => {
      const store = backend.store('verify');
      const c = chunk(6);
      const other = chunk(7);
      await assert.rejects(store.put(c.id, other.encoded), CorruptChunkError);
      await assert.rejects(store.put(c.id, Buffer.from([9, 1, 2, 3])), InvalidEncodingError);
      const huge = Buffer.concat([Buffer.from([0]), Buffer.alloc(MAX_CHUNK_SIZE + 1)]);
      await assert.rejects(store.put(chunkId(huge.subarray(1)), huge), ChunkTooLargeError);
      assert.deepEqual(await store.has([c.id]), new Set());
      assert.deepEqual(await collect(store.list()), []);
    });

    it('has: many ids at once, in an empty store and among stored ones', async () => {
      const store = backend.store('many-ids');
      const all = Array.from({ length: 60 }, (_, i) => chunk(1000 + i, 64));
      assert.deepEqual(await store.has(all.map((c) => c.id)), new Set(), 'nothing stored yet');
      const stored = all.filter((_, i) => i % 3 === 0);
      for (const c of stored) await store.put(c.id, c.encoded);
      assert.deepEqual(await store.has([...all, ...all].map((c) => c.id)), new Set(stored.map((c) => c.id)));
      await assert.rejects(store.has([...all.map((c) => c.id), '../../etc/passwd']), StorageError, 'a malformed id among many is refused too');
    });

    it('rejects malformed ids and namespaces', async () => {
      const store = backend.store('ids');
      for (const bad of ['../../etc/passwd', 'ABC', 'a'.repeat(63), 'a'.repeat(65), '']) {
        await assert.rejects(store.get(bad), StorageError, bad);
        await assert.rejects(store.has([bad]), StorageError, bad);
        await assert.rejects(store.put(bad, encodeChunk(Buffer.from('x'))), StorageError, bad);
      }
      for (const ns of ['', '..', 'a/b', '.hidden', 'x'.repeat(129), 'sp ace']) {
        assert.throws(() => backend.store(ns), StorageError, ns);
      }
    });

    it('has() copes with large batches', async () => {
      const store = backend.store('batch');
      const c = chunk(8, 1000);
      await store.put(c.id, c.encoded);
      const ids = Array.from({ length: fx.batch }, (_, i) => chunkId(Buffer.from(`absent-${i}`)));
      ids.splice(Math.floor(fx.batch * 0.6), 0, c.id);
      assert.deepEqual(await store.has(ids), new Set([c.id]));
    });
  });
}

describe('FsChunkStore specifics', () => {
  it('detects a flipped byte on read and never leaves temp files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'backlot-fs-'));
    try {
      const store = new FsChunkStore({ dir, namespace: 'p' });
      const c = chunk(10, 100_000, false);
      await store.put(c.id, c.encoded);
      assert.deepEqual(await readdir(join(dir, 'p')), [c.id.slice(0, 2)], 'no temp folder');
      assert.deepEqual(await readdir(join(dir, 'p', c.id.slice(0, 2))), [c.id], 'only the chunk, no temp file beside it');
      const path = store.pathOf(c.id);
      assert.equal(path, join(dir, 'p', c.id.slice(0, 2), c.id));
      const bytes = await readFile(path);
      bytes[5000] ^= 0x01;
      await writeFile(path, bytes);
      await assert.rejects(readChunk(store, c.id), CorruptChunkError);
      // A truncated or oversized file is corrupt too.
      await writeFile(path, Buffer.alloc(MAX_CHUNK_SIZE + 10));
      await assert.rejects(readChunk(store, c.id), CorruptChunkError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('cleans stale temp files, beside the chunks and in the temp folder of stores written before', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'backlot-fs-'));
    try {
      const store = new FsChunkStore({ dir, namespace: 'p' });
      const c = chunk(11);
      await store.put(c.id, c.encoded);
      const fan = join(dir, 'p', c.id.slice(0, 2));
      await writeFile(join(fan, `${c.id}.1.0123456789ab.tmp`), 'half a chunk');
      await mkdir(join(dir, 'p', '.tmp'));
      await writeFile(join(dir, 'p', '.tmp', `${c.id}.1.dead`), 'half a chunk, older layout');
      assert.deepEqual(await collect(store.list()), [c.id], 'temp files are not chunks');
      assert.equal(await store.cleanTemp({ olderThanMs: 0 }), 2);
      assert.deepEqual(await readdir(fan), [c.id]);
      assert.deepEqual(await readdir(join(dir, 'p', '.tmp')), []);
      assert.ok((await readChunk(store, c.id)).equals(c.raw), 'the chunk stays');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('cleans temp files of writers that are gone, at once, and keeps a live writer\'s', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'backlot-fs-'));
    try {
      const store = new FsChunkStore({ dir, namespace: 'p' });
      const c = chunk(12);
      await store.put(c.id, c.encoded);
      // A process that has exited: its pid is free (and not reused this quickly).
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      const fan = join(dir, 'p', c.id.slice(0, 2));
      await writeFile(join(fan, `${c.id}.${gone}.aaaaaaaaaaaa.tmp`), 'killed mid-write');
      await writeFile(join(fan, `${c.id}.${process.pid}.bbbbbbbbbbbb.tmp`), 'still being written');
      assert.equal(await store.cleanTemp({ olderThanMs: 60 * 60 * 1000 }), 0, 'both are fresh');
      assert.equal(await store.cleanTemp({ olderThanMs: 60 * 60 * 1000, deadWriters: true }), 1);
      assert.deepEqual((await readdir(fan)).sort(), [c.id, `${c.id}.${process.pid}.bbbbbbbbbbbb.tmp`].sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
