import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import binding from 'zstd-napi/binding.js';
import {
  ChunkTooLargeError,
  decodeChunk,
  encodeChunk,
  encodingOf,
  ENCODING_ZSTD,
  InvalidEncodingError,
  looksIncompressible,
  MAX_CHUNK_SIZE,
} from '../src/index.js';
import { pseudoRandom, textLike } from './helpers.js';

/** A zstd chunk whose frame header does not declare its content size (streaming style). */
function zstdWithoutContentSize(raw: Buffer): Buffer {
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.contentSizeFlag, 0);
  const dst = Buffer.alloc(binding.compressBound(raw.length));
  const n = cctx.compress2(dst, raw);
  assert.equal(binding.getFrameContentSize(dst.subarray(0, n)), null, 'frame must not declare its size');
  return Buffer.concat([Buffer.from([ENCODING_ZSTD]), dst.subarray(0, n)]);
}

function zstdWithContentSize(raw: Buffer): Buffer {
  const dst = Buffer.alloc(binding.compressBound(raw.length));
  const n = binding.compress(dst, raw, 3);
  return Buffer.concat([Buffer.from([ENCODING_ZSTD]), dst.subarray(0, n)]);
}

describe('encodeChunk / decodeChunk', () => {
  it('round-trips compressible data as zstd, smaller', () => {
    const raw = textLike(300 * 1024, 1);
    const enc = encodeChunk(raw);
    assert.equal(encodingOf(enc), 'zstd');
    assert.ok(enc.length < raw.length / 2, `encoded ${enc.length} of ${raw.length}`);
    assert.ok(decodeChunk(enc).equals(raw));
  });

  it('stores incompressible data raw (1 header byte + the bytes)', () => {
    const raw = pseudoRandom(512 * 1024, 2);
    const enc = encodeChunk(raw);
    assert.equal(encodingOf(enc), 'raw');
    assert.equal(enc.length, raw.length + 1);
    assert.ok(decodeChunk(enc).equals(raw));
    // Same result when the sample probe decides instead of the full trial.
    assert.equal(looksIncompressible(raw), true);
    assert.equal(encodingOf(encodeChunk(raw, { probe: true })), 'raw');
    assert.equal(encodingOf(encodeChunk(raw, { level: 9 })), 'raw');
  });

  it('the probe does not flag compressible data', () => {
    assert.equal(looksIncompressible(textLike(512 * 1024, 3)), false);
    assert.equal(encodingOf(encodeChunk(textLike(512 * 1024, 3), { probe: true })), 'zstd');
  });

  it('handles empty and tiny chunks', () => {
    for (const raw of [Buffer.alloc(0), Buffer.from([42]), Buffer.from('ab')]) {
      const enc = encodeChunk(raw);
      assert.equal(encodingOf(enc), 'raw');
      assert.ok(decodeChunk(enc).equals(raw));
    }
  });

  it('encoded buffers own their memory (transferable between threads)', () => {
    for (const raw of [textLike(100_000, 4), pseudoRandom(100_000, 5), Buffer.from([1])]) {
      const enc = encodeChunk(raw);
      assert.equal(enc.byteOffset, 0);
      assert.equal(enc.buffer.byteLength, enc.length);
    }
  });

  it('decodes frames without a declared size', () => {
    const raw = textLike(200 * 1024, 6);
    assert.ok(decodeChunk(zstdWithoutContentSize(raw)).equals(raw));
  });
});

describe('bounded decoding (zstd bombs and malformed input)', () => {
  it('refuses a frame that declares more than the limit, before decompressing', () => {
    const bomb = zstdWithContentSize(Buffer.alloc(MAX_CHUNK_SIZE + 1));
    assert.ok(bomb.length < 1024, 'the bomb is tiny');
    assert.throws(() => decodeChunk(bomb), ChunkTooLargeError);
    assert.throws(() => decodeChunk(zstdWithContentSize(Buffer.alloc(10_000)), 9_999), ChunkTooLargeError);
  });

  it('stops a frame without declared size once it passes the limit', () => {
    const bomb = zstdWithoutContentSize(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 64 * 1024, `the bomb is small (${bomb.length})`);
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => decodeChunk(bomb), ChunkTooLargeError);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 16 * 1024 * 1024, `decoder allocated ${grown} bytes`);
    // Exactly at the limit is fine.
    const atLimit = zstdWithoutContentSize(Buffer.alloc(MAX_CHUNK_SIZE, 1));
    assert.equal(decodeChunk(atLimit).length, MAX_CHUNK_SIZE);
  });

  it('refuses a raw chunk over the limit', () => {
    const enc = Buffer.concat([Buffer.from([0]), Buffer.alloc(101)]);
    assert.throws(() => decodeChunk(enc, 100), ChunkTooLargeError);
    assert.equal(decodeChunk(enc, 101).length, 101);
  });

  it('rejects malformed encodings with InvalidEncodingError', () => {
    const good = encodeChunk(textLike(50_000, 7));
    assert.equal(encodingOf(good), 'zstd');
    const cases: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['unknown header byte', Buffer.from([7, 1, 2, 3])],
      ['not a zstd frame', Buffer.from([1, 1, 2, 3, 4, 5, 6, 7, 8])],
      ['truncated frame', good.subarray(0, good.length - 10)],
      ['trailing bytes', Buffer.concat([good, Buffer.from([0, 0, 0])])],
      ['two frames', Buffer.concat([good, good.subarray(1)])],
    ];
    for (const [name, enc] of cases) {
      assert.throws(() => decodeChunk(enc), InvalidEncodingError, name);
    }
    // A corrupted byte inside the frame either fails to decode or decodes to other bytes; the
    // store layer catches the latter by hash. It must never crash or exceed the limit.
    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 2)] ^= 0xff;
    try {
      assert.ok(decodeChunk(flipped).length <= MAX_CHUNK_SIZE);
    } catch (err) {
      assert.ok(err instanceof InvalidEncodingError, String(err));
    }
    // The decoder stays usable after errors.
    assert.ok(decodeChunk(good).equals(textLike(50_000, 7)));
  });

  it('rejects a frame whose declared size is smaller than its content', () => {
    const raw = Buffer.alloc(200, 0x61);
    const enc = zstdWithContentSize(raw);
    // Single-segment frame with a 1-byte content size field right after magic + descriptor.
    const payload = enc.subarray(1);
    assert.equal(binding.getFrameContentSize(payload), 200);
    assert.equal(payload[5], 200);
    payload[5] = 100;
    assert.throws(() => decodeChunk(enc), InvalidEncodingError);
  });
});
