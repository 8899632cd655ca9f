// Temp files (a download's half-written file beside its destination, a chunk file being written,
// a pristine copy being made) are only ever left behind by a command that was killed: every write
// removes its own when it fails, and one command at a time holds the folder (folder-lock.ts).
// Looking for them walks the whole working tree and every folder of the chunk store (~90 ms on
// 100,000 files), so a sync looks only after the folder lock was taken over from a holder that is
// gone (folder-lock.ts leaves a mark), and at least once a day whatever happened.
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from './project-db.js';

/** Left by folder-lock.ts when it takes over the lock of a command that is gone. */
const UNFINISHED = 'unfinished';
/** Its time is the last look for leftovers. */
const LOOKED = 'leftovers-checked';
const DAY_MS = 24 * 60 * 60 * 1000;

/** Notes that a command was killed in this folder: the next sync looks for what it left. */
export function markUnfinished(root: string): void {
  writeFileSync(join(root, PROJECT_DIR, UNFINISHED), '');
}

/** Whether a sync should look for leftovers now. */
export function leftoversDue(root: string, now = Date.now()): boolean {
  if (existsSync(join(root, PROJECT_DIR, UNFINISHED))) return true;
  const looked = statSync(join(root, PROJECT_DIR, LOOKED), { throwIfNoEntry: false });
  return looked === undefined || looked.mtimeMs < now - DAY_MS;
}

/** After a look that removed what it found. */
export function leftoversChecked(root: string): void {
  writeFileSync(join(root, PROJECT_DIR, LOOKED), '');
  rmSync(join(root, PROJECT_DIR, UNFINISHED), { force: true });
}

