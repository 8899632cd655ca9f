// Patch chunks: stored against bases, always verified against the chunk id, bounded in depth,
// base bytes and output size; random edit histories restore byte-identical in any order.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import {
  BaseCache,
  basesFrom,
  chunkId,
  choosePatch,
  CorruptChunkError,
  decodeChunk,
  encodeChunk,
  encodePatch,
  FsChunkStore,
  InvalidEncodingError,
  MAX_PATCH_DEPTH,
  MissingChunkError,
  patchHeaderOf,
  readChunk,
  verifyChunkWith,
  verifyEncodedChunk,
  verifyMadeHere,
  verifyWithBases,
  type BaseSource,
} from '../src/index.js';
import { pseudoRandom, textLike, withTempDir } from './helpers.js';

/** A scene-like chunk: records with a few pointer-sized fields rewritten per save. */
function resave(prev: Buffer, seed: number): Buffer {
  const out = Buffer.from(prev);
  const noise = pseudoRandom(out.length / 32, seed);
  for (let o = 100, k = 0; o + 4 <= out.length; o += 128, k += 4) if (noise[k] % 28 === 0) out.writeUInt32LE(noise.readUInt32LE(k), o);
  return out;
}

const baseOf = (raw: Buffer, depth = 0) => ({ id: chunkId(raw), raw, depth });
const sourceOf = (chunks: Map<string, Buffer>): BaseSource => async (id) => {
  const raw = chunks.get(id);
  if (!raw) throw new MissingChunkError(id);
  return { raw, depth: 0 };
};

describe('patch chunks', () => {
  const v1 = textLike(256 * 1024, 1);
  const v2 = resave(v1, 2);

  it('a re-saved chunk patches to a small fraction of its plain encoding and decodes to itself', async () => {
    const plain = encodeChunk(v2);
    const patch = choosePatch(v2, [baseOf(v1)], plain);
    assert.equal(patchHeaderOf(patch)?.depth, 1);
    assert.ok(patch.length * 20 < plain.length, `patch ${patch.length} vs plain ${plain.length}`);
    const raw = await verifyWithBases(chunkId(v2), patch, sourceOf(new Map([[chunkId(v1), v1]])));
    assert.ok(raw.equals(v2));
  });

  it('an unrelated base gives no patch (plain kept)', () => {
    const other = pseudoRandom(256 * 1024, 9);
    const plain = encodeChunk(v2);
    assert.equal(choosePatch(v2, [baseOf(other)], plain), plain);
  });

  it('refuses a wrong base, a missing base and plain decoders', async () => {
    const patch = encodePatch(v2, [baseOf(v1)])!;
    const id = chunkId(v2);
    // The wrong bytes under the base's id: decoding gives other bytes, and the hash says so.
    await assert.rejects(verifyWithBases(id, patch, async () => ({ raw: textLike(256 * 1024, 5), depth: 0 })), (e) => e instanceof CorruptChunkError || e instanceof InvalidEncodingError);
    await assert.rejects(verifyWithBases(id, patch, sourceOf(new Map())), MissingChunkError);
    assert.throws(() => verifyEncodedChunk(id, patch), InvalidEncodingError);
    assert.throws(() => decodeChunk(patch), InvalidEncodingError);
  });

  it('refuses malformed headers and a frame that would decode past the limit', async () => {
    const patch = encodePatch(v2, [baseOf(v1)])!;
    const id = chunkId(v2);
    const src = sourceOf(new Map([[chunkId(v1), v1]]));
    for (const bad of [Buffer.from([2]), Buffer.from([2, 0, 1]), Buffer.from([2, 1, 0]), Buffer.from([2, MAX_PATCH_DEPTH + 1, 1]), patch.subarray(0, 40)]) {
      await assert.rejects(verifyWithBases(id, bad, src), InvalidEncodingError);
    }
    await assert.rejects(verifyWithBases(id, patch, src, 1000), (e: Error) => /size|large/i.test(e.message));
    const truncated = patch.subarray(0, patch.length - 3);
    await assert.rejects(verifyWithBases(id, truncated, src), InvalidEncodingError);
  });

  it('depth is bounded: past MAX_PATCH_DEPTH the encoder declines, and a store keeps a patch too deep for it whole', async () => {
    assert.equal(encodePatch(v2, [baseOf(v1, MAX_PATCH_DEPTH)]), null);
    const patch = encodePatch(v2, [baseOf(v1, 0)])!;
    const deep: BaseSource = async () => ({ raw: v1, depth: MAX_PATCH_DEPTH });
    const kept = await verifyChunkWith(chunkId(v2), patch, deep);
    assert.equal(patchHeaderOf(kept.encoded), null, 'stored whole');
    assert.deepEqual(kept.bases, []);
    const shallow = await verifyChunkWith(chunkId(v2), patch, async () => ({ raw: v1, depth: 2 }));
    assert.equal(patchHeaderOf(shallow.encoded)?.depth, 3, "the store's own depth");
    assert.equal(patch[1], 1, "the writer's bytes are not changed");
  });

  it('several bases form one dictionary', async () => {
    const a = textLike(128 * 1024, 11);
    const b = textLike(128 * 1024, 12);
    const next = resave(Buffer.concat([a.subarray(64 * 1024), b.subarray(0, 64 * 1024)]), 3);
    const patch = encodePatch(next, [baseOf(a), baseOf(b)])!;
    assert.equal(patchHeaderOf(patch)?.bases.length, 2);
    assert.ok(patch.length < 4096);
    const raw = await verifyWithBases(chunkId(next), patch, sourceOf(new Map([[chunkId(a), a], [chunkId(b), b]])));
    assert.ok(raw.equals(next));
  });

  it('a store verifies a patch with its own chunks and refuses one whose base it lacks', async () => {
    await withTempDir(async (dir) => {
      const store = new FsChunkStore({ dir, namespace: 'p1' });
      const patch = encodePatch(v2, [baseOf(v1)])!;
      await assert.rejects(store.put(chunkId(v2), patch), MissingChunkError);
      assert.equal((await store.has([chunkId(v2)])).size, 0);
      await store.put(chunkId(v1), encodeChunk(v1));
      await store.put(chunkId(v2), patch);
      assert.ok((await readChunk(store, chunkId(v2))).equals(v2));
      const proof = await verifyChunkWith(chunkId(v2), patch, basesFrom(store));
      assert.deepEqual(proof.bases, [chunkId(v1)]);
    });
  });

  it('a chain hashes only the chunk asked for, yet a corrupt link is found and named', async () => {
    await withTempDir(async (dir) => {
      const store = new FsChunkStore({ dir, namespace: 'chain' });
      const versions = [textLike(200 * 1024, 9)];
      for (let v = 1; v < 5; v++) versions.push(resave(versions[v - 1], 300 + v));
      await store.put(chunkId(versions[0]), encodeChunk(versions[0]));
      for (let v = 1; v < 5; v++) await store.put(chunkId(versions[v]), encodePatch(versions[v], [baseOf(versions[v - 1], v - 1)])!);
      const cache = new BaseCache();
      const top = await basesFrom(store, cache)(chunkId(versions[4]));
      assert.ok(top.raw.equals(versions[4]));
      assert.equal(top.depth, 4);
      assert.equal(cache.get(chunkId(versions[2]))?.unchecked, true, 'links below are decoded, not hashed');
      assert.equal(cache.get(chunkId(versions[4]))?.unchecked, undefined);
      // Asked for itself, a link is hashed before it is handed out.
      assert.equal((await basesFrom(store, cache)(chunkId(versions[2]))).unchecked, undefined);

      // Version 2's patch is overwritten by version 1's bytes, stored under the wrong id.
      const wrong = encodePatch(versions[1], [baseOf(versions[0], 0)])!;
      await writeFile(store.pathOf(chunkId(versions[2])), wrong);
      await assert.rejects(readChunk(store, chunkId(versions[4])), (e) => e instanceof CorruptChunkError && e.message.includes(chunkId(versions[2])));
      const shared = new BaseCache();
      await assert.rejects(basesFrom(store, shared)(chunkId(versions[3])), (e) => e instanceof CorruptChunkError && e.message.includes(chunkId(versions[2])));
      assert.equal(shared.get(chunkId(versions[2])), undefined, 'a corrupt link is not kept');
      assert.ok((await basesFrom(store, shared)(chunkId(versions[1]))).raw.equals(versions[1]), 'the good links still serve');
    });
  });

  it('a patch made here is proven against the bases in hand, and one that does not decode back is refused', () => {
    const patch = encodePatch(v2, [baseOf(v1)])!;
    const proof = verifyMadeHere(chunkId(v2), patch, v2, [{ raw: v1, depth: 0 }]);
    assert.deepEqual(proof.bases, [chunkId(v1)]);
    assert.throws(() => verifyMadeHere(chunkId(v2), patch, v2, [{ raw: resave(v1, 5), depth: 0 }]), (e) => e instanceof CorruptChunkError || e instanceof InvalidEncodingError);
    assert.throws(() => verifyMadeHere(chunkId(v2), patch, v2, [{ raw: v1, depth: 3 }]), InvalidEncodingError);
  });

  it('random edit histories restore byte-identical in any order, with chains capped in depth', async () => {
    await withTempDir(async (dir) => {
      const store = new FsChunkStore({ dir, namespace: 'hist' });
      let seed = 77;
      const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const versions: Buffer[] = [];
      const depth = new Map<string, number>();
      let prev = textLike(200 * 1024, 42);
      for (let v = 0; v < 30; v++) {
        let next = resave(prev, 1000 + v);
        const r = rnd();
        if (r < 0.2) next = Buffer.concat([next.subarray(0, 5000), textLike(3000, v), next.subarray(5000)]); // insertion
        else if (r < 0.3) next = Buffer.concat([next.subarray(0, 9000), next.subarray(12000)]); // deletion
        else if (r < 0.35) next = pseudoRandom(180 * 1024, v); // rewritten whole
        const id = chunkId(next);
        const plain = encodeChunk(next);
        const prevId = chunkId(prev);
        const encoded = v === 0 ? plain : choosePatch(next, [{ id: prevId, raw: prev, depth: depth.get(prevId) ?? 0 }], plain);
        depth.set(id, patchHeaderOf(encoded)?.depth ?? 0);
        if (v === 0) await store.put(prevId, encodeChunk(prev));
        await store.put(id, encoded);
        versions.push(next);
        prev = next;
      }
      assert.ok(Math.max(...depth.values()) <= MAX_PATCH_DEPTH);
      assert.ok([...depth.values()].filter((d) => d > 0).length >= 15, 'most versions are patches');
      const order = versions.map((_, i) => i).sort(() => rnd() - 0.5);
      const cache = new BaseCache(1024 * 1024);
      for (const i of order) assert.ok((await readChunk(store, chunkId(versions[i]), undefined, i % 2 ? cache : undefined)).equals(versions[i]), `version ${i}`);
    });
  });
});
