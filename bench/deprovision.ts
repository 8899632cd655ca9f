// Deprovisioning latency (issue 14): the time from a SCIM `active: false` to the first refused
// request of that person, and whether any request of theirs is served after the SCIM answer.
// Three set-ups: embedded SQLite (one process), PostgreSQL with one process, PostgreSQL with two
// processes (the IdP talks to one, the person to the other). Servers run in child processes
// (this file with --serve), seeded over HTTP: a studio, a project, a group mapping, the studio's
// SCIM token, and one member per round with a password session, linked by SCIM and given the
// project through a SCIM group.
//
// Each round: the member holds an open events WebSocket and a client sends requests back to
// back with their session (the "hammer"); the IdP's PATCH active:false goes to the first process;
// the moment its answer arrives, a fresh request of the member goes to the member's process. We
// record that request's time to its refusal, the socket's close after the answer, and the
// hammer's requests that started after the answer yet were served (must be 0). Peer in the same
// run: a plain authenticated request of a member on the same process (the floor: a refusal cannot
// come faster than a request).
//
//   node --import tsx bench/run.ts --only=identity          (PostgreSQL rows need BACKLOT_TEST_PG)
//   node --import tsx bench/deprovision.ts --rounds=30 --no-write
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../packages/server/src/config/config.js';
import { startServer } from '../packages/server/src/server.js';
import { insertUser, prepareSetup } from '../packages/server/src/admin/accounts.js';
import { freshPgDatabase } from '@backlot/test-kit/harness';
import { spawnReady, type ReadyChild } from './child.js';
import { fmt, machineLine, table, updateSections } from './report.js';

const PASSWORD = 'correct horse battery staple';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

interface Fixture {
  url: string;
  studioId?: string;
  projectId?: string;
  scimToken?: string;
  members?: { userId: string; email: string; token: string }[];
}

// ---- child: a server (the first one seeds) -------------------------------------------------------

async function call(url: string, method: string, path: string, token: string | null, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${url}${path}`, {
    method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': contentType } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

async function serve() {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
  const dataDir = mkdtempSync(join(tmpdir(), 'backlot-bench-deprov-'));
  const databaseUrl = arg('db');
  const config = loadConfig({ dataDir, port: 0, host: '127.0.0.1', ...(databaseUrl ? { databaseUrl } : {}) }, {});
  const server = await startServer(config, { logger: false, print: () => {} });
  const shutdown = async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.stdin.on('end', () => void shutdown());
  process.stdin.resume();
  const fixture: Fixture = { url: server.url };
  const members = Number(arg('seed') ?? 0);
  if (members > 0) {
    const url = server.url;
    const setupToken = await prepareSetup(server.deps);
    const owner = (await call(url, 'POST', '/api/v1/setup', null, { token: setupToken, email: 'owner@bench.test', name: 'Owner', password: PASSWORD })).token as string;
    const studioId = (await call(url, 'POST', '/api/v1/studios', owner, { name: 'Bench studio', allowedEmailDomains: ['bench.test'] })).id as string;
    const projectId = (await call(url, 'POST', `/api/v1/studios/${studioId}/projects`, owner, { name: 'Show' })).id as string;
    const roles = (await call(url, 'GET', `/api/v1/projects/${projectId}/roles`, owner)).roles as { id: string; key: string }[];
    await call(url, 'POST', `/api/v1/studios/${studioId}/sso/mappings`, owner, { group: 'crew', studioRole: 'member', projectRoles: [{ projectId, roleId: roles.find((r) => r.key === 'artist')!.id }] });
    const scimToken = (await call(url, 'POST', `/api/v1/studios/${studioId}/scim/token`, owner)).token as string;
    const emails = Array.from({ length: members }, (_, i) => `member${i}@bench.test`);
    const ids: string[] = [];
    for (const email of emails) ids.push(await server.deps.db.transaction().execute((trx) => insertUser(server.deps, trx, { email, name: email.split('@')[0], password: PASSWORD })));
    await call(url, 'POST', `/api/v1/studios/${studioId}/invitations`, owner, { emails, role: 'member' });
    const list: Fixture['members'] = [];
    for (const [i, email] of emails.entries())
      list.push({ userId: ids[i], email, token: (await call(url, 'POST', '/api/v1/auth/login', null, { email, password: PASSWORD, session: 'bearer' })).token });
    Object.assign(fixture, { studioId, projectId, scimToken, members: list });
  }
  process.stdout.write(`${JSON.stringify(fixture)}\n`);
}

// ---- parent: the measurement ---------------------------------------------------------------------

interface WsClient {
  on(event: 'message' | 'open', fn: () => void): void;
  on(event: 'close', fn: (code: number) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  close(): void;
}

export interface SetupResult {
  name: string;
  rounds: number;
  /** ms: the SCIM PATCH request, as the IdP sees it. */
  scim: number[];
  /** ms: from the SCIM answer to the refusal of the member's next request. */
  refusal: number[];
  /** ms: a plain authenticated request of a member on the same process (the floor). */
  plain: number[];
  /** ms: from the SCIM answer to the events socket's close. */
  socketClose: number[];
  /** Requests that started after the SCIM answer and were still served (2xx). */
  servedAfter: number;
  /** Requests of the member started during the SCIM call or after it, for context. */
  hammered: number;
  refusedStatuses: number[];
  closeCodes: number[];
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const p95 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] : NaN; };

async function timedGet(url: string, path: string, token: string): Promise<{ status: number; ms: number; start: number }> {
  const start = performance.now();
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - start, start };
}

async function measure(name: string, idp: Fixture, member: Fixture, rounds: number, log: (s: string) => void): Promise<SetupResult> {
  const WebSocket = createRequire(import.meta.url)('ws') as new (url: string, opts: { headers: Record<string, string> }) => WsClient;
  const { studioId, projectId, scimToken, members } = idp as Required<Fixture>;
  const scimBase = `/scim/v2/${studioId}`;
  const scim = (method: string, path: string, body: unknown) => call(idp.url, method, `${scimBase}${path}`, scimToken, body, 'application/scim+json');
  const probe = `/api/v1/projects/${projectId}/assets`;
  const group = (await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'crew' })).id as string;
  for (const m of members) {
    await scim('POST', '/Users', { schemas: [USER], userName: m.email, emails: [{ value: m.email, primary: true }], active: true });
    await scim('PATCH', `/Groups/${group}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: m.userId }] }] });
  }
  const r: SetupResult = { name, rounds, scim: [], refusal: [], plain: [], socketClose: [], servedAfter: 0, hammered: 0, refusedStatuses: [], closeCodes: [] };
  // The floor is taken from the member of the next round, who is still active, on the same process.
  for (let i = 0; i < rounds; i++) {
    const m = members[i];
    for (let w = 0; w < 3; w++) await timedGet(member.url, probe, m.token);
    for (let w = 0; w < 5; w++) r.plain.push((await timedGet(member.url, probe, m.token)).ms);
    const ws = new WebSocket(`${member.url.replace(/^http/, 'ws')}/api/v1/projects/${projectId}/events`, { headers: { authorization: `Bearer ${m.token}` } });
    const closed = new Promise<{ code: number; at: number }>((resolve) => ws.on('close', (code) => resolve({ code, at: performance.now() })));
    await new Promise<void>((resolve, reject) => { ws.on('message', () => resolve()); ws.on('error', reject); });

    let stop = false;
    let answeredAt = Infinity;
    const hammer = (async () => {
      while (!stop) {
        const g = await timedGet(member.url, probe, m.token);
        r.hammered++;
        if (g.start > answeredAt && g.status < 300) r.servedAfter++;
        if (g.status === 401 && g.start > answeredAt) break;
      }
    })();
    await new Promise((res) => setTimeout(res, 20));
    const t0 = performance.now();
    await scim('PATCH', `/Users/${m.userId}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    answeredAt = performance.now();
    const next = await timedGet(member.url, probe, m.token);
    r.scim.push(answeredAt - t0);
    r.refusal.push(performance.now() - answeredAt);
    r.refusedStatuses.push(next.status);
    if (next.status < 300) r.servedAfter++;
    const c = await Promise.race([closed, new Promise<{ code: number; at: number }>((res) => setTimeout(() => res({ code: -1, at: NaN }), 5000))]);
    r.socketClose.push(c.at - answeredAt);
    r.closeCodes.push(c.code);
    stop = true;
    await hammer;
    ws.close();
  }
  log(`  ${name}: refusal median ${fmt(median(r.refusal))} ms, plain request ${fmt(median(r.plain))} ms, served after the answer ${r.servedAfter}`);
  return r;
}

export interface DeprovisionBench { machine: string; results: SetupResult[]; pgSkipped: boolean }

export async function runDeprovisionBench(opts: { rounds: number; pgUrl?: string; log: (s: string) => void }): Promise<DeprovisionBench> {
  const script = fileURLToPath(import.meta.url);
  const results: SetupResult[] = [];
  const spawn = (args: string[]) => spawnReady<Fixture>(script, ['--serve', ...args], { readyTimeoutMs: 300_000 });
  const run = async (name: string, db: string | null, twoProcesses: boolean) => {
    const children: ReadyChild<Fixture>[] = [];
    try {
      const first = await spawn([`--seed=${opts.rounds}`, ...(db ? [`--db=${db}`] : [])]);
      children.push(first);
      const second = twoProcesses ? await spawn([`--db=${db}`]) : first;
      if (twoProcesses) children.push(second);
      results.push(await measure(name, first.info, second.info, opts.rounds, opts.log));
    } finally {
      for (const c of children) await c.stop();
    }
  };
  const loadBefore = (await import('node:os')).loadavg();
  opts.log('deprovisioning: embedded SQLite …');
  await run('SQLite, one process', null, false);
  if (opts.pgUrl) {
    for (const [name, two] of [['PostgreSQL, one process', false], ['PostgreSQL, two processes (IdP → A, member → B)', true]] as const) {
      opts.log(`deprovisioning: ${name} …`);
      const db = await freshPgDatabase('backlot_bench_deprov', opts.pgUrl);
      try {
        await run(name, db.url, two);
      } finally {
        await db.drop();
      }
    }
  }
  return { machine: machineLine(new Date(), loadBefore), results, pgSkipped: !opts.pgUrl };
}

export function deprovisionSection(b: DeprovisionBench): string {
  const rows = b.results.map((r) => [
    r.name, r.rounds, fmt(median(r.scim)), `${fmt(median(r.refusal))} ms`, `${fmt(p95(r.refusal))} ms`, `${fmt(median(r.plain))} ms`,
    `${(median(r.refusal) / median(r.plain)).toFixed(2)}×`, `${fmt(median(r.socketClose))} ms`, `${fmt(p95(r.socketClose))} ms`,
    r.servedAfter, r.hammered, [...new Set(r.refusedStatuses)].join(', '), [...new Set(r.closeCodes)].join(', '),
  ]);
  return `## Identity: SCIM deprovisioning (time to the first refused request)

${b.machine}

A real Backlot server per set-up in child processes (logger off), seeded over HTTP: a studio, a project, a group
mapping, the studio's SCIM token, one member per round with a password session, linked by SCIM (\`POST /Users\`)
and given the project through a SCIM group. Each round: the member holds an open events WebSocket while a client
sends their requests back to back (\`GET /projects/:id/assets\`, the "hammer"); the IdP sends
\`PATCH /Users/:id {active: false}\` to the first process; the moment its answer arrives, a fresh request of the
member goes to the member's process (the second one in the two-process set-up). **Peer, same run and process:**
the same request of a still-active member (the floor: a refusal cannot come sooner than an answer).
Sessions are resolved from the database on every request (no cache in any process), so no invalidation is needed
across processes; live sockets are told through the database too (PostgreSQL NOTIFY). The refusal is slower than
the idle floor because it runs alongside the hammer's request and the socket's re-check; what matters is that
it is the very next answer the member gets.${b.pgSkipped ? '\nPostgreSQL rows skipped: set BACKLOT_TEST_PG to a cluster the bench may create databases on.' : ''}

${table(['set-up', 'rounds', 'SCIM PATCH ms (median)', 'answer → refusal (median)', 'answer → refusal (p95)', 'plain request (median, floor)', 'refusal ÷ floor', 'answer → socket closed (median)', 'socket closed (p95)', 'requests served after the answer', 'requests sent during the rounds', 'refusal status', 'close code'], rows)}

**Aim:** 0 requests served after the SCIM answer returns — ${b.results.every((r) => r.servedAfter === 0 && r.refusedStatuses.every((s) => s === 401)) ? 'met in every set-up' : '**not met**'}.
`;
}

// ---- entry ---------------------------------------------------------------------------------------

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--serve')) await serve();
  else {
    const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 30);
    const log = (s: string) => process.stderr.write(`${s}\n`);
    const section = deprovisionSection(await runDeprovisionBench({ rounds, pgUrl: process.env.BACKLOT_TEST_PG, log }));
    process.stdout.write(`\n${section}\n`);
    if (!process.argv.includes('--no-write')) updateSections({ identity: section });
  }
}
