// Test harness: a fresh server app on a fresh database (SQLite always; PostgreSQL too when
// BACKLOT_TEST_PG names a database to connect to), driven through HTTP with Fastify's inject.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { DestinationStream } from 'pino';
import { buildApp, loadConfig, openDatabase, prepareDeps, type AppDeps, type Clock, type Mailer, type MailMessage, type OpenedDb, type ServerConfig } from '@backlot/server';
import { insertUser, openChunks, prepareSetup, type DbKind } from '@backlot/server/testing';
import type { ChunkBackend, ChunkStore } from '@backlot/storage';

export function dbKinds(): DbKind[] {
  return process.env.BACKLOT_TEST_PG ? ['sqlite', 'postgres'] : ['sqlite'];
}

export class TestClock implements Clock {
  constructor(private t = Date.parse('2026-03-01T09:00:00.000Z')) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

/** Records mail instead of sending it. */
export class CaptureMailer implements Mailer {
  readonly configured = true;
  readonly sent: MailMessage[] = [];
  async send(m: MailMessage) {
    this.sent.push(m);
  }
}

let dbCounter = 0;

async function openTestDatabase(kind: DbKind): Promise<{ db: OpenedDb; dataDir: string; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backlot-test-'));
  if (kind === 'sqlite') {
    const db = openDatabase({ dataDir });
    return { db, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const pgDb = await freshPgDatabase('backlot_t');
  const db = openDatabase({ databaseUrl: pgDb.url, dataDir });
  return {
    db, dataDir,
    async drop() {
      await pgDb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new, empty PostgreSQL database on the cluster `base` (default BACKLOT_TEST_PG) names, and how to drop it. */
export async function freshPgDatabase(prefix: string, base = process.env.BACKLOT_TEST_PG!): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now()}_${++dbCounter}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * The server's chunk backend, with a way for tests about other things than content (production
 * rules, permissions, browsing) to declare chunk ids stored without storing bytes: checkpoint
 * admission asks the store, and such fixtures list made-up ids. Nothing can download them.
 */
export class TestChunkBackend implements ChunkBackend {
  private readonly pretended = new Map<string, Set<string>>();

  constructor(readonly real: ChunkBackend) {}

  pretendStored(namespace: string, ids: Iterable<string>): void {
    let set = this.pretended.get(namespace);
    if (!set) this.pretended.set(namespace, (set = new Set()));
    for (const id of ids) set.add(id);
  }

  store(namespace: string): ChunkStore {
    const store = this.real.store(namespace);
    const pretended = this.pretended.get(namespace);
    if (!pretended) return store;
    return Object.assign(Object.create(store) as ChunkStore, {
      has: async (ids: readonly string[]) => {
        const found = await store.has(ids);
        for (const id of ids) if (pretended.has(id)) found.add(id);
        return found;
      },
    });
  }

  close(): Promise<void> {
    return this.real.close();
  }
}

export interface Reply {
  status: number;
  body: any;
  headers: LightMyRequestResponse['headers'];
  raw: LightMyRequestResponse;
}

export interface Caller {
  token?: string;
  userId: string;
  email: string;
}

export class Harness {
  constructor(
    readonly kind: DbKind,
    readonly app: FastifyInstance,
    readonly deps: AppDeps,
    readonly clock: TestClock,
    readonly mailer: Mailer,
    private readonly cleanup: () => Promise<void>,
  ) {}

  async request(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; payload?: string } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await this.app.inject({
      method: method as 'GET',
      url: path.startsWith('/api/') ? path : `/api/v1${path}`,
      headers,
      ...(opts.payload !== undefined ? { payload: opts.payload } : opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
    let body: unknown = res.body;
    if ((res.headers['content-type'] ?? '').toString().includes('application/json') && res.body) body = JSON.parse(res.body);
    return { status: res.statusCode, body, headers: res.headers, raw: res };
  }

  as(caller: Caller | string | undefined) {
    const token = typeof caller === 'string' ? caller : caller?.token;
    return {
      get: (p: string) => this.request('GET', p, { token }),
      delete: (p: string) => this.request('DELETE', p, { token }),
      post: (p: string, body?: unknown) => this.request('POST', p, { token, body: body ?? {} }),
      patch: (p: string, body?: unknown) => this.request('PATCH', p, { token, body }),
    };
  }

  /** Runs first-run setup and returns the instance administrator. */
  async setupAdmin(email = 'admin@studio.test'): Promise<Caller> {
    const token = await prepareSetup(this.deps);
    const r = await this.request('POST', '/setup', { body: { token, email, name: 'Instance Admin', password: 'correct horse battery' } });
    if (r.status !== 201) throw new Error(`setup failed: ${JSON.stringify(r.body)}`);
    return { token: r.body.token, userId: r.body.userId, email };
  }

  /** Creates an account directly (sign-up is off by default) and signs it in. */
  async user(email: string, name = email.split('@')[0]): Promise<Caller> {
    const userId = await this.deps.db.transaction().execute((trx) => insertUser(this.deps, trx, { email, name, password: 'correct horse battery' }));
    const r = await this.request('POST', '/auth/login', { body: { email, password: 'correct horse battery' } });
    if (r.status !== 200) throw new Error(`login failed: ${JSON.stringify(r.body)}`);
    return { token: r.body.token, userId, email };
  }

  /** See TestChunkBackend: for fixtures that record made-up chunk ids as uploaded. */
  pretendStored(projectId: string, ids: Iterable<string>): void {
    (this.deps.chunks as TestChunkBackend).pretendStored(projectId, ids);
  }

  async close() {
    await this.app.close();
    await this.cleanup();
  }
}

export async function createHarness(
  kind: DbKind = 'sqlite',
  overrides: Partial<ServerConfig> & { mailer?: Mailer; /** JSON log lines go here (default: no log). */ logTo?: DestinationStream } = {},
): Promise<Harness> {
  const { mailer: mailerOverride, logTo, ...configOverrides } = overrides;
  const opened = await openTestDatabase(kind);
  const config = loadConfig({ dataDir: opened.dataDir, port: 0, ...configOverrides }, {});
  const clock = new TestClock();
  const mailer = mailerOverride ?? new CaptureMailer();
  const chunks = new TestChunkBackend(openChunks(config));
  const { deps } = await prepareDeps(config, { clock, mailer, database: opened.db, print: () => {}, logger: logTo ?? false, chunks });
  const app = await buildApp(deps);
  return new Harness(kind, app, deps, clock, mailer, async () => {
    await opened.db.close();
    await opened.drop();
  });
}
