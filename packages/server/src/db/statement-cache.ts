// Kysely's SQLite driver prepares every query anew, and preparing (parsing and planning the SQL)
// costs more than running it. The server issues a small set of query shapes over and over, so the
// better-sqlite3 handle given to Kysely reuses prepared statements by their SQL text.
import type SQLite from 'better-sqlite3';

const MAX_STATEMENTS = 2000;

export function withStatementCache(sqlite: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SQLite.Statement {
      const cached = cache.get(sql);
      // A statement still being iterated (a streamed query) cannot run again until it is done.
      if (cached && !cached.busy) return cached;
      const stmt = sqlite.prepare(sql);
      if (!cached) {
        if (cache.size >= MAX_STATEMENTS) cache.clear();
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
