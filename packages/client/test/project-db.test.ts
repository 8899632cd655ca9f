// The working folder's database format: an older folder opens and is upgraded in place; a newer
// one is refused with a message that says what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectDb } from '../src/project/project-db.js';

const META = { projectId: 'p1', projectName: 'Sketches', personal: true, userId: 'u1' };

function withFolder(fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'backlot-db-'));
  try {
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const indexes = (db: ProjectDb) => (db.sql.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

test('a format 2 folder opens as format 3, its items kept and the patch bases table added', () => {
  withFolder((root) => {
    const made = ProjectDb.create(root, META);
    made.sql.prepare('INSERT INTO items (entity, id, data) VALUES (?, ?, ?)').run('asset', 'a1', JSON.stringify({ name: 'pose', extension: 'psd', kind: 'resource' }));
    made.sql.exec('DROP TABLE chunk_bases');
    made.sql.pragma('user_version = 2');
    made.sql.close();

    const db = ProjectDb.open(root);
    assert.equal(db.sql.pragma('user_version', { simple: true }), 3);
    assert.ok(indexes(db).includes('chunk_bases_base'));
    db.sql.prepare('INSERT INTO chunk_bases (chunk_id, base_id) VALUES (?, ?)').run('c', 'b');
    assert.deepEqual(db.sql.prepare("SELECT f_name, f_extension FROM items WHERE entity = 'asset'").all(), [{ f_name: 'pose', f_extension: 'psd' }]);
    db.sql.close();
  });
});

test('a folder of a newer format is refused with a message that says to update', () => {
  withFolder((root) => {
    const made = ProjectDb.create(root, META);
    made.sql.pragma('user_version = 99');
    made.sql.close();
    assert.throws(() => ProjectDb.open(root), /has format 99; this backlot reads format 3 \(update backlot\)/);
  });
});
