import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CdcScanner,
  chunkStream,
  cutPoints,
  DEFAULT_CDC_PARAMS,
  GEAR,
  GEAR_SEED,
  type CdcParams,
} from '../src/index.js';
import { collect, pieces, pseudoRandom } from './helpers.js';

const SMALL: CdcParams = { minSize: 2048, avgSize: 8192, maxSize: 32768 };

/** Textbook FastCDC (normalised, level 2) written independently of the optimised scanner. */
function referenceCuts(buf: Uint8Array, p: CdcParams): number[] {
  const bits = Math.log2(p.avgSize);
  const maskS = ~(0xffffffff >>> (bits + 2)) >>> 0;
  const maskL = ~(0xffffffff >>> (bits - 2)) >>> 0;
  const cuts: number[] = [];
  let start = 0;
  while (start < buf.length) {
    let n = buf.length - start;
    let len: number;
    if (n <= p.minSize) len = n;
    else {
      if (n > p.maxSize) n = p.maxSize;
      const normal = Math.min(n, p.avgSize);
      let fp = 0;
      let i = p.minSize;
      len = n;
      for (; i < normal; i++) {
        fp = (fp * 2 + (GEAR[buf[start + i]] >>> 0)) >>> 0;
        if ((fp & maskS) === 0) { len = i + 1; break; }
      }
      if (len === n) {
        for (; i < n; i++) {
          fp = (fp * 2 + (GEAR[buf[start + i]] >>> 0)) >>> 0;
          if ((fp & maskL) === 0) { len = i + 1; break; }
        }
      }
    }
    start += len;
    cuts.push(start);
  }
  return cuts;
}

describe('gear table', () => {
  it('is derived from the documented seed', () => {
    for (let i = 0; i < 256; i++) {
      const expected = createHash('sha256').update(`${GEAR_SEED}/${i}`).digest().readUInt32BE(0);
      assert.equal(GEAR[i] >>> 0, expected, `gear[${i}]`);
    }
  });

  it('is frozen (changing it breaks dedup with stored data)', () => {
    assert.equal(GEAR_SEED, 'backlot-fastcdc-gear-v1');
    assert.deepEqual(
      [...GEAR.slice(0, 4)].map((x) => (x >>> 0).toString(16)),
      ['673bd181', 'd1f49c57', '12fe61ba', '3d3b17b3'],
    );
    const be = Buffer.alloc(1024);
    GEAR.forEach((v, i) => be.writeInt32BE(v, i * 4));
    assert.equal(
      createHash('sha256').update(be).digest('hex'),
      '5f82eed99439fe6f94a6707f5c45d27b4bafaaaafc45d4b13271bbd168bae682',
    );
  });
});

describe('cut point vectors (frozen parameters)', () => {
  it('default parameters are frozen', () => {
    assert.deepEqual({ ...DEFAULT_CDC_PARAMS }, { minSize: 128 * 1024, avgSize: 256 * 1024, maxSize: 1024 * 1024 });
  });

  it('6 MiB of seeded pseudo-random bytes, default parameters', () => {
    assert.deepEqual(cutPoints(pseudoRandom(6 * 1024 * 1024, 1)), [
      307845, 680373, 814695, 1150513, 1413193, 1743749, 2165541, 2433664, 2717519, 3039799,
      3321252, 3603248, 4125196, 4468018, 4808043, 5073617, 5474415, 5860365, 6172102, 6291456,
    ]);
  });

  it('256 KiB of seeded pseudo-random bytes, small parameters', () => {
    assert.deepEqual(cutPoints(pseudoRandom(256 * 1024, 2), SMALL), [
      8754, 16980, 33848, 42219, 51981, 62715, 73525, 82123, 89356, 99510, 112457, 118236, 127710,
      137441, 148673, 158280, 168985, 182935, 194225, 205130, 208091, 216320, 227703, 236044,
      245457, 253806, 262144,
    ]);
  });

  it('zeros cut at the maximum size', () => {
    assert.deepEqual(cutPoints(Buffer.alloc(5 * 1024 * 1024)), [1048576, 2097152, 3145728, 4194304, 5242880]);
  });

  it('matches an independent textbook implementation', () => {
    for (const seed of [3, 4, 5]) {
      const buf = pseudoRandom(300 * 1024, seed);
      assert.deepEqual(cutPoints(buf, SMALL), referenceCuts(buf, SMALL), `seed ${seed}`);
    }
    const big = pseudoRandom(5 * 1024 * 1024, 6);
    assert.deepEqual(cutPoints(big), referenceCuts(big, DEFAULT_CDC_PARAMS));
  });

  it('matches it when one scan spans several of the WebAssembly blocks (1 MiB)', () => {
    // Large parameters, so a search for a cut runs over several MiB in one call.
    const wide: CdcParams = { minSize: 64, avgSize: 4 * 1024 * 1024, maxSize: 12 * 1024 * 1024 };
    const buf = pseudoRandom(24 * 1024 * 1024, 14);
    const cuts = cutPoints(buf, wide);
    assert.deepEqual(cuts, referenceCuts(buf, wide));
    assert.ok(cuts.some((c, i) => c - (cuts[i - 1] ?? 0) > 2 * 1024 * 1024), 'some chunk spans blocks');
  });
});

describe('cutPoints', () => {
  it('handles empty, tiny and boundary sizes', () => {
    const { minSize, avgSize, maxSize } = DEFAULT_CDC_PARAMS;
    assert.deepEqual(cutPoints(Buffer.alloc(0)), []);
    assert.deepEqual(cutPoints(Buffer.from([7])), [1]);
    assert.deepEqual(cutPoints(pseudoRandom(minSize, 9)), [minSize]);
    const atMax = cutPoints(Buffer.alloc(maxSize));
    assert.deepEqual(atMax, [maxSize]);
    assert.deepEqual(cutPoints(Buffer.alloc(maxSize + 1)), [maxSize, maxSize + 1]);
    const avg = cutPoints(pseudoRandom(avgSize, 10));
    assert.equal(avg[avg.length - 1], avgSize);
  });

  it('keeps every chunk within [min, max] except the last', () => {
    const buf = pseudoRandom(2 * 1024 * 1024, 11);
    const cuts = cutPoints(buf, SMALL);
    let prev = 0;
    cuts.forEach((c, i) => {
      const size = c - prev;
      assert.ok(size <= SMALL.maxSize, `chunk ${i} size ${size}`);
      if (i < cuts.length - 1) assert.ok(size > SMALL.minSize, `chunk ${i} size ${size}`);
      prev = c;
    });
    const mean = buf.length / cuts.length;
    assert.ok(mean > SMALL.avgSize * 0.7 && mean < SMALL.avgSize * 1.6, `mean ${mean}`);
  });

  it('rejects invalid parameters', () => {
    assert.throws(() => new CdcScanner({ minSize: 2048, avgSize: 6000, maxSize: 32768 }), RangeError);
    assert.throws(() => new CdcScanner({ minSize: 8192, avgSize: 8192, maxSize: 32768 }), RangeError);
    assert.throws(() => new CdcScanner({ minSize: 2048, avgSize: 8192, maxSize: 8192 }), RangeError);
  });
});

describe('chunkStream', () => {
  it('gives the same chunks as cutPoints whatever the read size', async () => {
    const buf = pseudoRandom(400 * 1024, 12);
    const expected = cutPoints(buf, SMALL);
    for (const size of [1, 7, 1000, 4096, 65536, buf.length]) {
      const input = size === 1 ? buf.subarray(0, 40 * 1024) : buf;
      const want = size === 1 ? cutPoints(input, SMALL) : expected;
      const chunks = await collect(chunkStream(pieces(input, size), SMALL));
      let at = 0;
      const ends = chunks.map((c) => {
        assert.ok(c.equals(input.subarray(at, at + c.length)), 'chunk bytes');
        at += c.length;
        return at;
      });
      assert.deepEqual(ends, want, `read size ${size}`);
    }
  });

  it('copies what it keeps, so the source may refill its buffer for the next read', async () => {
    const buf = pseudoRandom(300 * 1024, 15);
    async function* refilling(size: number): AsyncGenerator<Buffer> {
      const one = Buffer.alloc(size);
      for (let i = 0; i < buf.length; i += size) {
        const n = buf.copy(one, 0, i, i + size);
        yield one.subarray(0, n);
        one.fill(0xee); // what a reused buffer looks like once the next read begins
      }
    }
    for (const size of [999, 8192, 65536]) {
      const chunks = await collect(chunkStream(refilling(size), SMALL));
      assert.ok(Buffer.concat(chunks).equals(buf), `read size ${size}`);
      let at = 0;
      assert.deepEqual(chunks.map((c) => (at += c.length)), cutPoints(buf, SMALL), `read size ${size}`);
    }
  });

  it('yields standalone buffers and reports every input buffer', async () => {
    const buf = pseudoRandom(100 * 1024, 13);
    let seen = 0;
    const chunks = await collect(chunkStream(pieces(buf, 3000), SMALL, { onData: (b) => (seen += b.length) }));
    assert.equal(seen, buf.length);
    for (const c of chunks) {
      assert.equal(c.byteOffset, 0);
      assert.equal(c.buffer.byteLength, c.length);
    }
    assert.deepEqual(await collect(chunkStream(pieces(Buffer.alloc(0), 10))), []);
  });
});
