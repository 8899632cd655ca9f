// File I/O on plain descriptors, as promises. The hot paths (a download writes and a server reads
// thousands of chunks) use these instead of fs/promises' FileHandle: each FileHandle operation
// allocates its own request state (a typed array for the garbage collector to chase). Reading
// 4,500 chunk files of ~250 KB (4 at a time): 541 -> 406 ms of CPU and 416 -> 304 ms of wall
// time here.
import { close, fstat, fsync, open, read, writev } from 'node:fs';
import { promisify } from 'node:util';

export const fdOpen = promisify(open);
export const fdStat = promisify(fstat);
export const fdSync = promisify(fsync);
export const fdClose = promisify(close);

/** Reads up to `length` bytes at `position` into `into` at `offset`; resolves with how many. */
export const fdRead = (fd: number, into: Uint8Array, offset: number, length: number, position: number): Promise<number> =>
  new Promise((resolve, reject) => read(fd, into, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));

/** Writes all of `parts` in order at the file's current position, in as few calls as the system allows. */
export async function fdWriteAll(fd: number, parts: readonly Uint8Array[]): Promise<void> {
  let rest = parts.filter((p) => p.length > 0);
  while (rest.length > 0) {
    let n = await new Promise<number>((resolve, reject) => writev(fd, rest as Uint8Array[], null, (err, written) => (err ? reject(err) : resolve(written))));
    // A short write: skip what went out and write the rest.
    while (rest.length > 0 && n >= rest[0].length) n -= rest.shift()!.length;
    if (n > 0) rest[0] = rest[0].subarray(n);
  }
}
