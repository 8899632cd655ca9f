// SCIM deprovisioning against real listening servers, over HTTP and WebSocket: a person with a
// live session, an access token and an open events socket is set `active: false`; the very next
// request with either credential is refused, the socket closes, their project seats go, and what
// they made stays with their name on it. Re-activation restores the seats the mappings give. With
// PostgreSQL (BACKLOT_TEST_PG) the IdP talks to one server process and the person to another on
// the same database: the second refuses at once too, and closes its socket.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { startServer, type StartedServer } from '../../src/server.js';
import type { DbKind } from '../../src/db/connect.js';
import { CaptureMailer, dbKinds, freshPgDatabase, Harness, TestClock, type Caller } from '@backlot/test-kit/harness';
import { must } from '@backlot/test-kit/production-world';

interface WsClient {
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: (code: number, reason: Buffer) => void): void;
  on(event: 'open', fn: () => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  close(): void;
}
const WebSocket = createRequire(import.meta.url)('ws') as new (url: string, opts?: { headers?: Record<string, string> }) => WsClient;

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** How long a socket may take to close (a busy machine); the close itself follows the SCIM answer at once. */
const WAIT = 3000;

interface Live { server: StartedServer; h: Harness; url: string; close(): Promise<void> }

async function startLive(databaseUrl?: string): Promise<Live> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backlot-scim-'));
  const config = loadConfig({ dataDir, port: 0, host: '127.0.0.1', ...(databaseUrl ? { databaseUrl } : {}) }, {});
  const clock = new TestClock();
  const mailer = new CaptureMailer();
  const server = await startServer(config, { clock, mailer, print: () => {}, logger: false });
  const h = new Harness(databaseUrl ? 'postgres' : 'sqlite', server.app, server.deps, clock, mailer, async () => {});
  return { server, h, url: server.url, async close() { await server.close(); rmSync(dataDir, { recursive: true, force: true }); } };
}

/** An events socket that has received its first message, and how it ended. */
async function openSocket(base: string, projectId: string, token: string) {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/projects/${projectId}/events`, { headers: { authorization: `Bearer ${token}` } });
  const closed = new Promise<{ code: number; at: number }>((resolve) => ws.on('close', (code) => resolve({ code, at: performance.now() })));
  await new Promise<void>((resolve, reject) => {
    ws.on('message', () => resolve());
    ws.on('error', reject);
  });
  return { ws, closed };
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms).unref())]);

async function http(base: string, method: string, path: string, token: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': contentType } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

for (const kind of dbKinds() as DbKind[]) {
  describe(`SCIM deprovisioning, live (${kind}${kind === 'postgres' ? ', two server processes' : ''})`, () => {
    let idp: Live, work: Live, drop: (() => Promise<void>) | null = null;
    let h: Harness, owner: Caller, studioId: string, projectId: string, collectionId: string, scimToken: string, groupId: string;
    const scim = (method: string, path: string, body?: unknown) => http(idp.url, method, `/scim/v2/${studioId}${path}`, scimToken, body, 'application/scim+json');
    const memberRole = async (userId: string) =>
      (await h.deps.db.selectFrom('project_members').select('role_id').where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst())?.role_id ?? null;

    before(async () => {
      if (kind === 'postgres') {
        const pgDb = await freshPgDatabase('backlot_scim');
        drop = pgDb.drop;
        idp = await startLive(pgDb.url);
        work = await startLive(pgDb.url);
      } else {
        idp = work = await startLive();
      }
      h = idp.h;
      owner = await h.setupAdmin('owner@studio.test');
      studioId = must(await h.as(owner).post('/studios', { name: 'Live studio', allowedEmailDomains: ['studio.test'] }), 201).id;
      projectId = must(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Show' }), 201).id;
      collectionId = must(await h.as(owner).post(`/projects/${projectId}/collections`, { parentId: null, name: 'Shots', shared: true }), 201).id;
      const roles = must(await h.as(owner).get(`/projects/${projectId}/roles`), 200).roles as any[];
      const pm = roles.find((r) => r.key === 'production_manager').id;
      must(await h.as(owner).post(`/studios/${studioId}/sso/mappings`, { group: 'show-crew', studioRole: 'member', projectRoles: [{ projectId, roleId: pm }] }), 201);
      scimToken = must(await h.as(owner).post(`/studios/${studioId}/scim/token`), 201).token;
      groupId = (await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'show-crew' })).body.id;
    });
    after(async () => {
      await idp.close();
      if (work !== idp) await work.close();
      await drop?.();
    });

    /** A studio member with a password, linked by SCIM and given the project through the group. */
    async function crewMember(email: string) {
      const person = await h.user(email);
      must(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: [email], role: 'member' }), 201);
      const linked = await scim('POST', '/Users', { schemas: [USER], userName: email, emails: [{ value: email, primary: true }], active: true });
      assert.equal(linked.status, 201, JSON.stringify(linked.body));
      assert.equal(linked.body.id, person.userId);
      assert.equal((await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: person.userId }] }] })).status, 200);
      assert.ok(await memberRole(person.userId));
      return person;
    }

    test('active:false: the next request with the session or the token is refused, the socket closes, the work stays', async () => {
      const dee = await crewMember('dee@studio.test');
      const pat = must(await h.as(dee).post('/auth/tokens', { name: 'farm', access: 'content' }), 201).token;
      const asset = must(await h.as(dee).post(`/projects/${projectId}/assets`, { collectionId, name: 'sh010' }), 201).id;
      // The person works against the other process (PostgreSQL) or the same one (SQLite).
      for (const t of [dee.token!, pat]) assert.equal((await http(work.url, 'GET', `/api/v1/projects/${projectId}/assets`, t)).status, 200);
      const socket = await openSocket(work.url, projectId, dee.token!);
      // She is also the only Admin of a second project: that seat stays (inert while suspended), so
      // nothing changes there and only the deprovisioning word can close this socket.
      const solo = must(await h.as(owner).post(`/studios/${studioId}/projects`, { name: 'Solo' }), 201).id;
      const soloAdmin = (must(await h.as(owner).get(`/projects/${solo}/roles`), 200).roles as any[]).find((r) => r.key === 'admin').id;
      must(await h.as(owner).post(`/projects/${solo}/members`, { userIds: [dee.userId], roleId: soloAdmin }), 201);
      must(await h.as(owner).delete(`/projects/${solo}/members/${owner.userId}`), 200);
      const soloSocket = await openSocket(work.url, solo, dee.token!);
      const soloRevision = Number((await h.deps.db.selectFrom('projects').select('revision').where('id', '=', solo).executeTakeFirstOrThrow()).revision);

      const off = await scim('PATCH', `/Users/${dee.userId}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
      const answered = performance.now();
      assert.equal(off.status, 200, JSON.stringify(off.body));
      // The very next request: refused, with the session and with the token, on any process.
      const next = await http(work.url, 'GET', `/api/v1/projects/${projectId}/assets`, dee.token!);
      assert.equal(next.status, 401, JSON.stringify(next.body));
      assert.equal((await http(work.url, 'GET', '/api/v1/auth/me', dee.token!)).status, 401);
      assert.equal((await http(work.url, 'GET', `/api/v1/projects/${projectId}/assets`, pat)).status, 401);
      assert.equal((await http(work.url, 'POST', `/api/v1/projects/${projectId}/assets`, pat, { collectionId, name: 'late' })).status, 401);
      const closed = await within(socket.closed, WAIT, 'the socket closing');
      assert.equal(closed.code, 4401, 'closed as an ended session');
      assert.ok(closed.at - answered < WAIT);
      assert.equal((await within(soloSocket.closed, WAIT, 'the other socket closing')).code, 4401);
      assert.equal(Number((await h.deps.db.selectFrom('projects').select('revision').where('id', '=', solo).executeTakeFirstOrThrow()).revision), soloRevision, 'nothing changed in that project');
      assert.ok(await h.deps.db.selectFrom('project_members').select('user_id').where('project_id', '=', solo).where('user_id', '=', dee.userId).executeTakeFirst(), 'the last Admin seat stays');

      // Project access removed; work and history keep their author.
      assert.equal(await memberRole(dee.userId), null);
      const kept = await h.deps.db.selectFrom('assets').select(['created_by', 'name']).where('id', '=', asset).executeTakeFirstOrThrow();
      assert.deepEqual(kept, { created_by: dee.userId, name: 'sh010' });
      const made = await h.deps.db.selectFrom('audit_log').select('actor_id').where('action', 'like', 'asset.%').where('target_id', '=', asset).execute();
      assert.ok(made.length && made.every((r) => r.actor_id === dee.userId));
      const dep = await h.deps.db.selectFrom('audit_log').select('after').where('action', '=', 'scim.user_deprovisioned').where('target_id', '=', dee.userId).executeTakeFirstOrThrow();
      assert.deepEqual({ ...JSON.parse(dep.after!), scimToken: undefined, projectsRemoved: undefined }, { cause: 'deactivated', reach: 'account', sessionsEnded: 1, tokensRevoked: 1, projectSeatsKept: [solo], scimToken: undefined, projectsRemoved: undefined });

      // Re-activated: the mappings give the seat back; the old session stays ended (sign in again).
      assert.equal((await scim('PATCH', `/Users/${dee.userId}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] })).status, 200);
      assert.ok(await memberRole(dee.userId));
      assert.equal((await http(work.url, 'GET', '/api/v1/auth/me', dee.token!)).status, 401);
      const login = await fetch(`${work.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: dee.email, password: 'correct horse battery' }) });
      const fresh = (await login.json()) as { token: string };
      assert.equal((await http(work.url, 'GET', `/api/v1/projects/${projectId}/assets`, fresh.token)).status, 200);
    });

    test('DELETE of someone who also works for another studio: this studio ends at once, the other goes on', async () => {
      const eve = await crewMember('eve@studio.test');
      const elsewhere = must(await h.as(eve).post('/studios', { name: 'Eve\'s own studio' }), 201).id;
      const socket = await openSocket(work.url, projectId, eve.token!);
      assert.equal((await scim('DELETE', `/Users/${eve.userId}`)).status, 204);
      assert.equal((await http(work.url, 'GET', `/api/v1/projects/${projectId}/assets`, eve.token!)).status, 404, 'this studio\'s project is gone for her');
      assert.equal((await http(work.url, 'GET', `/api/v1/studios/${studioId}`, eve.token!)).status, 404);
      assert.equal((await http(work.url, 'GET', `/api/v1/studios/${elsewhere}`, eve.token!)).status, 200, 'her other studio still works');
      assert.equal((await within(socket.closed, WAIT, 'the socket closing')).code, 4403, 'closed as lost access');
      assert.equal(await memberRole(eve.userId), null);
    });
  });
}
