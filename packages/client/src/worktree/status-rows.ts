// What `status` compares the folder's files against: each visible asset with its path, its newest
// checkpoint and its working-file record. Computing it is most of a warm status's own work (on
// 10,000 files, one join over the mirror and the records, then every path built: ~80 ms against
// ~15 ms to read it back), and it only changes when the project database does. So the last answer
// is kept in .backlot/status-rows.json with the database's change mark (project-db.ts: a count
// kept by SQLite triggers on every table this reads, so no write can forget it, and the
// database's own random name) and used again while the mark is the same. Worst case, a stale or
// broken file is computed again, never believed.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { itemFieldsSql, latestCheckpointsSql } from '../project/items.js';
import { PROJECT_DIR, type ProjectDb } from '../project/project-db.js';
import { fileNameOf, ProjectTree } from '../project/tree.js';

/**
 * One asset as status reads it: its path, its newest checkpoint (number, checkpoints not synced)
 * and its working-file record (1 when the record is for this path, size, mtime, and 1 when the
 * record's content is the newest checkpoint's). Arrays, not objects: on 100,000 files making
 * objects costs more than the query.
 */
export type StatusRow = [
  id: string, path: string, kind: 'resource' | 'task', assigneeId: string | null,
  latest: number | null, unsynced: number | null,
  recordHere: 0 | 1, size: number | null, mtimeMs: number | null, recordIsLatest: number | null,
];

const FILE = 'status-rows.json';
/** Bumped whenever StatusRow changes shape: a file of another shape is computed again. */
const SHAPE = 1;

export function statusRows(db: ProjectDb): StatusRow[] {
  const file = join(db.root, PROJECT_DIR, FILE);
  const kept = readKept(file, db.changeMark());
  if (kept) return kept;
  // The rows and the mark they answer to, from one snapshot of the database.
  const fresh = db.read(() => ({ changes: db.changeMark(), rows: computeRows(db) }));
  keep(file, fresh.changes, fresh.rows);
  return fresh.rows;
}

/**
 * The file: a first line naming what the rows answer to (shape and change mark), then the rows.
 * The line is compared before anything is parsed: after a change, 100,000 rows (~12 MB) that are
 * about to be computed again are not read first.
 */
const headerOf = (changes: string) => JSON.stringify({ shape: SHAPE, changes });

function computeRows(db: ProjectDb): StatusRow[] {
  const tree = new ProjectTree(db, { assets: false });
  // One query joins each asset with its newest checkpoint and its record, and compares the
  // hashes itself: on 100,000 files, the values handed to JavaScript are most of the time.
  const rows = db
    .stmt(
      `SELECT a.id, a.collectionId, a.name, a.extension, a.kind, a.assigneeId, l.number AS latest, l.unsynced, f.path AS recordPath, f.size, f.mtime_ms AS mtimeMs,
         f.file_hash = l.fileHash AS recordIsLatest
       FROM (${itemFieldsSql(db, 'asset', ['id', 'collectionId', 'name', 'extension', 'kind', 'assigneeId', 'url'])}) a
       LEFT JOIN (${latestCheckpointsSql(db)}) l ON l.assetId = a.id
       LEFT JOIN files f ON f.asset_id = a.id
       WHERE a.url IS NULL`,
    )
    .raw()
    .all() as [string, string | null, string, string, 'resource' | 'task', string | null, number | null, number | null, string | null, number | null, number | null, number | null][];
  const out: StatusRow[] = [];
  for (const [id, collectionId, name, extension, kind, assigneeId, latest, unsynced, recordPath, size, mtimeMs, recordIsLatest] of rows) {
    const path = tree.pathIn(collectionId, fileNameOf({ name, extension }));
    if (path === undefined) continue; // in a folder this member cannot see
    out.push([id, path, kind, assigneeId, latest, unsynced, recordPath === path ? 1 : 0, size, mtimeMs, recordIsLatest]);
  }
  return out;
}

function readKept(file: string, changes: string): StatusRow[] | null {
  try {
    const text = readFileSync(file, 'utf8');
    const eol = text.indexOf('\n');
    if (eol < 0 || text.slice(0, eol) !== headerOf(changes)) return null;
    const rows = JSON.parse(text.slice(eol + 1)) as StatusRow[];
    return Array.isArray(rows) ? rows : null;
  } catch {
    return null; // none yet, or unreadable: computed again
  }
}

/** Writes the file whole or not at all (temp + rename); a folder we may not write keeps none. */
function keep(file: string, changes: string, rows: StatusRow[]): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${headerOf(changes)}\n${JSON.stringify(rows)}`);
    renameSync(temp, file);
  } catch {
    // only a later status that computes again
  }
}
