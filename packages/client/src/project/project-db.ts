// A working folder's project database, ROOT/.backlot/project.db (SQLite): the server's items as
// last pulled (the mirror), the operations made here and not yet answered (the outbox, with the
// items they create or change), what each working file was when last written or checkpointed,
// and the sync cursor. Every change to it is one transaction, so a kill at any moment leaves the
// previous or the next consistent state; the local chunk store sits beside it in .backlot/chunks.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const PROJECT_DIR = '.backlot';
export const DB_FILE = 'project.db';
export const CHUNKS_DIR = 'chunks';
/** The folder format; 2 added the field columns (format 1 existed only in development builds). */
const SCHEMA_VERSION = 6;

/**
 * Fields of the item views kept as columns too (computed by SQLite when a row is written), so
 * commands that look at every item (status on 100,000 files) read columns instead of parsing
 * each view's JSON.
 */
export const FIELDS = ['name', 'parentId', 'collectionId', 'assetId', 'extension', 'kind', 'url', 'assigneeId', 'statusId', 'number', 'fileHash', 'pending', 'removed'] as const;
export type Field = (typeof FIELDS)[number];
const FIELD_COLUMNS = FIELDS.map((f) => `f_${f} AS (json_extract(data, '$.${f}')) STORED`).join(', ');

/** Format 3: patches in .backlot/chunks name their bases, which pruning keeps while the patch stays. */
const LOCAL_BASES = `CREATE TABLE chunk_bases (chunk_id TEXT NOT NULL, base_id TEXT NOT NULL, PRIMARY KEY (chunk_id, base_id));
CREATE INDEX chunk_bases_base ON chunk_bases (base_id);
`;

/**
 * Format 4: a count of the changes to the tables `status` reads (items, overlay, files), kept by
 * triggers so that no write can forget it: status keeps its last answer while the count stays
 * (worktree/status-rows.ts). Foreign-key cascades fire triggers too.
 */
const COUNTED = ['items', 'overlay', 'files'];
// `db` names this database (random, made with it): a count read back from a file kept beside a
// database that was since replaced (deleted and made again) never matches by chance.
const CHANGE_COUNT = `CREATE TABLE change_count (id INTEGER PRIMARY KEY CHECK (id = 1), db TEXT NOT NULL, n INTEGER NOT NULL);
INSERT INTO change_count (id, db, n) VALUES (1, lower(hex(randomblob(16))), 0);
${COUNTED.flatMap((t) => ['INSERT', 'UPDATE', 'DELETE'].map((e) => `CREATE TRIGGER ${t}_${e.toLowerCase()}_counted AFTER ${e} ON ${t} BEGIN UPDATE change_count SET n = n + 1; END;`)).join('\n')}
`;

/** Format 5: downloaded versions kept whole in .backlot/pristine, and where each of their chunks sits (pristine-files.ts). */
const PRISTINE_CHUNKS = `CREATE TABLE pristine_chunks (chunk_id TEXT NOT NULL, file_hash TEXT NOT NULL, start INTEGER NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (chunk_id, file_hash));
CREATE INDEX pristine_chunks_file ON pristine_chunks (file_hash);
`;

/** Format 6: the files the server refused to send for lack of permission (download-refusals.ts). */
const DOWNLOAD_REFUSALS = `CREATE TABLE download_refusals (asset_id TEXT PRIMARY KEY);
`;

/** What opening a folder of format N adds to make it N + 1. */
const UPGRADES: Record<number, string> = { 2: LOCAL_BASES, 3: CHANGE_COUNT, 4: PRISTINE_CHUNKS, 5: DOWNLOAD_REFUSALS };

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- The server's items as the member last saw them (views of core's contract, as JSON).
CREATE TABLE items (entity TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, ${FIELD_COLUMNS}, PRIMARY KEY (entity, id));
CREATE INDEX items_checkpoints ON items (f_assetId) WHERE entity = 'checkpoint';
-- Operations made here, in order, until the server answered them.
CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, op TEXT NOT NULL, created_at TEXT NOT NULL);
-- What those operations make or change, shown over the mirror until the server's truth comes back.
CREATE TABLE overlay (entity TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, ${FIELD_COLUMNS}, op_seq INTEGER NOT NULL REFERENCES outbox (seq) ON DELETE CASCADE, PRIMARY KEY (entity, id));
-- Each working file as it was when last written from the project or checkpointed: its asset, the
-- checkpoint it matches, and size + mtime so an unchanged file is not read again.
CREATE TABLE files (path TEXT PRIMARY KEY, asset_id TEXT NOT NULL UNIQUE, checkpoint_id TEXT, file_hash TEXT NOT NULL,
  size INTEGER NOT NULL, mtime_ms REAL NOT NULL, chunks TEXT NOT NULL,
  -- 1 once the server has this content (downloaded, or its checkpoint acknowledged): only such
  -- files may ever be deleted by a sync; anything else is the user's own work.
  on_server INTEGER NOT NULL DEFAULT 0);
-- Assets whose local copy the user dropped (backlot free): sync does not bring them back.
CREATE TABLE freed (asset_id TEXT PRIMARY KEY);
${LOCAL_BASES}
${CHANGE_COUNT}
${PRISTINE_CHUNKS}
${DOWNLOAD_REFUSALS}`;

export interface ProjectMeta {
  projectId: string;
  projectName: string;
  /** Personal projects live only here; studio projects name their server and studio. */
  personal: boolean;
  server?: string;
  studioId?: string;
  /** The member this folder was cloned for. */
  userId: string;
  userName?: string;
}

type MetaKey = keyof ProjectMeta | 'cursor' | 'revision' | 'settings' | 'checkpointCounter';

export class ProjectDb {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(readonly root: string, readonly sql: Database.Database) {}

  /** A prepared statement, prepared once per text (a pull may run one 100,000 times). */
  stmt(text: string): Database.Statement {
    let s = this.statements.get(text);
    if (!s) this.statements.set(text, (s = this.sql.prepare(text)));
    return s;
  }

  /** Makes ROOT/.backlot/project.db; refuses a folder that already is a working folder. */
  static create(root: string, meta: ProjectMeta): ProjectDb {
    const dir = join(root, PROJECT_DIR);
    if (existsSync(join(dir, DB_FILE))) throw new Error(`${root} already is a Backlot working folder`);
    mkdirSync(join(dir, CHUNKS_DIR), { recursive: true });
    const sql = new Database(join(dir, DB_FILE));
    const db = new ProjectDb(resolve(root), sql);
    db.configure();
    db.tx(() => {
      sql.exec(SCHEMA);
      sql.pragma(`user_version = ${SCHEMA_VERSION}`);
      for (const [k, v] of Object.entries(meta)) if (v !== undefined) db.setMeta(k as MetaKey, v);
    });
    return db;
  }

  static open(root: string): ProjectDb {
    const file = join(root, PROJECT_DIR, DB_FILE);
    if (!existsSync(file)) throw new Error(`${root} is not a Backlot working folder (no ${PROJECT_DIR}/${DB_FILE})`);
    const sql = new Database(file, { fileMustExist: true });
    const db = new ProjectDb(resolve(root), sql);
    db.configure();
    let version = sql.pragma('user_version', { simple: true }) as number;
    // Each step in its own transaction: a kill between two leaves a folder of the format before.
    for (; version < SCHEMA_VERSION && UPGRADES[version] !== undefined; version++) {
      db.tx(() => {
        sql.exec(UPGRADES[version]);
        sql.pragma(`user_version = ${version + 1}`);
      });
    }
    if (version !== SCHEMA_VERSION) {
      sql.close();
      throw new Error(
        version > SCHEMA_VERSION
          ? `${file} has format ${version}; this backlot reads format ${SCHEMA_VERSION} (update backlot)`
          : `${file} has format ${version}, from a development build of backlot; clone the project again into a new folder`,
      );
    }
    return db;
  }

  /** The working folder holding `dir` (it or a parent with .backlot/project.db), or null. */
  static find(dir: string): string | null {
    for (let d = resolve(dir); ; d = dirname(d)) {
      if (existsSync(join(d, PROJECT_DIR, DB_FILE))) return d;
      if (dirname(d) === d) return null;
    }
  }

  private configure(): void {
    // WAL + synchronous FULL: a committed transaction survives a crash of the machine, and
    // readers (a `status` while a sync runs) do not block the writer.
    this.sql.pragma('journal_mode = WAL');
    this.sql.pragma('synchronous = FULL');
    this.sql.pragma('foreign_keys = ON');
    this.sql.pragma('busy_timeout = 10000');
  }

  get chunksDir(): string {
    return join(this.root, PROJECT_DIR, CHUNKS_DIR);
  }

  /** Runs `fn` in one transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T {
    if (this.sql.inTransaction) return fn();
    this.stmt('BEGIN IMMEDIATE').run();
    try {
      const out = fn();
      this.stmt('COMMIT').run();
      return out;
    } catch (err) {
      if (this.sql.inTransaction) this.stmt('ROLLBACK').run();
      throw err;
    }
  }

  /** Runs `fn` in one read transaction: its queries all see the same state of the database. */
  read<T>(fn: () => T): T {
    if (this.sql.inTransaction) return fn();
    this.stmt('BEGIN').run();
    try {
      return fn();
    } finally {
      if (this.sql.inTransaction) this.stmt('COMMIT').run();
    }
  }

  /**
   * Where the tables status reads stand (format 4): this database's name and how many of their
   * rows were written since it was made. Equal marks, equal contents.
   */
  changeMark(): string {
    const { db, n } = this.stmt('SELECT db, n FROM change_count').get() as { db: string; n: number };
    return `${db}:${n}`;
  }

  meta(): ProjectMeta {
    const m = this.metaMap();
    return {
      projectId: m.projectId as string, projectName: m.projectName as string, personal: m.personal === true,
      server: m.server as string | undefined, studioId: m.studioId as string | undefined,
      userId: m.userId as string, userName: m.userName as string | undefined,
    };
  }

  getMeta<T = unknown>(key: MetaKey): T | undefined {
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setMeta(key: MetaKey, value: unknown): void {
    if (value === undefined) this.stmt('DELETE FROM meta WHERE key = ?').run(key);
    else this.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }

  private metaMap(): Record<string, unknown> {
    const rows = this.stmt('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)]));
  }

  close(): void {
    this.sql.close();
  }
}
