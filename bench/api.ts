// Authorized API requests per second under concurrent load. The server runs in its own child
// process (bench/api-server.ts: real Backlot, embedded SQLite, seeded over HTTP); autocannon runs
// here, so load generator and server never share an event loop. Peer, in the same run: a minimal
// Fastify server (bench/ceiling-server.ts) answering the same routes with the same JSON bodies,
// without sessions, policy or database. Both children stay up for the whole run and each endpoint
// is measured on ours and then on the peer, back to back.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import type { ApiFixture } from './api-server.js';
import { fmt, machineLine, ratio, REPO_ROOT, table } from './report.js';

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
  duration: number;
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

interface Child<T> {
  info: T;
  stop(): Promise<void>;
}

/** Spawns `node --import tsx FILE` and waits for the JSON line it prints when ready. */
async function spawnReady<T>(file: string, args: string[]): Promise<Child<T>> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', file), ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} not ready after 120 s`)), 120_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${file} printed ${line}`));
      }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`${file} exited with ${code} before it was ready`)); });
  });
  let info: T;
  try {
    info = await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    info,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux; USER_HZ is 100). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function load(url: string, token: string | undefined, connections: number, duration: number): Promise<Omit<LoadResult, 'bodyBytes'>> {
  const r = await autocannon({
    url, connections, duration, pipelining: 1, timeout: 10,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max,
    non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
  };
}

async function fetchBody(url: string, token?: string): Promise<{ text: string; json: unknown }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text}`);
  return { text, json: JSON.parse(text) };
}

async function measure(base: string, path: string, token: string | undefined, opts: ApiOptions, label: string, serverPid: number): Promise<LoadResult> {
  const log = opts.log ?? (() => {});
  const { text } = await fetchBody(base + path, token);
  log(`  api: ${label} ${path.replace(/[0-9a-f-]{36}/g, ':id')} — warm-up ${opts.warmup} s, then ${opts.duration} s × ${opts.connections} connections`);
  if (opts.warmup > 0) await load(base + path, token, opts.connections, opts.warmup);
  const cpu0 = cpuSeconds(serverPid);
  const t0 = process.hrtime.bigint();
  const r = await load(base + path, token, opts.connections, opts.duration);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuSeconds(serverPid);
  const cpu = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
  const cpuUsPerReq = cpu !== undefined && r.total ? (cpu * 1e6) / r.total : undefined;
  const coresUsed = cpu !== undefined ? cpu / wall : undefined;
  log(`       ${fmt(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}` +
    (cpuUsPerReq !== undefined ? `; server CPU ${fmt(cpuUsPerReq)} µs/request, ${fmt(coresUsed!, 2)} cores used` : ''));
  return { ...r, bodyBytes: Buffer.byteLength(text), cpuUsPerReq, coresUsed };
}

export async function runApiBench(opts: ApiOptions): Promise<ApiResults> {
  const log = opts.log ?? (() => {});
  const startedAt = new Date();
  const loadBefore = loadavg();
  log(`  api: starting Backlot (embedded SQLite, ${opts.projects} projects) in a child process …`);
  const backlot = await spawnReady<ApiFixture>('api-server.ts', [`--projects=${opts.projects}`, ...(opts.serverArgs ?? [])]);
  const fx = backlot.info;
  const endpoints = [
    { name: 'list the studio\'s projects (member sees those they hold a role in)', route: '/api/v1/studios/:studioId/projects', path: `/api/v1/studios/${fx.studioId}/projects`, aim: true },
    { name: 'one project with my role\'s permissions', route: '/api/v1/projects/:projectId', path: `/api/v1/projects/${fx.projectId}`, aim: true },
    { name: 'breakdown: session lookup only (`/auth/me`, no policy)', route: '/api/v1/auth/me', path: '/api/v1/auth/me', aim: false },
  ];
  const ours: LoadResult[] = [];
  const peers: LoadResult[] = [];
  const peerKind = opts.peer ?? 'ceiling';
  let peer: { child: Child<{ url: string; pid: number; token?: string }>; path: (e: (typeof endpoints)[number]) => string } | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'backlot-bench-ceiling-'));
  try {
    if (peerKind === 'ceiling') {
      // The peer answers exactly the bodies Backlot answered.
      const bodies: Record<string, unknown> = {};
      for (const e of endpoints) bodies[e.route] = (await fetchBody(fx.url + e.path, fx.token)).json;
      const bodiesFile = join(dir, 'bodies.json');
      writeFileSync(bodiesFile, JSON.stringify(bodies));
      log('  api: starting the minimal Fastify peer in a child process …');
      peer = { child: await spawnReady('ceiling-server.ts', [bodiesFile]), path: (e) => e.path };
    } else if (peerKind !== 'none') {
      log(`  api: starting a second Backlot (${peerKind.backlotArgs.join(' ')}) in a child process …`);
      const child = await spawnReady<ApiFixture>('api-server.ts', [`--projects=${opts.projects}`, ...peerKind.backlotArgs]);
      const other = child.info;
      peer = { child, path: (e) => e.path.replace(fx.studioId, other.studioId).replace(fx.projectId, other.projectId) };
    }
    // Ours then the peer, endpoint by endpoint, so both see the machine in about the same state.
    for (const e of endpoints) {
      ours.push(await measure(fx.url, e.path, fx.token, opts, 'Backlot', fx.pid));
      if (peer) {
        const r = await measure(peer.child.info.url, peer.path(e), peer.child.info.token, opts, 'peer   ', peer.child.info.pid);
        if (peerKind === 'ceiling' && r.bodyBytes !== ours[ours.length - 1].bodyBytes)
          throw new Error(`peer body for ${e.route} is ${r.bodyBytes} bytes, ours ${ours[ours.length - 1].bodyBytes}`);
        peers.push(r);
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
    `(programmatic) in the parent process, ${o.connections} connections, pipelining 1, ${o.warmup} s warm-up then ${o.duration} s measured,`,
    `authorized as the member with \`Authorization: Bearer\`. Peer, same run and same machine: a minimal Fastify`,
    `server in a child process answering the same routes with the same JSON bodies (serialized per request), with`,
    `no auth and no database — the ceiling; each endpoint is measured on ours and then on the peer, back to back.`,
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
