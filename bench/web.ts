// The web app on a big project (bench:web): a project with 5,000 tasks, headless Chromium
// (Debian's, driven by playwright-core), the built app served two ways in the same run:
//   - by `backlot serve` itself (what users get), and
//   - by nginx serving the same dist/ folder (gzip on) and proxying /api (and the live-events
//     WebSocket) to the same Backlot server: the floor a static file server sets for the page.
// Measured per server, alternating rounds, fresh browser context (empty cache) each round:
//   1. time to an interactive board: navigation start until the cards are in the page and the
//      main thread answers the next animation frame;
//   2. a remote status change (another user, through the API) until the card shows in its new
//      column on an open board (live events over the WebSocket);
//   3. frame times while scrolling a column (wheel) and while dragging a card across columns;
//   4. JavaScript transferred for the first page (bytes on the wire), and the same files gzipped.
// Aims (issue 12): board interactive < 1.5 s, remote change shown < 200 ms, initial JS < 300 KB gzipped.
//
//   npm run bench -- --only=web [--no-write]
//   node --import tsx bench/web.ts [--no-write]
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClientOp } from '@backlot/api';
import { BrowserWorld, PASSWORD, type Person } from '../packages/web/test/browser/world.ts';
import { nginxBin, runNginx } from './nginx.js';
import { BENCHMARKS_FILE, fmt, machineLine, median, percentile, REPO_ROOT, table, updateSections } from './report.js';

const TASKS = 5000;
const ROUNDS = 5;
const REMOTE_CHANGES = 15;
const DIST = join(REPO_ROOT, 'packages', 'web', 'dist');

interface Round {
  interactiveMs: number;
  jsWireBytes: number;
  jsFiles: string[];
}

interface ServerResult {
  name: string;
  rounds: Round[];
  remoteMs: number[];
  scrollFrames: number[];
  dragFrames: number[];
}

export interface WebResults {
  startedAt: Date;
  loadBefore: number[];
  seconds: number;
  tasks: number;
  seedSeconds: number;
  floorWhat: string;
  chromium: string;
  servers: ServerResult[];
  jsGzipBytes: number;
  jsRawBytes: number;
}

/** nginx serving dist/ (gzip on, the app's pages falling back to index.html) and proxying /api to Backlot. */
async function startNginx(dir: string, root: string, backend: string, log: (s: string) => void): Promise<{ url: string; what: string; stop(): Promise<void> }> {
  if (!nginxBin()) {
    log('nginx is missing: apt-get install -y nginx …');
    spawnSync('/bin/bash', ['-c', 'apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const up = new URL(backend);
  const n = await runNginx(dir, {
    probe: 'index.html',
    http: `  include /etc/nginx/mime.types;
  gzip on;
  gzip_comp_level 6;
  gzip_types application/javascript text/javascript text/css application/json image/svg+xml;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }`,
    server: `    root ${root};
    location /assets/ { add_header Cache-Control "public, max-age=31536000, immutable"; }
    location /api/ {
      proxy_pass http://${up.host};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 3600s;
      proxy_buffering off;
    }
    location / { try_files $uri /index.html; }`,
  });
  return { url: n.url, what: `nginx ${n.version} serving the same dist/ (gzip level 6, sendfile) and proxying /api and the WebSocket to the same Backlot server`, stop: n.stop };
}

/** 5,000 tasks in one project through the sync push (batches of 500 ops), spread over statuses and people. */
async function seed(w: BrowserWorld, log: (s: string) => void) {
  const owner = await w.setupOwner();
  const studio = await owner.api.studios.create({ name: 'Bench studio' });
  const sam = await w.member(owner, studio.id, 'Sam Supervisor');
  const project = await owner.api.projects.create(studio.id, { name: 'Big show' });
  const roles = (await owner.api.roles.list(project.id)).roles;
  await owner.api.projectMembers.add(project.id, { userIds: [sam.id], roleId: roles.find((r) => r.key === 'supervisor')!.id });
  const statuses = (await owner.api.browse.statuses(project.id)).statuses;
  await owner.api.production.updateSettings(project.id, { assetTypes: ['anim', 'layout', 'lighting', 'fx'] });
  const ops: ClientOp[] = [];
  const types = ['anim', 'layout', 'lighting', 'fx'];
  for (let i = 0; i < TASKS; i++) {
    const id = randomUUID();
    const name = `sh${String(i).padStart(4, '0')}_${types[i % 4]}`;
    ops.push({ opId: `c${i}`, op: { type: 'asset.create', id, collectionId: null, name, extension: 'blend', kind: 'task', assetType: types[i % 4] } as ClientOp['op'] });
    // Most work waits in Todo (so the first column is long), the rest spread over the others.
    const s = statuses[i % 10 < 5 ? 0 : (i % 4) + 1] ?? statuses[0];
    ops.push({ opId: `s${i}`, op: { type: 'task.status', assetId: id, statusId: s.id } as ClientOp['op'] });
    if (i % 3) ops.push({ opId: `a${i}`, op: { type: 'task.assign', assetId: id, assigneeId: i % 2 ? owner.id : sam.id } as ClientOp['op'] });
  }
  const t = Date.now();
  for (let i = 0; i < ops.length; i += 500) {
    const answer = await owner.api.sync.push(project.id, ops.slice(i, i + 500));
    const bad = answer.results.find((r) => r.status !== 'applied');
    if (bad) throw new Error(`seeding: ${JSON.stringify(bad)}`);
  }
  log(`seeded ${TASKS} tasks in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return { owner, sam, projectId: project.id, statuses, seedSeconds: (Date.now() - t) / 1000 };
}

async function signedInContext(w: BrowserWorld, base: string, who: Person): Promise<{ context: BrowserContext; page: Page }> {
  const context = await w.browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  return { context, page };
}

/** Cold load of the board (a fresh context: empty HTTP cache), timed from navigation start. */
async function loadBoard(w: BrowserWorld, base: string, who: Person, projectId: string): Promise<Round> {
  // Signed in through the page, then only the session cookie moves to a fresh context: the
  // board's load starts with an empty HTTP cache.
  const signedIn = await signedInContext(w, base, who);
  const cookies = await signedIn.context.cookies();
  await signedIn.context.close();
  const ctx = await w.browser.newContext({ viewport: { width: 1280, height: 720 } });
  await ctx.addCookies(cookies);
  const p = await ctx.newPage();
  const js: { url: string; bytes: Promise<number> }[] = [];
  p.on('requestfinished', (req) => {
    if (req.resourceType() === 'script') js.push({ url: req.url(), bytes: req.sizes().then((s) => s.responseBodySize + s.responseHeadersSize) });
  });
  await p.goto(`${base}/projects/${projectId}/board`);
  await p.locator('article[data-card-id]').first().waitFor({ timeout: 60_000 });
  const interactiveMs = await p.evaluate('new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)))') as number;
  const bytes = (await Promise.all(js.map((j) => j.bytes))).reduce((a, b) => a + b, 0);
  const files = js.map((j) => new URL(j.url).pathname);
  await ctx.close();
  return { interactiveMs, jsWireBytes: bytes, jsFiles: files };
}

/** Frame intervals (ms) recorded in the page while `act` runs. */
async function frames(page: Page, act: () => Promise<void>): Promise<number[]> {
  // As source text: tsx would wrap named functions in a helper the page does not have.
  await page.evaluate(`(() => {
    const g = globalThis;
    g.__frames = [];
    g.__stop = false;
    let last = performance.now();
    const tick = (t) => { g.__frames.push(t - last); last = t; if (!g.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
  })()`);
  await act();
  return page.evaluate(() => {
    const g = globalThis as unknown as { __frames: number[]; __stop: boolean };
    g.__stop = true;
    return g.__frames;
  });
}

async function measureServer(w: BrowserWorld, name: string, base: string, fx: Awaited<ReturnType<typeof seed>>, log: (s: string) => void, rounds: Round[]): Promise<Omit<ServerResult, 'rounds'>> {
  const { context, page } = await signedInContext(w, base, fx.sam);
  await page.goto(`${base}/projects/${fx.projectId}/board`);
  await page.locator('article[data-card-id]').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500); // the live connection is up

  // Remote changes: the owner moves a card Sam can see (top of Todo) to the next status.
  const remoteMs: number[] = [];
  const target = fx.statuses[1];
  for (let i = 0; i < REMOTE_CHANGES; i++) {
    const todo = page.locator(`section[data-column="${fx.statuses[0].id}"] article[data-card-id]`).nth(i % 5);
    const id = await todo.getAttribute('data-card-id');
    const selector = `section[data-column="${target.id}"] article[data-card-id="${id}"]`;
    const seen = page.evaluate(`new Promise((resolve) => {
      if (document.querySelector(${JSON.stringify(selector)})) return resolve(Date.now());
      const mo = new MutationObserver(() => {
        if (document.querySelector(${JSON.stringify(selector)})) { mo.disconnect(); resolve(Date.now()); }
      });
      mo.observe(document.body, { childList: true, subtree: true });
    })`) as Promise<number>;
    const t0 = Date.now();
    await fx.owner.api.production.setStatus(fx.projectId, id!, { statusId: target.id });
    remoteMs.push((await seen) - t0);
    await fx.owner.api.production.setStatus(fx.projectId, id!, { statusId: fx.statuses[0].id });
    await page.locator(`section[data-column="${fx.statuses[0].id}"] article[data-card-id="${id}"]`).waitFor();
  }

  // Scrolling the long Todo column with the wheel (more cards load on the way).
  const column = page.locator(`section[data-column="${fx.statuses[0].id}"] .column__scroll`);
  const box = (await column.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const scrollFrames = await frames(page, async () => {
    for (let i = 0; i < 60; i++) {
      await page.mouse.wheel(0, 240);
      await page.waitForTimeout(16);
    }
  });

  // Dragging a card across the columns and back (dropped where it started: nothing changes).
  await column.evaluate((el) => el.scrollTo(0, 0));
  await page.waitForTimeout(300);
  const card = page.locator(`section[data-column="${fx.statuses[0].id}"] article[data-card-id]`).first();
  const from = (await card.boundingBox())!;
  const last = (await page.locator('section.column').last().boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + 20);
  await page.mouse.down();
  const dragFrames = await frames(page, async () => {
    for (let pass = 0; pass < 2; pass++) {
      const [x0, x1] = pass === 0 ? [from.x + from.width / 2, last.x + last.width / 2] : [last.x + last.width / 2, from.x + from.width / 2];
      for (let s = 1; s <= 60; s++) {
        await page.mouse.move(x0 + ((x1 - x0) * s) / 60, from.y + 60 + 40 * Math.sin(s / 6));
        await page.waitForTimeout(8);
      }
    }
  });
  await page.keyboard.press('Escape');
  await page.mouse.up();
  await context.close();
  log(`  ${name}: interactive ${rounds.map((r) => fmt(r.interactiveMs)).join(', ')} ms; remote change median ${fmt(median(remoteMs))} ms`);
  return { name, remoteMs, scrollFrames, dragFrames };
}

export async function runWebBench(opts: { log: (s: string) => void }): Promise<WebResults> {
  const { log } = opts;
  const startedAt = new Date();
  const loadBefore = loadavg();
  // Both servers serve one snapshot of the build, so a rebuild meanwhile changes nothing here.
  const snapshot = mkdtempSync(join(tmpdir(), 'backlot-web-dist-'));
  cpSync(DIST, snapshot, { recursive: true });
  const previousRoot = process.env.BACKLOT_WEB_ROOT;
  process.env.BACKLOT_WEB_ROOT = snapshot;
  const w = await BrowserWorld.start();
  let floor: Awaited<ReturnType<typeof startNginx>> | null = null;
  try {
    const fx = await seed(w, log);
    floor = await startNginx(w.dir, snapshot, w.url, log);
    const bases = [{ name: 'backlot serve', url: w.url }, { name: 'nginx (floor)', url: floor.url }];
    const rounds: Record<string, Round[]> = Object.fromEntries(bases.map((b) => [b.name, []]));
    // Warm the server's caches (the project's graph and index) once, outside the timings.
    await loadBoard(w, w.url, fx.sam, fx.projectId);
    for (let r = 0; r < ROUNDS; r++) {
      for (const b of r % 2 ? [...bases].reverse() : bases) rounds[b.name].push(await loadBoard(w, b.url, fx.sam, fx.projectId));
    }
    const servers: ServerResult[] = [];
    for (const b of bases) servers.push({ ...(await measureServer(w, b.name, b.url, fx, log, rounds[b.name])), rounds: rounds[b.name] });
    // The initial scripts, gzipped here (what a compressing server would send).
    const files = [...new Set(rounds['backlot serve'][0].jsFiles)];
    const raw = files.map((f) => readFileSync(join(snapshot, f)));
    return {
      startedAt, loadBefore, seconds: (Date.now() - startedAt.getTime()) / 1000, tasks: TASKS, seedSeconds: fx.seedSeconds, floorWhat: floor.what,
      chromium: w.browser.version(), servers,
      jsRawBytes: raw.reduce((a, b) => a + b.length, 0), jsGzipBytes: raw.reduce((a, b) => a + gzipSync(b, { level: 6 }).length, 0),
    };
  } finally {
    await floor?.stop();
    await w.close();
    rmSync(snapshot, { recursive: true, force: true });
    if (previousRoot === undefined) delete process.env.BACKLOT_WEB_ROOT;
    else process.env.BACKLOT_WEB_ROOT = previousRoot;
  }
}

const kb = (n: number) => `${fmt(n / 1024)} KB`;
const ms = (n: number) => `${fmt(n)} ms`;

export function webSection(r: WebResults): string {
  const [ours, floor] = r.servers;
  const inter = (s: ServerResult) => median(s.rounds.map((x) => x.interactiveMs));
  const wire = (s: ServerResult) => median(s.rounds.map((x) => x.jsWireBytes));
  const p = (xs: number[], q: number) => percentile(xs, q);
  const slow = (xs: number[]) => `${((100 * xs.filter((x) => x > 1000 / 60 * 1.5).length) / Math.max(1, xs.length)).toFixed(1)}%`;
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  const rows = [
    ['board interactive (cold cache, median of 5)', ms(inter(ours)), ms(inter(floor)), `${(inter(ours) / inter(floor)).toFixed(2)}×`, `< 1,500 ms: ${verdict(inter(ours) < 1500)}`],
    ['remote status change shown (median of 15)', ms(median(ours.remoteMs)), ms(median(floor.remoteMs)), `${(median(ours.remoteMs) / median(floor.remoteMs)).toFixed(2)}×`, `< 200 ms: ${verdict(median(ours.remoteMs) < 200)}`],
    ['remote status change shown (p95)', ms(p(ours.remoteMs, 95)), ms(p(floor.remoteMs, 95)), `${(p(ours.remoteMs, 95) / p(floor.remoteMs, 95)).toFixed(2)}×`, ''],
    ['frame time scrolling 5,000 cards (p50 / p95)', `${ms(p(ours.scrollFrames, 50))} / ${ms(p(ours.scrollFrames, 95))}`, `${ms(p(floor.scrollFrames, 50))} / ${ms(p(floor.scrollFrames, 95))}`, `${(p(ours.scrollFrames, 95) / p(floor.scrollFrames, 95)).toFixed(2)}×`, `frames > 25 ms: ${slow(ours.scrollFrames)}`],
    ['frame time dragging a card (p50 / p95)', `${ms(p(ours.dragFrames, 50))} / ${ms(p(ours.dragFrames, 95))}`, `${ms(p(floor.dragFrames, 50))} / ${ms(p(floor.dragFrames, 95))}`, `${(p(ours.dragFrames, 95) / p(floor.dragFrames, 95)).toFixed(2)}×`, `frames > 25 ms: ${slow(ours.dragFrames)}`],
    ['initial JS on the wire', kb(wire(ours)), kb(wire(floor)), `${(wire(ours) / wire(floor)).toFixed(2)}×`, `< 300 KB gzipped: ${verdict(wire(ours) < 300 * 1024)}`],
    ['initial JS, the same files gzipped (level 6)', kb(r.jsGzipBytes), '', '', `< 300 KB: ${verdict(r.jsGzipBytes < 300 * 1024)} (raw ${kb(r.jsRawBytes)})`],
  ];
  return `## Web app on a 5,000-task board (bench:web)

${machineLine(r.startedAt, r.loadBefore)} Chromium ${r.chromium} headless (Debian's), 1280×720, driven by playwright-core; run took ${fmt(r.seconds)} s
(${r.tasks.toLocaleString('en-US')} tasks seeded in ${fmt(r.seedSeconds)} s through the sync push).

Peer (the floor): ${r.floorWhat}. Each round is a fresh browser context (empty HTTP cache, session cookie only), rounds
alternate between the two; "interactive" is navigation start until the first cards are in the page and the next animation
frame has run. The remote change is made by another user through the API and timed until the card is in its new column
(live events over the WebSocket; same clock on both sides). Frame times are requestAnimationFrame intervals in the page
while the Todo column (about half the tasks) is scrolled with the wheel, and while a card is dragged across all columns and back.

${table(['measure', 'backlot serve', 'nginx (floor)', 'ratio', 'aim'], rows)}

Initial scripts: ${[...new Set(ours.rounds[0].jsFiles)].map((f) => `\`${f.split('/').pop()}\``).join(', ')}.
${wire(ours) > r.jsGzipBytes * 1.5 ? `\`backlot serve\` sends the app's files uncompressed (no gzip or brotli on static files), so the bytes on the wire are the raw size; nginx sends them gzipped. Compressing static answers in the server (e.g. @fastify/compress, or precompressed .gz files next to dist/) would bring the wire size down to the gzipped figure.` : ''}`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const r = await runWebBench({ log });
  const section = webSection(r);
  process.stdout.write(`\n${section}\n`);
  if (!process.argv.includes('--no-write')) {
    updateSections({ web: section });
    log(`wrote section web of ${BENCHMARKS_FILE}`);
  }
}
