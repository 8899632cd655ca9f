import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChunkBuffers, ChunkWorkerPool, pipeChunks, sha256Hex } from '../src/index.js';
import { pieces, pseudoRandom } from './helpers.js';

describe('ChunkBuffers', () => {
  it('hands out chunks at offset 0 of a buffer of their own, and reuses what is given back', () => {
    const b = new ChunkBuffers();
    const one = b.take(200_000);
    assert.equal(one.length, 200_000);
    assert.equal(one.byteOffset, 0);
    assert.equal(one.buffer.byteLength, 256 * 1024, 'rounded up to a 128 KiB class');
    assert.ok(b.owns(one.buffer));
    const ab = one.buffer;
    b.give(one);
    const two = b.take(150_000);
    assert.ok(two.buffer === ab, 'same class: reused');
    assert.equal(two.length, 150_000);
    assert.ok(b.take(150_000).buffer !== ab, 'not handed out twice');
  });

  it('ignores memory it did not hand out, and keeps a bounded amount idle', () => {
    const b = new ChunkBuffers();
    const foreign = Buffer.allocUnsafeSlow(256 * 1024);
    b.give(foreign);
    assert.ok(b.take(256 * 1024).buffer !== foreign.buffer);
    const many = Array.from({ length: 100 }, () => b.take(1024 * 1024));
    many.forEach((m) => b.give(m));
    const again = new Set(Array.from({ length: 100 }, () => b.take(1024 * 1024).buffer));
    const reused = many.filter((m) => again.has(m.buffer)).length;
    assert.ok(reused > 0 && reused <= 48, `reused ${reused} of 100 (at most 48 MiB kept idle)`);
    assert.equal(b.take(3 * 1024 * 1024).buffer.byteLength, 3 * 1024 * 1024, 'beyond the classes: plain allocation');
  });
});

describe('worker pool with recycled chunk memory', () => {
  let pool: ChunkWorkerPool;
  before(async () => {
    pool = await ChunkWorkerPool.create(1);
  });
  after(async () => {
    await pool.close();
  });

  it('gets chunk memory back from the worker after hashing and after encoding', async () => {
    const data = pseudoRandom(300_000, 3);
    const raw = pool.buffers.take(data.length);
    data.copy(raw);
    const hashed = await pool.hash(raw, pool.fileDigest());
    assert.equal(raw.buffer.byteLength, 0, 'transferred to the worker');
    assert.ok(hashed.raw.equals(data));
    assert.ok(pool.buffers.owns(hashed.raw.buffer), 'came back as recyclable memory');
    await pool.encode(hashed.raw, hashed.id);
    // Memory handed out again is not cleared: the chunk's old bytes prove it is the same memory.
    const again = pool.buffers.take(data.length);
    assert.ok(again.subarray(0, 4096).equals(data.subarray(0, 4096)), 'encode gave it back for reuse');
  });

  it('files chunked with recycled memory hash and encode as with fresh memory', async () => {
    const data = pseudoRandom(6 * 1024 * 1024, 4);
    const ids: string[] = [];
    const digest = pool.fileDigest();
    const { fileHash, size } = await pipeChunks(pieces(data, 100_000), {
      inFlight: 4,
      fileDigest: digest,
      buffers: pool.buffers,
      start: (raw) => pool.hash(raw, digest),
      consume: ({ id, raw }) => {
        ids.push(id);
        pool.release(raw);
      },
    });
    assert.equal(fileHash, sha256Hex(data));
    assert.equal(size, data.length);
    const fresh: string[] = [];
    await pipeChunks(pieces(data, 100_000), { inFlight: 1, start: async (raw) => sha256Hex(raw), consume: (id) => void fresh.push(id) });
    assert.deepEqual(ids, fresh);
  });
});
