// Authorized API requests per second under concurrent load. The server runs in its own child
// process (bench/api-server.ts: real Backlot, embedded SQLite, seeded over HTTP); autocannon runs
// here, so load generator and server never share an event loop. Peer, in the same run: a minimal
// Fastify server (bench/ceiling-server.ts) answering the same routes with the same JSON bodies,
// without sessions, policy or database. Both children stay up for the whole run and each endpoint
// is measured on ours and then on the peer, back to back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type RawResult } from 'autocannon';
import type { ApiFixture } from './api-server.js';
import { fmt, machineLine, ratio, REPO_ROOT, table, cpuSeconds } from './report.js';
import { spawnReady, type ReadyChild } from './child.js';

export interface LoadResult {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bodyBytes: number;
  /** Server process CPU time (user + system) per request during the measured window, in µs. */
  cpuUsPerReq?: number;
  /** Cores the server process actually got during the window (CPU seconds ÷ wall seconds). */
  coresUsed?: number;
}

export interface EndpointResult {
  name: string;
  path: string;
  /** Counted against the aims (the other rows break the cost down). */
  aim: boolean;
  ours: LoadResult;
  /** Absent when the run had no peer (the profiled run). */
  peer?: LoadResult;
}

export interface ApiOptions {
  /** Measured seconds per server and endpoint (split into `slices`). */
  duration: number;
  /** Alternating slices the measured time is split into (default 1). */
  slices?: number;
  warmup: number;
  connections: number;
  projects: number;
  /** Extra arguments for bench/api-server.ts (e.g. --profile=FILE). */
  serverArgs?: string[];
  /**
   * What runs next to ours, measured endpoint by endpoint right after it: the minimal Fastify
   * ceiling (default), a second Backlot server with these extra api-server arguments (to compare
   * a variant under the same conditions), or nothing.
   */
  peer?: 'ceiling' | { backlotArgs: string[] } | 'none';
  log?: (s: string) => void;
}

export interface ApiResults {
  options: ApiOptions;
  fixture: ApiFixture;
  endpoints: EndpointResult[];
  startedAt: Date;
  loadBefore: number[];
}



const authHeaders = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** A plain load run (warm-ups). */
async function load(url: string, token: string | undefined, connections: number, duration: number): Promise<void> {
  await autocannon({ url, connections, duration, pipelining: 1, timeout: 10, headers: authHeaders(token) });
}

async function fetchBody(url: string, token?: string): Promise<{ text: string; json: unknown }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text}`);
  return { text, json: JSON.parse(text) };
}

/** One server answering one endpoint. */
interface Target {
  label: string;
  url: string;
  token?: string;
  pid: number;
}

/**
 * Measures one endpoint on every target: a warm-up each, then `slices` rounds in which each target
 * gets `duration / slices` seconds in turn (A B A B …), so a change in background load hits all
 * targets alike. Latency histograms are merged across slices (autocannon.aggregateResult);
 * requests/s is completed requests ÷ measured seconds; server CPU comes from /proc over the slices.
 */
async function measureTargets(targets: Target[], opts: ApiOptions): Promise<LoadResult[]> {
  const log = opts.log ?? (() => {});
  const slices = Math.max(1, Math.round(opts.slices ?? 1));
  const bodies: string[] = [];
  for (const t of targets) bodies.push((await fetchBody(t.url, t.token)).text);
  log(`  api: ${targets[0].url.replace(/^http:\/\/[^/]+/, '').replace(/[0-9a-f-]{36}/g, ':id')} — ${targets.map((t) => t.label).join(' / ')}: ` +
    `warm-up ${opts.warmup} s each, then ${slices} × ${fmt(opts.duration / slices)} s each, alternating, ${opts.connections} connections`);
  if (opts.warmup > 0) for (const t of targets) await load(t.url, t.token, opts.connections, opts.warmup);
  const raws = targets.map((): RawResult[] => []);
  const wall = targets.map(() => 0);
  const cpu = targets.map((): number | undefined => 0);
  for (let s = 0; s < slices; s++) {
    for (const [i, t] of targets.entries()) {
      const c0 = cpuSeconds(t.pid);
      const t0 = process.hrtime.bigint();
      raws[i].push(await autocannon({
        url: t.url, connections: opts.connections, duration: opts.duration / slices, pipelining: 1, timeout: 10,
        headers: authHeaders(t.token), skipAggregateResult: true,
      }));
      wall[i] += Number(process.hrtime.bigint() - t0) / 1e9;
      const c1 = cpuSeconds(t.pid);
      cpu[i] = c0 !== undefined && c1 !== undefined && cpu[i] !== undefined ? cpu[i]! + (c1 - c0) : undefined;
    }
  }
  return targets.map((t, i) => {
    const r = autocannon.aggregateResult(raws[i], { url: t.url, connections: opts.connections });
    const total = r.requests.total;
    const c = cpu[i];
    const out: LoadResult = {
      rps: total / wall[i], total, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max,
      non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, bodyBytes: Buffer.byteLength(bodies[i]),
      cpuUsPerReq: c !== undefined && total ? (c * 1e6) / total : undefined,
      coresUsed: c !== undefined ? c / wall[i] : undefined,
    };
    log(`       ${t.label}: ${fmt(out.rps)} req/s, p50 ${out.p50} ms, p99 ${out.p99} ms, non-2xx ${out.non2xx}, errors ${out.errors}` +
      (out.cpuUsPerReq !== undefined ? `; server CPU ${fmt(out.cpuUsPerReq)} µs/request, ${fmt(out.coresUsed!, 2)} cores used` : ''));
    return out;
  });
}

export async function runApiBench(opts: ApiOptions): Promise<ApiResults> {
  const log = opts.log ?? (() => {});
  const startedAt = new Date();
  const loadBefore = loadavg();
  log(`  api: starting Backlot (embedded SQLite, ${opts.projects} projects) in a child process …`);
  const backlot = await spawnReady<ApiFixture>(join(REPO_ROOT, 'bench', 'api-server.ts'), [`--projects=${opts.projects}`, ...(opts.serverArgs ?? [])]);
  const fx = backlot.info;
  const endpoints = [
    { name: 'list the studio\'s projects (member sees those they hold a role in)', route: '/api/v1/studios/:studioId/projects', path: `/api/v1/studios/${fx.studioId}/projects`, aim: true },
    { name: 'one project with my role\'s permissions', route: '/api/v1/projects/:projectId', path: `/api/v1/projects/${fx.projectId}`, aim: true },
    { name: 'breakdown: session lookup only (`/auth/me`, no policy)', route: '/api/v1/auth/me', path: '/api/v1/auth/me', aim: false },
  ];
  const ours: LoadResult[] = [];
  const peers: LoadResult[] = [];
  const peerKind = opts.peer ?? 'ceiling';
  let peer: { child: ReadyChild<{ url: string; pid: number; token?: string }>; path: (e: (typeof endpoints)[number]) => string } | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'backlot-bench-ceiling-'));
  try {
    if (peerKind === 'ceiling') {
      // The peer answers exactly the bodies Backlot answered.
      const bodies: Record<string, unknown> = {};
      for (const e of endpoints) bodies[e.route] = (await fetchBody(fx.url + e.path, fx.token)).json;
      const bodiesFile = join(dir, 'bodies.json');
      writeFileSync(bodiesFile, JSON.stringify(bodies));
      log('  api: starting the minimal Fastify peer in a child process …');
      peer = { child: await spawnReady(join(REPO_ROOT, 'bench', 'ceiling-server.ts'), [bodiesFile]), path: (e) => e.path };
    } else if (peerKind !== 'none') {
      log(`  api: starting a second Backlot (${peerKind.backlotArgs.join(' ')}) in a child process …`);
      const child = await spawnReady<ApiFixture>(join(REPO_ROOT, 'bench', 'api-server.ts'), [`--projects=${opts.projects}`, ...peerKind.backlotArgs]);
      const other = child.info;
      peer = { child, path: (e) => e.path.replace(fx.studioId, other.studioId).replace(fx.projectId, other.projectId) };
    }
    // Warm every route on every server first (JIT, statement and page caches), so the endpoint
    // measured first is not the one that pays for a cold process.
    if (opts.warmup > 0) {
      log(`  api: warming up every endpoint (${opts.warmup} s each) …`);
      for (const e of endpoints) {
        await load(fx.url + e.path, fx.token, opts.connections, opts.warmup);
        if (peer) await load(peer.child.info.url + peer.path(e), peer.child.info.token, opts.connections, opts.warmup);
      }
    }
    // Ours and the peer, endpoint by endpoint, in alternating slices.
    for (const e of endpoints) {
      const targets: Target[] = [{ label: 'Backlot', url: fx.url + e.path, token: fx.token, pid: fx.pid }];
      if (peer) targets.push({ label: 'peer', url: peer.child.info.url + peer.path(e), token: peer.child.info.token, pid: peer.child.info.pid });
      const [o, p] = await measureTargets(targets, opts);
      ours.push(o);
      if (p) {
        if (peerKind === 'ceiling' && p.bodyBytes !== o.bodyBytes) throw new Error(`peer body for ${e.route} is ${p.bodyBytes} bytes, ours ${o.bodyBytes}`);
        peers.push(p);
      }
    }
  } finally {
    await backlot.stop();
    await peer?.child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    options: opts,
    fixture: fx,
    startedAt,
    loadBefore,
    endpoints: endpoints.map((e, i) => ({ name: e.name, path: `GET ${e.route}`, aim: e.aim, ours: ours[i], peer: peers[i] })),
  };
}

export const AIM_RPS = 3000;
export const AIM_P99_MS = 50;

export function meetsAim(e: EndpointResult): boolean {
  return e.ours.rps >= AIM_RPS && e.ours.p99 < AIM_P99_MS && e.ours.non2xx === 0 && e.ours.errors === 0;
}

export function apiSection(r: ApiResults): string {
  const o = r.options;
  const ms = (x: number) => `${fmt(x)} ms`;
  const rows = r.endpoints.map((e) => [
    `\`${e.path}\`<br>${e.name}`, fmt(e.ours.bodyBytes),
    fmt(e.ours.rps), ms(e.ours.p50), ms(e.ours.p99), String(e.ours.non2xx + e.ours.errors),
    e.peer ? fmt(e.peer.rps) : 'n/a', e.peer ? ms(e.peer.p50) : 'n/a', e.peer ? ms(e.peer.p99) : 'n/a',
    e.peer ? ratio(e.ours.rps, e.peer.rps) : 'n/a',
    e.aim ? (meetsAim(e) ? 'yes' : '**no**') : '—',
  ]);
  const aimRows = r.endpoints.filter((e) => e.aim);
  const allMet = aimRows.every(meetsAim);
  const haveCpu = r.endpoints.every((e) => e.ours.cpuUsPerReq !== undefined && e.peer?.cpuUsPerReq !== undefined);
  const perCore = (us?: number) => (us ? fmt(1e6 / us) : 'n/a');
  const cpuRows = r.endpoints.map((e) => [
    `\`${e.path}\``,
    fmt(e.ours.cpuUsPerReq ?? NaN), fmt(e.ours.coresUsed ?? NaN, 2), perCore(e.ours.cpuUsPerReq),
    fmt(e.peer?.cpuUsPerReq ?? NaN), fmt(e.peer?.coresUsed ?? NaN, 2), perCore(e.peer?.cpuUsPerReq),
    e.peer?.cpuUsPerReq && e.ours.cpuUsPerReq ? ratio(e.peer.cpuUsPerReq, e.ours.cpuUsPerReq) : 'n/a',
  ]);
  return [
    '## API requests per second (embedded SQLite)',
    '',
    machineLine(r.startedAt, r.loadBefore),
    '',
    `A real Backlot server (\`startServer\`, embedded SQLite in a temporary data directory, logger off) in a child`,
    `process, seeded over its HTTP API: first account via the setup token, one studio, ${r.fixture.projects} projects, and a studio`,
    `member holding a role (artist, supervisor, vendor, …) in ${r.fixture.memberProjects} of them, plus 5 colleagues. Load: autocannon`,
    `(programmatic) in the parent process, ${o.connections} connections, pipelining 1; every endpoint warmed for ${o.warmup} s on every server,`,
    `then per endpoint another ${o.warmup} s warm-up each and ${o.duration} s measured on each server, in ${o.slices ?? 1} alternating slices (ours, peer, …),`,
    `authorized as the member with \`Authorization: Bearer\`. Peer, same run and same machine: a minimal Fastify`,
    `server in a child process answering the same routes with the same JSON bodies (serialized per request), with`,
    `no auth and no database — the ceiling.`,
    `Ratio = our requests/s ÷ the ceiling's. Latencies are autocannon's (per request, client side). On 2 cores the`,
    `load generator takes one core, so the ceiling is partly bounded by autocannon itself.`,
    '',
    table(['endpoint', 'body bytes', 'ours req/s', 'ours p50', 'ours p99', 'ours non-2xx + errors', 'ceiling req/s', 'ceiling p50', 'ceiling p99', 'ours ÷ ceiling', 'meets aim'], rows),
    '',
    `**Aim:** API reads above ${fmt(AIM_RPS)} requests/s with p99 under ${AIM_P99_MS} ms on 2 cores — ${allMet ? 'met' : '**not met**'}` +
      ` (${aimRows.map((e) => `${e.path.split(' ')[1]}: ${fmt(e.ours.rps)} req/s, p99 ${fmt(e.ours.p99)} ms`).join('; ')}).`,
    ...(haveCpu
      ? [
          '',
          'Server CPU per request (user + system time of the server process over the measured window, from /proc),',
          'which depends much less than requests/s on what else the machine is doing; "per full core" = 1 s ÷ CPU per',
          'request, the rate one uncontended core could sustain. "Cores used" below 1 means the server was not getting',
          'a whole core (other processes on the box, or waiting on the load generator).',
          '',
          table(['endpoint', 'ours CPU µs/request', 'ours cores used', 'ours req/s per full core', 'ceiling CPU µs/request', 'ceiling cores used', 'ceiling req/s per full core', 'ours ÷ ceiling (CPU)'], cpuRows),
        ]
      : []),
  ].join('\n');
}
