// The rows status keeps between runs: used again while the project database has not changed,
// computed again after any change to it, and never believed when the kept file is broken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectDb } from '../src/project/project-db.js';
import { statusRows } from '../src/worktree/status-rows.js';

const META = { projectId: 'p1', projectName: 'Sketches', personal: true, userId: 'u1' };

test('status rows are kept while nothing changes, and computed again after a change or from a broken file', () => {
  const root = mkdtempSync(join(tmpdir(), 'backlot-rows-'));
  try {
    const db = ProjectDb.create(root, META);
    const put = (entity: string, id: string, data: object) => db.sql.prepare('INSERT OR REPLACE INTO items (entity, id, data) VALUES (?, ?, ?)').run(entity, id, JSON.stringify(data));
    put('collection', 'c1', { name: 'shots', parentId: null });
    put('asset', 'a1', { name: 'anim', extension: 'blend', kind: 'task', collectionId: 'c1', assigneeId: 'u1' });
    put('checkpoint', 'k1', { assetId: 'a1', number: 1, fileHash: 'h1' });

    const first = statusRows(db);
    assert.deepEqual(first, [['a1', 'shots/anim.blend', 'task', 'u1', 1, 0, 0, null, null, null]]);
    const file = join(root, '.backlot', 'status-rows.json');
    // The file: a line naming what the rows answer to, then the rows.
    const read = () => {
      const [head, rows] = readFileSync(file, 'utf8').split('\n');
      return { ...JSON.parse(head), rows: JSON.parse(rows) };
    };
    const write = ({ rows, ...head }: { rows: unknown[] }) => writeFileSync(file, `${JSON.stringify(head)}\n${JSON.stringify(rows)}`);
    const kept = read();
    assert.equal(kept.changes, db.changeMark());

    // While the database is the same, the kept rows are the answer (a marked copy proves it).
    kept.rows[0][1] = 'marked/anim.blend';
    write(kept);
    assert.equal(statusRows(db)[0][1], 'marked/anim.blend');

    // Any change to what they come from: computed again.
    put('asset', 'a1', { name: 'anim_v2', extension: 'blend', kind: 'task', collectionId: 'c1', assigneeId: 'u1' });
    assert.equal(statusRows(db)[0][1], 'shots/anim_v2.blend');
    db.sql.prepare("INSERT INTO files (path, asset_id, checkpoint_id, file_hash, size, mtime_ms, chunks) VALUES ('shots/anim_v2.blend', 'a1', 'k1', 'h1', 10, 5, '[]')").run();
    assert.deepEqual(statusRows(db), [['a1', 'shots/anim_v2.blend', 'task', 'u1', 1, 0, 1, 10, 5, 1]]);

    // A broken file, or one of another shape, is never believed.
    const whole = read();
    writeFileSync(file, `${JSON.stringify({ shape: whole.shape, changes: whole.changes })}\n[["a1", "shots/an`);
    assert.equal(statusRows(db)[0][1], 'shots/anim_v2.blend');
    const other = read();
    write({ ...other, shape: other.shape + 1, rows: [['x', 'other/shape']] });
    assert.equal(statusRows(db)[0][1], 'shots/anim_v2.blend');
    db.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
