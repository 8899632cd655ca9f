// Live events over WebSocket, against real listening servers (startServer, port 0) and the `ws`
// client: what a member receives is exactly what a pull would show them; control requests reach
// the assignee; presence; access is re-checked on every push; refusals before the upgrade. With
// PostgreSQL (BACKLOT_TEST_PG), two server apps on one database: a change applied through one
// reaches a socket connected to the other (LISTEN/NOTIFY).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { startServer, type StartedServer } from '../src/server.js';
import type { DbKind } from '../src/db/connect.js';
import { CaptureMailer, dbKinds, freshPgDatabase, Harness, TestClock, type Caller } from '@backlot/test-kit/harness';
import { commitFile } from '@backlot/test-kit/content-world';

// `ws` ships no types here; this is the part of its client the tests use.
interface WsClient {
  readyState: number;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: (code: number, reason: Buffer) => void): void;
  on(event: 'open', fn: () => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  send(data: string): void;
  close(): void;
}
type WsCtor = new (url: string, opts?: { headers?: Record<string, string> }) => WsClient;
const WebSocket = createRequire(import.meta.url)('ws') as WsCtor;

/** The promise: a visible change reaches a connected member within a second. */
const WITHIN = 1000;
/** How long a test waits for a message at all (the machine may be busy); latency is asserted apart. */
const WAIT = 3000;

// ---- servers ------------------------------------------------------------------------------------

interface Live {
  server: StartedServer;
  h: Harness;
  url: string;
}

async function startLive(kind: DbKind, databaseUrl?: string): Promise<Live & { close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backlot-events-'));
  const config = loadConfig({ dataDir, port: 0, host: '127.0.0.1', ...(databaseUrl ? { databaseUrl } : {}) }, {});
  const clock = new TestClock();
  const mailer = new CaptureMailer();
  const server = await startServer(config, { clock, mailer, print: () => {}, logger: false });
  const h = new Harness(kind, server.app, server.deps, clock, mailer, async () => {});
  return {
    server, h, url: server.url,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---- sockets ------------------------------------------------------------------------------------

interface Msg {
  type: string;
  [k: string]: any;
}

class Socket {
  readonly messages: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void; from: number }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WsClient) {
    this.opened = new Promise((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Msg;
      this.messages.push(m);
      const i = this.messages.length - 1;
      for (const w of [...this.waiters]) if (i >= w.from && w.pred(m)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    });
  }

  /** The first message (from index `from`) matching `pred`, waiting up to `ms`. */
  next(pred: (m: Msg) => boolean, ms = WAIT, from = 0): Promise<Msg> {
    const seen = this.messages.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching message within ${ms} ms; got ${JSON.stringify(this.messages.map((x) => x.type))}`));
      }, ms);
      const done = (m: Msg) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ pred, resolve: done, from });
    });
  }

  /** Every change entry received so far (changes messages), and snapshot items. */
  everything(): string {
    return JSON.stringify(this.messages);
  }

  close() {
    this.ws.close();
  }
}

function wsUrl(base: string, projectId: string, since?: string) {
  return `${base.replace(/^http/, 'ws')}/api/v1/projects/${projectId}/events${since ? `?since=${encodeURIComponent(since)}` : ''}`;
}

/** Opens a socket and waits for its first message (the initial pull). */
async function connect(base: string, projectId: string, caller: Caller | { headers: Record<string, string> }, since?: string): Promise<Socket> {
  const headers = 'headers' in caller ? caller.headers : { authorization: `Bearer ${caller.token}` };
  const s = new Socket(new WebSocket(wsUrl(base, projectId, since), { headers }));
  await s.opened;
  await s.next((m) => m.type === 'changes');
  return s;
}

/** The HTTP status a refused handshake got. */
async function refused(base: string, projectId: string, headers: Record<string, string>, query = ''): Promise<number> {
  const ws = new WebSocket(`${wsUrl(base, projectId)}${query}`, { headers });
  return new Promise((resolve, reject) => {
    ws.on('open', () => {
      ws.close();
      reject(new Error('the handshake was accepted'));
    });
    ws.on('error', (err) => {
      const m = /Unexpected server response: (\d+)/.exec(err.message);
      if (m) resolve(Number(m[1]));
      else reject(err);
    });
  });
}

const changeOf = (entity: string, id: string) => (m: Msg) =>
  m.type === 'changes' && (m.changes ?? []).some((c: any) => c.entity === entity && c.id === id);
const isPresence = (users: string[]) => (m: Msg) =>
  m.type === 'presence' && JSON.stringify(m.online) === JSON.stringify([...users].sort());

// ---- fixture ------------------------------------------------------------------------------------

interface World {
  live: Live;
  admin: Caller;
  artist: Caller;
  vendor: Caller;
  outsider: Caller;
  pid: string;
  roles: Record<string, string>;
  /** Shared, and assigned to the vendor: everyone sees it (a Vendor only through the assignment). */
  shared: string;
  hidden: string;
  studioId: string;
}

async function must(p: Promise<{ status: number; body: any }>, status: number) {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

async function buildWorld(live: Live): Promise<World> {
  const { h } = live;
  const admin = await h.setupAdmin();
  const artist = await h.user('artist@studio.test');
  const vendor = await h.user('vendor@studio.test');
  const outsider = await h.user('outsider@studio.test');
  const studioId = (await must(h.as(admin).post('/studios', { name: 'S' }), 201)).id;
  await must(h.as(admin).post(`/studios/${studioId}/invitations`, { emails: [artist.email, vendor.email, outsider.email], role: 'member' }), 201);
  const pid = (await must(h.as(admin).post(`/studios/${studioId}/projects`, { name: 'P' }), 201)).id;
  const roles = Object.fromEntries((await must(h.as(admin).get(`/projects/${pid}/roles`), 200)).roles.map((x: any) => [x.key, x.id]));
  await must(h.as(admin).post(`/projects/${pid}/members`, { userIds: [artist.userId], roleId: roles.artist }), 201);
  await must(h.as(admin).post(`/projects/${pid}/members`, { userIds: [vendor.userId], roleId: roles.vendor }), 201);
  const shared = (await must(h.as(admin).post(`/projects/${pid}/collections`, { parentId: null, name: 'Shared', shared: true }), 201)).id;
  // A Vendor sees only what is explicitly assigned to it and its dependencies, never a shared
  // collection as such (PRODUCT.md): the vendor watches this one through an assignment.
  await must(h.request('PUT', `/projects/${pid}/collections/${shared}/assignee`, { token: admin.token, body: { assigneeId: vendor.userId } }), 200);
  const hidden = (await must(h.as(admin).post(`/projects/${pid}/collections`, { parentId: null, name: 'Hidden' }), 201)).id;
  return { live, admin, artist, vendor, outsider, pid, roles, shared, hidden, studioId };
}

let seq = 0;
const name = (p: string) => `${p}-${++seq}`;

// ---- tests --------------------------------------------------------------------------------------

for (const kind of dbKinds()) {
  describe(`live events (${kind})`, () => {
    let live: Live & { close(): Promise<void> };
    let w: World;
    let dropDb: (() => Promise<void>) | undefined;
    before(async () => {
      let url: string | undefined;
      if (kind === 'postgres') ({ url, drop: dropDb } = await freshPgDatabase('backlot_ev'));
      live = await startLive(kind, url);
      w = await buildWorld(live);
    });
    after(async () => {
      await live.close();
      await dropDb?.();
    });

    test('a member receives a change they may see within a second, filtered like a pull', async () => {
      const { h } = live;
      const first = await must(h.as(w.vendor).get(`/projects/${w.pid}/changes`), 200);
      const s = await connect(live.url, w.pid, w.vendor, first.cursor);
      try {
        assert.equal(s.messages[0].reset, false, 'resuming from a fresh cursor is not a snapshot');
        const t0 = Date.now();
        const asset = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.shared, name: name('prop'), extension: 'blend' }), 201)).id;
        const m = await s.next(changeOf('asset', asset));
        assert.ok(Date.now() - t0 < WITHIN, `took ${Date.now() - t0} ms`);
        // The same entries a pull from the same cursor returns.
        const pulled = await must(h.as(w.vendor).get(`/projects/${w.pid}/changes?since=${first.cursor}`), 200);
        const entry = m.changes.find((c: any) => c.id === asset);
        assert.deepEqual(entry, pulled.changes.find((c: any) => c.id === asset));
        assert.equal(m.revision, pulled.revision);
      } finally {
        s.close();
      }
    });

    test('reconnecting with the last cursor catches up on what happened meanwhile', async () => {
      const { h } = live;
      const s = await connect(live.url, w.pid, w.vendor);
      s.close();
      const cursor = s.messages[0].cursor;
      const missed = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.shared, name: name('missed') }), 201)).id;
      const again = await connect(live.url, w.pid, w.vendor, cursor);
      try {
        assert.equal(again.messages[0].reset, false);
        assert.ok(again.messages[0].changes.some((c: any) => c.id === missed));
      } finally {
        again.close();
      }
    });

    test('without a cursor the first message is the snapshot a pull would give', async () => {
      const s = await connect(live.url, w.pid, w.vendor);
      try {
        const pulled = await must(live.h.as(w.vendor).get(`/projects/${w.pid}/changes`), 200);
        assert.equal(s.messages[0].type, 'changes');
        assert.equal(s.messages[0].reset, true);
        assert.deepEqual(s.messages[0].snapshot.collections, pulled.snapshot.collections);
        assert.deepEqual(s.messages[0].snapshot.assets, pulled.snapshot.assets);
      } finally {
        s.close();
      }
    });

    test('a member never receives invisible items (Vendor vs a hidden collection)', async () => {
      const { h } = live;
      // Shared, but not assigned to the vendor: as invisible to it as the hidden collection.
      const othersShared = (await must(h.as(w.admin).post(`/projects/${w.pid}/collections`, { parentId: null, name: name('Others shared'), shared: true }), 201)).id;
      const vendor = await connect(live.url, w.pid, w.vendor);
      const admin = await connect(live.url, w.pid, w.admin);
      const artist = await connect(live.url, w.pid, w.artist);
      try {
        const sharedName = name('shared-prop');
        const sharedAsset = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: othersShared, name: sharedName }), 201)).id;
        const secretName = name('secret-shot');
        const secret = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.hidden, name: secretName, extension: 'exr', description: 'do not leak' }), 201)).id;
        const sub = (await must(h.as(w.admin).post(`/projects/${w.pid}/collections`, { parentId: w.hidden, name: name('secret-seq') }), 201)).id;
        await must(h.as(w.admin).patch(`/projects/${w.pid}/assets/${secret}`, { tags: ['x'] }), 200);
        // A control request on someone else's hidden task is not the vendor's business either.
        const task = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.hidden, name: name('secret-task'), kind: 'task', assigneeId: w.artist.userId }), 201)).id;
        const request = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets/${task}/control-requests`, {}), 201)).id;
        const marker = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.shared, name: name('marker') }), 201)).id;
        await vendor.next(changeOf('asset', marker));
        // The Admin sees everything (positive control).
        await admin.next(changeOf('asset', secret));
        await admin.next(changeOf('collection', sub));
        await artist.next(changeOf('asset', sharedAsset));
        const got = vendor.everything();
        assert.ok(!got.includes(othersShared) && !got.includes(sharedAsset) && !got.includes(sharedName), 'nor a shared collection not assigned to the vendor');
        assert.ok(!got.includes(secret), 'the hidden asset id never reaches the vendor');
        assert.ok(!got.includes(secretName) && !got.includes('do not leak'));
        assert.ok(!got.includes(sub), 'nor the hidden sub-collection');
        assert.ok(!got.includes(task) && !got.includes(request), 'nor a control request on a hidden task');
        await admin.next(changeOf('control_request', request));
      } finally {
        vendor.close();
        admin.close();
        artist.close();
      }
    });

    test('removals of invisible items never reach a socket: not a checkpoint, a dependency, an asset', async () => {
      const { h } = live;
      // Everything below lives in the hidden collection: the vendor sees none of it.
      const secret = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.hidden, name: name('secret-plate'), extension: 'exr' }), 201)).id;
      const other = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.hidden, name: name('secret-ref') }), 201)).id;
      const gone = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.hidden, name: name('secret-gone') }), 201)).id;
      const cp = (await commitFile(h, w.admin, w.pid, secret, Buffer.from('plate v1'))).checkpoint.id;
      const dep = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets/${secret}/dependencies`, { targetAssetId: other, dependencyType: 'uses' }), 201)).id;
      const vendor = await connect(live.url, w.pid, w.vendor);
      const admin = await connect(live.url, w.pid, w.admin);
      try {
        await must(h.as(w.admin).delete(`/projects/${w.pid}/checkpoints/${cp}`), 200);
        await must(h.as(w.admin).delete(`/projects/${w.pid}/dependencies/${dep}`), 200);
        await must(h.as(w.admin).delete(`/projects/${w.pid}/assets/${gone}`), 200);
        const marker = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.shared, name: name('marker') }), 201)).id;
        await vendor.next(changeOf('asset', marker));
        // The Admin, who saw them, hears of each removal, by id alone.
        const removal = await admin.next(changeOf('checkpoint', cp));
        assert.deepEqual(Object.keys(removal.changes.find((c: any) => c.id === cp)).sort(), ['change', 'entity', 'id', 'revision']);
        await admin.next(changeOf('dependency', dep));
        await admin.next(changeOf('asset', gone));
        const got = vendor.everything();
        for (const [what, id] of [['checkpoint', cp], ['dependency', dep], ['asset', secret], ['removed asset', gone], ['target', other]])
          assert.ok(!got.includes(id), `the vendor's socket names the hidden ${what}`);
      } finally {
        vendor.close();
        admin.close();
      }
    });

    test('a control request reaches the assignee; accepting it moves visibility (snapshot)', async () => {
      const { h } = live;
      const task = (await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.hidden, name: name('hero'), extension: 'blend', kind: 'task' }), 201)).id;
      const vendor = await connect(live.url, w.pid, w.vendor);
      try {
        const from = vendor.messages.length;
        await must(h.request('PUT', `/projects/${w.pid}/assets/${task}/assignee`, { token: w.admin.token, body: { assigneeId: w.vendor.userId } }), 200);
        // Visibility changed: the vendor gets the snapshot form, now holding the task.
        const snap = await vendor.next((m) => m.type === 'changes' && m.reset === true, WAIT, from);
        assert.ok(snap.snapshot.assets.some((a: any) => a.id === task));

        const request = await must(h.as(w.admin).post(`/projects/${w.pid}/assets/${task}/control-requests`, { message: 'may I?' }), 201);
        const m = await vendor.next(changeOf('control_request', request.id));
        const entry = m.changes.find((c: any) => c.id === request.id);
        assert.equal(entry.data.requesterId, w.admin.userId);
        assert.equal(entry.data.status, 'pending');

        const at = vendor.messages.length;
        await must(h.as(w.vendor).post(`/projects/${w.pid}/control-requests/${request.id}/accept`), 200);
        // The task left the vendor: the next message is a snapshot without it.
        const after = await vendor.next((m) => m.type === 'changes' && m.reset === true, WAIT, at);
        assert.ok(!after.snapshot.assets.some((a: any) => a.id === task));
      } finally {
        vendor.close();
      }
    });

    test('presence: members appear when they connect and disappear when they leave', async () => {
      const vendor = await connect(live.url, w.pid, w.vendor);
      try {
        await vendor.next(isPresence([w.vendor.userId]));
        const artist = await connect(live.url, w.pid, w.artist);
        await vendor.next(isPresence([w.vendor.userId, w.artist.userId]));
        await artist.next(isPresence([w.vendor.userId, w.artist.userId]));
        // A second socket of the same user changes nothing; closing one of two keeps them online.
        const artist2 = await connect(live.url, w.pid, w.artist);
        artist2.close();
        await artist2.closed;
        const at = vendor.messages.length;
        artist.close();
        await vendor.next(isPresence([w.vendor.userId]), WAIT, at);
      } finally {
        vendor.close();
      }
    });

    test('a removed member\'s socket closes with 4403; the others see the removal', async () => {
      const { h } = live;
      const leaver = await h.user(`${name('leaver')}@studio.test`);
      await must(h.as(w.admin).post(`/studios/${w.studioId}/invitations`, { emails: [leaver.email], role: 'member' }), 201);
      await must(h.as(w.admin).post(`/projects/${w.pid}/members`, { userIds: [leaver.userId], roleId: w.roles.artist }), 201);
      const s = await connect(live.url, w.pid, leaver);
      const vendor = await connect(live.url, w.pid, w.vendor);
      try {
        await must(h.as(w.admin).delete(`/projects/${w.pid}/members/${leaver.userId}`), 200);
        const closed = await Promise.race([s.closed, new Promise<null>((r) => setTimeout(() => r(null), WITHIN))]);
        assert.ok(closed, 'the socket closed within a second');
        assert.equal(closed.code, 4403);
        const m = await vendor.next(changeOf('member', leaver.userId));
        assert.equal(m.changes.find((c: any) => c.id === leaver.userId).change, 'remove');
      } finally {
        vendor.close();
      }
    });

    test('a deactivated account\'s socket closes with 4401 on the next event', async () => {
      const { h } = live;
      const gone = await h.user(`${name('gone')}@studio.test`);
      await must(h.as(w.admin).post(`/studios/${w.studioId}/invitations`, { emails: [gone.email], role: 'member' }), 201);
      await must(h.as(w.admin).post(`/projects/${w.pid}/members`, { userIds: [gone.userId], roleId: w.roles.artist }), 201);
      const s = await connect(live.url, w.pid, gone);
      const r = await h.as(w.admin).post(`/admin/users/${gone.userId}/deactivate`);
      assert.equal(r.status, 204, JSON.stringify(r.body));
      await must(h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.shared, name: name('after-deactivation') }), 201);
      const closed = await Promise.race([s.closed, new Promise<null>((r) => setTimeout(() => r(null), WITHIN))]);
      assert.ok(closed, 'the socket closed within a second');
      assert.equal(closed.code, 4401);
      assert.ok(!s.everything().includes('after-deactivation'), 'nothing was pushed after the account ended');
    });

    test('refusals happen before the upgrade', async () => {
      const { h } = live;
      assert.equal(await refused(live.url, w.pid, {}), 401, 'no credentials');
      assert.equal(await refused(live.url, w.pid, { authorization: `Bearer ${'x'.repeat(43)}` }), 401, 'unknown token');
      assert.equal(await refused(live.url, w.pid, { authorization: 'Basic abc' }), 401, 'malformed header');
      assert.equal(await refused(live.url, w.pid, { authorization: `Bearer ${w.outsider.token}` }), 404, 'studio member without a project seat');
      assert.equal(await refused(live.url, '00000000-0000-4000-8000-000000000000', { authorization: `Bearer ${w.vendor.token}` }), 404, 'unknown project');
      assert.equal(await refused(live.url, w.pid, { authorization: `Bearer ${w.vendor.token}` }, '?since=nonsense'), 400, 'bad cursor');
      assert.equal(await refused(live.url, w.pid, { authorization: `Bearer ${w.vendor.token}` }, '?token=abc'), 400, 'unknown query field');
      const plain = await h.as(w.vendor).get(`/projects/${w.pid}/events`);
      assert.equal(plain.status, 400, 'a plain GET is told to upgrade');

      // Browser session: the cookie works from this server's own pages, not from another origin.
      const login = await h.request('POST', '/auth/login', { body: { email: w.artist.email, password: 'correct horse battery', session: 'cookie' } });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      const cookie = (login.raw.cookies as { name: string; value: string }[]).find((c) => c.name === 'backlot_session')!;
      const cookieHeader = `backlot_session=${cookie.value}`;
      assert.equal(await refused(live.url, w.pid, { cookie: cookieHeader, origin: 'https://evil.example' }), 403, 'cross-origin cookie socket');
      const s = await connect(live.url, w.pid, { headers: { cookie: cookieHeader, origin: live.url } });
      s.close();
      // A bearer token smuggled into the cookie is no session.
      assert.equal(await refused(live.url, w.pid, { cookie: `backlot_session=${w.artist.token}` }), 401);
    });

    test('pings are answered; the socket closes with 1001 when the server stops', async () => {
      // A server of its own, so stopping it leaves the others alone.
      let url: string | undefined;
      let drop: (() => Promise<void>) | undefined;
      if (kind === 'postgres') ({ url, drop } = await freshPgDatabase('backlot_ev'));
      const other = await startLive(kind, url);
      try {
        const ow = await buildWorld(other);
        const s = await connect(other.url, ow.pid, ow.admin);
        s.ws.send(JSON.stringify({ type: 'ping' }));
        await s.next((m) => m.type === 'pong');
        await other.server.close();
        const closed = await s.closed;
        assert.equal(closed.code, 1001);
      } finally {
        await other.close().catch(() => {});
        await drop?.();
      }
    });

    if (kind === 'postgres') {
      test('two server apps on one database: a change through A reaches a socket on B (LISTEN/NOTIFY)', async () => {
        const b = await startLive(kind, new URL(live.server.deps.config.databaseUrl!).toString());
        try {
          const onB = await connect(b.url, w.pid, w.vendor);
          const onA = await connect(live.url, w.pid, w.artist);
          // Presence crosses processes too.
          await onB.next(isPresence([w.vendor.userId, w.artist.userId]));
          await onA.next(isPresence([w.vendor.userId, w.artist.userId]));
          const t0 = Date.now();
          const asset = (await must(live.h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.shared, name: name('cross') }), 201)).id;
          await onB.next(changeOf('asset', asset));
          assert.ok(Date.now() - t0 < WITHIN, `took ${Date.now() - t0} ms`);
          // Hidden items stay hidden across processes as well.
          const secret = (await must(live.h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.hidden, name: name('cross-secret') }), 201)).id;
          const marker = (await must(live.h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.shared, name: name('cross-marker') }), 201)).id;
          await onB.next(changeOf('asset', marker));
          assert.ok(!onB.everything().includes(secret));
          // A member removed through A loses the socket held on B.
          const at = onA.messages.length;
          onB.close();
          await onA.next(isPresence([w.artist.userId]), WAIT, at);
          const leaver = await live.h.user(`${name('xleaver')}@studio.test`);
          await must(live.h.as(w.admin).post(`/studios/${w.studioId}/invitations`, { emails: [leaver.email], role: 'member' }), 201);
          await must(live.h.as(w.admin).post(`/projects/${w.pid}/members`, { userIds: [leaver.userId], roleId: w.roles.artist }), 201);
          const leaverOnB = await connect(b.url, w.pid, leaver);
          await must(live.h.as(w.admin).delete(`/projects/${w.pid}/members/${leaver.userId}`), 200);
          const closed = await Promise.race([leaverOnB.closed, new Promise<null>((r) => setTimeout(() => r(null), WITHIN))]);
          assert.equal(closed?.code, 4403);
          onA.close();
        } finally {
          await b.close();
        }
      });

      test('the LISTEN connection comes back after the database drops it', async () => {
        const s = await connect(live.url, w.pid, w.vendor);
        try {
          const dbName = new URL(live.server.deps.config.databaseUrl!).pathname.slice(1);
          const admin = new pg.Client({ connectionString: process.env.BACKLOT_TEST_PG });
          await admin.connect();
          const killed = await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`, [dbName]);
          await admin.end();
          assert.ok(killed.rowCount! >= 1, 'a LISTEN backend was found');
          // A change made while nobody listens is caught up once the listener is back.
          const during = (await must(live.h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.shared, name: name('while-down') }), 201)).id;
          await s.next(changeOf('asset', during), 5_000);
          const afterwards = (await must(live.h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.shared, name: name('after-reconnect') }), 201)).id;
          await s.next(changeOf('asset', afterwards));
        } finally {
          s.close();
        }
      });

      test('a separate server process on the same database delivers changes made here', async () => {
        const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./events-child.ts', import.meta.url))], {
          env: { ...process.env, BACKLOT_DATABASE_URL: live.server.deps.config.databaseUrl },
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        try {
          const url = await new Promise<string>((resolve, reject) => {
            let out = '';
            child.stdout!.on('data', (d: Buffer) => {
              out += d.toString();
              const m = /LISTENING (\S+)/.exec(out);
              if (m) resolve(m[1]);
            });
            child.on('exit', (code) => reject(new Error(`the child server exited (${code})`)));
          });
          const onChild = await connect(url, w.pid, w.vendor);
          const here = await connect(live.url, w.pid, w.artist);
          await here.next(isPresence([w.vendor.userId, w.artist.userId]), 5_000);
          const t0 = Date.now();
          const asset = (await must(live.h.as(w.admin).post(`/projects/${w.pid}/assets`, { collectionId: w.shared, name: name('other-process') }), 201)).id;
          await onChild.next(changeOf('asset', asset));
          assert.ok(Date.now() - t0 < WITHIN, `took ${Date.now() - t0} ms`);
          // The child stopping says goodbye: its member drops out of presence here.
          const at = here.messages.length;
          child.stdin!.end();
          await onChild.closed;
          await here.next(isPresence([w.artist.userId]), 5_000, at);
          here.close();
        } finally {
          if (child.exitCode === null) {
            child.stdin!.end();
            await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5_000))]);
            if (child.exitCode === null) child.kill();
          }
        }
      });
    }
  });
}
