import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  chunkFile,
  decodeChunk,
  ChunkWorkerPool,
  CorruptChunkError,
  encodeChunk,
  InvalidEncodingError,
  DEFAULT_CDC_PARAMS,
  FileHashMismatchError,
  FsChunkStore,
  GROW_AFTER_BYTES,
  MissingChunkError,
  readChunk,
  restoreFile,
  restoreFromStore,
  sha256Hex,
  storeFile,
  storeFileAgainst,
} from '../src/index.js';
import { pieces, pseudoRandom, textLike, withTempDir } from './helpers.js';

const { minSize, avgSize, maxSize } = DEFAULT_CDC_PARAMS;
const MiB = 1024 * 1024;

let pool: ChunkWorkerPool;
before(async () => {
  pool = await ChunkWorkerPool.create(2);
});
after(async () => {
  await pool.close();
});

describe('worker pool', () => {
  it('runs on worker threads under tsx', () => {
    assert.equal(pool.mode, 'threads', pool.fallbackReason);
    assert.equal(pool.size, 2);
  });

  it('a pool started with one thread starts the others once a large job is under way, with the same results', async () => {
    const growing = await ChunkWorkerPool.create(2, { startWith: 1 });
    try {
      assert.equal(growing.size, 1);
      assert.equal(growing.capacity, 2);
      const small = textLike(4 * MiB, 3);
      const expected = sha256Hex(small);
      assert.equal((await chunkFile(pieces(small, 65536), { pool: growing })).fileHash, expected);
      assert.equal(growing.size, 1, 'a few MB stay on the first thread');
      const large = pseudoRandom(GROW_AFTER_BYTES + 8 * MiB, 4);
      const manifest = await chunkFile(pieces(large, MiB), { pool: growing });
      assert.equal(manifest.fileHash, sha256Hex(large));
      for (let i = 0; i < 100 && growing.size < 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(growing.size, 2, 'the second thread started');
      assert.equal((await chunkFile(pieces(small, 65536), { pool: growing })).fileHash, expected);
    } finally {
      await growing.close();
    }
  });

  it('encode with check: the worker decodes its encoding back, and the proof it gives is what a store takes', async () => {
    const inlinePool = await ChunkWorkerPool.create(0);
    try {
      await withTempDir(async (dir) => {
        const store = new FsChunkStore({ dir, namespace: 'p' });
        for (const [k, p] of [pool, inlinePool].entries()) {
          const raw = textLike(200_000, 40 + k);
          const hashed = await p.hash(Buffer.from(raw));
          const id = hashed.id;
          // The chunk the pool hashed (its id is taken as it is), and a copy (hashed again).
          const made = await p.encode(hashed.raw, id, undefined, { check: true });
          const again = await p.encode(Buffer.from(raw), id, undefined, { check: true });
          assert.ok(made.proof && again.proof, `proofs (${p.mode})`);
          assert.equal(made.proof.id, id);
          assert.equal(again.proof.id, id);
          assert.ok(made.proof.encoded.equals(made.encoded));
          await store.putVerified(made.proof);
          assert.ok((await readChunk(store, id)).equals(raw), 'stored, and reads back verified');
          assert.equal((await p.encode(Buffer.from(raw), id)).proof, undefined, 'no check asked, no proof');
          await assert.rejects(p.encode(Buffer.from(raw), sha256Hex(Buffer.from('other')), undefined, { check: true }), /hashes to/, `a wrong id gets no proof (${p.mode})`);
        }
      });
    } finally {
      await inlinePool.close();
    }
  });

  it('gives the same chunks on threads and inline', async () => {
    const data = Buffer.concat([textLike(3 * MiB, 1), pseudoRandom(2 * MiB, 2)]);
    const threaded = await chunkFile(pieces(data, 65536), { pool, keepEncoded: true });
    const inline = await chunkFile(pieces(data, 65536), { workers: 0, keepEncoded: true });
    assert.deepEqual(
      threaded.chunks.map((c) => [c.id, c.size, sha256Hex(c.encoded!)]),
      inline.chunks.map((c) => [c.id, c.size, sha256Hex(c.encoded!)]),
    );
    assert.equal(threaded.fileHash, sha256Hex(data));
    assert.equal(inline.fileHash, threaded.fileHash);
    assert.ok(threaded.chunks.length >= 5);
  });

  it('hashes on a thread and hands the bytes back; encode with a known id only compresses', async () => {
    const raw = textLike(300_000, 7);
    const copy = Buffer.from(raw);
    const hashed = await pool.hash(copy);
    assert.equal(hashed.id, sha256Hex(raw));
    assert.ok(hashed.raw.equals(raw));
    const inlinePool = await ChunkWorkerPool.create(0);
    assert.deepEqual(await inlinePool.hash(Buffer.from(raw)), { id: sha256Hex(raw), raw });
    const encoded = await pool.encode(hashed.raw, hashed.id);
    assert.equal(encoded.id, sha256Hex(raw));
    assert.ok(decodeChunk(encoded.encoded).equals(raw));
  });

  it('computes whole-file hashes on the workers, files interleaved, threads and inline alike', async () => {
    const inlinePool = await ChunkWorkerPool.create(0);
    for (const p of [pool, inlinePool]) {
      const files = [pseudoRandom(700_000, 21), textLike(500_000, 22), Buffer.alloc(0)];
      const digests = files.map(() => p.fileDigest());
      const work: Promise<unknown>[] = [];
      // Chunks of the three files alternate, by hash and by encode, as concurrent publishes would.
      for (let at = 0; at < 700_000; at += 100_000) {
        files.forEach((f, i) => {
          const piece = f.subarray(at, at + 100_000);
          if (piece.length === 0) return;
          work.push(i === 0 ? p.hash(Buffer.from(piece), digests[i]) : p.encode(Buffer.from(piece), undefined, digests[i]));
        });
      }
      await Promise.all(work);
      assert.deepEqual(await Promise.all(digests.map((d) => d.digest())), files.map((f) => sha256Hex(f)), p.mode);
    }
    // A dropped digest frees the worker's state; the next file starts afresh.
    const dropped = pool.fileDigest();
    await pool.hash(Buffer.from('abandoned'), dropped);
    dropped.drop();
    const fresh = pool.fileDigest();
    await pool.hash(Buffer.from('kept'), fresh);
    assert.equal(await fresh.digest(), sha256Hex(Buffer.from('kept')));
  });

  it('verifies downloaded chunks on a thread with the same answers and errors as inline', async () => {
    const inlinePool = await ChunkWorkerPool.create(0);
    const big = textLike(700_000, 31);
    const small = Buffer.from('a tiny chunk, stored raw');
    for (const p of [pool, inlinePool]) {
      for (const raw of [big, small, pseudoRandom(300_000, 32)]) {
        const encoded = encodeChunk(raw);
        const got = await p.verify(sha256Hex(raw), encoded);
        assert.ok(got.equals(raw), p.mode);
        assert.equal(encoded[0] === 0 || encoded[0] === 1, true, 'the caller keeps its encoded bytes');
      }
      const corrupt = encodeChunk(big);
      corrupt[corrupt.length - 1] ^= 1;
      await assert.rejects(p.verify(sha256Hex(big), corrupt), (e: Error) => e instanceof CorruptChunkError || e instanceof InvalidEncodingError, p.mode);
      const flipped = encodeChunk(pseudoRandom(5000, 33));
      await assert.rejects(p.verify(sha256Hex(Buffer.alloc(5000)), flipped), CorruptChunkError, p.mode);
    }
  });

  it('verifies a chunk moved to the worker (not copied), with the same errors', async () => {
    const inlinePool = await ChunkWorkerPool.create(0);
    for (const p of [pool, inlinePool]) {
      for (const raw of [textLike(700_000, 41), pseudoRandom(300_000, 42), Buffer.from('tiny, stored raw')]) {
        const sent = Buffer.from(encodeChunk(raw)); // a large one owns its memory: moved, not copied
        const owns = sent.byteLength === sent.buffer.byteLength;
        const got = await p.verifyMoved(sha256Hex(raw), sent);
        assert.ok(got.equals(raw), p.mode);
        if (p.mode === 'threads' && owns) assert.equal(sent.buffer.byteLength, 0, 'the bytes went to the worker');
      }
      // A view into a larger buffer is copied, and stays usable.
      const inner = encodeChunk(textLike(50_000, 43));
      const view = Buffer.concat([Buffer.alloc(7), inner]).subarray(7);
      const got = await p.verifyMoved(sha256Hex(textLike(50_000, 43)), view);
      assert.ok(got.equals(textLike(50_000, 43)) && view.equals(inner), p.mode);
      // Errors are the typed ones, from the bytes sent back.
      const flipped = Buffer.from(encodeChunk(pseudoRandom(5000, 44)));
      await assert.rejects(p.verifyMoved(sha256Hex(Buffer.alloc(5000)), flipped), CorruptChunkError, p.mode);
      const corrupt = Buffer.from(encodeChunk(textLike(700_000, 45)));
      corrupt[corrupt.length - 1] ^= 1;
      await assert.rejects(p.verifyMoved(sha256Hex(textLike(700_000, 45)), corrupt), (e: Error) => e instanceof CorruptChunkError || e instanceof InvalidEncodingError, p.mode);
    }
  });

  it('fails a file whose hashing worker died instead of giving a wrong hash', async () => {
    const own = await ChunkWorkerPool.create(2);
    try {
      const digest = own.fileDigest();
      await own.hash(Buffer.from('first part'), digest);
      const slot = (digest as unknown as { slot: { worker: { terminate(): Promise<number> } } }).slot;
      await slot.worker.terminate();
      await new Promise((r) => setImmediate(r));
      await assert.rejects(own.hash(Buffer.from('second part'), digest), /exited/);
      await assert.rejects(digest.digest(), /exited/);
      // The pool goes on with the other worker.
      assert.equal((await own.hash(Buffer.from('x'))).id, sha256Hex(Buffer.from('x')));
    } finally {
      await own.close();
    }
  });
});

describe('chunkFile + restoreFile round trips', () => {
  const sizes: [string, number][] = [
    ['empty', 0],
    ['1 byte', 1],
    ['min size', minSize],
    ['avg size', avgSize],
    ['max size', maxSize],
    ['max size + 1', maxSize + 1],
    ['several chunks', 3 * maxSize + 12345],
  ];
  for (const [name, size] of sizes) {
    it(name, async () => {
      await withTempDir(async (dir) => {
        const store = new FsChunkStore({ dir: join(dir, 'store'), namespace: 'p' });
        const data = size % 2 === 0 ? textLike(size, size) : pseudoRandom(size, size);
        const src = join(dir, 'src.bin');
        await writeFile(src, data);
        const manifest = await storeFile(src, store, { pool });
        assert.equal(manifest.size, size);
        assert.equal(manifest.fileHash, sha256Hex(data));
        assert.equal(manifest.chunks.reduce((a, c) => a + c.size, 0), size);
        assert.equal(manifest.chunks.length === 0, size === 0);
        for (const c of manifest.chunks) assert.ok(c.size <= maxSize);
        const dest = join(dir, 'out', 'restored.bin');
        await mkdir(join(dir, 'out'));
        await restoreFromStore(store, manifest, dest);
        assert.ok((await readFile(dest)).equals(data));
        assert.deepEqual(await readdir(join(dir, 'out')), ['restored.bin']);
      });
    });
  }

  it('streams a 300 MB sparse file with bounded memory', async () => {
    await withTempDir(async (dir) => {
      const size = 300 * MiB;
      const src = join(dir, 'sparse.bin');
      // Non-zero islands so the file is not one repeated chunk; the rest is holes.
      const islands: [number, Buffer][] = [
        [0, pseudoRandom(3 * MiB, 1)],
        [77 * MiB + 3, pseudoRandom(3 * MiB, 2)],
        [150 * MiB, textLike(2 * MiB, 3)],
        [size - 5000, pseudoRandom(5000, 4)],
      ];
      const h = await open(src, 'w');
      await h.truncate(size);
      for (const [at, bytes] of islands) await h.write(bytes, 0, bytes.length, at);
      await h.close();
      // Expected hash computed from the layout, without reading the file back.
      const expected = createHash('sha256');
      const zeros = Buffer.alloc(MiB);
      let pos = 0;
      for (const [at, bytes] of [...islands, [size, Buffer.alloc(0)] as [number, Buffer]]) {
        for (; pos < at; pos += Math.min(MiB, at - pos)) expected.update(zeros.subarray(0, Math.min(MiB, at - pos)));
        expected.update(bytes);
        pos += bytes.length;
      }

      const store = new FsChunkStore({ dir: join(dir, 'store'), namespace: 'big' });
      const baseline = process.memoryUsage().rss;
      let peak = 0;
      const seen = new Set<string>();
      const manifest = await chunkFile(src, {
        pool,
        onChunk: async (c) => {
          peak = Math.max(peak, process.memoryUsage().rss - baseline);
          if (seen.has(c.id)) return;
          seen.add(c.id);
          await store.put(c.id, c.encoded);
        },
      });
      assert.equal(manifest.size, size);
      assert.equal(manifest.fileHash, expected.digest('hex'));
      assert.ok(peak < 150 * MiB, `RSS grew by ${(peak / MiB).toFixed(0)} MiB while chunking 300 MiB`);
      assert.ok(seen.size < manifest.chunks.length / 4, `zero runs dedup (${seen.size} unique of ${manifest.chunks.length})`);

      // restoreFile verifies the whole-file hash itself; spot-check the islands on top.
      const dest = join(dir, 'restored.bin');
      await restoreFromStore(store, manifest, dest);
      assert.equal((await stat(dest)).size, size);
      const r = await open(dest, 'r');
      try {
        for (const [at, bytes] of islands) {
          const back = Buffer.alloc(bytes.length);
          await r.read(back, 0, bytes.length, at);
          assert.ok(back.equals(bytes), `island at ${at}`);
        }
      } finally {
        await r.close();
      }
    });
  });
});

describe('dedup across edits', () => {
  const base = pseudoRandom(12 * MiB, 42);

  async function ids(data: Buffer): Promise<string[]> {
    return (await chunkFile(pieces(data, 1 << 20), { pool })).chunks.map((c) => c.id);
  }

  it('an insertion in the middle changes only nearby chunks', async () => {
    const at = 6 * MiB + 12345;
    const edited = Buffer.concat([base.subarray(0, at), pseudoRandom(1000, 7), base.subarray(at)]);
    const before = await ids(base);
    const afterEdit = await ids(edited);
    const old = new Set(before);
    const fresh = afterEdit.filter((id) => !old.has(id));
    assert.ok(before.length >= 15, `${before.length} chunks`);
    assert.ok(fresh.length <= 2, `${fresh.length} new chunks of ${afterEdit.length}`);
  });

  it('a deletion in the middle changes only nearby chunks', async () => {
    const at = 5 * MiB + 999;
    const edited = Buffer.concat([base.subarray(0, at), base.subarray(at + 4096)]);
    const old = new Set(await ids(base));
    const fresh = (await ids(edited)).filter((id) => !old.has(id));
    assert.ok(fresh.length <= 2, `${fresh.length} new chunks`);
  });

  it('storeFile writes only the new chunks', async () => {
    await withTempDir(async (dir) => {
      const store = new FsChunkStore({ dir, namespace: 'p' });
      const first = await storeFile(pieces(base, 1 << 20), store, { pool });
      assert.equal(first.newChunks, new Set(first.chunks.map((c) => c.id)).size);
      const at = 3 * MiB;
      const edited = Buffer.concat([base.subarray(0, at), Buffer.from('inserted'), base.subarray(at)]);
      const second = await storeFile(pieces(edited, 1 << 20), store, { pool });
      assert.ok(second.newChunks >= 1 && second.newChunks <= 2, `${second.newChunks} new chunks`);
    });
  });

  it('storeFileAgainst counts a previous version\'s chunks it had to write again apart from new content', async () => {
    await withTempDir(async (dir) => {
      // The previous version's chunks are not in this store (as after a save in place over a
      // downloaded version): they are written again, and only the edit counts as new.
      const previous = await chunkFile(pieces(base, 1 << 20), { pool });
      const store = new FsChunkStore({ dir, namespace: 'p' });
      const edited = Buffer.concat([base, pseudoRandom(100_000, 9)]);
      const r = await storeFileAgainst(pieces(edited, 1 << 20), store, { chunks: previous.chunks.map((c) => [c.id, c.size] as const) }, { pool });
      assert.ok(r.newChunks >= 1 && r.newChunks <= 2, `${r.newChunks} new chunks`);
      assert.ok(r.newBytes <= maxSize + 100_000, `${r.newBytes} new bytes: the last chunk and the appended ones`);
      assert.equal(r.againChunks + r.newChunks, new Set(r.chunks.map((c) => c.id)).size, 'every chunk written, once');
      assert.ok(r.againBytes > 11 * MiB, `${r.againBytes} bytes written again`);
      assert.deepEqual((await store.has(r.chunks.map((c) => c.id))).size, new Set(r.chunks.map((c) => c.id)).size);
    });
  });
});

describe('restore refuses bad data and leaves the destination untouched', () => {
  async function setup(dir: string) {
    const store = new FsChunkStore({ dir: join(dir, 'store'), namespace: 'p' });
    const data = pseudoRandom(3 * MiB, 5);
    const manifest = await storeFile(pieces(data, 1 << 20), store, { pool });
    assert.ok(manifest.chunks.length >= 3);
    const work = join(dir, 'work');
    await mkdir(work);
    const dest = join(work, 'scene.blend');
    await writeFile(dest, 'the artist’s current file');
    return { store, data, manifest, work, dest };
  }

  async function assertUntouched(work: string, dest: string) {
    assert.equal(await readFile(dest, 'utf8'), 'the artist’s current file');
    assert.deepEqual(await readdir(work), ['scene.blend'], 'no temp file left behind');
  }

  it('a flipped byte in a stored chunk', async () => {
    await withTempDir(async (dir) => {
      const { store, manifest, work, dest } = await setup(dir);
      const victim = store.pathOf(manifest.chunks[1].id);
      const bytes = await readFile(victim);
      bytes[bytes.length >> 1] ^= 0x40;
      await writeFile(victim, bytes);
      await assert.rejects(restoreFromStore(store, manifest, dest), CorruptChunkError);
      await assertUntouched(work, dest);
    });
  });

  it('a missing chunk', async () => {
    await withTempDir(async (dir) => {
      const { store, manifest, work, dest } = await setup(dir);
      await store.delete([manifest.chunks[2].id]);
      await assert.rejects(restoreFromStore(store, manifest, dest), MissingChunkError);
      await assertUntouched(work, dest);
    });
  });

  it('a whole-file hash mismatch (wrong order, wrong expectation)', async () => {
    await withTempDir(async (dir) => {
      const { store, manifest, work, dest } = await setup(dir);
      const swapped = [...manifest.chunks.map((c) => c.id)];
      [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
      await assert.rejects(
        restoreFile(swapped, (id) => readChunk(store, id), dest, manifest.fileHash),
        FileHashMismatchError,
      );
      await assertUntouched(work, dest);
      const ids = manifest.chunks.map((c) => c.id);
      await assert.rejects(restoreFile(ids, (id) => readChunk(store, id), dest, 'f'.repeat(64)), FileHashMismatchError);
      await assertUntouched(work, dest);
    });
  });

  it('replaces the destination when everything checks out', async () => {
    await withTempDir(async (dir) => {
      const { store, data, manifest, work, dest } = await setup(dir);
      await restoreFromStore(store, manifest, dest);
      assert.ok((await readFile(dest)).equals(data));
      assert.deepEqual(await readdir(work), ['scene.blend']);
    });
  });
});
