import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readFileBlocks } from '../src/index.js';
import { pseudoRandom, withTempDir } from './helpers.js';

describe('readFileBlocks', () => {
  it('yields the file in order, block by block, for any block size', async () => {
    await withTempDir(async (dir) => {
      const data = pseudoRandom(100_003, 1);
      const path = join(dir, 'f.bin');
      await writeFile(path, data);
      for (const blockSize of [1, 4096, 100_003, 1 << 20]) {
        const copies: Buffer[] = [];
        let blocks = 0;
        for await (const block of readFileBlocks(path, blockSize)) {
          assert.ok(block.length <= blockSize);
          copies.push(Buffer.from(block)); // blocks are reused: keep copies
          blocks++;
          if (blockSize === 1 && blocks > 300) break; // enough for the 1-byte case
        }
        const got = Buffer.concat(copies);
        assert.ok(got.equals(data.subarray(0, got.length)), `block size ${blockSize}`);
        if (blockSize > 1) assert.equal(got.length, data.length);
        if (blockSize > 1) assert.equal(blocks, Math.ceil(data.length / blockSize));
      }
    });
  });

  it('yields nothing for an empty file and fails for a missing one', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'empty'), '');
      for await (const _ of readFileBlocks(join(dir, 'empty'))) assert.fail('an empty file has no blocks');
      await assert.rejects(async () => {
        for await (const _ of readFileBlocks(join(dir, 'missing'))) void _;
      }, { code: 'ENOENT' });
    });
  });
});
