// Fixtures for the content tests: the chunk wire format built from @backlot/storage (independent
// of the server's own frame code), a tiny world of members in the six default roles, and
// committing a file the way a client does (chunk, ask, upload the missing, checkpoint).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chunkFile, encodeChunk, MAX_CHUNK_SIZE, type FileManifest } from '@backlot/storage';
import type { LightMyRequestResponse } from 'fastify';
import type { Caller, Harness, Reply } from './harness.js';

export const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Deterministic pseudo-random bytes (xorshift), incompressible. */
export function noise(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Compressible text-like bytes. */
export function prose(n: number, seed: number): Buffer {
  const words = ['frame', 'shot', 'rig', 'texture', 'render', 'light', 'camera', 'blend', 'layer', 'take'];
  let s = '';
  let i = seed;
  while (s.length < n) s += `${words[(i = (i * 7 + 3) % 97) % words.length]} ${i} `;
  return Buffer.from(s.slice(0, n));
}

export interface TestChunk {
  id: string;
  raw: Buffer;
  encoded: Buffer;
}

export const chunkOf = (raw: Buffer): TestChunk => ({ id: sha(raw), raw, encoded: encodeChunk(raw) });

/** One frame: 32 raw id bytes, uint32 BE length, the bytes. */
export function frame(id: string, encoded: Buffer, declaredLength = encoded.length): Buffer {
  const h = Buffer.alloc(36);
  h.write(id, 0, 32, 'hex');
  h.writeUInt32BE(declaredLength, 32);
  return Buffer.concat([h, encoded]);
}

export const frames = (chunks: { id: string; encoded: Buffer }[]) => Buffer.concat(chunks.map((c) => frame(c.id, c.encoded)));

export function parseFrames(body: Buffer): { id: string; encoded: Buffer }[] {
  const out: { id: string; encoded: Buffer }[] = [];
  let at = 0;
  while (at < body.length) {
    assert.ok(at + 36 <= body.length, 'truncated frame header in a fetch answer');
    const id = body.toString('hex', at, at + 32);
    const len = body.readUInt32BE(at + 32);
    assert.ok(at + 36 + len <= body.length, 'truncated frame in a fetch answer');
    out.push({ id, encoded: body.subarray(at + 36, at + 36 + len) });
    at += 36 + len;
  }
  return out;
}

export interface BinReply extends Reply {
  bytes: Buffer;
}

function wrap(res: LightMyRequestResponse): BinReply {
  let body: unknown = res.body;
  if ((res.headers['content-type'] ?? '').toString().includes('application/json') && res.body) body = JSON.parse(res.body);
  return { status: res.statusCode, body, headers: res.headers, raw: res, bytes: res.rawPayload };
}

export async function upload(h: Harness, who: Caller | undefined, pid: string, payload: Buffer | NodeJS.ReadableStream, headers: Record<string, string> = {}): Promise<BinReply> {
  return wrap(await h.app.inject({
    method: 'POST', url: `/api/v1/projects/${pid}/chunks`, payload: payload as Buffer,
    headers: { 'content-type': 'application/octet-stream', ...(who?.token ? { authorization: `Bearer ${who.token}` } : {}), ...headers },
  }));
}

export async function raw(h: Harness, method: string, url: string, who?: Caller, opts: { payload?: Buffer | string | object; headers?: Record<string, string> } = {}): Promise<BinReply> {
  return wrap(await h.app.inject({
    method: method as 'GET', url: url.startsWith('/') && !url.startsWith('/api/') && !url.startsWith('/s/') ? `/api/v1${url}` : url,
    headers: { ...(who?.token ? { authorization: `Bearer ${who.token}` } : {}), ...opts.headers },
    ...(opts.payload !== undefined ? { payload: opts.payload as Buffer } : {}),
  }));
}

export const check = (h: Harness, who: Caller, pid: string, ids: string[]) => raw(h, 'POST', `/projects/${pid}/chunks/check`, who, { payload: { ids } });
export const fetchChunks = (h: Harness, who: Caller, pid: string, ids: string[]) => raw(h, 'POST', `/projects/${pid}/chunks/fetch`, who, { payload: { ids } });

export function must(r: Reply, status: number, what = ''): any {
  assert.equal(r.status, status, `${what} answered ${r.status}, wanted ${status}: ${typeof r.body === 'string' ? r.body.slice(0, 500) : JSON.stringify(r.body)}`);
  return r.body;
}

export function refused(r: Reply, status: number, code: string, what = ''): any {
  assert.equal(r.status, status, `${what} answered ${r.status}, wanted ${status}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body?.error?.code, code, `${what}: ${JSON.stringify(r.body)}`);
  return r.body.error;
}

export const ROLE_KEYS = ['admin', 'production_manager', 'supervisor', 'assistant_supervisor', 'artist', 'vendor'] as const;
export type RoleKey = (typeof ROLE_KEYS)[number];

export interface ContentWorld {
  h: Harness;
  owner: Caller;
  studioId: string;
  /** One member per default role (the owner is the project's Admin besides). */
  by: Record<RoleKey, Caller>;
  pid: string;
  roles: Record<string, string>;
}

let worldCounter = 0;

/** A studio, a project and one member in each default role. Accounts are made once per harness. */
export async function contentWorld(h: Harness, existing?: Pick<ContentWorld, 'owner' | 'studioId' | 'by'>): Promise<ContentWorld> {
  let owner: Caller, studioId: string, by: Record<RoleKey, Caller>;
  if (existing) ({ owner, studioId, by } = existing);
  else {
    owner = await h.setupAdmin();
    by = {} as Record<RoleKey, Caller>;
    for (const k of ROLE_KEYS) by[k] = await h.user(`${k.replace(/_/g, '-')}@content.test`, k);
    studioId = must(await h.as(owner).post('/studios', { name: 'Content studio' }), 201, 'studio').id;
    must(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: ROLE_KEYS.map((k) => by[k].email), role: 'member' }), 201, 'seat');
  }
  const pid = must(await h.as(owner).post(`/studios/${studioId}/projects`, { name: `Content ${++worldCounter}` }), 201, 'project').id;
  const roles = Object.fromEntries((must(await h.as(owner).get(`/projects/${pid}/roles`), 200).roles as any[]).map((r) => [r.key, r.id]));
  for (const k of ROLE_KEYS) must(await h.as(owner).post(`/projects/${pid}/members`, { userIds: [by[k].userId], roleId: roles[k] }), 201, `seat ${k}`);
  return { h, owner, studioId, by, pid, roles };
}

export async function post(h: Harness, who: Caller, path: string, body: unknown) {
  return h.request('POST', path, { token: who.token, body });
}
export async function put(h: Harness, who: Caller, path: string, body: unknown) {
  return h.request('PUT', path, { token: who.token, body });
}

export interface Committed {
  manifest: FileManifest;
  chunks: TestChunk[];
  checkpoint: any;
  uploaded: number;
}

/** Chunks `data` like a client, uploads what the server reports missing, and checkpoints it. */
export async function commitFile(h: Harness, who: Caller, pid: string, assetId: string, data: Buffer, extra: Record<string, unknown> = {}): Promise<Committed> {
  const manifest = await chunkFile((async function* () { yield data; })(), { workers: 0, keepEncoded: true });
  const byId = new Map(manifest.chunks.map((c) => [c.id, { id: c.id, raw: Buffer.alloc(0), encoded: c.encoded! }]));
  const ids = [...byId.keys()];
  const missing: string[] = must(await check(h, who, pid, ids), 200, 'check').missing;
  if (missing.length) must(await upload(h, who, pid, frames(missing.map((id) => byId.get(id)!))), 200, 'upload');
  const cp = must(await post(h, who, `/projects/${pid}/assets/${assetId}/checkpoints`, {
    fileHash: manifest.fileHash, size: manifest.size, chunks: manifest.chunks.map((c) => c.id), ...extra,
  }), 201, 'checkpoint');
  return { manifest, chunks: [...byId.values()], checkpoint: cp, uploaded: missing.length };
}

/** A multi-chunk file: compressible and incompressible stretches. */
export function sampleFile(seed: number, size = 2 * 1024 * 1024 + 12345): Buffer {
  const half = Math.floor(size / 2);
  return Buffer.concat([prose(half, seed), noise(size - half, seed + 1)]);
}

export { MAX_CHUNK_SIZE };

/**
 * For tests about something else than content (production rules, permissions): records fake
 * chunk ids as uploaded by `userId`, sized so that they add up to `size`, the way an earlier
 * upload would have. The bytes are not stored; nothing may download such a checkpoint.
 */
export async function pretendUploaded(h: Harness, projectId: string, userId: string, chunkIds: string[], size: number): Promise<void> {
  const distinct = [...new Set(chunkIds)];
  if (!distinct.length) return;
  const once = distinct.find((id) => chunkIds.filter((x) => x === id).length === 1);
  const at = h.clock.now().toISOString();
  h.pretendStored(projectId, distinct);
  for (const id of distinct) {
    const rowSize = id === (once ?? distinct[0]) ? size : 0;
    await h.deps.db
      .insertInto('project_chunks')
      .values({ project_id: projectId, chunk_id: id, size: rowSize, stored_size: rowSize, created_at: at, created_by: userId })
      .onConflict((oc) => oc.columns(['project_id', 'chunk_id']).doUpdateSet({ size: rowSize, stored_size: rowSize, created_by: userId, created_at: at }))
      .execute();
  }
}

/** Counts chunk reads from the server's chunk stores until `stop()`, which answers the count. */
export function countChunkReads(h: Harness): { stop(): number } {
  const backend = h.deps.chunks;
  const original = backend.store;
  let reads = 0;
  backend.store = (namespace: string) => {
    const store = original.call(backend, namespace);
    return Object.assign(Object.create(store) as typeof store, {
      get: (id: string) => {
        reads++;
        return store.get(id);
      },
    });
  };
  return {
    stop() {
      backend.store = original;
      return reads;
    },
  };
}
