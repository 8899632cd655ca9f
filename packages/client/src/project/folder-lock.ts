// One command at a time changes a working folder: a second `backlot sync` (or checkpoint, revert,
// ...) while one runs would write the same files. The lock is a file naming its holder's pid; a
// holder killed with -9 leaves it behind, so a lock whose process is gone is taken over (and the
// folder marked for a look for the temp files such a command leaves: leftovers.ts).
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
// The one helper it needs, not the package's index: `status` loads this and must stay light.
import { processIsAlive } from '@backlot/storage/processes';
import { PROJECT_DIR } from './project-db.js';
import { markUnfinished } from './leftovers.js';

export class FolderBusyError extends Error {
  constructor(readonly pid: number) {
    super(`another backlot command (pid ${pid}) is changing this working folder`);
  }
}

export interface FolderLock {
  release(): void;
}

export function lockFolder(root: string): FolderLock {
  const file = join(root, PROJECT_DIR, 'lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let held = true;
      return {
        release() {
          if (!held) return;
          held = false;
          try {
            if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
          } catch {
            // gone already
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processIsAlive(pid)) throw new FolderBusyError(pid);
      // Its holder is gone, killed mid-command: the next sync looks for what it left (leftovers.ts).
      markUnfinished(root);
      try {
        unlinkSync(file);
      } catch {
        // someone else took it over first; try again
      }
    }
  }
  throw new Error(`could not lock ${root}`);
}
