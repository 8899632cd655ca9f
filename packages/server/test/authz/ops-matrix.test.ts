// The authorization matrix for production operations: every operation of
// core's operation catalogue (packages/core/src/contract/ops) × the six default project roles × (assigned / visible /
// invisible target), through the REST routes, compared with the hand-written table in
// ./ops-expected.ts. A sample of rows is also sent through the sync push (POST
// /projects/:id/ops), which must answer the same. Besides the outcome:
// - refusals carry `{ error: { code, message, details } }` and the code of their status;
// - every 403 leaves a `request.refused` (REST) or `sync.op_refused` (push) audit entry;
// - a target the caller cannot see answers exactly like an unknown id (the row is sent again with
//   a random id in its place).
//
// Fixtures: accounts (argon2, slow) and one project are made once per database kind. The project
// holds a shared collection S and a hidden collection H; every case builds its own fresh target
// inside them (a few requests by the project's setup Admin), so cases never see each other's
// changes and no case needs a fresh studio.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createHarness, dbKinds, type Caller, type Harness, type Reply } from '@backlot/test-kit/harness';
import {
  ASSIGNED_ONLY, NOT_COVERED, OK, PLAIN_EXPECTED, ROLES, SEES_ALL_ASSETS, SEES_ALL_COLLECTIONS, TARGETED_EXPECTED, TARGETS,
  type Outcome, type PlainOpName, type RoleName, type TargetName, type TargetedOpName,
} from './ops-expected.js';
import { commitFile, prose, raw } from '@backlot/test-kit/content-world';
import { encodeChunk } from '@backlot/storage';

// ---- world -------------------------------------------------------------------------------------

/** `boss`: studio owner and the project's setup Admin; `other`, `third`: Artists acted upon. */
type Person = RoleName | 'boss' | 'other' | 'third';
const PEOPLE: readonly Person[] = [...ROLES, 'boss', 'other', 'third'];

/**
 * Each person's own chunk (1 byte): a checkpoint may only list chunks the server holds for its
 * author (uploaded by them, or listed by a checkpoint they may download).
 */
const rawChunkOf = (p: Person) => Buffer.from([PEOPLE.indexOf(p)]);
const chunkOf = (p: Person) => createHash('sha256').update(rawChunkOf(p)).digest('hex');
const ROLE_KEY: Record<RoleName, string> = {
  Admin: 'admin', ProductionManager: 'production_manager', Supervisor: 'supervisor',
  AssistantSupervisor: 'assistant_supervisor', Artist: 'artist', Vendor: 'vendor',
};

interface World {
  h: Harness;
  users: Record<Person, Caller>;
  studioId: string;
  projectId: string;
  /** S: shared; H: hidden (not shared, not assigned). */
  S: string;
  H: string;
  statuses: Record<'todo' | 'wip' | 'wfa' | 'retake' | 'done' | 'approved', string>;
  n: number;
}

/**
 * Makes each person's chunk present for them, as if they had uploaded it. Seeded in the store and
 * the database: uploads are the content suite's business, not the matrix's (a database without
 * the content tables needs no seeding).
 */
async function seedChunks(h: Harness, projectId: string, users: Record<Person, Caller>) {
  const at = h.clock.now().toISOString();
  const store = h.deps.chunks.store(projectId);
  for (const p of Object.keys(users) as Person[]) await store.put(chunkOf(p), encodeChunk(rawChunkOf(p)));
  try {
    await (h.deps.db as any).insertInto('project_chunks').values(Object.entries(users).map(([p, u]) => ({
      project_id: projectId, chunk_id: chunkOf(p as Person), size: 1, stored_size: 1, created_at: at, created_by: u.userId,
    }))).execute();
  } catch (err) {
    if (!/no such table|does not exist/.test((err as Error).message)) throw err;
  }
}

function must(r: Reply, status: number, what: string): any {
  if (r.status !== status) throw new Error(`fixture step "${what}" answered ${r.status} (wanted ${status}): ${JSON.stringify(r.body)}`);
  return r.body;
}

async function buildWorld(h: Harness): Promise<World> {
  const people: Person[] = ['boss', ...ROLES, 'other', 'third'];
  const users = {} as Record<Person, Caller>;
  for (const p of people) users[p] = await h.user(`ops-${p.toLowerCase()}@authz.test`, p);
  const boss = h.as(users.boss);
  const studioId = must(await boss.post('/studios', { name: 'Ops matrix studio' }), 201, 'studio').id as string;
  const members = people.filter((p) => p !== 'boss');
  must(await boss.post(`/studios/${studioId}/invitations`, { emails: members.map((p) => users[p].email), role: 'member' }), 201, 'seat members');
  // The creator (boss) becomes the project's first Admin.
  const projectId = must(await boss.post(`/studios/${studioId}/projects`, { name: 'Ops matrix' }), 201, 'project').id as string;
  const p = `/projects/${projectId}`;
  const roles = must(await boss.get(`${p}/roles`), 200, 'roles').roles as { id: string; key: string }[];
  const roleId = (key: string) => roles.find((r) => r.key === key)!.id;
  for (const role of ROLES) must(await boss.post(`${p}/members`, { userIds: [users[role].userId], roleId: roleId(ROLE_KEY[role]) }), 201, `seat ${role}`);
  must(await boss.post(`${p}/members`, { userIds: [users.other.userId, users.third.userId], roleId: roleId('artist') }), 201, 'seat other, third');
  await seedChunks(h, projectId, users);
  const S = must(await boss.post(`${p}/collections`, { parentId: null, name: 'Shared', shared: true }), 201, 'S').id as string;
  const H = must(await boss.post(`${p}/collections`, { parentId: null, name: 'Hidden' }), 201, 'H').id as string;
  // A project's own status in the done category: the rules look at categories, not names.
  const approved = must(await boss.post(`${p}/statuses`, { name: 'Approved', shortLabel: 'OK', color: '#10b981', category: 'done' }), 201, 'Approved').id as string;
  const snap = must(await boss.get(`${p}/changes`), 200, 'snapshot').snapshot;
  const byKey = Object.fromEntries((snap.statuses as { id: string; key: string | null }[]).filter((s) => s.key).map((s) => [s.key, s.id]));
  for (const k of ['todo', 'wip', 'wfa', 'retake', 'done']) assert.ok(byKey[k], `built-in status ${k}`);
  return { h, users, studioId, projectId, S, H, statuses: { ...byKey, approved } as World['statuses'], n: 0 };
}

// ---- operations and their REST form ------------------------------------------------------------

type Op = { type: string } & Record<string, unknown>;
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** The REST route for an operation, as packages/server/src/http/routes/production.ts registers it. */
function restOf(projectId: string, op: Op): { method: Method; pattern: string; path: string; body?: unknown } {
  const { type, ...f } = op;
  const omit = (...keys: string[]) => Object.fromEntries(Object.entries(f).filter(([k]) => !keys.includes(k)));
  const r = (method: Method, pattern: string, params: Record<string, unknown>, body?: unknown, query = '') => ({
    method, pattern, body: body ?? (method === 'POST' || method === 'PUT' || method === 'PATCH' ? {} : undefined),
    path: pattern.replace(':projectId', projectId).replace(/:(\w+)/g, (_, k: string) => String(params[k])) + query,
  });
  switch (type) {
    case 'settings.update': return r('PATCH', '/projects/:projectId/settings', {}, f);
    case 'status.create': return r('POST', '/projects/:projectId/statuses', {}, f);
    case 'status.update': return r('PATCH', '/projects/:projectId/statuses/:statusId', { statusId: f.id }, omit('id'));
    case 'status.delete': return r('DELETE', '/projects/:projectId/statuses/:statusId', { statusId: f.id }, undefined, `?replacementId=${f.replacementId}`);
    case 'collection.create': return r('POST', '/projects/:projectId/collections', {}, f);
    case 'collection.update': return r('PATCH', '/projects/:projectId/collections/:collectionId', { collectionId: f.id }, omit('id'));
    case 'collection.assign': return r('PUT', '/projects/:projectId/collections/:collectionId/assignee', { collectionId: f.id }, omit('id'));
    case 'collection.delete': return r('DELETE', '/projects/:projectId/collections/:collectionId', { collectionId: f.id });
    case 'asset.create': return r('POST', '/projects/:projectId/assets', {}, f);
    case 'asset.update': return r('PATCH', '/projects/:projectId/assets/:assetId', { assetId: f.id }, omit('id'));
    case 'asset.delete': return r('DELETE', '/projects/:projectId/assets/:assetId', { assetId: f.id });
    case 'dependency.add': return r('POST', '/projects/:projectId/assets/:assetId/dependencies', f, omit('assetId'));
    case 'dependency.remove': return r('DELETE', '/projects/:projectId/dependencies/:dependencyId', { dependencyId: f.id });
    case 'task.assign': return r('PUT', '/projects/:projectId/assets/:assetId/assignee', f, omit('assetId'));
    case 'task.status': return r('PUT', '/projects/:projectId/assets/:assetId/status', f, omit('assetId'));
    case 'checkpoint.create': return r('POST', '/projects/:projectId/assets/:assetId/checkpoints', f, omit('assetId'));
    case 'checkpoint.delete': return r('DELETE', '/projects/:projectId/checkpoints/:checkpointId', { checkpointId: f.id });
    case 'checkpoint.revert': return r('POST', '/projects/:projectId/checkpoints/:checkpointId/revert', { checkpointId: f.id }, omit('id'));
    case 'control.request': return r('POST', '/projects/:projectId/assets/:assetId/control-requests', f, omit('assetId'));
    case 'control.accept':
    case 'control.decline':
    case 'control.cancel':
      return r('POST', `/projects/:projectId/control-requests/:requestId/${type.split('.')[1]}`, f);
    case 'control.handoff': return r('POST', '/projects/:projectId/assets/:assetId/handoff', f, omit('assetId'));
    case 'trash.restore': return r('POST', '/projects/:projectId/trash/:itemId/restore', { itemId: f.id });
    case 'trash.purge': return r('DELETE', '/projects/:projectId/trash/:itemId', { itemId: f.id });
  }
  throw new Error(`no REST route known for ${type}`);
}

// ---- fresh targets, made by the setup Admin ----------------------------------------------------

interface Ctx {
  w: World;
  role: RoleName;
  me: Caller;
}

type Params = Record<string, string>;
/** Who holds a visible/invisible target: another member, or nobody. */
type Holder = 'other' | null;

const uniq = (w: World, p: string) => `${p}-${++w.n}`;
const api = (c: Ctx, who: Person = 'boss') => c.w.h.as(c.w.users[who]);
const put = (c: Ctx, path: string, body: unknown, who: Person = 'boss') => c.w.h.request('PUT', path, { token: c.w.users[who].token, body });
const P = (c: Ctx) => `/projects/${c.w.projectId}`;

async function newCollection(c: Ctx, parentId: string, assigneeId: string | null = null): Promise<string> {
  const id = must(await api(c).post(`${P(c)}/collections`, { parentId, name: uniq(c.w, 'col') }), 201, 'collection').id as string;
  if (assigneeId) must(await put(c, `${P(c)}/collections/${id}/assignee`, { assigneeId }), 200, 'assign collection');
  return id;
}

async function newAsset(c: Ctx, collectionId: string, kind: 'task' | 'resource', assigneeId: string | null = null): Promise<string> {
  const body = { collectionId, name: uniq(c.w, kind), extension: 'blend', kind, ...(assigneeId ? { assigneeId } : {}) };
  return must(await api(c).post(`${P(c)}/assets`, body), 201, `${kind}`).id as string;
}

const userId = (c: Ctx, p: Person) => c.w.users[p].userId;
const holderId = (c: Ctx, h: Holder) => (h ? userId(c, h) : null);

/** A collection for the target column: assigned to the actor (inside H), inside S, or inside H. */
function collectionFor(c: Ctx, t: TargetName, holder: Holder = null) {
  if (t === 'assigned') return newCollection(c, c.w.H, c.me.userId);
  return newCollection(c, t === 'visible' ? c.w.S : c.w.H, holderId(c, holder));
}

/** A task for the target column: the actor's own (inside H), or inside S / H held by `holder`. */
function taskFor(c: Ctx, t: TargetName, holder: Holder = null) {
  if (t === 'assigned') return newAsset(c, c.w.H, 'task', c.me.userId);
  return newAsset(c, t === 'visible' ? c.w.S : c.w.H, 'task', holderId(c, holder));
}

/** The holder of a target task: the actor for `assigned`, else `holder`. */
const holderOf = (c: Ctx, t: TargetName, holder: Holder) => (t === 'assigned' ? c.me.userId : holderId(c, holder));

/** A task with one checkpoint, then held as taskFor would hold it (only an assignee checkpoints). */
async function checkpointedTask(c: Ctx, t: TargetName, holder: Holder): Promise<Params> {
  const assetId = await newAsset(c, t === 'visible' ? c.w.S : c.w.H, 'task', userId(c, 'boss'));
  const cp = must(await api(c).post(`${P(c)}/assets/${assetId}/checkpoints`, { fileHash: chunkOf('boss'), size: 1, chunks: [chunkOf('boss')] }), 201, 'checkpoint').id as string;
  must(await put(c, `${P(c)}/assets/${assetId}/assignee`, { assigneeId: holderOf(c, t, holder) }), 200, 'hand the task over');
  return { assetId, checkpointId: cp };
}

/** A task held by the actor (assigned) or `other`, with a pending control request by the boss. */
async function requestedTask(c: Ctx, t: TargetName): Promise<Params> {
  const assetId = await taskFor(c, t, 'other');
  const requestId = must(await api(c).post(`${P(c)}/assets/${assetId}/control-requests`, {}), 201, 'control request').id as string;
  return { assetId, requestId };
}

// ---- the operations of the matrix ---------------------------------------------------------------

interface Variant {
  /** Which visibility governs the target: decides when "invisible" really is invisible. */
  kind: 'asset' | 'collection';
  setup(c: Ctx, t: TargetName): Promise<Params>;
  op(c: Ctx, p: Params): Op;
  /** The parameter naming the target, replaced by a random id for the "like unknown" check. */
  primary: string;
}

/** A one-chunk checkpoint of the actor's own chunk. */
const checkpointOp = (c: Ctx, assetId: string): Op => ({ type: 'checkpoint.create', assetId, fileHash: chunkOf(c.role), size: 1, chunks: [chunkOf(c.role)] });

const statusVariant = (to: keyof World['statuses']): Variant => ({
  kind: 'asset', primary: 'assetId',
  async setup(c, t) {
    const assetId = await taskFor(c, t, 'other');
    // A real change: tasks start in Todo, so "into todo" starts from WIP.
    if (to === 'todo') must(await put(c, `${P(c)}/assets/${assetId}/status`, { statusId: c.w.statuses.wip }), 200, 'to WIP');
    return { assetId };
  },
  op: (c, p) => ({ type: 'task.status', assetId: p.assetId, statusId: c.w.statuses[to] }),
});

const VARIANTS: Record<TargetedOpName, Variant> = {
  'collection.create (in target)': {
    kind: 'collection', primary: 'parentId',
    setup: async (c, t) => ({ parentId: await collectionFor(c, t) }),
    op: (c, p) => ({ type: 'collection.create', parentId: p.parentId, name: uniq(c.w, 'new-col') }),
  },
  'collection.update (rename)': {
    kind: 'collection', primary: 'id',
    setup: async (c, t) => ({ id: await collectionFor(c, t) }),
    op: (c, p) => ({ type: 'collection.update', id: p.id, name: uniq(c.w, 'renamed-col') }),
  },
  'collection.assign (to another member)': {
    kind: 'collection', primary: 'id',
    setup: async (c, t) => ({ id: await collectionFor(c, t, null) }),
    op: (c, p) => ({ type: 'collection.assign', id: p.id, assigneeId: userId(c, 'other') }),
  },
  'collection.assign (unassign)': {
    kind: 'collection', primary: 'id',
    setup: async (c, t) => ({ id: await collectionFor(c, t, 'other') }),
    op: (_c, p) => ({ type: 'collection.assign', id: p.id, assigneeId: null }),
  },
  'collection.delete': {
    kind: 'collection', primary: 'id',
    setup: async (c, t) => ({ id: await collectionFor(c, t) }),
    op: (_c, p) => ({ type: 'collection.delete', id: p.id }),
  },
  'asset.create (in target)': {
    kind: 'collection', primary: 'collectionId',
    setup: async (c, t) => ({ collectionId: await collectionFor(c, t) }),
    op: (c, p) => ({ type: 'asset.create', collectionId: p.collectionId, name: uniq(c.w, 'new-asset'), extension: 'png' }),
  },
  'asset.create (a task assigned to another member)': {
    kind: 'collection', primary: 'collectionId',
    setup: async (c, t) => ({ collectionId: await collectionFor(c, t) }),
    op: (c, p) => ({ type: 'asset.create', collectionId: p.collectionId, name: uniq(c.w, 'new-task'), kind: 'task', assigneeId: userId(c, 'other') }),
  },
  'asset.update (rename)': {
    kind: 'asset', primary: 'id',
    setup: async (c, t) => ({ id: await taskFor(c, t) }),
    op: (c, p) => ({ type: 'asset.update', id: p.id, name: uniq(c.w, 'renamed') }),
  },
  'asset.delete': {
    kind: 'asset', primary: 'id',
    setup: async (c, t) => ({ id: await taskFor(c, t) }),
    op: (_c, p) => ({ type: 'asset.delete', id: p.id }),
  },
  'dependency.add (from target)': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t), targetAssetId: await newAsset(c, c.w.S, 'resource') }),
    op: (_c, p) => ({ type: 'dependency.add', assetId: p.assetId, targetAssetId: p.targetAssetId, dependencyType: 'uses' }),
  },
  'dependency.add (onto target)': {
    kind: 'asset', primary: 'targetAssetId',
    setup: async (c, t) => ({ assetId: await newAsset(c, c.w.S, 'resource'), targetAssetId: await taskFor(c, t) }),
    op: (_c, p) => ({ type: 'dependency.add', assetId: p.assetId, targetAssetId: p.targetAssetId, dependencyType: 'references' }),
  },
  'dependency.remove (from target)': {
    kind: 'asset', primary: 'id',
    async setup(c, t) {
      const assetId = await taskFor(c, t);
      const targetAssetId = await newAsset(c, c.w.S, 'resource');
      return { id: must(await api(c).post(`${P(c)}/assets/${assetId}/dependencies`, { targetAssetId, dependencyType: 'uses' }), 201, 'dependency').id };
    },
    op: (_c, p) => ({ type: 'dependency.remove', id: p.id }),
  },
  'task.assign (to another member)': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t, null) }),
    op: (c, p) => ({ type: 'task.assign', assetId: p.assetId, assigneeId: userId(c, 'other') }),
  },
  'task.assign (unassign)': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t, 'other') }),
    op: (_c, p) => ({ type: 'task.assign', assetId: p.assetId, assigneeId: null }),
  },
  'task.assign (self-assign an unassigned task)': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t, null) }),
    op: (c, p) => ({ type: 'task.assign', assetId: p.assetId, assigneeId: c.me.userId }),
  },
  'task.assign (take over)': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t, 'other') }),
    op: (c, p) => ({ type: 'task.assign', assetId: p.assetId, assigneeId: c.me.userId }),
  },
  'task.status (into todo)': statusVariant('todo'),
  'task.status (into active)': statusVariant('wip'),
  'task.status (into review)': statusVariant('wfa'),
  'task.status (into retake)': statusVariant('retake'),
  'task.status (into done)': statusVariant('done'),
  'task.status (into a custom done-category status)': statusVariant('approved'),
  'checkpoint.create (task)': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t, 'other') }),
    op: (c, p) => checkpointOp(c, p.assetId),
  },
  'checkpoint.create (unassigned task)': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t, null) }),
    op: (c, p) => checkpointOp(c, p.assetId),
  },
  'checkpoint.create (resource)': {
    kind: 'asset', primary: 'assetId',
    async setup(c, t) {
      const place = t === 'assigned' ? await newCollection(c, c.w.H, c.me.userId) : t === 'visible' ? c.w.S : c.w.H;
      return { assetId: await newAsset(c, place, 'resource') };
    },
    op: (c, p) => checkpointOp(c, p.assetId),
  },
  'checkpoint.create (setting a done status)': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t, 'other') }),
    op: (c, p) => ({ ...checkpointOp(c, p.assetId), statusId: c.w.statuses.done }),
  },
  'checkpoint.delete': {
    kind: 'asset', primary: 'checkpointId',
    setup: (c, t) => checkpointedTask(c, t, 'other'),
    op: (_c, p) => ({ type: 'checkpoint.delete', id: p.checkpointId }),
  },
  'checkpoint.revert': {
    kind: 'asset', primary: 'checkpointId',
    setup: (c, t) => checkpointedTask(c, t, 'other'),
    op: (_c, p) => ({ type: 'checkpoint.revert', id: p.checkpointId }),
  },
  'control.request': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t, 'other') }),
    op: (_c, p) => ({ type: 'control.request', assetId: p.assetId, message: 'may I?' }),
  },
  'control.request (unassigned task)': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t, null) }),
    op: (_c, p) => ({ type: 'control.request', assetId: p.assetId }),
  },
  'control.accept': {
    kind: 'asset', primary: 'requestId',
    setup: (c, t) => requestedTask(c, t),
    op: (_c, p) => ({ type: 'control.accept', requestId: p.requestId }),
  },
  'control.decline': {
    kind: 'asset', primary: 'requestId',
    setup: (c, t) => requestedTask(c, t),
    op: (_c, p) => ({ type: 'control.decline', requestId: p.requestId }),
  },
  'control.accept (a request already declined)': {
    kind: 'asset', primary: 'requestId',
    async setup(c, t) {
      const p = await requestedTask(c, t);
      // The holder (the actor, or `other`) declines first.
      const holder: Person = t === 'assigned' ? c.role : 'other';
      must(await api(c, holder).post(`${P(c)}/control-requests/${p.requestId}/decline`), 200, 'decline');
      return p;
    },
    op: (_c, p) => ({ type: 'control.accept', requestId: p.requestId }),
  },
  'control.cancel': {
    kind: 'asset', primary: 'requestId',
    async setup(c, t) {
      if (t !== 'assigned') return requestedTask(c, t);
      // The actor's own request, for a task held by `other` that the actor sees through a
      // collection assigned to them (the shared collection would not do for the Vendor).
      const assetId = await newAsset(c, await newCollection(c, c.w.H, c.me.userId), 'task', userId(c, 'other'));
      return { assetId, requestId: must(await api(c, c.role).post(`${P(c)}/assets/${assetId}/control-requests`, {}), 201, 'own request').id };
    },
    op: (_c, p) => ({ type: 'control.cancel', requestId: p.requestId }),
  },
  'control.handoff (to another member)': {
    kind: 'asset', primary: 'assetId',
    setup: async (c, t) => ({ assetId: await taskFor(c, t, 'other') }),
    op: (c, p) => ({ type: 'control.handoff', assetId: p.assetId, toUserId: userId(c, 'third') }),
  },
  'trash.restore': {
    kind: 'asset', primary: 'id',
    async setup(c, t) {
      const id = await taskFor(c, t);
      must(await api(c).delete(`${P(c)}/assets/${id}`), 200, 'trash');
      return { id };
    },
    op: (_c, p) => ({ type: 'trash.restore', id: p.id }),
  },
  'trash.purge': {
    kind: 'asset', primary: 'id',
    async setup(c, t) {
      const id = await taskFor(c, t);
      must(await api(c).delete(`${P(c)}/assets/${id}`), 200, 'trash');
      return { id };
    },
    op: (_c, p) => ({ type: 'trash.purge', id: p.id }),
  },
};

const PLAIN: Record<PlainOpName, { setup?(c: Ctx): Promise<Params>; op(c: Ctx, p: Params): Op }> = {
  'settings.update': { op: (c) => ({ type: 'settings.update', tags: [uniq(c.w, 'tag')] }) },
  'status.create': { op: (c) => ({ type: 'status.create', name: uniq(c.w, 'Status'), shortLabel: 'ST', color: '#123456', category: 'active' }) },
  'status.update': {
    setup: async (c) => ({ id: must(await api(c).post(`${P(c)}/statuses`, { name: uniq(c.w, 'Status'), shortLabel: 'ST', color: '#123456', category: 'review' }), 201, 'status').id }),
    op: (c, p) => ({ type: 'status.update', id: p.id, name: uniq(c.w, 'Renamed status') }),
  },
  'status.delete (with replacement)': {
    setup: async (c) => ({ id: must(await api(c).post(`${P(c)}/statuses`, { name: uniq(c.w, 'Status'), shortLabel: 'ST', color: '#123456', category: 'review' }), 201, 'status').id }),
    op: (c, p) => ({ type: 'status.delete', id: p.id, replacementId: c.w.statuses.wfa }),
  },
};

// ---- running a case ----------------------------------------------------------------------------

type Transport = 'rest' | 'ops';

interface Case {
  name: string;
  role: RoleName;
  target: TargetName | null;
  expected: Outcome;
  transport: Transport;
  setup(c: Ctx): Promise<Params>;
  op(c: Ctx, p: Params): Op;
  /** For a target the role cannot see: the parameter to replace by an unknown id. */
  unknownCheck?: string;
}

const ERROR_CODE: Record<Exclude<Outcome, typeof OK>, string> = { 403: 'forbidden', 404: 'not_found', 409: 'conflict' };
const STATUS_OF_CODE: Record<string, number> = { forbidden: 403, not_found: 404, conflict: 409, validation_failed: 400, bad_request: 400 };

/** The outcome as a comparable value: 'ok' or the status. */
interface Seen {
  outcome: typeof OK | number;
  detail: string;
}

async function sendRest(w: World, me: Caller, op: Op): Promise<Seen & { reply: Reply; method: Method; pattern: string }> {
  const { method, pattern, path, body } = restOf(w.projectId, op);
  const reply = await w.h.request(method, path, { token: me.token, body });
  const ok = reply.status >= 200 && reply.status < 300;
  return { outcome: ok ? OK : reply.status, detail: `${reply.status} ${JSON.stringify(reply.body)}`, reply, method, pattern };
}

async function sendOps(w: World, me: Caller, op: Op, opId: string): Promise<Seen> {
  const reply = await w.h.as(me).post(`/projects/${w.projectId}/ops`, { ops: [{ opId, op }] });
  if (reply.status !== 200) return { outcome: -reply.status, detail: `push answered ${reply.status} ${JSON.stringify(reply.body)}` };
  const res = reply.body.results[0];
  const outcome = res.status === 'applied' ? OK : STATUS_OF_CODE[res.code] ?? -1;
  if (res.status === 'conflict') assert.equal(res.code, 'conflict', `a conflict result carries code conflict: ${JSON.stringify(res)}`);
  return { outcome, detail: JSON.stringify(res) };
}

/** Newest audit entry of one action by one actor (0 when none), read by the studio owner. */
async function lastAudit(w: World, action: string, actorId: string): Promise<{ seq: number; entries: any[] }> {
  const r = must(await w.h.as(w.users.boss).get(`/studios/${w.studioId}/audit?action=${action}&actor=${actorId}&limit=20`), 200, 'read audit');
  return { seq: r.entries[0]?.seq ?? 0, entries: r.entries };
}

function checkErrorBody(where: string, expected: Outcome, r: Reply) {
  if (expected === OK) return;
  const e = r.body?.error;
  assert.ok(
    e && typeof e.code === 'string' && typeof e.message === 'string' && e.details && typeof e.details === 'object' && !Array.isArray(e.details),
    `${where}: error body is not { error: { code, message, details } }: ${JSON.stringify(r.body)}`,
  );
  assert.equal(e.code, ERROR_CODE[expected], `${where}: error code for ${r.status}: ${JSON.stringify(r.body)}`);
}

const label = (o: Outcome) => (o === OK ? '2xx' : String(o));

async function runCase(w: World, k: Case) {
  const me = w.users[k.role];
  const c: Ctx = { w, role: k.role, me };
  const where = `${k.name} as ${k.role}${k.target ? ` on the ${k.target} target` : ''} via ${k.transport === 'rest' ? 'REST' : 'POST /ops'}`;
  const params = await k.setup(c);
  const op = k.op(c, params);
  if (k.transport === 'rest') {
    const since = k.expected === 403 ? (await lastAudit(w, 'request.refused', me.userId)).seq : 0;
    const r = await sendRest(w, me, op);
    assert.equal(r.outcome, k.expected, `${where} [${r.method} ${r.pattern}]: expected ${label(k.expected)}, got ${r.detail}`);
    checkErrorBody(where, k.expected, r.reply);
    if (k.expected === 403) {
      const route = `${r.method} /api/v1${r.pattern}`;
      const fresh = (await lastAudit(w, 'request.refused', me.userId)).entries.filter((e) => e.seq > since);
      const hit = fresh.find((e) => e.targetId === route);
      assert.ok(hit, `${where}: 403 but no request.refused audit entry for ${route} (new entries: ${JSON.stringify(fresh)})`);
      assert.equal(hit.after?.code, 'forbidden', `${where}: audited refusal code: ${JSON.stringify(hit)}`);
    }
    if (k.unknownCheck) {
      // Invisible answers like unknown: the same operation on a random id.
      const unknown = await sendRest(w, me, k.op(c, { ...params, [k.unknownCheck]: randomUUID() }));
      assert.equal(unknown.outcome, r.outcome, `${where}: the invisible target answered ${r.detail}, an unknown ${k.unknownCheck} ${unknown.detail}`);
      if (unknown.outcome !== OK) assert.equal(unknown.reply.body?.error?.code, r.reply.body?.error?.code, `${where}: error code, invisible vs unknown`);
    }
  } else {
    const opId = `m-${++w.n}`;
    const r = await sendOps(w, me, op, opId);
    assert.equal(r.outcome, k.expected, `${where}: expected ${label(k.expected)}, got ${r.detail}`);
    if (k.expected === 403 || k.expected === 404) {
      const { entries } = await lastAudit(w, 'sync.op_refused', me.userId);
      assert.ok(entries.some((e) => e.targetId === opId), `${where}: refused push op ${opId} not audited as sync.op_refused`);
    }
  }
}

// ---- the cases ---------------------------------------------------------------------------------

/** Deterministic sample for the push path: every operation and every role, about a third of rows. */
const sampledForOps = (opIndex: number, roleIndex: number, targetIndex: number) => (opIndex + roleIndex + targetIndex) % 3 === 0;

function buildCases(): Case[] {
  const cases: Case[] = [];
  Object.entries(TARGETED_EXPECTED).forEach(([name, rows], oi) => {
    const v = VARIANTS[name as TargetedOpName];
    ROLES.forEach((role, ri) => {
      TARGETS.forEach((target, ti) => {
        const expected = rows[ri][ti] as Outcome;
        // The shared collection shows nothing to an assigned-only role (the Vendor).
        const unseen = target === 'invisible' || (target === 'visible' && ASSIGNED_ONLY[role]);
        const hidden = unseen && !(v.kind === 'asset' ? SEES_ALL_ASSETS[role] : SEES_ALL_COLLECTIONS[role]);
        const base = { name, role, target, expected, setup: (c: Ctx) => v.setup(c, target), op: v.op };
        cases.push({ ...base, transport: 'rest', unknownCheck: hidden ? v.primary : undefined });
        if (sampledForOps(oi, ri, ti)) cases.push({ ...base, transport: 'ops' });
      });
    });
  });
  Object.entries(PLAIN_EXPECTED).forEach(([name, row], oi) => {
    const p = PLAIN[name as PlainOpName];
    ROLES.forEach((role, ri) => {
      const base = { name, role, target: null, expected: row[ri] as Outcome, setup: async (c: Ctx) => (await p.setup?.(c)) ?? {}, op: p.op };
      cases.push({ ...base, transport: 'rest' });
      if (sampledForOps(oi, ri, 0)) cases.push({ ...base, transport: 'ops' });
    });
  });
  return cases;
}

const CASES = buildCases();

for (const kind of dbKinds()) {
  describe(`production operations authorization matrix (${kind})`, () => {
    let w: World;
    before(async () => {
      w = await buildWorld(await createHarness(kind));
    });
    after(async () => { await w?.h.close(); });

    for (const k of CASES) {
      const t = k.target ? ` on ${k.target}` : '';
      test(`${k.name} as ${k.role}${t} → ${label(k.expected)} [${k.transport === 'rest' ? 'REST' : 'ops'}]`, () => runCase(w, k));
    }

    // PRODUCT.md: "Vendor: checkpoint and download only what is explicitly assigned (and its
    // dependencies)". The matrix shows the shared collection hidden from the Vendor; here, what its
    // assigned task depends on (an asset, a whole collection) is seen, checkpointed and downloaded,
    // inside the shared collection or out of it, while a shared sibling nothing depends on is not.
    test('a Vendor sees, checkpoints and downloads what its assigned task depends on', async () => {
      const c: Ctx = { w, role: 'Vendor', me: w.users.Vendor };
      const task = await newAsset(c, w.H, 'task', c.me.userId);
      const hiddenDep = await newAsset(c, w.H, 'resource');
      const sharedDep = await newAsset(c, w.S, 'resource');
      const depFolder = await newCollection(c, w.S);
      const inFolder = await newAsset(c, depFolder, 'resource');
      const sibling = await newAsset(c, w.S, 'resource');
      for (const target of [{ targetAssetId: hiddenDep }, { targetAssetId: sharedDep }, { targetCollectionId: depFolder }])
        must(await api(c).post(`${P(c)}/assets/${task}/dependencies`, { ...target, dependencyType: 'uses' }), 201, 'dependency');
      const files = new Map<string, { data: Buffer; checkpointId: string }>();
      for (const [i, id] of [hiddenDep, sharedDep, inFolder, sibling].entries()) {
        const data = prose(4000 + i, i + 1);
        files.set(id, { data, checkpointId: (await commitFile(w.h, w.users.boss, w.projectId, id, data)).checkpoint.id });
      }
      const contentOf = (id: string, who: Caller) => raw(w.h, 'GET', `${P(c)}/checkpoints/${id}/content`, who);

      const snap = must(await w.h.as(c.me).get(`${P(c)}/changes`), 200, 'vendor snapshot').snapshot;
      // (The Vendor holds other tasks of earlier cases too: only these five are looked at.)
      const seen = new Set(snap.assets.map((a: { id: string }) => a.id));
      assert.deepEqual([task, hiddenDep, sharedDep, inFolder, sibling].filter((id) => seen.has(id)), [task, hiddenDep, sharedDep, inFolder], 'the task and its dependencies, not the sibling');
      for (const id of [hiddenDep, sharedDep, inFolder]) {
        const { data, checkpointId } = files.get(id)!;
        const file = await contentOf(checkpointId, c.me);
        assert.equal(file.status, 200, `download of dependency ${id}: ${file.bytes.toString().slice(0, 300)}`);
        assert.ok(file.bytes.equals(data), `dependency ${id}: the bytes`);
        const cp = await sendRest(w, c.me, checkpointOp(c, id));
        assert.equal(cp.outcome, OK, `checkpoint of dependency ${id}: ${cp.detail}`);
      }
      // The shared sibling: seen by an Artist, answered to the Vendor like an unknown id.
      assert.equal((await contentOf(files.get(sibling)!.checkpointId, w.users.Artist)).status, 200, 'the Artist downloads the shared sibling');
      const hiddenFile = await contentOf(files.get(sibling)!.checkpointId, c.me);
      const unknownFile = await contentOf(randomUUID(), c.me);
      assert.equal(hiddenFile.status, 404, `download of the shared sibling: ${hiddenFile.bytes.toString().slice(0, 300)}`);
      assert.equal(hiddenFile.body?.error?.code, unknownFile.body?.error?.code);
      assert.equal(unknownFile.status, 404);
      const cp = await sendRest(w, c.me, checkpointOp(c, sibling));
      assert.equal(cp.outcome, 404, `checkpoint of the shared sibling: ${cp.detail}`);
      assert.equal((await sendRest(w, c.me, checkpointOp(c, randomUUID()))).reply.body?.error?.code, cp.reply.body?.error?.code);
      // Dropping the dependency on the folder takes it away again.
      const edge = snap.dependencies.find((d: { targetCollectionId: string | null }) => d.targetCollectionId === depFolder);
      must(await api(c).delete(`${P(c)}/dependencies/${edge.id}`), 200, 'remove the folder dependency');
      assert.equal((await contentOf(files.get(inFolder)!.checkpointId, c.me)).status, 404, 'no longer a dependency');
    });

    test('the matrix covers every operation type of ops.ts', async () => {
      const { OPS } = await import('@backlot/core');
      const covered = new Set<string>();
      const c: Ctx = { w, role: 'Admin', me: w.users.Admin };
      const fake = new Proxy({}, { get: () => randomUUID() }) as Params;
      for (const v of Object.values(VARIANTS)) covered.add(v.op(c, fake).type);
      for (const p of Object.values(PLAIN)) covered.add(p.op(c, fake).type);
      const known = Object.keys(OPS);
      assert.deepEqual([...covered].filter((t) => !known.includes(t)), [], 'covered types that ops.ts no longer has');
      assert.deepEqual(known.filter((t) => !covered.has(t) && !(t in NOT_COVERED)), [], 'operation types of ops.ts missing from the matrix');
      assert.deepEqual(Object.keys(NOT_COVERED).filter((t) => covered.has(t) || !known.includes(t)), [], 'stale NOT_COVERED entries');
    });
  });
}
