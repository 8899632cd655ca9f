// One live socket: a member watching one project. Whenever the project's revision moves it pulls
// through the very function behind `GET /projects/:id/changes` (production/sync.ts pullChanges),
// so the socket shows exactly what a pull would: filtered by what the member may see now, or a
// snapshot when their visibility changed. Before every push the session and the membership are
// checked again: an ended session closes the socket with 4401, lost access with 4403.
//
// Work is coalesced: events only raise flags, and one pump per socket runs at a time, so a burst
// of changes costs one pull, and a slow client holds back its own pump, not the server's memory.
import { BacklotError } from '@backlot/core';
import type { AppDeps, AuthUser, Ctx } from '../context.js';
import { resolveSession } from '../auth/sessions.js';
import { loadMemberAccess } from '../access/access.js';
import { pullChanges } from '../sync/pull.js';
import type { EventHub, Subscriber } from './hub.js';

/** Close codes of the events socket. */
export const CLOSE = {
  goingAway: 1001,
  internal: 1011,
  tryAgainLater: 1013,
  sessionEnded: 4401,
  forbidden: 4403,
} as const;

/** The part of a `ws` WebSocket this module uses. */
export interface LiveSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): unknown;
  on(event: 'close' | 'pong', fn: () => void): unknown;
}

const OPEN = 1;
/** A client this far behind is cut off; it reconnects with its cursor and catches up by pull. */
const MAX_BUFFERED = 16 * 1024 * 1024;

export type PullResult = Awaited<ReturnType<typeof pullChanges>>;

export class LiveConnection implements Subscriber {
  private cursor: string;
  private wantChanges = false;
  private wantPresence = false;
  private wantCheck = false;
  private running = false;
  private closed = false;
  private alive = true;
  private lastPresence: string | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: AppDeps,
    private readonly hub: EventHub,
    private readonly socket: LiveSocket,
    readonly projectId: string,
    readonly userId: string,
    /** The session token the socket was opened with, re-resolved before every push. */
    private readonly token: string,
    private readonly ip: string | null,
    initialCursor: string,
  ) {
    this.cursor = initialCursor;
  }

  /** Sends the initial pull, then subscribes; changes committed in between are caught up at once. */
  async start(initial: PullResult): Promise<void> {
    this.socket.on('close', () => this.dispose());
    this.socket.on('pong', () => void (this.alive = true));
    this.socket.on('message', (data, isBinary) => {
      if (isBinary || data.length > 1024) return;
      try {
        if (JSON.parse(data.toString('utf8'))?.type === 'ping') void this.send({ type: 'pong' });
      } catch {
        // Anything else a client says is ignored: the socket only streams.
      }
    });
    await this.send({ type: 'changes', ...initial });
    const unsubscribe = await this.hub.subscribe(this);
    if (this.closed) return unsubscribe();
    this.unsubscribe = unsubscribe;
    this.wantChanges = true;
    this.wantPresence = true;
    this.kick();
  }

  // ---- Subscriber --------------------------------------------------------------------------------

  changed(): void {
    this.wantChanges = true;
    this.kick();
  }

  presenceChanged(): void {
    this.wantPresence = true;
    this.kick();
  }

  tick(): void {
    if (this.closed) return;
    if (!this.alive) {
      // No pong since the last ping: the peer is gone.
      this.socket.terminate();
      this.dispose();
      return;
    }
    this.alive = false;
    try {
      this.socket.ping();
    } catch {
      // closing
    }
    this.wantCheck = true;
    this.kick();
  }

  recheck(): void {
    this.wantCheck = true;
    this.kick();
  }

  shutdown(): void {
    this.end(CLOSE.goingAway, 'the server is shutting down');
  }

  // ---- the pump ----------------------------------------------------------------------------------

  private kick(): void {
    if (this.running || this.closed || !this.unsubscribe) return;
    void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && (this.wantChanges || this.wantPresence || this.wantCheck)) {
        const user = await this.currentUser();
        if (!user) return this.end(CLOSE.sessionEnded, 'the session has ended; sign in again');
        if (this.closed) return;
        const ctx: Ctx = { ...this.deps, user, ip: this.ip };
        if (this.wantChanges) {
          this.wantChanges = false;
          this.wantCheck = false;
          await this.pushChanges(ctx); // pulling checks the membership
        } else {
          this.wantCheck = false;
          await loadMemberAccess(ctx, this.projectId);
        }
        if (this.wantPresence && !this.closed) {
          this.wantPresence = false;
          const online = this.hub.online(this.projectId);
          const key = online.join(',');
          if (key !== this.lastPresence) {
            this.lastPresence = key;
            await this.send({ type: 'presence', online });
          }
        }
      }
    } catch (err) {
      if (this.closed) return;
      if (err instanceof BacklotError && (err.code === 'not_found' || err.code === 'forbidden')) {
        // Access and session may end together (a deprovisioned person), after this round's
        // session check: the ended session is then the reason to give.
        const user = await this.currentUser().catch(() => undefined);
        if (user === null) return this.end(CLOSE.sessionEnded, 'the session has ended; sign in again');
        return this.end(CLOSE.forbidden, 'you no longer have access to this project');
      }
      if (err instanceof BacklotError && err.code === 'unauthenticated') return this.end(CLOSE.sessionEnded, 'the session has ended; sign in again');
      this.deps.log.warn(`live events: a socket failed: ${(err as Error)?.stack ?? String(err)}`);
      this.end(CLOSE.internal, 'internal error; reconnect with your cursor');
    } finally {
      this.running = false;
    }
  }

  private async currentUser(): Promise<AuthUser | null> {
    const session = await resolveSession(this.deps, this.token);
    // The socket belongs to one user; a token that now names someone else (impossible) ends it.
    return session && session.user.id === this.userId ? session.user : null;
  }

  private async pushChanges(ctx: Ctx): Promise<void> {
    for (;;) {
      const page = await pullChanges(ctx, this.projectId, this.cursor);
      if (this.closed) return;
      this.cursor = page.cursor;
      // Nothing visible changed: send nothing (not even that something happened elsewhere).
      if (page.reset || page.changes?.length) await this.send({ type: 'changes', ...page });
      if (!page.hasMore) return;
    }
  }

  private send(message: object): Promise<void> {
    if (this.closed || this.socket.readyState !== OPEN) return Promise.resolve();
    if (this.socket.bufferedAmount > MAX_BUFFERED) {
      this.end(CLOSE.tryAgainLater, 'too far behind; reconnect with your cursor');
      return Promise.resolve();
    }
    return new Promise((resolve) => this.socket.send(JSON.stringify(message), () => resolve()));
  }

  private end(code: number, reason: string): void {
    if (this.closed) return;
    this.dispose();
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
  }

  private dispose(): void {
    this.closed = true;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    unsubscribe?.();
  }
}
