// A working file's state against the version it came from and the newest checkpoint, whether it is
// told by its size alone (a size neither version has: changed, not read) or by its hash (the same
// size as one of them: read and compared).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectDb } from '../src/project/project-db.js';
import { folderStatus } from '../src/worktree/status.js';
import { ignoreRules } from '../src/worktree/ignore.js';
import { workingFiles } from '../src/worktree/working-files.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('modified, diverged, outdated and normal, told by size where it can and by hash where it must', async () => {
  const root = mkdtempSync(join(tmpdir(), 'backlot-states-'));
  try {
    const db = ProjectDb.create(root, { projectId: 'p1', projectName: 'States', personal: false, userId: 'u1' });
    const put = (entity: string, id: string, data: object) => db.sql.prepare('INSERT OR REPLACE INTO items (entity, id, data) VALUES (?, ?, ?)').run(entity, id, JSON.stringify(data));
    const v1 = 'version one';
    const v2 = 'version two, longer';
    mkdirSync(join(root, 'shots'));
    put('collection', 'c1', { name: 'shots', parentId: null });
    // Each asset has checkpoints 1 (v1) and 2 (v2); its file was recorded at checkpoint `from`.
    const asset = (name: string, from: 1 | 2, content: string) => {
      put('asset', name, { name, extension: 'txt', kind: 'resource', collectionId: 'c1', assigneeId: null });
      put('checkpoint', `${name}-1`, { id: `${name}-1`, assetId: name, number: 1, fileHash: sha(v1), size: v1.length });
      put('checkpoint', `${name}-2`, { id: `${name}-2`, assetId: name, number: 2, fileHash: sha(v2), size: v2.length });
      const recorded = from === 1 ? v1 : v2;
      const file = join(root, 'shots', `${name}.txt`);
      writeFileSync(file, recorded);
      const st = statSync(file);
      workingFiles.put(db, { path: `shots/${name}.txt`, assetId: name, checkpointId: `${name}-${from}`, fileHash: sha(recorded), size: st.size, mtimeMs: st.mtimeMs, chunks: [], onServer: true });
      // Then the artist's tool writes `content` (a later mtime, so the record no longer vouches for it).
      writeFileSync(file, content);
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
    };
    asset('sizeChanged', 2, 'a different length entirely');
    asset('sameSizeChanged', 2, 'version two, LONGER');
    asset('divergedBySize', 1, 'edited here, and newer there');
    asset('divergedSameSize', 1, 'version 1!!');
    asset('outdatedTouched', 1, v1);
    asset('normalTouched', 2, v2);
    asset('caughtUp', 1, v2); // edited here into exactly the newest version

    const states = Object.fromEntries((await folderStatus(db, ignoreRules([], []))).map((f) => [f.path.slice(6, -4), f.state]));
    assert.deepEqual(states, {
      sizeChanged: 'modified',
      sameSizeChanged: 'modified',
      divergedBySize: 'diverged',
      divergedSameSize: 'diverged',
      outdatedTouched: 'outdated',
      normalTouched: 'normal',
      caughtUp: 'normal',
    });
    db.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
