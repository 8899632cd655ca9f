// What one authorized read costs on the database path, in process and without HTTP, to put
// numbers on the API profile's suggestions. A seeded server's own service functions are timed
// (sequential calls; all variants warmed up, then interleaved rounds, median) two ways:
//   as is    — the server's own Kysely instance and service code;
//   SQL only — the exact statements those calls ran (captured through Kysely's log), on cached
//              better-sqlite3 prepared statements without Kysely or the service code: the floor
//              for that work. The difference is query building/compiling, result mapping and JS.
//
//   node --import tsx bench/query-cost.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { loadConfig } from '../packages/server/src/config/config.js';
import { startServer } from '../packages/server/src/server.js';
import { resolveSession } from '../packages/server/src/auth/sessions.js';
import { getProject, listProjects } from '../packages/server/src/admin/projects.js';
import type { Ctx } from '../packages/server/src/context.js';
import type { Database } from '../packages/server/src/db/schema.js';
import { seedStudio } from './seed.js';
import { fmt, median, table } from './report.js';

type Path = (ctx: Ctx) => Promise<unknown>;

/**
 * µs per call of each variant: all warmed up first, then timed rounds interleaved (A B C A B C …)
 * so JIT warm-up and background load hit every variant alike; median per variant.
 */
async function usPerCall(fns: (() => Promise<unknown>)[], opts: { warm: number; rounds: number; calls: number }): Promise<number[]> {
  for (const fn of fns) for (let i = 0; i < opts.warm; i++) await fn();
  const xs: number[][] = fns.map(() => []);
  for (let r = 0; r < opts.rounds; r++) {
    for (const [k, fn] of fns.entries()) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < opts.calls; i++) await fn();
      xs[k].push(Number(process.hrtime.bigint() - t0) / opts.calls / 1000);
    }
  }
  return xs.map(median);
}

export interface QueryCostRow {
  path: string;
  queries: number;
  asIs: number;
  sqlOnly: number;
}

export async function runQueryCost(opts: { log?: (s: string) => void; calls?: number; rounds?: number } = {}): Promise<QueryCostRow[]> {
  const log = opts.log ?? (() => {});
  const timing = { warm: 2000, rounds: opts.rounds ?? 9, calls: opts.calls ?? 500 };
  const dataDir = mkdtempSync(join(tmpdir(), 'backlot-bench-qc-'));
  const server = await startServer(loadConfig({ dataDir, port: 0, host: '127.0.0.1' }, {}), { logger: false, print: () => {} });
  // A second connection to the same file (WAL) for the bare statements and for capturing SQL.
  const sqlite = new SQLite(join(dataDir, 'backlot.db'));
  const captured: { sql: string; parameters: readonly unknown[] }[] = [];
  const loggingDb = new Kysely<Database>({
    dialect: new SqliteDialect({ database: new SQLite(join(dataDir, 'backlot.db')) }),
    log: (e) => void (e.level === 'query' && captured.push({ sql: e.query.sql, parameters: e.query.parameters })),
  });
  try {
    log('  query cost: seeding an in-process server …');
    const fx = await seedStudio(server, 20);
    const session = await resolveSession(server.deps, fx.token);
    if (!session) throw new Error('member session did not resolve');
    const ctx: Ctx = { ...server.deps, user: session.user, ip: '127.0.0.1' };
    const paths: [string, Path][] = [
      ['session lookup (`resolveSession`, every authenticated request)', (c) => resolveSession(c, fx.token)],
      ['`getProject` (project access + policy + view)', (c) => getProject(c, fx.projectId)],
      ['`listProjects` (studio access + policy + list)', (c) => listProjects(c, fx.studioId)],
    ];
    const rows: QueryCostRow[] = [];
    const stmts = new Map<string, SQLite.Statement>();
    const stmt = (sql: string) => stmts.get(sql) ?? stmts.set(sql, sqlite.prepare(sql)).get(sql)!;
    for (const [name, path] of paths) {
      log(`  query cost: ${name.replace(/`/g, '')} …`);
      captured.length = 0;
      await path({ ...ctx, db: loggingDb });
      const sqls = [...captured];
      const [asIs, sqlOnly] = await usPerCall([
        () => path(ctx),
        async () => {
          for (const q of sqls) stmt(q.sql).all(q.parameters as unknown[]);
        },
      ], timing);
      rows.push({ path: name, queries: sqls.length, asIs, sqlOnly });
    }
    return rows;
  } finally {
    await loggingDb.destroy();
    sqlite.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatQueryCost(rows: QueryCostRow[]): string {
  return table(
    ['read path (in process, no HTTP)', 'SQL statements', 'as is µs/call', 'SQL only µs/call', 'Kysely + service JS µs/call', 'share of as is'],
    rows.map((r) => [r.path, r.queries, fmt(r.asIs), fmt(r.sqlOnly), fmt(r.asIs - r.sqlOnly), `${((1 - r.sqlOnly / r.asIs) * 100).toFixed(0)}%`]),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runQueryCost({ log: (s) => process.stderr.write(`${s}\n`) });
  process.stdout.write(`${formatQueryCost(rows)}\n`);
}
