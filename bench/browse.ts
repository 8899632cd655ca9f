// Latency of the read side (board, asset list, detail, trail) on a large project: 100,000 assets,
// 5,000 collections, 300,000 dependency edges, through the HTTP API (Fastify inject, so no
// sockets; only the seeding goes over loopback, through @backlot/api) on SQLite. Reports p50/p99 per scenario for an Admin (view_all), an Artist (a few
// thousand visible assets: ids handed to SQL) and a lead with ten assigned top-level collections
// (tens of thousands visible: scan with in-memory visibility).
//
//   node --import tsx bench/browse.ts [--assets 100000] [--edges 300000] [--rounds 200]
//
// `seedBigProject` is shared with bench/production.ts (which seeds a real server in a child).
import { BacklotApi } from '@backlot/api';
import { createHarness, type Caller } from '@backlot/test-kit/harness';
import type { Db } from '../packages/server/src/db/connect.js';
import { pathToFileURL } from 'node:url';
import { forgetGraph } from '../packages/server/src/projection/graph-cache.js';
import { fmt, machineLine, table, percentile } from './report.js';
import { prng } from './prng.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 200);
const COLLECTIONS = 5000;

const uuid = () => crypto.randomUUID();

/** What the seeding needs from a server: its database, its clock, and its HTTP API as a caller. */
export interface SeedEnv {
  db: Db;
  /** The server's notion of now, as an ISO string. */
  now(): string;
  setupAdmin(): Promise<Caller>;
  /** Creates an account and signs it in. */
  user(email: string, name: string): Promise<Caller>;
  /** The server's API acting as `who`. */
  api(who: Caller): BacklotApi;
}

export interface BigProject {
  pid: string;
  studioId: string;
  admin: Caller;
  artist: Caller;
  lead: Caller;
  /** Assignees of most tasks (not project members unless the caller makes them so). */
  others: string[];
  roles: Record<string, string>;
  statuses: string[];
  /** Top-level collections: the first is the shared library, the last ten are assigned to the lead. */
  top: string[];
  leaves: { id: string; top: number }[];
  collections: number;
  assets: { id: string; collection_id: string; kind: string; assignee_id: string | null; status_id: string | null }[];
  edges: number;
  seconds: number;
}

/**
 * Seeds the large project: 50 top-level collections (the first a shared library, the last ten
 * assigned to the lead), 5,000 collections, `assets` assets (60% tasks, 70% of those assigned:
 * every 400th to the Artist, the rest to `others`), `edges` layered dependency edges. The Admin,
 * the Artist and the lead are real accounts (the last two project members with the Artist role).
 * `others` creates the accounts holding those tasks (called once the Admin exists); without it, 20
 * accounts are inserted (not project members).
 * Deterministic for given options (own PRNG).
 */
export async function seedBigProject(env: SeedEnv, opts: { assets?: number; edges?: number; others?: (admin: Caller) => Promise<string[]> } = {}): Promise<BigProject> {
  const ASSETS = opts.assets ?? 100_000;
  const EDGES = opts.edges ?? 300_000;
  const rand = prng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const db = env.db;
  const admin = await env.setupAdmin();
  const artist = await env.user('artist@bench.test', 'Artist');
  const lead = await env.user('lead@bench.test', 'Lead');
  const asAdmin = env.api(admin);
  const s = await asAdmin.studios.create({ name: 'Bench' });
  await asAdmin.invitations.invite(s.id, { emails: [artist.email, lead.email], role: 'member' });
  const pid = (await asAdmin.projects.create(s.id, { name: 'Big' })).id;
  // The project's preset roles (custom ones have no key), by key.
  const roles: Record<string, string> = Object.fromEntries((await asAdmin.roles.list(pid)).roles.filter((r) => r.key).map((r) => [r.key, r.id]));
  await asAdmin.projectMembers.add(pid, { userIds: [artist.userId, lead.userId], roleId: roles.artist });
  const statuses = (await asAdmin.browse.statuses(pid)).statuses.map((x) => x.id);
  const at = env.now();
  const others: string[] = opts.others ? await opts.others(admin) : [];
  if (!opts.others)
    for (let i = 0; i < 20; i++) {
      const id = uuid();
      others.push(id);
      await db.insertInto('users').values({ id, email: `u${i}@bench.test`, name: `User ${i}`, password_hash: null, is_instance_admin: 0, deactivated_at: null, created_at: at, last_active_at: null }).execute();
    }

  const t0 = Date.now();
  // Collections: 50 top level (the first is a shared library), 9 below each, 10 below those.
  const top: string[] = [];
  const leaves: { id: string; top: number }[] = [];
  const cols: any[] = [];
  const col = (parent: string | null, name: string, shared = 0, assignee: string | null = null) => {
    const id = uuid();
    cols.push({ id, project_id: pid, parent_id: parent, name, type: null, description: null, shared, assignee_id: assignee, created_at: at, created_by: admin.userId, created_rev: 1, updated_at: at, deleted_at: null, deleted_by: null, trash_root: null });
    return id;
  };
  for (let t = 0; t < 50; t++) {
    const tid = col(null, `top${t}`, t === 0 ? 1 : 0, t >= 40 ? lead.userId : null);
    top.push(tid);
    for (let m = 0; m < 9; m++) {
      const mid = col(tid, `mid${m}`);
      for (let l = 0; l < 10 && cols.length < COLLECTIONS; l++) leaves.push({ id: col(mid, `leaf${l}`), top: t });
    }
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < cols.length; i += 500) await trx.insertInto('collections').values(cols.slice(i, i + 500)).execute();
  });

  // Assets: 60% tasks; the Artist holds 300 tasks spread over the project.
  const leafTop = new Map(leaves.map((l) => [l.id, l.top]));
  const assets: any[] = [];
  const words = ['hero', 'tree', 'rock', 'car', 'house', 'lamp', 'sword', 'shot', 'cloud', 'rig'];
  for (let i = 0; i < ASSETS; i++) {
    const leaf = pick(leaves);
    const task = rand() < 0.6;
    const id = uuid();
    const t = new Date(Date.parse(at) + Math.floor(rand() * 3e9)).toISOString();
    assets.push({
      id, project_id: pid, collection_id: leaf.id, name: `${pick(words)}_${i}`, extension: pick(['blend', 'psd', 'png', 'ma']), kind: task ? 'task' : 'resource',
      type: pick(['Model', 'Rig', 'Texture', null]), tags: JSON.stringify(rand() < 0.3 ? [pick(words)] : []), description: null, url: null,
      assignee_id: task && rand() < 0.7 ? (i % 400 === 0 ? artist.userId : pick(others)) : null, status_id: task ? pick(statuses) : null,
      cover_checkpoint_id: null, created_at: t, created_by: admin.userId, created_rev: 1, updated_at: t, deleted_at: null, deleted_by: null, trash_root: null,
    });
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < assets.length; i += 400) await trx.insertInto('assets').values(assets.slice(i, i + 400)).execute();
  });
  // Dependencies, layered as in production (shots and rigs use models, models use textures), inside
  // one top-level collection; a tenth into the shared library, a few on whole collections.
  const layerOf = (i: number) => i % 3;
  const byTopLayer = top.map(() => [[], [], []] as string[][]);
  assets.forEach((a, i) => byTopLayer[topOfAssetIndex(a)][layerOf(i)].push(a.id));
  function topOfAssetIndex(a: any) { return leafTop.get(a.collection_id)!; }
  const depRows: any[] = [];
  for (let n = 0; n < EDGES; n++) {
    const i = Math.floor(rand() * assets.length);
    const layer = layerOf(i);
    if (layer === 0) { n--; continue; }
    const t = topOfAssetIndex(assets[i]);
    const r = rand();
    const toCollection = r < 0.005;
    const pool = (r < 0.1 ? byTopLayer[0] : byTopLayer[t])[Math.floor(rand() * layer)];
    if (!pool.length) continue;
    depRows.push({
      id: uuid(), project_id: pid, asset_id: assets[i].id, target_asset_id: toCollection ? null : pick(pool),
      target_collection_id: toCollection ? pick(leaves.filter((l) => l.top === t)).id : null, type: 'uses', created_at: at, created_by: admin.userId,
    });
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < depRows.length; i += 1000) await trx.insertInto('dependencies').values(depRows.slice(i, i + 1000)).execute();
  });
  // Rows were written behind the change log's back: drop any cached graph of the project.
  await db.updateTable('projects').set({ revision: 1 }).where('id', '=', pid).execute();
  forgetGraph(pid);
  return {
    pid, studioId: s.id, admin, artist, lead, others, roles, statuses, top, leaves, collections: cols.length, assets, edges: depRows.length,
    seconds: (Date.now() - t0) / 1000,
  };
}

async function main() {
  const h = await createHarness('sqlite');
  // The app also listens on loopback for the seeding's api calls; the timed requests use inject.
  const baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const env: SeedEnv = {
    db: h.deps.db, now: () => h.clock.now().toISOString(), setupAdmin: () => h.setupAdmin(), user: (e, n) => h.user(e, n),
    api: (c) => new BacklotApi({ baseUrl, auth: { kind: 'bearer', token: c.token! } }),
  };
  const seed = await seedBigProject(env, { assets: arg('assets', 100_000), edges: arg('edges', 300_000) });
  const { pid, admin, artist, lead, top, assets } = seed;
  if (process.env.BENCH_EXPLAIN) {
    const { sql } = await import('kysely');
    (globalThis as any).__bench = { h, pid, sql, admin, artist, lead, top };
    await import(process.env.BENCH_EXPLAIN);
  }
  const seeded = seed.seconds;

  const pct = percentile;
  async function time(who: Caller, path: string): Promise<{ p50: number; p99: number; note: string }> {
    const url = `/projects/${pid}${path}`;
    const first = await h.as(who).get(url);
    if (first.status !== 200) throw new Error(`${path}: ${first.status} ${JSON.stringify(first.body).slice(0, 300)}`);
    for (let i = 0; i < 20; i++) await h.as(who).get(url);
    const xs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = process.hrtime.bigint();
      await h.as(who).get(url);
      xs.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const b = first.body;
    const note = b.columns ? `${b.columns.map((c: any) => c.count).join('/')}` : b.items ? `${b.items.length} items` : b.entries ? `${b.entries.length} entries` : '';
    return { p50: pct(xs, 50), p99: pct(xs, 99), note };
  }

  const health = async () => {
    const xs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = process.hrtime.bigint();
      await h.as(admin).get(`/projects/${pid}`);
      xs.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return { p50: pct(xs, 50), p99: pct(xs, 99), note: 'GET /projects/:id (floor: session + one query)' };
  };

  const mid = (await h.as(admin).get(`/projects/${pid}/assets?sort=name&limit=200`)).body.nextCursor;
  const someTask = assets.find((a) => a.assignee_id === artist.userId)!.id;
  const scenarios: [string, Caller, string][] = [
    ['board, Admin', admin, '/board'],
    ['board, Artist', artist, '/board'],
    ['board, Lead (scan)', lead, '/board'],
    ['board My Tasks, Artist', artist, '/board?view=my'],
    ['board tag=hero, Admin', admin, '/board?tag=hero'],
    ['board text=sword, Admin', admin, '/board?text=sword'],
    ['board text=sword, Lead', lead, '/board?text=sword'],
    [`board collection subtree, Admin`, admin, `/board?collection=${top[7]}`],
    ['list name, Admin', admin, '/assets?sort=name'],
    ['list name page 2 (cursor), Admin', admin, `/assets?sort=name&limit=200&cursor=${mid}`],
    ['list updated, Admin', admin, '/assets?sort=updated'],
    ['list status, Admin', admin, '/assets?sort=status'],
    ['list name, Artist', artist, '/assets?sort=name'],
    ['list name, Lead (scan)', lead, '/assets?sort=name'],
    ['list updated, Lead (scan)', lead, '/assets?sort=updated'],
    ['list type+ext+kind, Admin', admin, '/assets?type=Rig&extension=psd&kind=task'],
    ['list text=rock, Artist', artist, '/assets?text=rock'],
    ['list unassigned, Lead', lead, '/assets?view=unassigned'],
    ['asset detail, Artist', artist, `/assets/${someTask}`],
    ['trail, Artist', artist, `/assets/${someTask}/trail`],
    ['collections top level, Artist', artist, '/collections'],
  ];
  const rows: (string | number)[][] = [];
  const f = await health();
  rows.push(['floor', fmt(f.p50), fmt(f.p99), f.note]);
  for (const [label, who, path] of scenarios) {
    const r = await time(who, path);
    rows.push([label, fmt(r.p50), fmt(r.p99), r.note]);
    console.error(`${label}: p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms (${r.note})`);
  }
  console.log(`\n${machineLine()}\n${assets.length} assets, ${seed.collections} collections, ${seed.edges} dependency edges (seeded in ${fmt(seeded)} s); ${ROUNDS} sequential requests each, ms\n`);
  console.log(table(['scenario', 'p50 ms', 'p99 ms', 'answer'], rows));
  await h.close();
}

// Run only when executed directly (bench/production.ts imports the seeding).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
