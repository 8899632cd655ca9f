// Apparent bytes of a file or folder (the sum of file sizes), symlinks not followed: how the
// benchmarks compare what each system stored or moved.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function du(p: string): number {
  if (!existsSync(p)) return 0;
  const st = lstatSync(p);
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let n = 0;
  for (const e of readdirSync(p)) n += du(join(p, e));
  return n;
}
