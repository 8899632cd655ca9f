// Deterministic test data. A fixed PRNG (not Math.random) so cut-point vectors are reproducible.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** xorshift32 bytes from `seed`: incompressible-looking but reproducible. */
export function pseudoRandom(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 0x9e3779b9;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Text-like, compressible bytes. */
export function textLike(length: number, seed: number): Buffer {
  const words = ['mesh', 'armature', 'camera', 'light', 'material', 'texture', 'bone', 'action'];
  const rnd = pseudoRandom(Math.ceil(length / 4) + 16, seed);
  const parts: string[] = [];
  let len = 0;
  for (let k = 0; len < length; k++) {
    const line = `${words[rnd[k % rnd.length] & 7]}_${rnd[(k + 1) % rnd.length]} = ${rnd.readUInt16LE((k * 2) % (rnd.length - 2))}\n`;
    parts.push(line);
    len += line.length;
  }
  return Buffer.from(parts.join('').slice(0, length), 'latin1');
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'backlot-storage-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Feed a buffer as an async stream of pieces of `size` bytes (to exercise streaming seams). */
export async function* pieces(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
