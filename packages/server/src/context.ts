// What every service call receives: the server's shared dependencies plus who is asking and from
// where. Built per request by the HTTP layer; services never look at the request itself.
import type { Transaction } from 'kysely';
import type { TokenScope } from '@backlot/core';
import type { Clock } from './clock.js';
import type { ServerConfig } from './config/config.js';
import type { Db, DbKind } from './db/connect.js';
import type { Database } from './db/schema.js';
import type { Mailer } from './mail/mailer.js';
import type { ChunkBackend } from '@backlot/storage';
import type { FastifyBaseLogger } from 'fastify';
import type { Log } from './logging.js';

export interface AppDeps {
  db: Db;
  dbKind: DbKind;
  clock: Clock;
  config: ServerConfig;
  mailer: Mailer;
  /** The content store (chunk bytes and preview images), one namespace per project. */
  chunks: ChunkBackend;
  /** Base URL for links in emails and setup output. */
  baseUrl(): string;
  /** For services; a request's ctx logs with that request's id. */
  log: Log;
  /** The structured logger behind `log` (Fastify logs requests through it). */
  logger: FastifyBaseLogger;
  /** Live-event fan-out; told after each committed project change. */
  events?: {
    projectChanged(projectId: string, revision: number): void;
    /** An account's access ended or shrank (deprovisioning): its live sockets re-check at once, in every process. */
    userAccessChanged?(userId: string): void;
  };
}

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  isInstanceAdmin: boolean;
  /** The session's id; for an access token, the token's id. */
  sessionId: string;
  /** Present when the caller came with an access token: what it narrows them to. */
  scope?: TokenScope;
}

export interface Ctx extends AppDeps {
  user: AuthUser | null;
  /**
   * The session token that named `user` and how it came (http/session.ts); live connections keep
   * it to re-check the session before every push.
   */
  credential?: { token: string; via: 'cookie' | 'bearer' };
  ip: string | null;
  /** The request's id, as logged and as sent back in `x-request-id`. */
  requestId?: string;
}

export type Trx = Transaction<Database>;

export const nowIso = (ctx: AppDeps) => ctx.clock.now().toISOString();

const AFTER_COMMIT = new WeakMap<Trx, (() => void)[]>();

/**
 * Runs `fn` after the transaction opened by inTransaction commits (live events for changes made
 * deep inside another action). False when `trx` was not opened by inTransaction.
 */
export function afterCommit(trx: Trx, fn: () => void): boolean {
  const hooks = AFTER_COMMIT.get(trx);
  hooks?.push(fn);
  return !!hooks;
}

export async function inTransaction<T>(ctx: AppDeps, fn: (trx: Trx) => Promise<T>): Promise<T> {
  const hooks: (() => void)[] = [];
  const result = await ctx.db.transaction().execute((trx) => {
    AFTER_COMMIT.set(trx, hooks);
    return fn(trx);
  });
  for (const hook of hooks) {
    try {
      hook();
    } catch (err) {
      ctx.log.warn(`an after-commit hook failed: ${(err as Error).message}`);
    }
  }
  return result;
}
