// Reading a file in blocks for chunking. Two buffers take turns: the kernel fills one (on libuv's
// thread pool) while the caller scans the other. Reusing them matters: a fresh buffer per read
// (what createReadStream does) costs an allocation, page faults and garbage collection for every
// MiB read, which we measured at more than the Gear scan itself.
import { open } from 'node:fs/promises';

const MiB = 1024 * 1024;

/**
 * The file's bytes in order, `blockSize` at a time. A yielded buffer stays valid until the next
 * one is requested; after that it is refilled. Consumers that keep bytes must copy them
 * (chunkStream does).
 */
export async function* readFileBlocks(path: string, blockSize: number = MiB): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffers = [Buffer.allocUnsafeSlow(blockSize), Buffer.allocUnsafeSlow(blockSize)];
    let turn = 0;
    let position = 0;
    let reading = file.read(buffers[turn], 0, blockSize, position);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) return;
      const ready = buffers[turn];
      position += bytesRead;
      turn ^= 1;
      // The other buffer was handed out last time; asking for this one means it is done with.
      reading = file.read(buffers[turn], 0, blockSize, position);
      yield ready.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}
