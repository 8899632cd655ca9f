// The artist's command line (`backlot`, the built CLI run as `node packages/cli/bin/backlot.js`),
// each figure against a peer measured in the same run on the same machine:
//   1. first clone of ~1 GB (× --scale) of creative-history content from a real `backlot serve`
//      over loopback, by a second account, vs a plain HTTP download of the same files (nginx,
//      curl with 4 parallel transfers) and vs `git clone` + `git lfs pull` from a file:// remote;
//   2. incremental sync after an artist re-saves some files (~1% of each edited file changed):
//      bytes sent by `backlot checkpoint` + `backlot sync` and received by the other side's
//      `backlot sync`, vs the bytes git-lfs pushes and pulls for the same edit;
//   3. `backlot status` on 10,000 and 100,000 small files (× --scale) of a Personal project, cold
//      (page cache dropped) and warm, vs `git status` on the same files committed in a git repo;
//   4. start time: `backlot --version` vs `git --version`.
// Peers (git, git-lfs, nginx, curl) are installed with apt-get when missing (not under CI).
//
//   npm run bench -- --only=cli [--scale=0.1] [--no-write]
//   node --import tsx bench/cli.ts [--scale=0.1] [--no-write] [--keep]   (--keep: keep the temp folder)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BacklotApi } from '@backlot/api';
import { applyEdit, BINARY_KINDS, compareTree, generateContent, hashTree, INCOMPRESSIBLE, listTree, makeEdit, makeSmallTree, type Content, type Edit } from './cli-data.js';
import { bash, curlParallel, dropCaches, ensurePeers, flush, have, run, startStaticServer, versionOf, type Ran } from './cli-peers.js';
import { BENCHMARKS_FILE, fmt, machineLine, median, REPO_ROOT, table, updateSections } from './report.js';
import { du } from './disk-usage.js';
import { buildCli, runBacklot, snapshotCli, startServer } from './backlot-cli.js';

export interface CliBenchOptions {
  /** Fraction of the issue's sizes: 1 GB of content, 10,000 and 100,000 files for status. */
  scale: number;
  keep?: boolean;
  log: (s: string) => void;
}

/** bin/backlot.js of the snapshot of the build this run measures (see snapshotCli). */
let BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'backlot.js');
const PASSWORD = 'correct horse battery staple';
const PROJECT = 'Bench';
const MiB = 2 ** 20;
/** Clone rounds per system (order alternating); the median is reported. */
const CLONE_ROUNDS = 5;
/** Paths per `backlot checkpoint` call (the command line stays far below ARG_MAX). */
const CHECKPOINT_BATCH = 2000;
const STATUS_ROUNDS = 2;
const STATUS_WARM_RUNS = 3;
const START_RUNS = 20;
const LFS_PATTERNS = BINARY_KINDS.map((k) => `*${k}`);

export interface CloneResult {
  system: 'backlot' | 'http' | 'lfs';
  seconds: number[];
  /** '' when every round's tree matched the content (paths and sizes; SHA-256 in the first round). */
  mismatch: string;
}

export interface StatusResult {
  files: number;
  bytes: number;
  record: { init: number; add: number; checkpoint: number; checkpointCalls: number; gitAdd: number; gitCommit: number };
  backlot: { cold: number[]; warm: number[]; output: string };
  git: { cold: number[]; warm: number[]; output: string };
}

export interface CliResults {
  scale: number;
  startedAt: Date;
  loadBefore: number[];
  seconds: number;
  nproc: string;
  build: string;
  versions: { git: string; lfs: string; curl: string };
  httpWhat: string;
  content: Content & { incompressibleBytes: number; hashSeconds: number };
  publish: { add: number; checkpoint: number; checkpointCalls: number; sync: number; uploadedBytes: number; serverBytes: number; lfsCommit: number; lfsPush: number; lfsUpstreamBytes: number };
  clones: CloneResult[];
  incremental: {
    edit: Omit<Edit, 'files'> & { files: number };
    backlot: { checkpoint: number; sync: number; uploadedBytes: number; pullSync: number; fetchedBytes: number; reusedBytes: number; mismatch: string };
    lfs: { commit: number; push: number; pushedBytes: number; pull: number; pulledBytes: number; mismatch: string };
  };
  status: StatusResult[];
  coldIsDropped: boolean;
  start: { backlot: number[]; git: number[]; node: number[] };
  /** Unexpected CLI behaviour seen during the run (wrong output, refusals). */
  problems: string[];
}

// ---- helpers -------------------------------------------------------------------------------------

/** Runs the built CLI as the user whose sign-in lives in `configDir`. */
function backlot(args: string[], configDir: string, opts: { cwd?: string; input?: string; check?: boolean } = {}): Promise<Ran> {
  return runBacklot(BIN, args, configDir, opts);
}

const startBacklotServer = (dataDir: string) => startServer(BIN, dataDir);

const chunked = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

// ---- 4. start time -------------------------------------------------------------------------------

async function measureStart(log: (s: string) => void, problems: string[]): Promise<CliResults['start']> {
  log('start time: backlot --version vs git --version …');
  const out = { backlot: [] as number[], git: [] as number[], node: [] as number[] };
  const v = await run(process.execPath, [BIN, '--version']);
  if (v.stdout.trim() !== '0.1.0') problems.push(`\`backlot --version\` printed ${JSON.stringify(v.stdout.trim())}`);
  for (let i = 0; i < 2; i++) {
    await run(process.execPath, [BIN, '--version']);
    await run('git', ['--version']);
  }
  // Interleaved, so a change in machine load hits all three alike.
  for (let i = 0; i < START_RUNS; i++) {
    out.backlot.push((await run(process.execPath, [BIN, '--version'])).seconds);
    out.git.push((await run('git', ['--version'])).seconds);
    out.node.push((await run(process.execPath, ['-e', '0'])).seconds);
  }
  return out;
}

// ---- 1 and 2. first clone, incremental sync --------------------------------------------------------

async function measureClone(base: string, o: CliBenchOptions, gitEnv: NodeJS.ProcessEnv, cleanups: (() => Promise<void>)[], problems: string[]) {
  const { log } = o;
  const contentDir = join(base, 'content');
  log(`generating ~${fmt((2 ** 30 * o.scale) / MiB)} MiB of content with creative-history.mjs …`);
  const gen = await generateContent(contentDir, 2 ** 30 * o.scale, log);
  const th = Date.now();
  let hashes = await hashTree(contentDir, gen.files);
  const content = {
    ...gen, hashSeconds: (Date.now() - th) / 1000,
    incompressibleBytes: gen.files.filter((f) => INCOMPRESSIBLE.some((k) => f.path.endsWith(k))).reduce((a, f) => a + f.size, 0),
  };
  log(`content: ${gen.files.length} files, ${fmt(gen.bytes / MiB)} MiB in ${fmt(gen.seconds)} s`);

  // Server, accounts, studio and project through the API (as an admin would), then CLI sign-ins.
  const server = await startBacklotServer(join(base, 'server-data'));
  cleanups.push(() => server.stop());
  const owner = new BacklotApi({ baseUrl: server.url });
  await owner.auth.setup({ token: server.token, email: 'owner@bench.test', name: 'Olivia Owner', password: PASSWORD });
  const studio = await owner.studios.create({ name: 'Bench Studio' });
  const project = await owner.projects.create(studio.id, { name: PROJECT });
  const { results } = await owner.invitations.invite(studio.id, { emails: ['reviewer@bench.test'], role: 'member' });
  const reviewer = await new BacklotApi({ baseUrl: server.url }).invitations.accept({ token: results[0].link!.split('#token=')[1], name: 'Rene Reviewer', password: PASSWORD });
  const { roles } = await owner.roles.list(project.id);
  // Supervisors see every file of the project and may download it (docs/roles.md).
  await owner.projectMembers.add(project.id, { userIds: [reviewer.userId], roleId: roles.find((r) => r.key === 'supervisor')!.id });
  const pubConfig = join(base, 'config-owner');
  const cloneConfig = join(base, 'config-reviewer');
  await backlot(['login', server.url, '--email', 'owner@bench.test', '--password-stdin'], pubConfig, { input: `${PASSWORD}\n` });
  await backlot(['login', server.url, '--email', 'reviewer@bench.test', '--password-stdin'], cloneConfig, { input: `${PASSWORD}\n` });

  // Publish with the CLI: clone the empty project, copy the files in, add, checkpoint, sync.
  log('publishing with backlot (clone, add, checkpoint, sync) …');
  const pub = join(base, 'pub');
  await backlot(['clone', PROJECT, pub], pubConfig, { cwd: base });
  await bash(`cp -a ${contentDir}/. ${pub}/`);
  const add = await backlot(['add', '.'], pubConfig, { cwd: pub });
  let checkpoint = 0;
  const batches = chunked(gen.files.map((f) => f.path), CHECKPOINT_BATCH);
  for (const b of batches) checkpoint += (await backlot(['checkpoint', ...b, '-m', 'first versions'], pubConfig, { cwd: pub })).seconds;
  const sync = await backlot(['sync', '--json'], pubConfig, { cwd: pub });
  const synced = JSON.parse(sync.stdout) as { uploadedBytes: number; refused: unknown[] };
  if (synced.refused.length) problems.push(`first \`backlot sync\` refused ${synced.refused.length} change(s): ${JSON.stringify(synced.refused).slice(0, 300)}`);
  log(`  backlot: add ${fmt(add.seconds)} s, checkpoint ${fmt(checkpoint)} s, sync ${fmt(sync.seconds)} s (${fmt(synced.uploadedBytes / MiB)} MiB sent)`);

  // git-lfs: the same files committed with the binary kinds in LFS, pushed to a bare repo over file://.
  log('publishing with git-lfs (commit, push to a file:// bare repo) …');
  const gitWork = join(base, 'git-work');
  const upstream = join(base, 'upstream.git');
  const upstreamUrl = pathToFileURL(upstream).href;
  await bash(`cp -a ${contentDir}/. ${gitWork}/`);
  await bash(`git init -q --bare -b main ${upstream} && cd ${gitWork} && git init -q -b main && git lfs install --local >/dev/null && git lfs track ${LFS_PATTERNS.map((p) => `'${p}'`).join(' ')} >/dev/null && git remote add origin ${upstreamUrl}`, { env: gitEnv });
  const lfsCommit = await bash('git add -A && git commit -q -m "first versions"', { cwd: gitWork, env: gitEnv });
  const lfsPush = await bash('git push -q origin main', { cwd: gitWork, env: gitEnv });
  log(`  git-lfs: add + commit ${fmt(lfsCommit.seconds)} s, push ${fmt(lfsPush.seconds)} s`);

  const http = await startStaticServer(contentDir, base, gen.files[0].path, log);
  cleanups.push(() => http.stop());

  // Timed first clones; every system gets the same warm server side (all just written or read).
  const paths = gen.files.map((f) => f.path);
  const dest = (s: string) => join(base, `clone-${s}`);
  const clones: Record<CloneResult['system'], CloneResult> = {
    backlot: { system: 'backlot', seconds: [], mismatch: '' },
    http: { system: 'http', seconds: [], mismatch: '' },
    lfs: { system: 'lfs', seconds: [], mismatch: '' },
  };
  const cloneOnce: Record<CloneResult['system'], () => Promise<Ran>> = {
    backlot: () => backlot(['clone', PROJECT, dest('backlot')], cloneConfig, { cwd: base }),
    http: () => curlParallel(http.url, paths, dest('http'), join(base, 'curl-list.txt')),
    lfs: () => bash(`GIT_LFS_SKIP_SMUDGE=1 git clone -q ${upstreamUrl} ${dest('lfs')} && cd ${dest('lfs')} && git lfs pull`, { env: gitEnv }),
  };
  const systems: CloneResult['system'][] = ['backlot', 'http', 'lfs'];
  for (let round = 0; round < CLONE_ROUNDS; round++) {
    for (const s of round % 2 === 0 ? systems : [...systems].reverse()) {
      rmSync(dest(s), { recursive: true, force: true });
      flush();
      const r = await cloneOnce[s]();
      clones[s].seconds.push(r.seconds);
      // Hashes once (the first round); paths and sizes every round.
      const bad = await compareTree(dest(s), gen.files, hashes, round === 0 ? undefined : []);
      if (bad && !clones[s].mismatch) clones[s].mismatch = `round ${round + 1}: ${bad}`;
      log(`  clone round ${round + 1} ${s}: ${fmt(r.seconds)} s${bad ? ` — MISMATCH ${bad}` : ''}`);
    }
  }
  if (clones.backlot.mismatch) problems.push(`\`backlot clone\` did not reproduce the published files: ${clones.backlot.mismatch}`);
  await http.stop();

  // Incremental: the same edit in the publisher's folder and in the git work tree.
  log('incremental sync after an edit …');
  const edit = makeEdit(contentDir, gen.files);
  applyEdit(pub, edit);
  applyEdit(gitWork, edit);
  const editedPaths = [...edit.files.keys()];
  const after = listTree(pub);
  hashes = new Map([...hashes, ...(await hashTree(pub, after.filter((f) => edit.files.has(f.path))))]);
  const cp = await backlot(['checkpoint', ...editedPaths, '-m', 'edit'], pubConfig, { cwd: pub });
  const up = await backlot(['sync', '--json'], pubConfig, { cwd: pub });
  const upJson = JSON.parse(up.stdout) as { uploadedBytes: number; pushed: number; refused: unknown[] };
  if (upJson.refused.length) problems.push(`\`backlot sync\` after the edit refused ${upJson.refused.length} change(s)`);
  const down = await backlot(['sync', '--json'], cloneConfig, { cwd: dest('backlot') });
  const downJson = JSON.parse(down.stdout) as { fetchedBytes: number; reusedBytes: number; written: string[] };
  const backlotMismatch = await compareTree(dest('backlot'), after, hashes, editedPaths);
  if (backlotMismatch) problems.push(`the second folder did not match after \`backlot sync\`: ${backlotMismatch}`);
  const lfsObjects = (d: string) => du(join(d, 'lfs', 'objects'));
  const pushedBefore = lfsObjects(upstream);
  const gCommit = await bash('git add -A && git commit -q -m edit', { cwd: gitWork, env: gitEnv });
  const gPush = await bash('git push -q origin main', { cwd: gitWork, env: gitEnv });
  const pushedBytes = lfsObjects(upstream) - pushedBefore;
  const pulledBefore = lfsObjects(join(dest('lfs'), '.git'));
  const gPull = await bash('git pull -q origin main', { cwd: dest('lfs'), env: gitEnv });
  const pulledBytes = lfsObjects(join(dest('lfs'), '.git')) - pulledBefore;
  const lfsMismatch = await compareTree(dest('lfs'), after, hashes, editedPaths);
  log(`  backlot sent ${fmt(upJson.uploadedBytes / MiB)} MiB, received ${fmt(downJson.fetchedBytes / MiB)} MiB; git-lfs pushed ${fmt(pushedBytes / MiB)} MiB, pulled ${fmt(pulledBytes / MiB)} MiB`);

  const { files: editFiles, ...editRest } = edit;
  return {
    content,
    httpWhat: http.what,
    publish: {
      add: add.seconds, checkpoint, checkpointCalls: batches.length, sync: sync.seconds, uploadedBytes: synced.uploadedBytes, serverBytes: du(join(base, 'server-data')),
      lfsCommit: lfsCommit.seconds, lfsPush: lfsPush.seconds, lfsUpstreamBytes: pushedBefore,
    },
    clones: systems.map((s) => clones[s]),
    incremental: {
      edit: { ...editRest, files: editFiles.size },
      backlot: { checkpoint: cp.seconds, sync: up.seconds, uploadedBytes: upJson.uploadedBytes, pullSync: down.seconds, fetchedBytes: downJson.fetchedBytes, reusedBytes: downJson.reusedBytes, mismatch: backlotMismatch },
      lfs: { commit: gCommit.seconds, push: gPush.seconds, pushedBytes, pull: gPull.seconds, pulledBytes, mismatch: lfsMismatch },
    },
  };
}

// ---- 3. status -------------------------------------------------------------------------------------

async function measureStatus(base: string, count: number, o: CliBenchOptions, gitEnv: NodeJS.ProcessEnv, problems: string[]): Promise<StatusResult & { dropped: boolean }> {
  const { log } = o;
  const root = join(base, `status-${count}`);
  const ours = join(root, 'backlot');
  const theirs = join(root, 'git');
  log(`status on ${count.toLocaleString('en-US')} files: making the tree …`);
  const tree = makeSmallTree(ours, count);
  await bash(`cp -a ${ours}/. ${theirs}/`);
  const config = join(base, 'config-personal');
  const init = await backlot(['init', '--name', `Status ${count}`], config, { cwd: ours });
  const add = await backlot(['add', '.'], config, { cwd: ours });
  let checkpoint = 0;
  const batches = chunked(tree.files, CHECKPOINT_BATCH);
  for (const b of batches) checkpoint += (await backlot(['checkpoint', ...b, '-m', 'files'], config, { cwd: ours })).seconds;
  const gitAdd = await bash('git init -q -b main && git add -A', { cwd: theirs, env: gitEnv });
  const gitCommit = await bash('git commit -q -m files', { cwd: theirs, env: gitEnv });
  log(`  recorded: backlot add ${fmt(add.seconds)} s, checkpoint ${fmt(checkpoint)} s (${batches.length} calls); git add ${fmt(gitAdd.seconds)} s, commit ${fmt(gitCommit.seconds)} s`);

  const runOurs = () => backlot(['status'], config, { cwd: ours });
  const runGit = () => run('git', ['status'], { cwd: theirs, env: gitEnv });
  const r: StatusResult = {
    files: count, bytes: tree.bytes,
    record: { init: init.seconds, add: add.seconds, checkpoint, checkpointCalls: batches.length, gitAdd: gitAdd.seconds, gitCommit: gitCommit.seconds },
    backlot: { cold: [], warm: [], output: '' },
    git: { cold: [], warm: [], output: '' },
  };
  let dropped = true;
  const systems = [{ key: 'backlot' as const, once: runOurs }, { key: 'git' as const, once: runGit }];
  for (let round = 0; round < STATUS_ROUNDS; round++) {
    for (const s of round % 2 === 0 ? systems : [...systems].reverse()) {
      dropped = dropCaches() && dropped;
      const cold = await s.once();
      r[s.key].cold.push(cold.seconds);
      if (round === 0) r[s.key].output = (cold.stdout + cold.stderr).trim();
      for (let i = 0; i < STATUS_WARM_RUNS; i++) r[s.key].warm.push((await s.once()).seconds);
    }
  }
  // Every file was just recorded: anything but "up to date" is a wrong answer.
  if (!/Every file is up to date/.test(r.backlot.output)) problems.push(`\`backlot status\` on ${count} freshly checkpointed files printed: ${r.backlot.output.slice(0, 400)}`);
  if (!/nothing to commit, working tree clean/.test(r.git.output)) problems.push(`\`git status\` on ${count} committed files printed: ${r.git.output.slice(0, 300)}`);
  log(`  backlot status cold ${fmt(median(r.backlot.cold) * 1000)} ms, warm ${fmt(median(r.backlot.warm) * 1000)} ms; git status cold ${fmt(median(r.git.cold) * 1000)} ms, warm ${fmt(median(r.git.warm) * 1000)} ms`);
  if (!o.keep) rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  return { ...r, dropped };
}

// ---- the run ---------------------------------------------------------------------------------------

export async function runCliBench(o: CliBenchOptions): Promise<CliResults> {
  const { log } = o;
  if (!(o.scale > 0)) throw new Error('--scale must be above 0');
  const startedAt = new Date();
  const loadBefore = loadavg();
  ensurePeers(log);
  for (const bin of ['git', 'git-lfs', 'curl']) if (!have(bin)) throw new Error(`${bin} is needed by the cli benchmark and is not installed`);
  const build = buildCli(log);
  const base = mkdtempSync(join(tmpdir(), 'backlot-bench-cli-'));
  log(`temp folder ${base}`);
  BIN = snapshotCli(base);
  const home = join(base, 'home');
  mkdirSync(home, { recursive: true });
  // Peers run with their own HOME: no user or system git config changes what is measured.
  const gitEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
  // No automatic gc/maintenance: after a 100,000-file commit git packs in the background, which
  // competed with the next measurements and was still writing .git when the run removed it.
  await bash('git config --global user.name "CLI Bench" && git config --global user.email bench@cli.test && git config --global init.defaultBranch main && git config --global gc.auto 0 && git config --global maintenance.auto false && git lfs install --skip-repo >/dev/null', { env: gitEnv });
  const cleanups: (() => Promise<void>)[] = [];
  const problems: string[] = [];
  // Ctrl-C or a kill skips `finally`: stop the server and nginx and remove the temp folder anyway.
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up …`);
    void Promise.allSettled(cleanups.map((c) => c())).then(() => {
      if (!o.keep) rmSync(base, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const start = await measureStart(log, problems);
    const clone = await measureClone(base, o, gitEnv, cleanups, problems);
    for (const c of cleanups.splice(0).reverse()) await c();
    // The clone's folders are done with: free the disk before the status trees.
    if (!o.keep) for (const e of readdirSync(base)) if (e !== 'home' && e !== 'cli') rmSync(join(base, e), { recursive: true, force: true });
    const status: StatusResult[] = [];
    let coldIsDropped = true;
    for (const n of [10_000, 100_000]) {
      const s = await measureStatus(base, Math.max(100, Math.round(n * o.scale)), o, gitEnv, problems);
      coldIsDropped &&= s.dropped;
      status.push(s);
    }
    return {
      scale: o.scale, startedAt, loadBefore, seconds: (Date.now() - startedAt.getTime()) / 1000,
      nproc: spawnSync('nproc', { encoding: 'utf8' }).stdout.trim(), build,
      versions: { git: versionOf('git --version'), lfs: versionOf('git lfs version'), curl: versionOf('curl --version') },
      ...clone, status, coldIsDropped, start, problems,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const c of cleanups.reverse()) await c().catch((err) => log(`cleanup: ${(err as Error).message}`));
    if (o.keep) log(`kept ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
}

// ---- the section -----------------------------------------------------------------------------------

const ms = (s: number) => fmt(s * 1000);
const mib = (b: number) => fmt(b / MiB);
const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;
const mark = (ok: boolean) => (ok ? '✓' : '✗');
const n = (x: number) => x.toLocaleString('en-US');

export function cliSection(r: CliResults): string {
  const c = r.content;
  const clone = (s: CloneResult['system']) => r.clones.find((x) => x.system === s)!;
  const t = { backlot: median(clone('backlot').seconds), http: median(clone('http').seconds), lfs: median(clone('lfs').seconds) };
  const rate = (s: number) => c.bytes / MiB / s;
  const inc = r.incremental;
  const upRatio = inc.backlot.uploadedBytes / inc.lfs.pushedBytes;
  const downRatio = inc.backlot.fetchedBytes / inc.lfs.pulledBytes;
  const [small, big] = r.status;
  const warm = (s: StatusResult, k: 'backlot' | 'git') => median(s[k].warm);
  const cold = (s: StatusResult, k: 'backlot' | 'git') => median(s[k].cold);
  const start = { backlot: median(r.start.backlot), git: median(r.start.git), node: median(r.start.node) };
  const coldWord = r.coldIsDropped ? 'cold (page cache dropped)' : 'cold = first run of the process, page cache warm';
  const fullScale = r.scale === 1;
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

  const summary = [
    [`first clone, ${n(c.files.length)} files, ${mib(c.bytes)} MiB`, `${fmt(rate(t.backlot))} MiB/s (${fmt(t.backlot)} s)`, `plain HTTP (${r.httpWhat.startsWith('nginx') ? 'nginx' : 'Node static server'} + curl, 4 parallel): ${fmt(rate(t.http))} MiB/s (${fmt(t.http)} s)`,
      x(rate(t.backlot), rate(t.http)), '≥ 0.60× of plain HTTP', mark(rate(t.backlot) >= 0.6 * rate(t.http))],
    ['first clone, same files', `${fmt(rate(t.backlot))} MiB/s`, `git clone + git lfs pull (file://): ${fmt(rate(t.lfs))} MiB/s (${fmt(t.lfs)} s)`, x(rate(t.backlot), rate(t.lfs)), '—', ''],
    [`incremental sync, sent (${inc.edit.files} files re-saved)`, `${mib(inc.backlot.uploadedBytes)} MiB (checkpoint + sync)`, `git-lfs push: ${mib(inc.lfs.pushedBytes)} MiB`, pct(upRatio), '< 3% of git-lfs', mark(upRatio < 0.03)],
    ['incremental sync, received by the other folder', `${mib(inc.backlot.fetchedBytes)} MiB (sync)`, `git pull (LFS): ${mib(inc.lfs.pulledBytes)} MiB`, pct(downRatio), '< 3% of git-lfs', mark(downRatio < 0.03)],
    [`\`status\` warm, ${n(small.files)} files`, `${ms(warm(small, 'backlot'))} ms`, `git status: ${ms(warm(small, 'git'))} ms`, x(warm(small, 'backlot'), warm(small, 'git')),
      `< 300 ms and ≤ 3× git${small.files === 10_000 ? '' : ' (aim set for 10,000 files)'}`, mark(warm(small, 'backlot') < 0.3 && warm(small, 'backlot') <= 3 * warm(small, 'git'))],
    [`\`status\` ${coldWord}, ${n(small.files)} files`, `${ms(cold(small, 'backlot'))} ms`, `git status: ${ms(cold(small, 'git'))} ms`, x(cold(small, 'backlot'), cold(small, 'git')), '—', ''],
    [`\`status\` warm, ${n(big.files)} files`, `${ms(warm(big, 'backlot'))} ms`, `git status: ${ms(warm(big, 'git'))} ms`, x(warm(big, 'backlot'), warm(big, 'git')), '—', ''],
    [`\`status\` ${coldWord}, ${n(big.files)} files`, `${ms(cold(big, 'backlot'))} ms`, `git status: ${ms(cold(big, 'git'))} ms`, x(cold(big, 'backlot'), cold(big, 'git')), '—', ''],
    ['start: `--version`', `${ms(start.backlot)} ms`, `git --version: ${ms(start.git)} ms`, x(start.backlot, start.git), '< 150 ms', mark(start.backlot < 0.15)],
  ];

  const cloneRows = (['backlot', 'http', 'lfs'] as const).map((s) => {
    const cr = clone(s);
    const what = s === 'backlot' ? '`backlot clone Bench DIR` (second account, Supervisor role)'
      : s === 'http' ? `\`curl --parallel --parallel-max 4\` of every file from ${r.httpWhat}`
        : '`GIT_LFS_SKIP_SMUDGE=1 git clone file://…` + `git lfs pull`';
    return [what, cr.seconds.map((v) => fmt(v)).join(', '), fmt(median(cr.seconds)), fmt(rate(median(cr.seconds))), cr.mismatch ? `**no**: ${cr.mismatch}` : 'yes'];
  });

  const statusRows = r.status.flatMap((s) => (['backlot', 'git'] as const).map((k) => [
    `${n(s.files)} files, ${mib(s.bytes)} MiB`, k === 'backlot' ? '`backlot status` (Personal project)' : '`git status`',
    s[k].cold.map(ms).join(', '), ms(cold(s, k)), ms(median(s[k].warm)), ms(Math.min(...s[k].warm)), ms(Math.max(...s[k].warm)),
  ]));

  const record = r.status.map((s) => `${n(s.files)} files: \`backlot init\` ${fmt(s.record.init)} s, \`add .\` ${fmt(s.record.add)} s, \`checkpoint\` ${fmt(s.record.checkpoint)} s in ${s.record.checkpointCalls} call(s) of ≤ ${n(CHECKPOINT_BATCH)} paths; \`git add -A\` ${fmt(s.record.gitAdd)} s, \`git commit\` ${fmt(s.record.gitCommit)} s`).join('; ');
  const p = r.publish;
  const runs = c.runs;

  return `## Command line (\`backlot\`): first clone, incremental sync, status, start-up

${machineLine(r.startedAt, r.loadBefore)} \`nproc\`: ${r.nproc}.

The CLI is ${r.build}; that build's \`packages/cli/bin/backlot.js\` and \`dist/\` are copied into the run's temp folder and run from there with \`node\`
(same files; other work in this checkout may rebuild \`dist\` during the run). Every figure includes node's start-up, ${ms(start.node)} ms for \`node -e 0\` here.
Peers in the same run: ${r.versions.git}, ${r.versions.lfs.split(' ')[0]}, ${r.versions.curl.split(' ').slice(0, 2).join(' ')}, and ${r.httpWhat}.
Written by \`npm run bench -- --only=cli${fullScale ? '' : ` --scale=${r.scale}`}\`${fullScale ? '' : ` (**scale ${r.scale}**: ${pct(r.scale)} of the issue's sizes)`}; the run took ${fmt(r.seconds)} s.

${table(['measure', 'Backlot', 'peer (same run)', 'ratio', 'aim', 'met'], summary)}

Ratios are Backlot ÷ peer: for throughput above 1× is faster, for bytes and times below 1× is less.

**1. First clone.** Content: \`../shared/bench/creative-history.mjs --commits 1\` (its first tree, no history) in ${runs.length === 1 ? 'one folder (seed 1)' : `${runs.length} episode folders (seeds 1–${runs.length})`} at \`--scale ${runs[0].scaleMb}\`: ${n(c.files.length)} files, ${mib(c.bytes)} MiB,
of which ${pct(c.incompressibleBytes / c.bytes)} incompressible media (.mp4/.png, an AES-CTR keystream); the rest .blend records and .psd/.exr pixels (compressible), and small text.
Several runs rather than one at a larger --scale, whose few files would each be hundreds of MB. A real \`backlot serve\` (temporary data folder, \`--port 0\`) on loopback;
the owner published with the CLI (\`backlot clone\` of the empty project, files copied in, \`backlot add .\` ${fmt(p.add)} s, \`backlot checkpoint\` ${fmt(p.checkpoint)} s in ${p.checkpointCalls} call(s),
\`backlot sync\` ${fmt(p.sync)} s sending ${mib(p.uploadedBytes)} MiB; server data folder ${mib(p.serverBytes)} MiB); git-lfs tracked ${LFS_PATTERNS.join(' ')} (\`git lfs install --local\`), \`git add -A && git commit\` ${fmt(p.lfsCommit)} s,
\`git push\` to a bare repo over file:// ${fmt(p.lfsPush)} s (${mib(p.lfsUpstreamBytes)} MiB of LFS objects). The timed clone is by a second account with its own \`BACKLOT_CONFIG_DIR\`, signed in with
\`backlot login URL --email E --password-stdin\`. ${CLONE_ROUNDS} rounds, order alternating, \`sync\` before each; median shown; every copy checked against the content (paths and sizes each round, SHA-256 in the first).
Throughput = content MiB ÷ wall seconds of the command. All three read their source from a warm page cache.

${table(['system', 'seconds per round', 'median s', 'MiB/s', 'same files'], cloneRows)}

**2. Incremental sync.** An artist re-saves ${inc.edit.files} working files (every 4th .blend/.psd, ${mib(inc.edit.editedFileBytes)} MiB together): in each, three regions of ~0.33% of the file
(one inserted, two overwritten in place; ${inc.edit.regions} regions, ${mib(inc.edit.changedBytes)} MiB of new incompressible bytes in all, ${pct(inc.edit.changedBytes / c.bytes)} of the project).
The generator's own Blender model also rewrites pointer fields all over a .blend on each save; that is left out here, as the issue asks for region edits.
Backlot: \`backlot checkpoint FILES -m edit\` ${fmt(inc.backlot.checkpoint)} s + \`backlot sync --json\` ${fmt(inc.backlot.sync)} s, bytes = its \`uploadedBytes\` (compressed chunks sent);
the reviewer's folder: \`backlot sync --json\` ${fmt(inc.backlot.pullSync)} s, bytes = \`fetchedBytes\` (${mib(inc.backlot.reusedBytes)} MiB reused from files already there)${inc.backlot.mismatch ? `, **folder wrong afterwards: ${inc.backlot.mismatch}**` : ', folder checked equal afterwards'}.
git-lfs: \`git add -A && git commit\` ${fmt(inc.lfs.commit)} s, \`git push\` ${fmt(inc.lfs.push)} s, bytes = growth of the bare repo's \`lfs/objects\` (whole changed files);
\`git pull\` in the clone ${fmt(inc.lfs.pull)} s, bytes = growth of its \`.git/lfs/objects\`${inc.lfs.mismatch ? ` (**tree wrong afterwards: ${inc.lfs.mismatch}**)` : ''}.

**3. Status.** ${n(small.files)} and ${n(big.files)} files of 1–4 KiB in a nested tree (leaf folders of 100). Backlot: a Personal project (\`backlot init\`, \`backlot add .\`, every file checkpointed);
git: a copy of the same files, committed. ${record}.
${r.coldIsDropped ? 'Cold: `sync; echo 3 > /proc/sys/vm/drop_caches` right before the run (node, the bundle and git are read from disk too).' : 'Cold = first run of the process, page cache warm (dropping the page cache was not allowed here).'}
Warm: the ${STATUS_WARM_RUNS} runs right after each cold one. ${STATUS_ROUNDS} rounds, order alternating; default output (\`backlot status\` printed "${small.backlot.output.split('\n').slice(-1)[0]}").

${table(['files', 'command', 'cold runs ms', 'cold median ms', 'warm median ms', 'warm fastest ms', 'warm slowest ms'], statusRows)}

**4. Start time.** Median of ${START_RUNS} runs each, interleaved: \`backlot --version\` ${ms(start.backlot)} ms (fastest ${ms(Math.min(...r.start.backlot))}), \`git --version\` ${ms(start.git)} ms, \`node -e 0\` ${ms(start.node)} ms.
${r.problems.length ? `\n**CLI problems seen in this run:** ${r.problems.join('; ')}\n` : ''}`;
}

// ---- standalone --------------------------------------------------------------------------------------

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const scaleArg = args.find((a) => a.startsWith('--scale='));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const r = await runCliBench({ scale: scaleArg ? Number(scaleArg.split('=')[1]) : 1, keep: args.includes('--keep'), log });
  const body = cliSection(r);
  process.stdout.write(`\n${body}\n`);
  if (!args.includes('--no-write')) {
    updateSections({ cli: body });
    log(`wrote section cli of ${BENCHMARKS_FILE}`);
  }
}
