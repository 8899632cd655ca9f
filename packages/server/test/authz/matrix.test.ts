// The authorization matrix: every studio and project route, called through the HTTP API by every
// kind of caller, compared with the hand-written table in ./expected.ts. Refusals must carry the
// `{ error: { code, message, details } }` shape, and every 403 answered to a signed-in caller must
// leave a `request.refused` entry in the studio audit log.
//
// Accounts (argon2, slow) are made once per database kind. Read-only rows share one fixture; every
// row that may change state (any non-GET, or a row with its own setup) gets a fresh studio +
// project built over HTTP from those accounts, so one row can never leak into another.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Caller, type Harness, type Reply } from '@backlot/test-kit/harness';
import {
  OK, PROJECT_ACTORS, PROJECT_EXPECTED, STUDIO_ACTORS, STUDIO_EXPECTED,
  type Outcome, type ProjectActorName, type ProjectOpName, type StudioOpName,
} from './expected.js';

// ---- people and fixtures -----------------------------------------------------------------------

/** Every account the matrix uses: the actors plus `target`, a plain member acted upon. */
type Person = Exclude<ProjectActorName, 'anonymous'> | 'target';
const PEOPLE: readonly Person[] = [
  'owner', 'admin', 'member', 'suspended', 'outsider',
  'Admin', 'ProductionManager', 'Supervisor', 'AssistantSupervisor', 'Artist', 'Vendor', 'target',
];

type RoleKey = 'admin' | 'production_manager' | 'supervisor' | 'assistant_supervisor' | 'artist' | 'vendor' | 'observer' | 'spare';

/** Project seats given in every fixture (the studio admin, who creates the project, then leaves it). */
const SEATS: readonly [RoleKey, Person[]][] = [
  ['admin', ['Admin']],
  ['production_manager', ['ProductionManager', 'suspended']],
  ['supervisor', ['Supervisor']],
  ['assistant_supervisor', ['AssistantSupervisor']],
  ['artist', ['Artist']],
  ['vendor', ['Vendor']],
  ['observer', ['target']],
];

interface Fixture {
  n: number;
  studioId: string;
  projectId: string;
  roleIds: Record<RoleKey, string>;
  /** A pending invitation (studio role `member`) for an address with no account. */
  invitationId: string;
}

interface World {
  h: Harness;
  users: Record<Person, Caller>;
  counter: number;
}

function must(r: Reply, status: number, what: string): Reply {
  if (r.status !== status) throw new Error(`fixture step "${what}" answered ${r.status} (wanted ${status}): ${JSON.stringify(r.body)}`);
  return r;
}

async function buildFixture(w: World): Promise<Fixture> {
  const { h, users: u } = w;
  const n = ++w.counter;
  const owner = h.as(u.owner);
  const admin = h.as(u.admin);

  const studioId = must(await owner.post('/studios', { name: `Authz studio ${n}` }), 201, 'create studio').body.id as string;
  const s = `/studios/${studioId}`;
  must(await owner.post(`${s}/invitations`, { emails: [u.admin.email], role: 'admin' }), 201, 'seat admin');
  const members: Person[] = ['member', 'suspended', 'target', 'Admin', 'ProductionManager', 'Supervisor', 'AssistantSupervisor', 'Artist', 'Vendor'];
  const seated = must(await owner.post(`${s}/invitations`, { emails: members.map((p) => u[p].email), role: 'member' }), 201, 'seat members');
  assert.deepEqual(seated.body.results.map((r: { outcome: string }) => r.outcome), members.map(() => 'added'));

  const projectId = must(await admin.post(`${s}/projects`, { name: 'Iwaju' }), 201, 'create project').body.id as string;
  const p = `/projects/${projectId}`;
  const roles = must(await admin.get(`${p}/roles`), 200, 'list roles').body.roles as { id: string; key: string }[];
  const roleIds = Object.fromEntries(roles.map((r) => [r.key, r.id])) as Record<RoleKey, string>;
  roleIds.observer = must(await admin.post(`${p}/roles`, { name: 'Observer', permissions: ['checkpoint.view'] }), 201, 'create Observer').body.id;
  roleIds.spare = must(await admin.post(`${p}/roles`, { name: 'Spare', permissions: [] }), 201, 'create Spare').body.id;
  for (const [key, people] of SEATS)
    must(await admin.post(`${p}/members`, { userIds: people.map((x) => u[x].userId), roleId: roleIds[key] }), 201, `seat ${people} as ${key}`);
  // The studio admin leaves, so neither studio owner nor studio admin holds a project seat.
  must(await admin.delete(`${p}/members/${u.admin.userId}`), 200, 'studio admin leaves the project');
  must(await owner.patch(`${s}/members/${u.suspended.userId}`, { status: 'suspended' }), 200, 'suspend');
  const inv = must(await owner.post(`${s}/invitations`, { emails: [`pending-${n}@authz.test`], role: 'member' }), 201, 'pending invitation');
  return { n, studioId, projectId, roleIds, invitationId: inv.body.results[0].invitationId };
}

// ---- operations --------------------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface OpCtx {
  w: World;
  fx: Fixture;
  actor: ProjectActorName;
  me: Caller | undefined;
}

interface Op {
  /** Method and route pattern exactly as registered (under /api/v1). */
  route: `${Method} /${string}`;
  /** Route parameters beyond :studioId and :projectId (which come from the fixture). */
  params?: (c: OpCtx) => Record<string, string>;
  query?: (c: OpCtx) => string;
  body?: (c: OpCtx) => unknown;
  /** State this row needs on top of the fixture, made by the studio owner; may return parameters. */
  setup?: (c: OpCtx) => Promise<Record<string, string> | void>;
}

const userParam = (p: Person) => (c: OpCtx) => ({ userId: c.w.users[p].userId });
const selfParam = (c: OpCtx) => ({ userId: (c.me ?? c.w.users.member).userId });
const roleParam = (k: RoleKey) => (c: OpCtx) => ({ roleId: c.fx.roleIds[k] });
const roleBody = (k: RoleKey) => (c: OpCtx) => ({ roleId: c.fx.roleIds[k] });

async function makeCoOwner(c: OpCtx) {
  must(await c.w.h.as(c.w.users.owner).patch(`/studios/${c.fx.studioId}/members/${c.w.users.target.userId}`, { role: 'owner' }), 200, 'make target a co-owner');
}
async function makeSecondAdmin(c: OpCtx) {
  must(await c.w.h.as(c.w.users.owner).patch(`/projects/${c.fx.projectId}/members/${c.w.users.target.userId}`, { roleId: c.fx.roleIds.admin }), 200, 'make target a second Admin');
}
async function ownerInvitation(c: OpCtx) {
  const r = must(await c.w.h.as(c.w.users.owner).post(`/studios/${c.fx.studioId}/invitations`, { emails: [`future-owner-${c.fx.n}@authz.test`], role: 'owner' }), 201, 'owner invitation');
  return { invitationId: r.body.results[0].invitationId as string };
}

const STUDIO_OPS: Record<StudioOpName, Op> = {
  'list my studios': { route: 'GET /studios' },
  'create a studio': { route: 'POST /studios', body: () => ({ name: 'Another studio' }) },
  'view studio': { route: 'GET /studios/:studioId' },
  'update studio settings': { route: 'PATCH /studios/:studioId', body: () => ({ name: 'Renamed studio' }) },
  'delete studio': { route: 'DELETE /studios/:studioId' },
  'list studio members': { route: 'GET /studios/:studioId/members' },
  'make a member admin': { route: 'PATCH /studios/:studioId/members/:userId', params: userParam('target'), body: () => ({ role: 'admin' }) },
  'make a member owner': { route: 'PATCH /studios/:studioId/members/:userId', params: userParam('target'), body: () => ({ role: 'owner' }) },
  'suspend a member': { route: 'PATCH /studios/:studioId/members/:userId', params: userParam('target'), body: () => ({ status: 'suspended' }) },
  'reactivate the suspended member': { route: 'PATCH /studios/:studioId/members/:userId', params: userParam('suspended'), body: () => ({ status: 'active' }) },
  'remove a member': { route: 'DELETE /studios/:studioId/members/:userId', params: userParam('target') },
  'demote the last owner': { route: 'PATCH /studios/:studioId/members/:userId', params: userParam('owner'), body: () => ({ role: 'member' }) },
  'suspend the last owner': { route: 'PATCH /studios/:studioId/members/:userId', params: userParam('owner'), body: () => ({ status: 'suspended' }) },
  'remove the last owner': { route: 'DELETE /studios/:studioId/members/:userId', params: userParam('owner') },
  'demote a co-owner': { route: 'PATCH /studios/:studioId/members/:userId', setup: makeCoOwner, params: userParam('target'), body: () => ({ role: 'member' }) },
  'remove a co-owner': { route: 'DELETE /studios/:studioId/members/:userId', setup: makeCoOwner, params: userParam('target') },
  'leave the studio (self)': { route: 'DELETE /studios/:studioId/members/:userId', params: selfParam },
  'invite as member': { route: 'POST /studios/:studioId/invitations', body: (c) => ({ emails: [`new-${c.fx.n}@authz.test`], role: 'member' }) },
  'invite as admin': { route: 'POST /studios/:studioId/invitations', body: (c) => ({ emails: [`new-${c.fx.n}@authz.test`], role: 'admin' }) },
  'invite as owner': { route: 'POST /studios/:studioId/invitations', body: (c) => ({ emails: [`new-${c.fx.n}@authz.test`], role: 'owner' }) },
  'list invitations': { route: 'GET /studios/:studioId/invitations' },
  'resend a member invitation': { route: 'POST /studios/:studioId/invitations/:invitationId/resend', params: (c) => ({ invitationId: c.fx.invitationId }) },
  'revoke a member invitation': { route: 'DELETE /studios/:studioId/invitations/:invitationId', params: (c) => ({ invitationId: c.fx.invitationId }) },
  'resend an owner invitation': { route: 'POST /studios/:studioId/invitations/:invitationId/resend', setup: ownerInvitation },
  'revoke an owner invitation': { route: 'DELETE /studios/:studioId/invitations/:invitationId', setup: ownerInvitation },
  'read studio audit log': { route: 'GET /studios/:studioId/audit' },
  'verify studio audit chain': { route: 'GET /studios/:studioId/audit/verify' },
  'list studio projects': { route: 'GET /studios/:studioId/projects' },
  'create a project': { route: 'POST /studios/:studioId/projects', body: () => ({ name: 'New project' }) },
};

const PROJECT_OPS: Record<ProjectOpName, Op> = {
  'view project': { route: 'GET /projects/:projectId' },
  'rename project': { route: 'PATCH /projects/:projectId', body: () => ({ name: 'Renamed project' }) },
  'archive project': { route: 'POST /projects/:projectId/archive' },
  'unarchive project': {
    route: 'POST /projects/:projectId/unarchive',
    setup: async (c) => { must(await c.w.h.as(c.w.users.owner).post(`/projects/${c.fx.projectId}/archive`), 200, 'archive'); },
  },
  'delete project': { route: 'DELETE /projects/:projectId' },
  'list project members': { route: 'GET /projects/:projectId/members' },
  'add a member as Production Manager': { route: 'POST /projects/:projectId/members', body: (c) => ({ userIds: [c.w.users.member.userId], roleId: c.fx.roleIds.production_manager }) },
  'add a member as Admin': { route: 'POST /projects/:projectId/members', body: (c) => ({ userIds: [c.w.users.member.userId], roleId: c.fx.roleIds.admin }) },
  'add a member as Artist': { route: 'POST /projects/:projectId/members', body: (c) => ({ userIds: [c.w.users.member.userId], roleId: c.fx.roleIds.artist }) },
  'change a member to Production Manager': { route: 'PATCH /projects/:projectId/members/:userId', params: userParam('target'), body: roleBody('production_manager') },
  'change a member to Admin': { route: 'PATCH /projects/:projectId/members/:userId', params: userParam('target'), body: roleBody('admin') },
  'demote the last Admin': { route: 'PATCH /projects/:projectId/members/:userId', params: userParam('Admin'), body: roleBody('production_manager') },
  'demote a second Admin': { route: 'PATCH /projects/:projectId/members/:userId', setup: makeSecondAdmin, params: userParam('target'), body: roleBody('production_manager') },
  'remove a member': { route: 'DELETE /projects/:projectId/members/:userId', params: userParam('target') },
  'remove the last Admin': { route: 'DELETE /projects/:projectId/members/:userId', params: userParam('Admin') },
  'remove a second Admin': { route: 'DELETE /projects/:projectId/members/:userId', setup: makeSecondAdmin, params: userParam('target') },
  'leave the project (self)': { route: 'DELETE /projects/:projectId/members/:userId', params: selfParam },
  'list roles': { route: 'GET /projects/:projectId/roles' },
  'create a role': { route: 'POST /projects/:projectId/roles', body: () => ({ name: 'Lighting', permissions: ['checkpoint.view'] }) },
  'edit a custom role': { route: 'PATCH /projects/:projectId/roles/:roleId', params: roleParam('observer'), body: () => ({ name: 'Watcher' }) },
  'edit the Admin role': { route: 'PATCH /projects/:projectId/roles/:roleId', params: roleParam('admin'), body: () => ({ name: 'Boss' }) },
  'delete an unused custom role': { route: 'DELETE /projects/:projectId/roles/:roleId', params: roleParam('spare') },
  'delete a role in use, no replacement': { route: 'DELETE /projects/:projectId/roles/:roleId', params: roleParam('observer') },
  'delete the Admin role': { route: 'DELETE /projects/:projectId/roles/:roleId', params: roleParam('admin') },
  'read project audit log': { route: 'GET /projects/:projectId/audit' },
};

// ---- rows --------------------------------------------------------------------------------------

interface Row {
  name: string;
  op: Op;
  actor: ProjectActorName;
  expected: Outcome;
}

const rows: Row[] = [
  ...Object.entries(STUDIO_EXPECTED).flatMap(([name, outcomes]) =>
    STUDIO_ACTORS.map((actor, i) => ({ name, op: STUDIO_OPS[name as StudioOpName], actor, expected: outcomes[i] as Outcome }))),
  ...Object.entries(PROJECT_EXPECTED).flatMap(([name, outcomes]) =>
    PROJECT_ACTORS.map((actor, i) => ({ name, op: PROJECT_OPS[name as ProjectOpName], actor, expected: outcomes[i] as Outcome }))),
];

const ERROR_CODE: Record<Exclude<Outcome, typeof OK>, string> = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict' };

function checkOutcome(where: string, expected: Outcome, r: Reply) {
  const is2xx = r.status >= 200 && r.status < 300;
  const wanted = expected === OK ? '2xx' : String(expected);
  assert.ok(expected === OK ? is2xx : r.status === expected, `${where}: expected ${wanted}, got ${r.status}: ${JSON.stringify(r.body)}`);
  if (is2xx) return;
  const e = r.body?.error;
  assert.ok(
    e && typeof e.code === 'string' && typeof e.message === 'string' && e.details && typeof e.details === 'object' && !Array.isArray(e.details),
    `${where}: error body is not { error: { code, message, details } }: ${JSON.stringify(r.body)}`,
  );
  assert.equal(e.code, ERROR_CODE[expected as Exclude<Outcome, typeof OK>], `${where}: error code for ${r.status}: ${JSON.stringify(r.body)}`);
}

/** Newest request.refused sequence number in a studio's audit log (0 when none), read by its owner. */
async function lastRefusalSeq(w: World, studioId: string): Promise<number> {
  const r = must(await w.h.as(w.users.owner).get(`/studios/${studioId}/audit?action=request.refused&limit=1`), 200, 'read refusals');
  return r.body.entries[0]?.seq ?? 0;
}

async function checkRefusalAudited(where: string, w: World, studioId: string, since: number, me: Caller, method: string, pattern: string) {
  const r = must(await w.h.as(w.users.owner).get(`/studios/${studioId}/audit?action=request.refused&actor=${me.userId}&limit=20`), 200, 'read refusals');
  const route = `${method} /api/v1${pattern}`;
  const fresh = (r.body.entries as { seq: number; targetId: string; after: { code?: string } | null }[]).filter((e) => e.seq > since);
  const hit = fresh.find((e) => e.targetId === route);
  assert.ok(hit, `${where}: 403 but no request.refused audit entry for ${route} by this caller (new entries: ${JSON.stringify(fresh)})`);
  assert.equal(hit.after?.code, 'forbidden', `${where}: audited refusal should record code forbidden: ${JSON.stringify(hit)}`);
}

async function runRow(w: World, shared: Fixture, row: Row) {
  const { op, actor, expected } = row;
  const [method, pattern] = op.route.split(' ') as [Method, string];
  const fx = method === 'GET' && !op.setup ? shared : await buildFixture(w);
  const me = actor === 'anonymous' ? undefined : w.users[actor];
  const c: OpCtx = { w, fx, actor, me };
  const extra = (await op.setup?.(c)) ?? {};
  const params: Record<string, string> = { studioId: fx.studioId, projectId: fx.projectId, ...op.params?.(c), ...extra };
  const path = pattern.replace(/:(\w+)/g, (_, k: string) => {
    if (!(k in params)) throw new Error(`no value for :${k} in ${op.route}`);
    return params[k];
  }) + (op.query ? `?${op.query(c)}` : '');
  const audited = expected === 403 && me !== undefined;
  const since = audited ? await lastRefusalSeq(w, fx.studioId) : 0;
  const body = op.body?.(c) ?? (method === 'POST' ? {} : undefined);
  const r = await w.h.request(method, path, { token: me?.token, body });
  const where = `${row.name} [${op.route}] as ${actor}`;
  checkOutcome(where, expected, r);
  if (audited) await checkRefusalAudited(where, w, fx.studioId, since, me, method, pattern);
}

// ---- the suites --------------------------------------------------------------------------------

for (const kind of dbKinds()) {
  describe(`authorization matrix (${kind})`, () => {
    let w: World;
    let shared: Fixture;

    before(async () => {
      const h = await createHarness(kind);
      const users = {} as Record<Person, Caller>;
      // Project-role holders get a `role-` prefix: `Admin` and `admin` are different people.
      for (const p of PEOPLE) users[p] = await h.user(`${/^[A-Z]/.test(p) ? 'role-' : ''}${p.toLowerCase()}@authz.test`, p);
      w = { h, users, counter: 0 };
      // The outsider is somebody elsewhere: the owner of another studio.
      must(await h.as(users.outsider).post('/studios', { name: 'Elsewhere' }), 201, 'outsider studio');
      shared = await buildFixture(w);
    });
    after(async () => { await w?.h.close(); });

    for (const row of rows) {
      const label = row.expected === OK ? '2xx' : String(row.expected);
      test(`${row.name} [${row.op.route}] as ${row.actor} → ${label}`, () => runRow(w, shared, row));
    }

    test('lists disclose only what the caller may see', async () => {
      const { h, users: u } = w;
      const studiosOf = async (p: Person) => (must(await h.as(u[p]).get('/studios'), 200, 'list studios').body.studios as { id: string }[]).map((s) => s.id);
      assert.ok((await studiosOf('member')).includes(shared.studioId), 'an active member lists the studio');
      assert.ok(!(await studiosOf('outsider')).includes(shared.studioId), 'an outsider must not list the studio');
      assert.ok(!(await studiosOf('suspended')).includes(shared.studioId), 'a suspended member must not list the studio');
      const projectsOf = async (p: Person) =>
        (must(await h.as(u[p]).get(`/studios/${shared.studioId}/projects`), 200, 'list projects').body.projects as { id: string }[]).map((x) => x.id);
      assert.deepEqual(await projectsOf('member'), [], 'a studio seat grants no project: the member lists no projects');
      for (const p of ['owner', 'admin', 'Artist', 'Vendor'] as const)
        assert.deepEqual(await projectsOf(p), [shared.projectId], `${p} lists the project`);
    });
  });
}
