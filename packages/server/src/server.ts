// Starting and stopping a studio server process: open the database, migrate, build the app,
// print the one-time setup link on a fresh instance, listen.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { systemClock, type Clock } from './clock.js';
import { publicBaseUrl, type ServerConfig } from './config/config.js';
import type { AppDeps } from './context.js';
import { migrateToLatest, openDatabase, type OpenedDb } from './db/connect.js';
import { startAuditChain, INSTANCE_SCOPE } from './audit/log.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { prepareSetup } from './admin/accounts.js';
import { openChunks } from './config/chunk-store.js';
import { repairContent } from './content/repair.js';
import { resumeRebases } from './content/rebase.js';
import { track } from './content/background.js';
import type { ChunkBackend } from '@backlot/storage';
import { EventHub } from './events/hub.js';
import { hasWebApp } from './http/web-app.js';
import type { DestinationStream } from 'pino';
import { createLogger, logThrough } from './logging.js';

export interface StartedServer {
  app: FastifyInstance;
  deps: AppDeps;
  url: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  clock?: Clock;
  mailer?: Mailer;
  /**
   * Where logs go: false for nowhere (tests, benchmarks), a stream for JSON lines (tests that
   * read them); default standard output at the configured level and format.
   */
  logger?: false | DestinationStream;
  /** Where to print start-up messages (the setup link). */
  print?: (line: string) => void;
  /** An already opened database (tests). */
  database?: OpenedDb;
  /** An already opened chunk store backend (tests); default: the one config.chunkStore names. */
  chunks?: ChunkBackend;
}

export interface PreparedDeps {
  deps: AppDeps;
  database: OpenedDb;
  /** Links use the port actually bound (port 0 picks a free one). */
  setBoundPort(port: number): void;
}

export async function prepareDeps(config: ServerConfig, opts: ServerOptions = {}): Promise<PreparedDeps> {
  const database = opts.database ?? openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(database.db);
  await startAuditChain(database.db, INSTANCE_SCOPE);
  let boundPort: number | undefined;
  const logger = createLogger({ level: config.logLevel, format: config.logFormat }, opts.logger);
  const deps: AppDeps = {
    db: database.db,
    dbKind: database.kind,
    clock: opts.clock ?? systemClock,
    config,
    mailer: opts.mailer ?? createMailer(config.smtpUrl, config.mailFrom),
    chunks: opts.chunks ?? openChunks(config),
    baseUrl: () => publicBaseUrl(config, boundPort),
    log: logThrough(logger),
    logger,
  };
  // Live events: in-process with SQLite; PostgreSQL LISTEN/NOTIFY across processes (closed with the app).
  deps.events = new EventHub({ db: database.db, kind: database.kind, listenUrl: database.kind === 'postgres' ? config.databaseUrl : undefined, log: deps.log });
  return { deps, database, setBoundPort: (p) => void (boundPort = p) };
}

export async function startServer(config: ServerConfig, opts: ServerOptions = {}): Promise<StartedServer> {
  const { deps, database, setBoundPort } = await prepareDeps(config, opts);
  const print = opts.print ?? ((line: string) => console.log(line));
  const app = await buildApp(deps);
  // Before the first request: no record may claim bytes the store lost while the server was down.
  const repair = await repairContent(deps);
  if (repair.dropped || repair.tempFiles) deps.log.info(`content check: ${repair.projects} project(s), ${repair.rows} stored chunk record(s), ${repair.dropped} without bytes dropped, ${repair.tempFiles} temp file(s) of killed writers removed`);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  setBoundPort(port);
  if (deps.events instanceof EventHub) deps.events.start();
  // Versions a stopped server left stored as patches are stored whole again, in the background:
  // finding them is a query over every stored patch, not something requests should wait for.
  track(deps.chunks, resumeRebases(deps).then(
    (n) => n && deps.log.info(`resuming ${n} rebase(s) left pending when the server stopped`),
    (err) => deps.log.error('could not look for rebases left pending', err),
  ));
  const url = publicBaseUrl(config, port);
  print(`Backlot server listening on ${url} (${database.kind === 'sqlite' ? `data in ${config.dataDir}` : 'PostgreSQL'})`);
  const setupToken = await prepareSetup(deps);
  if (setupToken) {
    print('This server has no accounts yet. Create the first (administrator) account with this one-time token:');
    print(`  setup token: ${setupToken}`);
    if (hasWebApp(config.webRoot)) print(`  in a browser: ${url}/setup#token=${setupToken}`);
    print(`  or: POST ${url}/api/v1/setup {"token": "...", "email": "...", "name": "...", "password": "..."}`);
  }
  return {
    app, deps, url,
    async close() {
      await app.close();
      await deps.chunks.close();
      await database.close();
    },
  };
}
