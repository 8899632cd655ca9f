// The rows and tasks status keeps between runs: used again while the project database has not
// changed, computed again after any change to it, and never believed when the kept file is broken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectDb } from '../src/project/project-db.js';
import { statusRows, statusTasks } from '../src/worktree/status-rows.js';

const META = { projectId: 'p1', projectName: 'Sketches', personal: true, userId: 'u1' };

test('status rows are kept while nothing changes, and computed again after a change or from a broken file', () => {
  const root = mkdtempSync(join(tmpdir(), 'backlot-rows-'));
  try {
    const db = ProjectDb.create(root, META);
    const put = (entity: string, id: string, data: object) => db.sql.prepare('INSERT OR REPLACE INTO items (entity, id, data) VALUES (?, ?, ?)').run(entity, id, JSON.stringify(data));
    put('collection', 'c1', { name: 'shots', parentId: null });
    put('asset', 'a1', { name: 'anim', extension: 'blend', kind: 'task', collectionId: 'c1', assigneeId: 'u1' });
    put('checkpoint', 'k1', { assetId: 'a1', number: 1, fileHash: 'h1' });

    // Another process's view: a handle of its own, which has only the kept file to go on.
    const fresh = <T>(read: (other: ProjectDb) => T): T => {
      const other = ProjectDb.open(root);
      try {
        return read(other);
      } finally {
        other.close();
      }
    };
    const first = statusRows(db);
    assert.deepEqual(first, [['a1', 'shots/anim.blend', 'task', 'u1', 1, 0, 0, null, null, null]]);
    const file = join(root, '.backlot', 'status-rows.json');
    assert.deepEqual(statusTasks(db), [{ id: 'a1', name: 'anim', path: 'shots/anim.blend', statusId: null }]);
    // The file: a line naming what the snapshot answers to, then the rows, then the tasks.
    const read = () => {
      const [head, rows, tasks] = readFileSync(file, 'utf8').split('\n');
      return { ...JSON.parse(head), rows: JSON.parse(rows), tasks: JSON.parse(tasks) };
    };
    const write = ({ rows, tasks, ...head }: { rows: unknown[]; tasks: unknown[] }) => writeFileSync(file, `${JSON.stringify(head)}\n${JSON.stringify(rows)}\n${JSON.stringify(tasks)}`);
    const kept = read();
    assert.equal(kept.changes, db.changeMark());
    assert.equal(kept.userId, 'u1');

    // While the database is the same, the kept rows are the answer (a marked copy proves it).
    kept.rows[0][1] = 'marked/anim.blend';
    write(kept);
    assert.equal(fresh(statusRows)[0][1], 'marked/anim.blend');

    // Any change to what they come from: computed again.
    put('asset', 'a1', { name: 'anim_v2', extension: 'blend', kind: 'task', collectionId: 'c1', assigneeId: 'u1' });
    assert.equal(statusRows(db)[0][1], 'shots/anim_v2.blend');
    db.sql.prepare("INSERT INTO files (path, asset_id, checkpoint_id, file_hash, size, mtime_ms, chunks) VALUES ('shots/anim_v2.blend', 'a1', 'k1', 'h1', 10, 5, '[]')").run();
    assert.deepEqual(statusRows(db), [['a1', 'shots/anim_v2.blend', 'task', 'u1', 1, 0, 1, 10, 5, 1]]);

    // A broken file, or one of another shape, is never believed.
    const whole = read();
    writeFileSync(file, `${JSON.stringify({ shape: whole.shape, changes: whole.changes, userId: whole.userId })}\n[["a1", "shots/an`);
    assert.equal(fresh(statusRows)[0][1], 'shots/anim_v2.blend');
    const other = read();
    write({ ...other, shape: other.shape + 1, rows: [['x', 'other/shape']] });
    assert.equal(fresh(statusRows)[0][1], 'shots/anim_v2.blend');
    // Kept for another member (the folder signed in as someone else): computed again.
    const theirs = read();
    write({ ...theirs, userId: 'u2', rows: [['x', 'their/rows']] });
    assert.equal(fresh(statusRows)[0][1], 'shots/anim_v2.blend');

    // Rows come in path order; the member's tasks only, with their paths.
    put('collection', 'c0', { name: 'assets', parentId: null });
    put('asset', 'a2', { name: 'prop', extension: 'blend', kind: 'task', collectionId: 'c0', assigneeId: 'u2', statusId: 's1' });
    put('asset', 'a3', { name: 'zebra', extension: 'psd', kind: 'resource', collectionId: 'c1', assigneeId: null });
    put('asset', 'a4', { name: 'notes', extension: 'txt', kind: 'task', collectionId: 'c0', assigneeId: 'u1', statusId: 's2' });
    assert.deepEqual(fresh(statusRows).map((r) => r[1]), ['assets/notes.txt', 'assets/prop.blend', 'shots/anim_v2.blend', 'shots/zebra.psd']);
    assert.deepEqual(
      fresh(statusTasks).sort((a, b) => a.id.localeCompare(b.id)),
      [{ id: 'a1', name: 'anim_v2', path: 'shots/anim_v2.blend', statusId: null }, { id: 'a4', name: 'notes', path: 'assets/notes.txt', statusId: 's2' }],
    );
    db.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
