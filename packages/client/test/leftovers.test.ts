// When a sync looks for the temp files of a killed command: after the folder lock was taken over
// from a holder that is gone, on a folder never looked at, and once a day; not at every sync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockFolder } from '../src/project/folder-lock.js';
import { leftoversChecked, leftoversDue } from '../src/project/leftovers.js';
import { PROJECT_DIR } from '../src/project/project-db.js';

function withFolder(fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'backlot-leftovers-'));
  mkdirSync(join(root, PROJECT_DIR));
  try {
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('a folder never looked at is due; after a look, not until the lock of a killed command is taken over', () => {
  withFolder((root) => {
    assert.equal(leftoversDue(root), true, 'never looked at');
    leftoversChecked(root);
    assert.equal(leftoversDue(root), false);
    // A command that ended normally: its lock goes with it, nothing to look for.
    lockFolder(root).release();
    assert.equal(leftoversDue(root), false);
    // A command killed while it held the folder: its lock names a process that is gone.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(root, PROJECT_DIR, 'lock'), gone);
    const lock = lockFolder(root);
    assert.equal(leftoversDue(root), true, 'taken over from a dead holder');
    leftoversChecked(root);
    assert.equal(leftoversDue(root), false, 'looked at since');
    lock.release();
  });
});

test('a look is due again a day after the last one, whatever happened', () => {
  withFolder((root) => {
    leftoversChecked(root);
    const now = Date.now();
    assert.equal(leftoversDue(root, now + 23 * 3600_000), false);
    const old = new Date(now - 25 * 3600_000);
    utimesSync(join(root, PROJECT_DIR, 'leftovers-checked'), old, old);
    assert.equal(leftoversDue(root, now), true);
  });
});
