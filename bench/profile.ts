// Where the Backlot server's CPU time goes under the API benchmark's load: runs the same load
// against a server child that records a V8 CPU profile (bench/api-server.ts --profile=…), then
// summarizes it by area (SQLite, Kysely, Fastify, node's HTTP stack, our code, GC, idle) and by
// function. Also usable on any .cpuprofile file:
//
//   node --import tsx bench/profile.ts FILE.cpuprofile
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runApiBench, type ApiOptions, type ApiResults } from './api.js';
import { formatQueryCost, runQueryCost, type QueryCostRow } from './query-cost.js';
import { loadavg } from 'node:os';
import { fmt, machineLine, table } from './report.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
}

/** A coarse area for a frame, by where its code lives. */
export function areaOf(f: CallFrame): string {
  const { url, functionName: fn } = f;
  if (fn === '(idle)') return 'idle (waiting for I/O)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return 'V8/native, unattributed';
  if (fn === '(root)') return 'root';
  if (!url) {
    if (fn === 'Statement') return 'SQLite: preparing statements (native `Statement`)';
    if (fn === 'all' || fn === 'get' || fn === 'run' || fn === 'iterate') return 'SQLite: running statements (native `all`/`get`/`run`)';
    if (/^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString|shutdown|close|readStart|onStreamRead)$/.test(fn)) return 'socket I/O (native)';
    if (fn === 'Hash' || fn === 'digest' || fn === 'update' || fn === 'randomBytes' || fn === 'randomUUID') return 'crypto (native)';
    return 'other native functions';
  }
  if (url.includes('/packages/server/src/')) return 'Backlot server code';
  if (url.includes('/packages/core/src/')) return 'Backlot core (policy)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) {
    const pkg = nm[1];
    if (pkg === 'kysely') return 'Kysely (query building, compiling, result mapping)';
    if (pkg === 'better-sqlite3') return 'better-sqlite3 (JS side)';
    if (/^(fastify|@fastify\/|find-my-way|avvio|light-my-request|fast-json-stringify|fast-querystring|fast-uri|ajv|@sinclair|typebox|abstract-logging|process-warning|toad-cache|safe-regex2|ret|rfdc|secure-json-parse|content-type|fast-decode-uri-component|json-schema-ref-resolver|fast-deep-equal)/.test(pkg))
      return 'Fastify and its plugins';
    if (pkg === 'tsx' || pkg === 'esbuild' || pkg === 'get-tsconfig') return 'tsx loader';
    return `other package: ${pkg}`;
  }
  if (url.startsWith('node:')) return 'node core (http, net, streams, timers)';
  return 'other';
}

const short = (f: CallFrame) => {
  const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/packages\//, 'packages/');
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
};

export interface ProfileSummary {
  totalSamples: number;
  busySamples: number;
  areas: { area: string; share: number }[];
  selfTop: { fn: string; share: number }[];
  inclusiveOurs: { fn: string; share: number }[];
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  if (profile.samples?.length) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const n of profile.nodes) hits.set(n.id, n.hitCount ?? 0);
  const total = [...hits.values()].reduce((a, b) => a + b, 0);
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((s, n) => s + (hits.get(n.id) ?? 0), 0);
  const busy = Math.max(1, total - idle);

  const areas = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  // Walk the tree, crediting each sample to every distinct function on its stack (inclusive).
  const root = profile.nodes[0];
  const walk = (node: ProfileNode, stack: Map<string, number>) => {
    const key = short(node.callFrame);
    const h = hits.get(node.id) ?? 0;
    const area = areaOf(node.callFrame);
    if (area !== 'idle (waiting for I/O)') {
      areas.set(area, (areas.get(area) ?? 0) + h);
      self.set(key, (self.get(key) ?? 0) + h);
    }
    stack.set(key, (stack.get(key) ?? 0) + 1);
    if (h && area !== 'idle (waiting for I/O)') for (const k of stack.keys()) inclusive.set(k, (inclusive.get(k) ?? 0) + h);
    for (const c of node.children ?? []) walk(byId.get(c)!, stack);
    const left = stack.get(key)! - 1;
    if (left) stack.set(key, left);
    else stack.delete(key);
  };
  walk(root, new Map());

  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalSamples: total,
    busySamples: busy,
    areas: [...sorted(areas).map(([area, n]) => ({ area, share: n / busy })), { area: 'idle (not in busy total)', share: idle / busy }],
    selfTop: sorted(self).slice(0, 20).map(([fn, n]) => ({ fn, share: n / busy })),
    inclusiveOurs: sorted(inclusive)
      .filter(([fn]) => fn.includes('packages/'))
      .slice(0, 20)
      .map(([fn, n]) => ({ fn, share: n / busy })),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatSummary(s: ProfileSummary): string {
  return [
    `${s.totalSamples} samples, ${s.busySamples} busy (shares below are of busy samples).`,
    '',
    table(['area (self time)', 'share'], s.areas.map((a) => [a.area, pct(a.share)])),
    '',
    table(['hottest functions (self time)', 'share'], s.selfTop.map((f) => [`\`${f.fn}\``, pct(f.share)])),
    '',
    table(['Backlot functions (inclusive: time in them and what they call)', 'share'], s.inclusiveOurs.map((f) => [`\`${f.fn}\``, pct(f.share)])),
  ].join('\n');
}

export interface ProfileRun {
  summary: ProfileSummary;
  load: ApiResults;
  queryCost: QueryCostRow[];
  startedAt: Date;
  loadBefore: number[];
}

/**
 * Runs the API load against a profiled Backlot child (no peer), then the in-process query-cost
 * breakdown; prints both and returns them for the `api-profile` section.
 */
export async function profileServer(opts: ApiOptions): Promise<ProfileRun> {
  const log = opts.log ?? (() => {});
  const startedAt = new Date();
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'backlot-bench-profile-'));
  const out = join(dir, 'server.cpuprofile');
  try {
    log('profiling the Backlot server under the same load …');
    const load = await runApiBench({ ...opts, slices: 1, peer: 'none', serverArgs: [`--profile=${out}`] });
    const summary = summarizeProfile(JSON.parse(readFileSync(out, 'utf8')) as CpuProfile);
    log(`\nCPU profile of the Backlot server (throughput with the profiler on: ${load.endpoints.map((e) => fmt(e.ours.rps)).join(' / ')} req/s):\n`);
    log(formatSummary(summary));
    log('\nquery cost of the read paths (in process) …');
    const queryCost = await runQueryCost({ log });
    log(`\n${formatQueryCost(queryCost)}`);
    return { summary, load, queryCost, startedAt, loadBefore };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function profileSection(p: ProfileRun): string {
  const area = (prefix: string) => p.summary.areas.filter((a) => a.area.startsWith(prefix)).reduce((s, a) => s + a.share, 0);
  const pc = (x: number) => `${(x * 100).toFixed(0)}%`;
  const prepare = area('SQLite: preparing');
  const run = area('SQLite: running');
  const kysely = area('Kysely');
  const socket = area('socket I/O') + area('node core');
  const fastify = area('Fastify');
  const ours = area('Backlot');
  const row = (prefix: string) => p.queryCost.find((r) => r.path.startsWith(prefix))!;
  const sess = row('session');
  const get = row('`getProject`');
  const list = row('`listProjects`');
  const suggestions: string[] = [];
  if (prepare >= 0.03)
    suggestions.push(
      `**Statement preparation: ${pc(prepare)} of server CPU** (running them: ${pc(run)}). Kysely's \`SqliteDialect\` prepares every query`,
      '   anew unless the better-sqlite3 handle it is given reuses statements by SQL text; give it one that does.',
    );
  suggestions.push(
    `**Query building, compiling and result mapping in Kysely: ${pc(kysely)} of server CPU**${prepare < 0.03 ? ` (statement preparation is down to ${pc(prepare)}: the statement cache works)` : ''}.`,
    `   In process, Kysely and the service code cost ${fmt(sess.asIs - sess.sqlOnly)} µs of the session lookup's ${fmt(sess.asIs)} µs (its SQL: ${fmt(sess.sqlOnly)} µs)`,
    `   and ${fmt(get.asIs - get.sqlOnly)} µs of \`getProject\`'s ${fmt(get.asIs)} µs (SQL: ${fmt(get.sqlOnly)} µs). The queries every read runs (session by token`,
    '   hash, studio access, project access) have fixed shapes: building them once — prepared statements behind the',
    '   same functions, or Kysely queries compiled once and run with new parameters — would remove most of that.',
    `**Session lookup on every request** (${fmt(sess.asIs)} µs in process). A small in-process cache keyed by token hash with a`,
    '   TTL of a few seconds, dropped on logout/revocation/deactivation in the same process, would skip it on most',
    '   requests; with several server processes the TTL bounds how long a revoked token keeps working.',
    `**\`listProjects\`'s SQL itself is ${fmt(list.sqlOnly)} µs** (studio access + one list query for the member's projects). It selects \`p.*\`,`,
    '   including the per-project `settings` JSON that `projectView` never returns; selecting the returned columns',
    '   made the statement about a quarter faster in a one-off check.',
    `**HTTP and Fastify (${pc(socket)} in node's HTTP stack and socket writes, ${pc(fastify)} in Fastify)** are the same work the ceiling`,
    `   peer does and are not Backlot-specific; Backlot's own code is ${pc(ours)}.`,
  );
  let n = 0;
  const numbered = suggestions.map((l) => (l.startsWith('**') ? `${++n}. ${l}` : l));
  return [
    '## API profile: where the server\'s CPU goes',
    '',
    machineLine(p.startedAt, p.loadBefore),
    '',
    `Written by \`npm run bench -- --only=api --profile\`. The Backlot child of the API benchmark, under the same load`,
    `(${p.load.endpoints.length} endpoints, ${p.load.options.connections} connections, ${p.load.options.duration} s each), sampled by V8's CPU profiler from the end of seeding to`,
    `shutdown; throughput with the profiler on: ${p.load.endpoints.map((e) => `${fmt(e.ours.rps)}`).join(' / ')} req/s. Shares are of non-idle samples.`,
    '',
    table(['area (self time)', 'share'], p.summary.areas.map((a) => [a.area, `${(a.share * 100).toFixed(1)}%`])),
    '',
    table(['hottest functions (self time)', 'share'], p.summary.selfTop.slice(0, 12).map((f) => [`\`${f.fn}\``, `${(f.share * 100).toFixed(1)}%`])),
    '',
    'The read paths\' database work, in process (no HTTP), sequential calls, median of interleaved rounds (bench/query-cost.ts):',
    '',
    formatQueryCost(p.queryCost),
    '',
    '**What dominates and what would help** (numbers from the tables above; no server code was changed by the benchmark):',
    '',
    ...numbered,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile.ts FILE.cpuprofile');
  process.stdout.write(`${formatSummary(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile))}\n`);
}
