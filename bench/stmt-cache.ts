// Bench-only prototype of a suggested change: a better-sqlite3 handle for Kysely's SqliteDialect
// that reuses prepared statements by SQL text, instead of preparing every query anew. Handed to
// the server through `startServer(config, { database })`, so no server code changes.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { OpenedDb } from '../packages/server/src/db/connect.js';
import type { Database } from '../packages/server/src/db/schema.js';

/** Opens the embedded database file with the same pragmas as the server's openDatabase. */
export function openSqlite(file: string): SQLite.Database {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

/** `{ prepare, close }` for SqliteDialect, caching statements (Kysely runs them synchronously). */
export function statementCaching(sqlite: SQLite.Database, max = 1000) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        if (cache.size >= max) cache.clear();
        stmt = sqlite.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

/** The server's default database (SQLite file in the data directory) with the statement cache. */
export function openCachedDatabase(dataDir: string): OpenedDb {
  mkdirSync(dataDir, { recursive: true });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statementCaching(openSqlite(join(dataDir, 'backlot.db'))) }) });
  return { db, kind: 'sqlite', close: () => db.destroy() };
}
