// Opens the database named by the configuration: the embedded SQLite file by default, or
// PostgreSQL for a `postgres://` URL. Everything above this file uses one Kysely code path.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { withStatementCache } from './statement-cache.js';

export type Db = Kysely<Database>;
export type DbKind = 'sqlite' | 'postgres';

export interface OpenedDb {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string | undefined): boolean {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

export function openDatabase(opts: { databaseUrl?: string; dataDir: string }): OpenedDb {
  if (isPostgresUrl(opts.databaseUrl)) {
    // Integer columns come back as JS numbers; our counters stay far below 2^53.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: opts.databaseUrl!, max: 10 });
    // An idle connection lost to a database restart or termination: the pool drops it and connects
    // anew. Without a listener, pg re-emits it as an uncaught error that ends the whole process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const file = opts.databaseUrl?.replace(/^sqlite:(\/\/)?/, '') || join(opts.dataDir, 'backlot.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // A 64 MiB page cache (SQLite's default is 2 MiB): board counts walk a project's board index
  // (14 MiB at 100,000 assets), which then stays in memory between requests (BENCHMARKS.md,
  // bench:production: boards and lists 15–30% faster). It grows only as pages are read.
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, kind: 'sqlite', close: () => db.destroy() };
}

export async function migrateToLatest(db: Db): Promise<void> {
  // 003_browse was added after 004_content had shipped: a database made in between has 004 and
  // not 003, so migrations may run out of name order (each one stands alone).
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
}
