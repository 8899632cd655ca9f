// Shared fixtures for the production-tracking tests (writes, control requests, trash, sync):
// accounts made once per database kind (argon2 is slow), then as many fresh projects as a test
// wants, each built over the HTTP API, plus a small per-caller client for the project routes.
import assert from 'node:assert/strict';
import type { Caller, Harness, Reply } from './harness.js';

export const HASH = (c: string) => c.repeat(64).slice(0, 64);
export const H1 = HASH('a');
export const H2 = HASH('b');
export const H3 = HASH('c');

/** Raw size of every fake chunk; a checkpoint's size is the sum of its chunks' sizes. */
export const CHUNK_SIZE = 10;

/**
 * Makes chunks present for a caller, as if they had uploaded them: a checkpoint may only list
 * chunks the server holds for its author. Seeded in the database and declared stored (the chunk
 * upload route is the content suite's business); a database without the content tables needs no
 * seeding.
 */
export async function seedChunks(h: Harness, projectId: string, userId: string, chunks: readonly string[]): Promise<void> {
  const at = h.clock.now().toISOString();
  h.pretendStored(projectId, chunks);
  for (const id of new Set(chunks)) {
    try {
      await (h.deps.db as any).insertInto('project_chunks')
        .values({ project_id: projectId, chunk_id: id, size: CHUNK_SIZE, stored_size: CHUNK_SIZE, created_at: at, created_by: userId })
        .onConflict((oc: any) => oc.columns(['project_id', 'chunk_id']).doUpdateSet({ created_by: userId }))
        .execute();
    } catch (err) {
      if (/no such table|does not exist/.test((err as Error).message)) return;
      throw err;
    }
  }
}

export type RoleKey = 'admin' | 'production_manager' | 'supervisor' | 'assistant_supervisor' | 'artist' | 'vendor';

export interface World {
  h: Harness;
  /** The instance administrator: studio owner, and project Admin of every project it creates. */
  owner: Caller;
  studioId: string;
  u: Record<string, Caller>;
}

/** Fails with the reply body in the message when the status is not the wanted one. */
export function must(r: Reply, status: number, what = ''): any {
  assert.equal(r.status, status, `${what} answered ${r.status}, wanted ${status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Asserts an error reply: status and error code (and optionally some details). */
export function refused(r: Reply, status: number, code?: string, what = ''): any {
  assert.equal(r.status, status, `${what} answered ${r.status}, wanted ${status}: ${JSON.stringify(r.body)}`);
  assert.ok(r.body?.error, `${what}: error shape missing: ${JSON.stringify(r.body)}`);
  if (code) assert.equal(r.body.error.code, code, `${what}: ${JSON.stringify(r.body)}`);
  return r.body.error;
}

export async function makeWorld(h: Harness, people: string[]): Promise<World> {
  const owner = await h.setupAdmin();
  const u: Record<string, Caller> = {};
  for (const p of people) u[p] = await h.user(`${p.toLowerCase()}@studio.test`, p);
  const studio = must(await h.as(owner).post('/studios', { name: 'Production studio' }), 201, 'create studio');
  if (people.length)
    must(await h.as(owner).post(`/studios/${studio.id}/invitations`, { emails: people.map((p) => u[p].email), role: 'member' }), 201, 'seat members');
  return { h, owner, studioId: studio.id, u };
}

export interface Project {
  id: string;
  roles: Record<string, string>;
  /** Built-in statuses by key: todo, wip, wfa, retake, done. */
  st: Record<string, string>;
}

let projectCounter = 0;

/** A fresh project owned by the studio owner (its Admin), with the given people seated. */
export async function makeProject(w: World, seats: Record<string, RoleKey>): Promise<Project> {
  const { h, owner } = w;
  const p = must(await h.as(owner).post(`/studios/${w.studioId}/projects`, { name: `Project ${++projectCounter}` }), 201, 'create project');
  const roles = Object.fromEntries((must(await h.as(owner).get(`/projects/${p.id}/roles`), 200).roles as any[]).map((r) => [r.key ?? r.name, r.id]));
  const byRole = new Map<string, string[]>();
  for (const [person, role] of Object.entries(seats)) byRole.set(role, [...(byRole.get(role) ?? []), w.u[person].userId]);
  for (const [role, userIds] of byRole) must(await h.as(owner).post(`/projects/${p.id}/members`, { userIds, roleId: roles[role] }), 201, `seat ${role}`);
  const snap = must(await h.as(owner).get(`/projects/${p.id}/changes`), 200, 'admin snapshot');
  const st = Object.fromEntries(snap.snapshot.statuses.map((s: any) => [s.key, s.id]));
  return { id: p.id, roles, st };
}

/** One caller's client for one project's routes. */
export class As {
  constructor(readonly h: Harness, readonly who: Caller, readonly pid: string) {}
  get userId() { return this.who.userId; }
  r(method: string, path: string, body?: unknown): Promise<Reply> {
    return this.h.request(method, `/projects/${this.pid}${path}`, { token: this.who.token, body });
  }
  collection(body: Record<string, unknown>) { return this.r('POST', '/collections', { parentId: null, ...body }); }
  updateCollection(id: string, body: Record<string, unknown>) { return this.r('PATCH', `/collections/${id}`, body); }
  deleteCollection(id: string) { return this.r('DELETE', `/collections/${id}`); }
  asset(body: Record<string, unknown>) { return this.r('POST', '/assets', { collectionId: null, ...body }); }
  updateAsset(id: string, body: Record<string, unknown>) { return this.r('PATCH', `/assets/${id}`, body); }
  deleteAsset(id: string) { return this.r('DELETE', `/assets/${id}`); }
  dep(assetId: string, body: Record<string, unknown>) { return this.r('POST', `/assets/${assetId}/dependencies`, body); }
  assign(assetId: string, assigneeId: string | null) { return this.r('PUT', `/assets/${assetId}/assignee`, { assigneeId }); }
  status(assetId: string, statusId: string) { return this.r('PUT', `/assets/${assetId}/status`, { statusId }); }
  /** Chunks made present for this caller first; size defaults to the chunks' total. */
  async checkpoint(assetId: string, body: Record<string, unknown> = {}) {
    const chunks = (body.chunks as string[] | undefined) ?? [H1];
    if (Array.isArray(chunks)) await this.seed(chunks);
    return this.r('POST', `/assets/${assetId}/checkpoints`, { fileHash: chunks[0] ?? H1, size: chunks.length * CHUNK_SIZE, chunks, ...body });
  }
  seed(chunks: readonly string[]) { return seedChunks(this.h, this.pid, this.who.userId, chunks); }
  /** A checkpoint.create op (chunks seeded for this caller). */
  async cpOp(assetId: string, extra: Record<string, unknown> = {}) {
    const chunks = (extra.chunks as string[] | undefined) ?? [H1];
    await this.seed(chunks);
    return { type: 'checkpoint.create', assetId, fileHash: chunks[0] ?? H1, size: chunks.length * CHUNK_SIZE, chunks, ...extra };
  }
  request(assetId: string, body: Record<string, unknown> = {}) { return this.r('POST', `/assets/${assetId}/control-requests`, body); }
  accept(id: string) { return this.r('POST', `/control-requests/${id}/accept`, {}); }
  decline(id: string) { return this.r('POST', `/control-requests/${id}/decline`, {}); }
  cancel(id: string) { return this.r('POST', `/control-requests/${id}/cancel`, {}); }
  handoff(assetId: string, toUserId: string) { return this.r('POST', `/assets/${assetId}/handoff`, { toUserId }); }
  restore(id: string) { return this.r('POST', `/trash/${id}/restore`, {}); }
  purge(id: string) { return this.r('DELETE', `/trash/${id}`); }
  push(ops: [string, unknown][]) { return this.r('POST', '/ops', { ops: ops.map(([opId, op]) => ({ opId, op })) }); }
  pull(since?: string, limit?: number) {
    const q = new URLSearchParams();
    if (since !== undefined) q.set('since', since);
    if (limit !== undefined) q.set('limit', String(limit));
    const qs = q.toString();
    return this.h.request('GET', `/projects/${this.pid}/changes${qs ? `?${qs}` : ''}`, { token: this.who.token });
  }
  /** A full snapshot (no cursor). */
  async snapshot(): Promise<Snapshot> {
    return must(await this.pull(), 200, 'snapshot').snapshot;
  }
}

export interface Snapshot {
  collections: any[];
  assets: any[];
  dependencies: any[];
  checkpoints: any[];
  controlRequests: any[];
  statuses: any[];
  settings: any;
  members: any[];
}

export const ids = (list: { id: string }[]) => list.map((x) => x.id).sort();
export const byId = (list: any[], id: string): any => list.find((x) => x.id === id);

/** Every string anywhere in a JSON value (keys included). */
export function allStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push(k); allStrings(x, out); }
  return out;
}

/** Studio audit entries whose action matches (exact, or `prefix.*`), newest first. */
export async function audit(w: World, action: string, extra = ''): Promise<any[]> {
  const r = await w.h.as(w.owner).get(`/studios/${w.studioId}/audit?action=${encodeURIComponent(action)}&limit=1000${extra}`);
  return must(r, 200, 'audit').entries;
}
