// Production tracking at scale (the issue's measurement): on the large project of bench/browse.ts
// (100,000 assets, 5,000 collections, 300,000 dependency edges) with 50 members, p50/p99 of
//   1. visibility closure for one member, in process (ProjectGraph.visibleTo and core's memberView)
//      for an Artist, a Vendor, the lead and the Admin; the graph build from the database and the
//      incremental replay of 100 changes;
//   2. board, My Tasks and list over HTTP (warm);
//   3. a 10-op push (asset creates, status changes, assignments) over HTTP;
//   4. a pull of 100 changes made by others, over HTTP, for an Artist and for an Admin: repeated at
//      one revision (view memoised) and right after a new change (view computed afresh).
// Peers in the same run: for the closure, the same sets computed by recursive CTEs on the same
// SQLite file (what a server without an in-memory graph would run; checked equal to ours member
// by member); for HTTP routes, the same server's trivial authorized `GET /api/v1/projects/:id`
// (the floor), measured interleaved with them. The server runs in a child process
// (bench/production-server.ts); requests are sequential over one keep-alive connection.
//
//   node --import tsx bench/production.ts [--rounds=200] [--push-rounds=100] [--closure-rounds=40] [--cold-rounds=50]
//                                         [--analyze] [--pragma=NAME=VALUE …] [--no-write] [--assets=N --edges=N (try-outs)]
//   npm run bench -- --only=production
import http from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import { memberView, type IdSet, type ProjectActor } from '@backlot/core';
import { openDatabase, type OpenedDb } from '../packages/server/src/db/connect.js';
import { applyToGraph, forgetGraph, graphAt } from '../packages/server/src/projection/graph-cache.js';
import { visibilityDigest } from '../packages/server/src/sync/digest.js';
import { loadProjectAccess } from '../packages/server/src/access/access.js';
import type { Ctx } from '../packages/server/src/context.js';
import type { ProductionFixture, Member } from './production-server.js';
import { BENCHMARKS_FILE, fmt, machineLine, REPO_ROOT, table, updateSections, percentile } from './report.js';
import { spawnReady } from './child.js';
import { forgetAnswers } from './forget-answers.js';

export interface ProductionOptions {
  /** Sequential requests per HTTP read scenario (and per pull). */
  rounds: number;
  /** 10-op pushes. */
  pushRounds: number;
  /** Closure computations per member (ours and the SQL peer each). */
  closureRounds: number;
  /** Pulls per member right after a change (view and digest computed afresh). */
  coldRounds: number;
  analyze?: boolean;
  /** SQLite pragmas set on the server's connection after seeding (trying settings out). */
  pragmas?: string[];
  /** Smaller data for trying the script out (the defaults are the issue's). */
  assets?: number;
  edges?: number;
  log?: (s: string) => void;
}

export interface Stat {
  p50: number;
  p99: number;
  n: number;
}

export interface HttpRow {
  group: 'read' | 'push' | 'pull' | 'cold board';
  label: string;
  route: string;
  note: string;
  ours: Stat;
  floor: Stat;
  /** p99 aim in ms. */
  aim?: number;
}

export interface ClosureRow {
  member: string;
  sizes: { assets: number; collections: number; namesOnly: number };
  visibleTo: Stat;
  memberView: Stat;
  peer: Stat;
  same: boolean;
}

export interface ProductionResults {
  options: ProductionOptions;
  fixture: Omit<ProductionFixture, 'tasks' | 'artistTasks' | 'pool' | 'artistPool' | 'leaves' | 'libraryLeaves'>;
  startedAt: Date;
  loadBefore: number[];
  http: HttpRow[];
  closure: ClosureRow[];
  build: Stat & { max: number };
  replayOnce: number;
  replay: Stat;
  replayEntries: number;
  snapshot: { ms: number; bytes: number; assets: number };
  pullChanges: { artist: number; admin: number; entries: number };
  seconds: number;
}

const pct = percentile;
const stat = (xs: number[]): Stat => ({ p50: pct(xs, 50), p99: pct(xs, 99), n: xs.length });
const now = () => process.hrtime.bigint();
const msSince = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

async function spawnServer(args: string[], log: (s: string) => void): Promise<{ fixture: ProductionFixture; stop(): Promise<void> }> {
  // Seeding 100,000 assets takes minutes.
  const server = await spawnReady<ProductionFixture>(join(REPO_ROOT, 'bench', 'production-server.ts'), args, { readyTimeoutMs: 600_000 });
  log(`  production: server ready (seeded in ${fmt(server.info.seedSeconds)} s)`);
  return { fixture: server.info, stop: () => server.stop() };
}

/** Sequential HTTP over one keep-alive connection; timed from request to the body's last byte. */
function client(base: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = (method: string, path: string, token: string, body?: unknown) =>
    new Promise<{ status: number; text: string; ms: number }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const t = now();
      const req = http.request(`${base}/api/v1${path}`, {
        method, agent,
        headers: { authorization: `Bearer ${token}`, ...(payload !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: msSince(t) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return {
    request,
    async json(method: string, path: string, token: string, body?: unknown) {
      const r = await request(method, path, token, body);
      if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.text.slice(0, 300)}`);
      return { ...r, body: JSON.parse(r.text) };
    },
    close: () => agent.destroy(),
  };
}

// ---- the SQL peer for the closure ---------------------------------------------------------------

/**
 * The visibility rules of core's visibility.ts as recursive CTEs: seeds (shared collections unless
 * assigned-only, assigned collections, assigned assets), closed over sub-collections, their assets
 * and dependency targets (live items only); then the live ancestors of everything visible that are
 * not themselves fully visible ('n': by name only). One statement, prepared once. CROSS JOIN pins
 * the join order (SQLite otherwise walks every dependency of the project for each queued row).
 */
export const PEER_SQL = `
WITH RECURSIVE
vis(kind, id) AS (
  SELECT 'c', id FROM collections WHERE project_id = :p AND deleted_at IS NULL AND ((:shared = 1 AND shared = 1) OR assignee_id = :u)
  UNION
  SELECT 'a', id FROM assets WHERE project_id = :p AND deleted_at IS NULL AND assignee_id = :u
  UNION
  SELECT 'c', c.id FROM vis CROSS JOIN collections c ON c.project_id = :p AND c.parent_id = vis.id WHERE vis.kind = 'c' AND c.deleted_at IS NULL
  UNION
  SELECT 'a', a.id FROM vis CROSS JOIN assets a ON a.project_id = :p AND a.collection_id = vis.id WHERE vis.kind = 'c' AND a.deleted_at IS NULL
  UNION
  SELECT 'a', t.id FROM vis CROSS JOIN dependencies d ON d.project_id = :p AND d.asset_id = vis.id CROSS JOIN assets t ON t.id = d.target_asset_id
    WHERE vis.kind = 'a' AND t.deleted_at IS NULL
  UNION
  SELECT 'c', t.id FROM vis CROSS JOIN dependencies d ON d.project_id = :p AND d.asset_id = vis.id CROSS JOIN collections t ON t.id = d.target_collection_id
    WHERE vis.kind = 'a' AND t.deleted_at IS NULL
),
anc(id) AS (
  SELECT c.parent_id FROM vis JOIN collections c ON c.id = vis.id WHERE vis.kind = 'c' AND c.parent_id IS NOT NULL
  UNION
  SELECT a.collection_id FROM vis JOIN assets a ON a.id = vis.id WHERE vis.kind = 'a' AND a.collection_id IS NOT NULL
  UNION
  SELECT c.parent_id FROM anc JOIN collections c ON c.id = anc.id WHERE c.deleted_at IS NULL AND c.parent_id IS NOT NULL
)
SELECT kind, id FROM vis
UNION ALL
SELECT 'n', anc.id FROM anc JOIN collections c ON c.id = anc.id
  WHERE c.deleted_at IS NULL AND anc.id NOT IN (SELECT id FROM vis WHERE kind = 'c')`;

function sqlPeer(file: string) {
  const conn = new SQLite(file, { readonly: true });
  const stmt = conn.prepare(PEER_SQL).raw(true);
  return {
    closure(projectId: string, userId: string, shared: boolean) {
      const assets = new Set<string>();
      const collections = new Set<string>();
      const namesOnly = new Set<string>();
      for (const [kind, id] of stmt.all({ p: projectId, u: userId, shared: shared ? 1 : 0 }) as [string, string][])
        (kind === 'a' ? assets : kind === 'c' ? collections : namesOnly).add(id);
      return { assets, collections, namesOnly };
    },
    close: () => conn.close(),
  };
}

const sameSet = (a: IdSet, b: IdSet) => a.size === b.size && [...a].every((x) => b.has(x));

// ---- the run -------------------------------------------------------------------------------------

export async function runProductionBench(opts: ProductionOptions): Promise<ProductionResults> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const startedAt = new Date();
  const loadBefore = loadavg();
  log(`  production: seeding the server (child process) — load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')}`);
  const childArgs = [...(opts.analyze ? ['--analyze'] : []), ...(opts.pragmas ?? []).map((x) => `--pragma=${x}`), ...(opts.assets ? [`--assets=${opts.assets}`] : []), ...(opts.edges ? [`--edges=${opts.edges}`] : [])];
  const server = await spawnServer(childArgs, log);
  const fx = server.fixture;
  const c = client(fx.url);
  const P = `/projects/${fx.projectId}`;
  let opened: OpenedDb | null = null;
  let peer: ReturnType<typeof sqlPeer> | null = null;
  try {
    // ---- 2. reads over HTTP, warm, interleaved with the floor ----------------------------------
    const reads: { label: string; who: Member; path: string; aim?: number }[] = [
      { label: 'board, Admin (view_all)', who: fx.admin, path: '/board', aim: 20 },
      { label: 'board, Artist', who: fx.artist, path: '/board', aim: 20 },
      { label: 'board, Vendor', who: fx.vendor, path: '/board', aim: 20 },
      { label: 'board, lead (tens of thousands visible)', who: fx.lead, path: '/board', aim: 20 },
      { label: 'My Tasks, Artist', who: fx.artist, path: '/board?view=my', aim: 20 },
      { label: 'My Tasks, Vendor', who: fx.vendor, path: '/board?view=my', aim: 20 },
      { label: 'list by name, Admin', who: fx.admin, path: '/assets?sort=name', aim: 20 },
      { label: 'list by name, Artist', who: fx.artist, path: '/assets?sort=name', aim: 20 },
    ];
    const floorRead = { label: 'floor', who: fx.artist, path: '' };
    const notes = new Map<string, string>();
    for (const s of [floorRead, ...reads]) {
      const r = await c.json('GET', P + s.path, s.who.token);
      const b = r.body;
      notes.set(s.label, b.columns ? `${b.columns.length} columns, ${b.columns.reduce((n: number, col: any) => n + col.count, 0).toLocaleString('en-US')} tasks, ${b.columns.reduce((n: number, col: any) => n + col.cards.length, 0)} cards; ${fmt(r.text.length / 1024)} KiB`
        : b.items ? `${b.items.length} items; ${fmt(r.text.length / 1024)} KiB` : `${fmt(r.text.length / 1024)} KiB`);
      for (let i = 0; i < 10; i++) await c.request('GET', P + s.path, s.who.token);
    }
    log(`  production: ${opts.rounds} rounds × ${reads.length + 1} read requests`);
    const readTimes = new Map<string, number[]>([floorRead, ...reads].map((s) => [s.label, []]));
    for (let i = 0; i < opts.rounds; i++) {
      const order = [floorRead, ...reads];
      // Rotate the order so no scenario always follows the same one.
      for (let k = 0; k < order.length; k++) {
        const s = order[(k + i) % order.length];
        const r = await c.request('GET', P + s.path, s.who.token);
        if (r.status !== 200) throw new Error(`${s.label}: ${r.status} ${r.text.slice(0, 200)}`);
        readTimes.get(s.label)!.push(r.ms);
      }
    }
    const readFloor = stat(readTimes.get('floor')!);
    const http: HttpRow[] = reads.map((s) => ({
      group: 'read', label: s.label, route: `GET ${('/api/v1/projects/:id' + s.path)}`, note: notes.get(s.label)!, ours: stat(readTimes.get(s.label)!), floor: readFloor, aim: s.aim,
    }));
    http.unshift({ group: 'read', label: 'floor: the project, Artist', route: 'GET /api/v1/projects/:id', note: notes.get('floor')!, ours: readFloor, floor: readFloor });

    // ---- 3. 10-op pushes by the Production Manager, interleaved with the floor ---------------
    const taskStatus = new Map(fx.tasks.map((t) => [t.id, t.statusId]));
    const taskAssignee = new Map(fx.tasks.map((t) => [t.id, t.assigneeId]));
    const nextStatus = (id: string, current: Map<string, string>) => {
      const s = fx.statuses[(fx.statuses.indexOf(current.get(id)!) + 1) % fx.statuses.length];
      current.set(id, s);
      return s;
    };
    const reassign = (id: string, n: number) => {
      let to = fx.artistPool[n % fx.artistPool.length];
      if (to === taskAssignee.get(id)) to = fx.artistPool[(n + 1) % fx.artistPool.length];
      taskAssignee.set(id, to);
      return to;
    };
    let taskCursor = 0;
    const nextTask = () => fx.tasks[taskCursor++ % fx.tasks.length].id;
    const pushBatch = (k: number) => {
      const ops: { opId: string; op: unknown }[] = [];
      for (let j = 0; j < 4; j++)
        ops.push({ opId: `push-${k}-c${j}`, op: {
          type: 'asset.create', collectionId: fx.leaves[(k * 4 + j) % fx.leaves.length], name: `push_${k}_${j}`, extension: 'blend',
          kind: j < 2 ? 'task' : 'resource', ...(j === 0 && { assigneeId: fx.artistPool[k % fx.artistPool.length] }),
        } });
      for (let j = 0; j < 4; j++) {
        const id = nextTask();
        ops.push({ opId: `push-${k}-s${j}`, op: { type: 'task.status', assetId: id, statusId: nextStatus(id, taskStatus) } });
      }
      for (let j = 0; j < 2; j++) {
        const id = nextTask();
        ops.push({ opId: `push-${k}-a${j}`, op: { type: 'task.assign', assetId: id, assigneeId: reassign(id, k + j) } });
      }
      return ops;
    };
    const checkApplied = (body: any, what: string) => {
      const bad = body.results.filter((r: any) => r.status !== 'applied');
      if (bad.length) throw new Error(`${what}: ${bad.length} op(s) not applied: ${JSON.stringify(bad[0]).slice(0, 300)}`);
    };
    log(`  production: ${opts.pushRounds} pushes of 10 ops (warm-up 5)`);
    for (let k = 0; k < 5; k++) checkApplied((await c.json('POST', `${P}/ops`, fx.pm.token, { ops: pushBatch(1_000_000 + k) })).body, 'push warm-up');
    const pushTimes: number[] = [];
    const pushFloor: number[] = [];
    for (let k = 0; k < opts.pushRounds; k++) {
      const r = await c.json('POST', `${P}/ops`, fx.pm.token, { ops: pushBatch(k) });
      checkApplied(r.body, 'push');
      pushTimes.push(r.ms);
      pushFloor.push((await c.request('GET', P, fx.pm.token)).ms);
    }
    http.push({
      group: 'push', label: '10-op push, Production Manager', route: 'POST /api/v1/projects/:id/ops',
      note: '4 asset.create (1 with an assignee), 4 task.status, 2 task.assign; all applied', ours: stat(pushTimes), floor: stat(pushFloor),
    });

    // ---- 4. pull of 100 changes by others, for an Artist and an Admin --------------------------
    opened = openDatabase({ databaseUrl: `sqlite:${fx.dbFile}`, dataDir: join(fx.dbFile, '..') });
    const db = opened.db;
    const actorOf = async (m: Member): Promise<ProjectActor> => (await loadProjectAccess({ db, user: { id: m.userId } } as unknown as Ctx, fx.projectId)).actor;
    const R0 = Number((await db.selectFrom('projects').select('revision').where('id', '=', fx.projectId).executeTakeFirstOrThrow()).revision);
    // The Artist's cursor from a real first sync (a snapshot); the Admin's (whose snapshot would be
    // the whole project) computed the server's way from the graph at the same revision. Both are
    // checked: the Artist's must match, and both pulls must answer a diff, not a reset.
    const snapT = await c.json('GET', `${P}/changes`, fx.artist.token);
    if (!snapT.body.reset || Number(snapT.body.revision) !== R0) throw new Error(`artist snapshot: reset ${snapT.body.reset}, revision ${snapT.body.revision} (expected ${R0})`);
    const snapshot = { ms: snapT.ms, bytes: snapT.text.length, assets: snapT.body.snapshot.assets.length };
    forgetGraph(fx.projectId);
    const g0 = await graphAt(db, fx.projectId, R0);
    const cursorOf = async (m: Member) => {
      const actor = await actorOf(m);
      return `${R0}.${visibilityDigest(g0, actor, memberView(g0, actor), R0)}`;
    };
    const artistCursor = await cursorOf(fx.artist);
    if (artistCursor !== snapT.body.cursor) throw new Error(`computed Artist cursor ${artistCursor} differs from the server's ${snapT.body.cursor}`);
    const adminCursor = await cursorOf(fx.admin);

    log('  production: 100 ops by others (Production Manager), then pulls');
    const artistTaskStatus = new Map(fx.artistTasks.map((t) => [t.id, t.statusId]));
    let artistTaskCursor = 0;
    for (let b = 0; b < 10; b++) {
      const ops: { opId: string; op: unknown }[] = [];
      ops.push({ opId: `others-${b}-c0`, op: { type: 'asset.create', collectionId: fx.libraryLeaves[b % fx.libraryLeaves.length], name: `others_${b}_lib`, extension: 'psd', kind: 'task' } });
      ops.push({ opId: `others-${b}-c1`, op: { type: 'asset.create', collectionId: fx.leaves[(b * 7) % fx.leaves.length], name: `others_${b}`, extension: 'psd', kind: 'task' } });
      for (let j = 0; j < 2; j++) {
        const id = fx.artistTasks[artistTaskCursor++ % fx.artistTasks.length].id;
        ops.push({ opId: `others-${b}-as${j}`, op: { type: 'task.status', assetId: id, statusId: nextStatus(id, artistTaskStatus) } });
      }
      for (let j = 0; j < 4; j++) {
        const id = nextTask();
        ops.push({ opId: `others-${b}-s${j}`, op: { type: 'task.status', assetId: id, statusId: nextStatus(id, taskStatus) } });
      }
      for (let j = 0; j < 2; j++) {
        const id = nextTask();
        ops.push({ opId: `others-${b}-a${j}`, op: { type: 'task.assign', assetId: id, assigneeId: reassign(id, b + j + 5) } });
      }
      checkApplied((await c.json('POST', `${P}/ops`, fx.pm.token, { ops })).body, 'others');
    }
    const R1 = Number((await db.selectFrom('projects').select('revision').where('id', '=', fx.projectId).executeTakeFirstOrThrow()).revision);
    const entries = Number((await db.selectFrom('change_log').select((eb) => eb.fn.countAll().as('n')).where('project_id', '=', fx.projectId).where('revision', '>', R0).where('revision', '<=', R1).executeTakeFirstOrThrow()).n);
    // In process, while the server idles: the graph cached here is at R0 (built before the others'
    // ops), so this is a real incremental replay of their 100 changes.
    let t = now();
    const g1 = await graphAt(db, fx.projectId, R1);
    const replayOnce = msSince(t);
    if (g1 !== g0) throw new Error('graphAt rebuilt instead of replaying');
    // Then the same work in rounds: read the entries, apply them (upserts are idempotent).
    const readEntries = () => db.selectFrom('change_log').select(['entity', 'entity_id', 'change', 'data'])
      .where('project_id', '=', fx.projectId).where('revision', '>', R0).where('revision', '<=', R1)
      .where('entity', 'in', ['collection', 'asset', 'dependency']).orderBy('revision').execute();
    const replayTimes: number[] = [];
    let replayEntries = 0;
    for (let i = 0; i < 50 + 5; i++) {
      t = now();
      const es = await readEntries();
      applyToGraph(g1, es);
      if (i >= 5) replayTimes.push(msSince(t));
      replayEntries = es.length;
    }
    const pullPath = (cursor: string) => `${P}/changes?since=${encodeURIComponent(cursor)}`;
    const firstPull = async (m: Member, cursor: string) => {
      const r = await c.json('GET', pullPath(cursor), m.token);
      if (r.body.reset || Number(r.body.revision) !== R1 || r.body.hasMore) throw new Error(`pull: reset ${r.body.reset}, revision ${r.body.revision} (expected ${R1}), hasMore ${r.body.hasMore}`);
      return r.body.changes.length as number;
    };
    const pullChanges = { artist: await firstPull(fx.artist, artistCursor), admin: await firstPull(fx.admin, adminCursor), entries };
    const pulls = [
      { label: 'floor', who: fx.artist, path: P },
      { label: 'artist', who: fx.artist, path: pullPath(artistCursor) },
      { label: 'admin', who: fx.admin, path: pullPath(adminCursor) },
    ];
    for (const s of pulls) for (let i = 0; i < 10; i++) await c.request('GET', s.path, s.who.token);
    const pullTimes = new Map<string, number[]>(pulls.map((s) => [s.label, []]));
    for (let i = 0; i < opts.rounds; i++)
      for (let k = 0; k < pulls.length; k++) {
        const s = pulls[(k + i) % pulls.length];
        const r = await c.request('GET', s.path, s.who.token);
        if (r.status !== 200) throw new Error(`pull ${s.label}: ${r.status}`);
        pullTimes.get(s.label)!.push(r.ms);
      }
    const pullFloor = stat(pullTimes.get('floor')!);
    http.push(
      { group: 'pull', label: 'pull of 100 changes, Artist', route: 'GET /api/v1/projects/:id/changes?since=…', note: `${pullChanges.artist} of ${entries} changes visible to them`, ours: stat(pullTimes.get('artist')!), floor: pullFloor, aim: 20 },
      { group: 'pull', label: 'pull of 100 changes, Admin', route: 'GET /api/v1/projects/:id/changes?since=…', note: `${pullChanges.admin} of ${entries} changes`, ours: stat(pullTimes.get('admin')!), floor: pullFloor, aim: 20 },
    );

    // Cold: another member's op moves the project on, then the member asks for the last 100 changes,
    // so the server computes their view and its digests afresh (the warm rounds above reuse both).
    log(`  production: ${opts.coldRounds} × 2 pulls right after a change`);
    const coldTimes = { artist: [] as number[], admin: [] as number[], floor: [] as number[] };
    let coldChanges = { artist: 0, admin: 0 };
    for (let i = 0; i < opts.coldRounds + 2; i++)
      for (const [key, m] of [['artist', fx.artist], ['admin', fx.admin]] as const) {
        const id = nextTask();
        const pushed = await c.json('POST', `${P}/ops`, fx.pm.token, { ops: [{ opId: `cold-${i}-${key}`, op: { type: 'task.status', assetId: id, statusId: nextStatus(id, taskStatus) } }] });
        checkApplied(pushed.body, 'cold');
        const R = Number(pushed.body.results[0].revision);
        // The cursor a client holding the state of R - 100 would send, computed the server's way.
        const g = await graphAt(db, fx.projectId, R);
        const actor = await actorOf(m);
        const cursor = `${R - 100}.${visibilityDigest(g, actor, memberView(g, actor), R - 100)}`;
        const r = await c.json('GET', pullPath(cursor), m.token);
        if (r.body.reset || Number(r.body.revision) !== R) throw new Error(`cold pull: reset ${r.body.reset}, revision ${r.body.revision} (expected ${R})`);
        const f = await c.request('GET', P, m.token);
        if (i < 2) continue; // warm-up
        coldTimes[key].push(r.ms);
        coldTimes.floor.push(f.ms);
        coldChanges[key] = r.body.changes.length;
      }
    const coldFloor = stat(coldTimes.floor);
    http.push(
      { group: 'pull', label: 'pull of the last 100 changes right after a new one, Artist (view computed afresh)', route: 'GET /api/v1/projects/:id/changes?since=…', note: `${coldChanges.artist} of 100 changes visible to them (last round)`, ours: stat(coldTimes.artist), floor: coldFloor, aim: 20 },
      { group: 'pull', label: 'pull of the last 100 changes right after a new one, Admin', route: 'GET /api/v1/projects/:id/changes?since=…', note: `${coldChanges.admin} of 100 changes`, ours: stat(coldTimes.admin), floor: coldFloor, aim: 20 },
    );

    // Boards right after a change: the warm rounds above reuse the member's memoised view and
    // board answer at one revision; here each round moves the project on first. A status change
    // leaves visibility as it was (the graph keeps the member's closure), an assignment changes
    // it (the closure is walked again); both make the server walk the member's visible tasks.
    log(`  production: ${opts.coldRounds} × 8 boards right after a change`);
    const coldBoards = [['Admin (view_all)', fx.admin], ['Artist', fx.artist], ['Vendor', fx.vendor], ['lead', fx.lead]] as const;
    const changes = [
      ['status', 'one task.status (visibility unchanged)', (id: string) => ({ type: 'task.status', assetId: id, statusId: nextStatus(id, taskStatus) })],
      ['assignment', 'one task.assign between others (visibility walked again)', (id: string, n: number) => ({ type: 'task.assign', assetId: id, assigneeId: reassign(id, n) })],
    ] as const;
    const coldBoardTimes = new Map<string, number[]>([['floor', []]]);
    for (let i = 0; i < opts.coldRounds + 2; i++)
      for (const [j, [kind, , opOf]] of changes.entries())
        for (const [k, [label, m]] of coldBoards.entries()) {
          const id = nextTask();
          checkApplied((await c.json('POST', `${P}/ops`, fx.pm.token, { ops: [{ opId: `cold-board-${i}-${j}-${k}`, op: opOf(id, i * 8 + j * 4 + k) }] })).body, 'cold board');
          const r = await c.request('GET', `${P}/board`, m.token);
          if (r.status !== 200) throw new Error(`cold board ${label}: ${r.status}`);
          const f = await c.request('GET', P, m.token);
          if (i < 2) continue; // warm-up
          const key = `${kind} ${label}`;
          coldBoardTimes.set(key, [...(coldBoardTimes.get(key) ?? []), r.ms]);
          coldBoardTimes.get('floor')!.push(f.ms);
        }
    const coldBoardFloor = stat(coldBoardTimes.get('floor')!);
    for (const [kind, note] of changes)
      for (const [label] of coldBoards)
        http.push({ group: 'cold board', label: `board right after a new ${kind} change, ${label}`, route: 'GET /api/v1/projects/:id/board', note: `${note} by the Production Manager just before`, ours: stat(coldBoardTimes.get(`${kind} ${label}`)!), floor: coldBoardFloor, aim: 20 });

    // ---- 1. in process: graph build, closure (the server is idle from here on) -----------------
    log('  production: in process — graph build, closure (ours and the SQL peer)');
    const R2 = Number((await db.selectFrom('projects').select('revision').where('id', '=', fx.projectId).executeTakeFirstOrThrow()).revision);
    const buildTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      forgetGraph(fx.projectId);
      const t = now();
      await graphAt(db, fx.projectId, R2);
      buildTimes.push(msSince(t));
    }
    const graph = await graphAt(db, fx.projectId, R2);

    peer = sqlPeer(fx.dbFile);
    const members: { label: string; m: Member }[] = [
      { label: 'Artist', m: fx.artist },
      { label: 'Vendor (assigned only)', m: fx.vendor },
      { label: 'lead (10 top-level collections assigned)', m: fx.lead },
      { label: 'Admin', m: fx.admin },
    ];
    const closure: ClosureRow[] = [];
    const actors = await Promise.all(members.map((x) => actorOf(x.m)));
    const times = members.map(() => ({ visibleTo: [] as number[], memberView: [] as number[], peer: [] as number[] }));
    const same: boolean[] = [];
    members.forEach((x, i) => {
      const a = actors[i];
      const ours = graph.visibleTo(a.userId, { shared: !a.projectRole!.assignedOnly });
      const theirs = peer!.closure(fx.projectId, a.userId, !a.projectRole!.assignedOnly);
      same[i] = sameSet(ours.assets, theirs.assets) && sameSet(ours.collections, theirs.collections) && sameSet(ours.namesOnly, theirs.namesOnly);
      if (!same[i]) log(`  warning: SQL peer differs for ${x.label}: assets ${ours.assets.size}/${theirs.assets.size}, collections ${ours.collections.size}/${theirs.collections.size}, names ${ours.namesOnly.size}/${theirs.namesOnly.size}`);
    });
    for (let r = 0; r < opts.closureRounds + 3; r++)
      members.forEach((x, i) => {
        const a = actors[i];
        // The order rotates, so the garbage one leaves behind is not always collected in the same next one.
        const runs: [keyof (typeof times)[number], () => unknown][] = [
          ['visibleTo', () => graph.visibleTo(a.userId, { shared: !a.projectRole!.assignedOnly })],
          ['memberView', () => memberView(graph, a)],
          ['peer', () => peer!.closure(fx.projectId, a.userId, !a.projectRole!.assignedOnly)],
        ];
        for (let k = 0; k < runs.length; k++) {
          const [key, run] = runs[(k + r) % runs.length];
          forgetAnswers(graph);
          const t0 = now();
          run();
          if (r >= 3) times[i][key].push(msSince(t0));
        }
      });
    members.forEach((x, i) => {
      const vis = graph.visibleTo(actors[i].userId, { shared: !actors[i].projectRole!.assignedOnly });
      closure.push({
        member: x.label, sizes: { assets: vis.assets.size, collections: vis.collections.size, namesOnly: vis.namesOnly.size },
        visibleTo: stat(times[i].visibleTo), memberView: stat(times[i].memberView), peer: stat(times[i].peer), same: same[i],
      });
    });

    const { tasks: _t, artistTasks: _a, pool: _p, artistPool: _ap, leaves: _l, libraryLeaves: _ll, ...fixture } = fx;
    return {
      options: opts, fixture, startedAt, loadBefore, http, closure,
      build: { ...stat(buildTimes), max: Math.max(...buildTimes) }, replayOnce, replay: stat(replayTimes), replayEntries,
      snapshot, pullChanges, seconds: (Date.now() - started) / 1000,
    };
  } finally {
    c.close();
    peer?.close();
    if (opened) await opened.close();
    await server.stop();
  }
}

// ---- the section ---------------------------------------------------------------------------------

const ms = (x: number) => fmt(x);
const x = (a: number, b: number) => (b ? `${fmt(a / b, 2)}×` : 'n/a');

export function productionSection(r: ProductionResults): string {
  const f = r.fixture;
  const mix = Object.entries(f.roleMix).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`).join(', ');
  const aimCell = (p99: number, aim?: number) => (aim === undefined ? '—' : p99 <= aim ? `met (< ${aim} ms)` : `**no** (< ${aim} ms)`);
  const closureRows = r.closure.map((c) => [
    c.member, `${c.sizes.assets.toLocaleString('en-US')} / ${c.sizes.collections.toLocaleString('en-US')} / ${c.sizes.namesOnly.toLocaleString('en-US')}`,
    ms(c.visibleTo.p50), ms(c.visibleTo.p99), ms(c.memberView.p50), ms(c.memberView.p99), ms(c.peer.p50), ms(c.peer.p99),
    x(c.memberView.p50, c.peer.p50), c.same ? 'yes' : '**no**', aimCell(c.memberView.p99, 50),
  ]);
  const httpRows = r.http.map((h) => [
    h.label, `\`${h.route}\``, h.note, ms(h.ours.p50), ms(h.ours.p99), ms(h.floor.p50), ms(h.floor.p99),
    h.ours === h.floor ? '1×' : x(h.ours.p50, h.floor.p50), h.ours === h.floor ? '1×' : x(h.ours.p99, h.floor.p99), aimCell(h.ours.p99, h.aim),
  ]);
  const missed = [
    ...r.closure.filter((c) => c.memberView.p99 > 50).map((c) => `closure ${c.member} ${ms(c.memberView.p99)} ms`),
    ...r.http.filter((h) => h.aim !== undefined && h.ours.p99 > h.aim).map((h) => `${h.label} ${ms(h.ours.p99)} ms`),
  ];
  return `## Production tracking at scale (embedded SQLite)

${machineLine(r.startedAt, r.loadBefore)}

The machine was shared with other work during this run (see the load average: on 2 cores, anything above 2
means the server, the load generator and other processes were waiting for CPU), which inflates absolute
times and above all the p99s; the ratios against the floor, measured interleaved with each route, suffer less.

Data: the project of \`bench/browse.ts\` (\`seedBigProject\`): ${f.assets.toLocaleString('en-US')} assets (60% tasks, 70% of those assigned),
${f.collections.toLocaleString('en-US')} collections (50 top level, the first a shared library), ${f.edges.toLocaleString('en-US')} layered dependency edges, and
${f.members} members: ${mix}. The lead (Artist role) has ten top-level collections assigned; the other Artists and the
Vendors (assigned-only) hold about 1,000 tasks each, the bench Artist about 100.${f.analyzed ? ' `ANALYZE` was run after seeding.' : ''}${f.pragmas.length ? ` Server connection set to ${f.pragmas.map((x) => `\`PRAGMA ${x}\``).join(', ')} after seeding.` : ''} A real server (\`startServer\`,
logger off) in a child process, seeded in ${fmt(f.seedSeconds)} s; requests are sequential over one keep-alive connection
from this process (${r.options.rounds} per read and pull scenario, ${r.options.pushRounds} pushes, after warm-up), timed to the
last byte. Written by \`node --import tsx bench/production.ts\` (or \`npm run bench -- --only=production\`); the run took ${fmt(r.seconds)} s.

**Visibility closure, in process** (${r.options.closureRounds} rounds each, after warm-up). The graph keeps each member's
answer until its structure changes (a move, an assignment, a share flag, an edge, a trash or restore; not a rename or a
status change), so before every timed call the benchmark adds and removes an edge (\`bench/forget-answers.ts\`, outside
the timing): every row below is a full walk. \`visibleTo\` is
\`ProjectGraph.visibleTo\`; \`memberView\` is core's \`memberView\` (calls \`visibleTo\`, adds the role's view_all/download
rules): what a read or a pull computes when the member's view is not memoised yet at this revision, and what every
pushed op computes. Whoever sees every asset and collection and downloads any asset or none (the Admin, the Production
Manager) decides nothing by the rules, so \`memberView\` leaves their closure uncomputed unless something reads it.
Peer: the same three sets from one recursive-CTE statement (\`PEER_SQL\` in bench/production.ts, prepared once on a
read-only better-sqlite3 connection to the same file), checked equal to ours member by member. Ratio = ours
(memberView) p50 ÷ peer p50: below 1× = faster.

${table(['member', 'visible assets / collections / names only', 'visibleTo p50 ms', 'visibleTo p99 ms', 'memberView p50 ms', 'memberView p99 ms', 'SQL CTE p50 ms', 'SQL CTE p99 ms', 'ours ÷ peer', 'same sets', 'aim (p99)'], closureRows)}

Graph: built from the database (3 queries, ${f.assets.toLocaleString('en-US')} + ${f.collections.toLocaleString('en-US')} + ${f.edges.toLocaleString('en-US')} rows, what a process does on its first
read of the project) p50 ${ms(r.build.p50)} ms, slowest of ${r.build.n} ${ms(r.build.max)} ms. Incremental replay of the 100 changes
(read ${r.replayEntries} change-log entries + apply): ${ms(r.replayOnce)} ms the first time through \`graphAt\`, then p50 ${ms(r.replay.p50)} ms, p99 ${ms(r.replay.p99)} ms
over ${r.replay.n} rounds (same work, re-applied).

**HTTP** (warm). Floor = the same server's \`GET /api/v1/projects/:id\` (session, project access, one query), measured
interleaved with the routes of its group; ratio = route ÷ floor. The pulls start from cursors taken just before 100 ops by
the Production Manager in 10 pushes (20 asset.create, half of them in the shared library; 20 task.status on the Artist's tasks,
40 on others'; 20 task.assign between others; ${r.pullChanges.entries} change-log entries): the Artist's cursor from a real first sync (a snapshot: ${fmt(r.snapshot.ms)} ms, ${r.snapshot.assets.toLocaleString('en-US')} assets,
${fmt(r.snapshot.bytes / 2 ** 20)} MiB), the Admin's computed the server's way (\`visibilityDigest\`; their snapshot would be the whole
project); both pulls answer a diff, not a reset (checked). Repeated pulls at one revision reuse the member's memoised view
and digests; the "right after a new one" rows measure the other case: each round the Production Manager pushes one op,
then the member pulls the last 100 changes (${r.options.coldRounds} rounds each, cursor computed the server's way for revision − 100), so
the server computes their view and digests afresh. Boards likewise: warm rounds at one revision reuse the member's memoised
view and board answer (cards are read fresh every time); the "board right after a new change" rows push one op first, so the
member's board answer is computed again (after a status change from the closure the graph kept, as visibility did not
change; after an assignment, with the closure walked again).

${table(['scenario', 'route', 'answer', 'p50 ms', 'p99 ms', 'floor p50 ms', 'floor p99 ms', 'p50 ÷ floor', 'p99 ÷ floor', 'aim (p99)'], httpRows)}

**Aims** (embedded default): visibility closure under 50 ms, board and list under 20 ms p99, pull of 100 changes under 20 ms
p99 — ${missed.length ? `**not met**: ${missed.join('; ')}` : 'met'}.`;
}

// ---- CLI -----------------------------------------------------------------------------------------

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: number) => {
    const a = args.find((s) => s.startsWith(`--${name}=`));
    return a ? Number(a.split('=')[1]) : fallback;
  };
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const r = await runProductionBench({
    rounds: opt('rounds', 200), pushRounds: opt('push-rounds', 100), closureRounds: opt('closure-rounds', 40), coldRounds: opt('cold-rounds', 50), analyze: args.includes('--analyze'),
    pragmas: args.filter((a) => a.startsWith('--pragma=')).map((a) => a.slice('--pragma='.length)),
    assets: opt('assets', 0) || undefined, edges: opt('edges', 0) || undefined, log,
  });
  const body = productionSection(r);
  process.stdout.write(`\n${body}\n`);
  if (!args.includes('--no-write')) {
    updateSections({ production: body });
    log(`wrote section production of ${BENCHMARKS_FILE}`);
  }
}
