// What `status` compares the folder's files against: each visible asset with its path, its newest
// checkpoint and its working-file record (sorted by path), and the member's own tasks. Computing
// it is most of a warm status's own work (on 10,000 files, one join over the mirror and the
// records, then every path built: ~80 ms against ~15 ms to read it back; the tasks query another
// ~110 ms on 100,000 assets), and it only changes when the project database does. So the last
// answer is kept in .backlot/status-rows.json with the database's change mark (project-db.ts: a
// count kept by SQLite triggers on every table this reads, so no write can forget it, and the
// database's own random name) and used again while the mark is the same. Worst case, a stale or
// broken file is computed again, never believed.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignedTasks, itemFieldsSql, latestCheckpointsSql } from '../project/items.js';
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

/** A task assigned to the folder's member, with its path when it is a file this folder shows. */
export interface StatusTask {
  id: string;
  name: string;
  path: string | null;
  statusId: string | null;
}

export interface StatusSnapshot {
  rows: StatusRow[];
  tasks: StatusTask[];
}

const FILE = 'status-rows.json';
/** Bumped whenever the kept shape changes: a file of another shape is computed again. */
const SHAPE = 2;

/** The last snapshot read or computed per open database, while its change mark holds. */
const recent = new WeakMap<ProjectDb, { header: string; snapshot: StatusSnapshot }>();

/** The rows (sorted by path) and the member's tasks, kept or computed (see the top of this file). */
export function statusSnapshot(db: ProjectDb): StatusSnapshot {
  const header = headerOf(db.changeMark(), db.meta().userId);
  const mine = recent.get(db);
  if (mine?.header === header) return mine.snapshot;
  const file = join(db.root, PROJECT_DIR, FILE);
  let snapshot = readKept(file, header);
  if (!snapshot) {
    // The snapshot and the mark it answers to, from one read of the database.
    const fresh = db.read(() => ({ header: headerOf(db.changeMark(), db.meta().userId), snapshot: compute(db) }));
    keep(file, fresh.header, fresh.snapshot);
    recent.set(db, fresh);
    return fresh.snapshot;
  }
  recent.set(db, { header, snapshot });
  return snapshot;
}

export function statusRows(db: ProjectDb): StatusRow[] {
  return statusSnapshot(db).rows;
}

/** The tasks assigned to the folder's member (status lists them). */
export function statusTasks(db: ProjectDb): StatusTask[] {
  return statusSnapshot(db).tasks;
}

/**
 * The file: a first line naming what the snapshot answers to (shape, change mark and member),
 * then the rows, then the tasks. The line is compared before anything is parsed: after a change,
 * 100,000 rows (~12 MB) that are about to be computed again are not read first.
 */
const headerOf = (changes: string, userId: string) => JSON.stringify({ shape: SHAPE, changes, userId });

function compute(db: ProjectDb): StatusSnapshot {
  const rows = computeRows(db);
  const pathOf = new Map(rows.map((r) => [r[0], r[1]]));
  const tasks = assignedTasks(db, db.meta().userId).map((t) => ({ id: t.id, name: t.name, path: pathOf.get(t.id) ?? null, statusId: t.statusId }));
  return { rows, tasks };
}

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
  // In path order, as status lists them: sorting the statuses of a warm run is then one pass.
  return out.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

function readKept(file: string, header: string): StatusSnapshot | null {
  try {
    const text = readFileSync(file, 'utf8');
    const eol = text.indexOf('\n');
    if (eol < 0 || text.slice(0, eol) !== header) return null;
    const eol2 = text.indexOf('\n', eol + 1);
    if (eol2 < 0) return null;
    const rows = JSON.parse(text.slice(eol + 1, eol2)) as StatusRow[];
    const tasks = JSON.parse(text.slice(eol2 + 1)) as StatusTask[];
    return Array.isArray(rows) && Array.isArray(tasks) ? { rows, tasks } : null;
  } catch {
    return null; // none yet, or unreadable: computed again
  }
}

/** Writes the file whole or not at all (temp + rename); a folder we may not write keeps none. */
function keep(file: string, header: string, { rows, tasks }: StatusSnapshot): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${header}\n${JSON.stringify(rows)}\n${JSON.stringify(tasks)}`);
    renameSync(temp, file);
  } catch {
    // only a later status that computes again
  }
}
