// Live events: which sockets of this process watch which project, who is online, and how a
// committed change reaches them.
//
// - SQLite (one process): in-process fan-out. projectChanged() tells every local subscriber of
//   the project at once.
// - PostgreSQL (one or more `backlot serve` processes on one database): projectChanged() sends
//   `NOTIFY backlot_changes, '<projectId>:<revision>'` (pg_notify, parameterised), and every
//   process LISTENs on a dedicated connection (pg-listener.ts) and fans out to its local sockets,
//   its own included. Nothing another process needs lives only in this process's memory.
// - Presence (who has a socket open on a project) is counted per process; with PostgreSQL every
//   process announces its part on `backlot_presence` (join/leave at once, a full "beat" every
//   few seconds, "hello" when it starts listening so the others answer with their beats, "bye"
//   when it stops). Entries of a process that stops beating (crashed) expire after three beats.
//
// The hub only says "project P moved to revision R" or "the online set of P changed". What a
// subscriber may see is decided when it pulls (production/sync.ts), never here.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, DbKind } from '../db/connect.js';
import { PgListener } from './pg-listener.js';

export const CHANGES_CHANNEL = 'backlot_changes';
export const PRESENCE_CHANNEL = 'backlot_presence';

/** One local live socket, as the hub sees it. */
export interface Subscriber {
  readonly projectId: string;
  readonly userId: string;
  /** The project's revision moved (or its visibility may have changed): pull again. */
  changed(revision: number): void;
  /** The set of online members of the project changed. */
  presenceChanged(): void;
  /** Periodic liveness and access check. */
  tick(): void;
  /** The user's access may have ended (deprovisioning): check the session and membership now. */
  recheck(): void;
  /** The server is shutting down. */
  shutdown(): void;
}

export interface HubOptions {
  db: Db;
  kind: DbKind;
  /** PostgreSQL connection string for the LISTEN connection; without it, fan-out stays in process. */
  listenUrl?: string;
  log: { info(msg: string): void; warn(msg: string): void };
  /** How often presence is re-announced between processes (PostgreSQL). */
  presenceBeatMs?: number;
  /** How often each socket is pinged and its session and membership re-checked. */
  tickMs?: number;
}

/** NOTIFY payloads must stay under 8000 bytes; a UUID in JSON takes 39. */
const USERS_PER_BEAT = 150;
const PAYLOAD_LIMIT = 7900;

type PresenceMessage =
  | { t: 'join' | 'leave'; f: string; p: string; u: string }
  | { t: 'beat'; f: string; p: string; u: string[] }
  | { t: 'hello' | 'bye'; f: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class EventHub {
  /** This hub's name in presence messages (one per server process / app). */
  readonly processId = randomUUID();
  private readonly subs = new Map<string, Set<Subscriber>>();
  /** project → user → number of local sockets. */
  private readonly local = new Map<string, Map<string, number>>();
  /** process → project → user → expiry (ms since epoch). */
  private readonly remote = new Map<string, Map<string, Map<string, number>>>();
  /** project → online set last told to local subscribers. */
  private readonly lastOnline = new Map<string, string>();
  private readonly listener: PgListener | null;
  private readonly beatMs: number;
  private readonly tickMs: number;
  private beatTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly opts: HubOptions) {
    this.beatMs = opts.presenceBeatMs ?? 10_000;
    this.tickMs = opts.tickMs ?? 30_000;
    this.listener = opts.kind === 'postgres' && opts.listenUrl
      ? new PgListener({
        connectionString: opts.listenUrl,
        channels: [CHANGES_CHANNEL, PRESENCE_CHANNEL],
        onNotification: (channel, payload) => this.onNotification(channel, payload),
        onListening: () => this.onListening(),
        log: opts.log,
      })
      : null;
  }

  /** Starts listening at once (server start); otherwise the first subscriber starts it. */
  start(): void {
    if (this.closed) return;
    this.listener?.start();
    if (this.listener && !this.beatTimer) {
      this.beatTimer = setInterval(() => this.beat(), this.beatMs);
      this.beatTimer.unref();
    }
    if (!this.tickTimer) {
      this.tickTimer = setInterval(() => {
        for (const set of this.subs.values()) for (const s of set) s.tick();
      }, this.tickMs);
      this.tickTimer.unref();
    }
  }

  // ---- changes ---------------------------------------------------------------------------------

  /** Told by applyOp (and after-commit hooks) once a project change has committed. */
  projectChanged(projectId: string, revision: number): void {
    if (this.closed) return;
    if (this.opts.kind === 'postgres') {
      // Other processes may have sockets on this project even when this one has none.
      this.notify(CHANGES_CHANNEL, `${projectId}:${revision}`).then(
        // Without our own LISTEN connection, deliver locally; with it, the notification comes back.
        () => { if (!this.listener) this.deliver(projectId, revision); },
        (err: Error) => {
          this.opts.log.warn(`live events: NOTIFY failed (${err.message}); delivering in this process only`);
          this.deliver(projectId, revision);
        },
      );
    } else {
      this.deliver(projectId, revision);
    }
  }

  /**
   * Told once an account's access ended (SCIM deprovisioning): every socket of that user, in every
   * process, re-checks its session and membership now instead of at its next tick. On PostgreSQL
   * the word travels on the changes channel as `user:<id>`.
   */
  userAccessChanged(userId: string): void {
    if (this.closed) return;
    if (this.opts.kind === 'postgres') {
      this.notify(CHANGES_CHANNEL, `user:${userId}`).then(
        () => { if (!this.listener) this.recheckUser(userId); },
        (err: Error) => {
          this.opts.log.warn(`live events: NOTIFY failed (${err.message}); re-checking in this process only`);
          this.recheckUser(userId);
        },
      );
    } else {
      this.recheckUser(userId);
    }
  }

  private recheckUser(userId: string): void {
    if (this.closed) return;
    for (const set of this.subs.values()) for (const s of set) if (s.userId === userId) s.recheck();
  }

  private deliver(projectId: string, revision: number): void {
    if (this.closed) return;
    for (const s of this.subs.get(projectId) ?? []) s.changed(revision);
  }

  private notify(channel: string, payload: string): Promise<unknown> {
    return sql`select pg_notify(${channel}, ${payload})`.execute(this.opts.db);
  }

  // ---- subscribers -----------------------------------------------------------------------------

  /**
   * Adds a local socket. Resolves once changes can reach it (PostgreSQL: LISTEN in place, or a
   * short timeout, after which a reconnection makes everyone pull again). Returns the unsubscribe.
   */
  async subscribe(sub: Subscriber): Promise<() => void> {
    if (this.closed) throw new Error('the event hub is closed');
    this.start();
    let set = this.subs.get(sub.projectId);
    if (!set) this.subs.set(sub.projectId, (set = new Set()));
    set.add(sub);
    let users = this.local.get(sub.projectId);
    if (!users) this.local.set(sub.projectId, (users = new Map()));
    const before = users.get(sub.userId) ?? 0;
    users.set(sub.userId, before + 1);
    if (before === 0) this.announce({ t: 'join', f: this.processId, p: sub.projectId, u: sub.userId });
    this.refreshPresence(sub.projectId);
    let done = false;
    const unsubscribe = () => {
      if (done) return;
      done = true;
      this.unsubscribe(sub);
    };
    if (this.listener) await this.listener.ready();
    return unsubscribe;
  }

  private unsubscribe(sub: Subscriber): void {
    const set = this.subs.get(sub.projectId);
    set?.delete(sub);
    if (set && !set.size) this.subs.delete(sub.projectId);
    const users = this.local.get(sub.projectId);
    const n = users?.get(sub.userId) ?? 0;
    if (users && n <= 1) {
      users.delete(sub.userId);
      if (!users.size) this.local.delete(sub.projectId);
      this.announce({ t: 'leave', f: this.processId, p: sub.projectId, u: sub.userId });
    } else if (users) {
      users.set(sub.userId, n - 1);
    }
    this.refreshPresence(sub.projectId);
  }

  /** Local sockets of one user (all projects): a per-user cap for the route. */
  socketsOf(userId: string): number {
    let n = 0;
    for (const users of this.local.values()) n += users.get(userId) ?? 0;
    return n;
  }

  // ---- presence --------------------------------------------------------------------------------

  /** Users with at least one live socket on the project, in any process. Sorted. */
  online(projectId: string): string[] {
    const out = new Set(this.local.get(projectId)?.keys() ?? []);
    const now = Date.now();
    for (const projects of this.remote.values())
      for (const [user, expires] of projects.get(projectId) ?? []) if (expires > now) out.add(user);
    return [...out].sort();
  }

  private refreshPresence(projectId: string): void {
    if (this.closed) return;
    const set = this.subs.get(projectId);
    if (!set?.size) {
      this.lastOnline.delete(projectId);
      return;
    }
    const key = this.online(projectId).join(',');
    if (this.lastOnline.get(projectId) === key) return;
    this.lastOnline.set(projectId, key);
    for (const s of set) s.presenceChanged();
  }

  private announce(msg: PresenceMessage): void {
    if (!this.listener || this.closed) return;
    const payload = JSON.stringify(msg);
    if (payload.length > PAYLOAD_LIMIT) return;
    this.notify(PRESENCE_CHANNEL, payload).catch((err: Error) => this.opts.log.warn(`live events: presence NOTIFY failed (${err.message})`));
  }

  private announceLocal(): void {
    for (const [projectId, users] of this.local) {
      const ids = [...users.keys()];
      for (let i = 0; i < ids.length; i += USERS_PER_BEAT)
        this.announce({ t: 'beat', f: this.processId, p: projectId, u: ids.slice(i, i + USERS_PER_BEAT) });
    }
  }

  /** Re-announces this process's part and drops what other processes stopped announcing. */
  private beat(): void {
    if (this.closed) return;
    this.announceLocal();
    const now = Date.now();
    const touched = new Set<string>();
    for (const [proc, projects] of this.remote) {
      for (const [projectId, users] of projects) {
        for (const [user, expires] of users) if (expires <= now) { users.delete(user); touched.add(projectId); }
        if (!users.size) projects.delete(projectId);
      }
      if (!projects.size) this.remote.delete(proc);
    }
    for (const p of touched) this.refreshPresence(p);
  }

  private onListening(): void {
    // Notifications sent while we were not listening are lost: everyone pulls again.
    for (const set of this.subs.values()) for (const s of set) s.changed(-1);
    this.announce({ t: 'hello', f: this.processId });
    this.beat();
  }

  private onNotification(channel: string, payload: string): void {
    if (this.closed) return;
    if (channel === CHANGES_CHANNEL) {
      const m = /^([0-9a-f-]{36}):(\d{1,15})$/.exec(payload);
      if (m) this.deliver(m[1], Number(m[2]));
      const u = /^user:([0-9a-f-]{36})$/.exec(payload);
      if (u) this.recheckUser(u[1]);
      return;
    }
    if (channel !== PRESENCE_CHANNEL) return;
    let msg: PresenceMessage;
    try {
      msg = JSON.parse(payload);
    } catch {
      return;
    }
    if (!msg || typeof msg.f !== 'string' || msg.f === this.processId) return;
    const expires = Date.now() + 3 * this.beatMs;
    const projectsOf = (proc: string) => {
      let projects = this.remote.get(proc);
      if (!projects) this.remote.set(proc, (projects = new Map()));
      return projects;
    };
    const usersOf = (proc: string, projectId: string) => {
      const projects = projectsOf(proc);
      let users = projects.get(projectId);
      if (!users) projects.set(projectId, (users = new Map()));
      return users;
    };
    switch (msg.t) {
      case 'join':
        if (!UUID.test(msg.p) || !UUID.test(msg.u)) return;
        usersOf(msg.f, msg.p).set(msg.u, expires);
        this.refreshPresence(msg.p);
        return;
      case 'leave':
        if (!UUID.test(msg.p)) return;
        this.remote.get(msg.f)?.get(msg.p)?.delete(msg.u);
        this.refreshPresence(msg.p);
        return;
      case 'beat': {
        if (!UUID.test(msg.p) || !Array.isArray(msg.u)) return;
        const users = usersOf(msg.f, msg.p);
        for (const u of msg.u) if (typeof u === 'string' && UUID.test(u)) users.set(u, expires);
        this.refreshPresence(msg.p);
        return;
      }
      case 'hello':
        // A process (re)started listening: tell it who is here.
        this.announceLocal();
        return;
      case 'bye': {
        const projects = this.remote.get(msg.f);
        this.remote.delete(msg.f);
        for (const p of projects?.keys() ?? []) this.refreshPresence(p);
        return;
      }
    }
  }

  // ---- shutdown --------------------------------------------------------------------------------

  /** Closes every local socket (1001), tells other processes this one is gone, stops listening. */
  async close(): Promise<void> {
    if (this.closed) return;
    const hadLocal = this.local.size > 0;
    if (this.listener && hadLocal) {
      // Said before `closed`, so announce() still sends it.
      await this.notify(PRESENCE_CHANNEL, JSON.stringify({ t: 'bye', f: this.processId })).catch(() => {});
    }
    this.closed = true;
    if (this.beatTimer) clearInterval(this.beatTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    for (const set of [...this.subs.values()]) for (const s of [...set]) s.shutdown();
    this.subs.clear();
    this.local.clear();
    this.remote.clear();
    await this.listener?.close();
  }
}
