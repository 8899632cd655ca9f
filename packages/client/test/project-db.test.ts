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

/** Makes a folder of format 2 (before patch bases, the change count and pristine files), with one item. */
function formatTwo(root: string): void {
  const made = ProjectDb.create(root, META);
  made.sql.prepare('INSERT INTO items (entity, id, data) VALUES (?, ?, ?)').run('asset', 'a1', JSON.stringify({ name: 'pose', extension: 'psd', kind: 'resource' }));
  made.sql.exec('DROP TABLE chunk_bases');
  for (const { name } of made.sql.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[]) made.sql.exec(`DROP TRIGGER ${name}`);
  made.sql.exec('DROP TABLE change_count');
  made.sql.exec('DROP TABLE pristine_chunks');
  made.sql.exec('DROP TABLE download_refusals');
  made.sql.pragma('user_version = 2');
  made.sql.close();
}

test('a format 2 folder opens as format 6, its items kept, the patch bases table, the change count, the pristine files index and the download refusals added', () => {
  withFolder((root) => {
    formatTwo(root);
    const db = ProjectDb.open(root);
    assert.equal(db.sql.pragma('user_version', { simple: true }), 6);
    assert.ok(indexes(db).includes('chunk_bases_base'));
    assert.ok(indexes(db).includes('pristine_chunks_file'));
    db.sql.prepare('INSERT INTO chunk_bases (chunk_id, base_id) VALUES (?, ?)').run('c', 'b');
    db.sql.prepare('INSERT INTO download_refusals (asset_id) VALUES (?)').run('a1');
    assert.deepEqual(db.sql.prepare("SELECT f_name, f_extension FROM items WHERE entity = 'asset'").all(), [{ f_name: 'pose', f_extension: 'psd' }]);
    const before = db.changeMark();
    db.sql.prepare("UPDATE items SET data = json_set(data, '$.name', 'pose2') WHERE id = 'a1'").run();
    assert.notEqual(db.changeMark(), before, 'the upgraded folder counts changes');
    db.sql.close();
  });
});

test('every write to what status reads moves the change count, cascades from the outbox included; other writes do not', () => {
  withFolder((root) => {
    const db = ProjectDb.create(root, META);
    const count = () => Number(db.changeMark().split(':')[1]);
    const moves = (what: string, write: () => void, by = 1) => {
      const before = count();
      write();
      assert.equal(count() - before, by, what);
    };
    const run = (sql: string, ...args: unknown[]) => () => db.sql.prepare(sql).run(...args);
    moves('a mirror insert', run('INSERT INTO items (entity, id, data) VALUES (?, ?, ?)', 'asset', 'a1', '{"name":"pose"}'));
    moves('a mirror update', run("UPDATE items SET data = '{\"name\":\"pose2\"}' WHERE id = 'a1'"));
    moves('a file record', run("INSERT INTO files (path, asset_id, file_hash, size, mtime_ms, chunks) VALUES ('pose.psd', 'a1', 'h', 1, 2, '[]')"));
    moves('a file record update', run("UPDATE files SET mtime_ms = 3 WHERE path = 'pose.psd'"));
    moves('a queued operation alone', run("INSERT INTO outbox (op_id, type, op, created_at) VALUES ('o1', 'asset.update', '{}', 'now')"), 0);
    moves('an overlay row', run("INSERT INTO overlay (entity, id, data, op_seq) VALUES ('asset', 'a1', '{\"name\":\"pose3\"}', 1)"));
    moves('the operation answered: its overlay row goes with it', run("DELETE FROM outbox WHERE op_id = 'o1'"));
    moves('meta', () => db.setMeta('cursor', 'c9'), 0);
    moves('the mirror cleared', run('DELETE FROM items'));
    db.sql.close();
  });
});

test('a database made again in the same place never has the mark of the one before', () => {
  withFolder((root) => {
    const first = ProjectDb.create(root, META);
    const mark = first.changeMark();
    first.close();
    rmSync(join(root, '.backlot', 'project.db'));
    const again = ProjectDb.create(root, META);
    assert.equal(again.changeMark().split(':')[1], mark.split(':')[1], 'the same count');
    assert.notEqual(again.changeMark(), mark, 'but another database');
    again.close();
  });
});

test('a folder of a newer format is refused with a message that says to update', () => {
  withFolder((root) => {
    const made = ProjectDb.create(root, META);
    made.sql.pragma('user_version = 99');
    made.sql.close();
    assert.throws(() => ProjectDb.open(root), /has format 99; this backlot reads format 6 \(update backlot\)/);
  });
});
