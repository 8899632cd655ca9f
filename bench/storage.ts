// Storage benchmark: commit/checkpoint time, repository size and restore time of Backlot against
// git, git-lfs, svn, restic and borg, all fed the same deterministic creative-production history
// (../shared/bench/creative-history.mjs), measured in the same run on the same machine.
//
//   npm run bench:storage [-- --scale 256 --commits 20 --seed 7]
//   options: --only git,lfs,svn,restic,borg,local,publish   run a subset (dev)
//            --mode check-first|encode-all                   Backlot publish pipeline (default check-first)
//            --profile                                       CPU profiles of the publish run (client main
//                                                            thread and server process), summarized
//            --no-write                                      do not touch BENCHMARKS.md
//            --keep                                          keep the temp folder (repos, work trees)
//            --workers N                                     Backlot compression threads (default: cores - 1)
//            --save FILE / --report-from FILE                keep raw results / rebuild the report from them
//            --repeat N                                      N rounds (order alternating), fastest round kept
//
// The generator is run once per system with that system's per-commit command as --after; it
// times only that command (generation excluded) and reports after_seconds. Per system:
//   git      git add -A && git commit                           (repo: WORK/.git)
//   git-lfs  same with `git lfs track` for binary kinds + push to a local bare upstream
//   svn      svn add/rm + svn commit to a file:// repository (svnadmin create)
//   restic   restic backup . (repository v2, zstd auto)
//   borg     borg create (encryption none, default lz4)
//   Backlot local    chunk + compress + store changed files into a local FsChunkBackend
//   Backlot publish  chunk, ask the server what it lacks, upload it, create checkpoints
//                    (publishFolder) against a real server in a child process over loopback
// Backlot runs as a resident client process (like a desktop client): the per-commit command only
// signals it over a loopback socket and waits for its answer, so the bench measures the work, not
// node start-up. Peers are their ordinary CLI invocations.
//
// Peers are installed with apt-get when missing (never under CI, where missing peers are skipped).
// Results go to BENCHMARKS.md between <!-- bench:storage --> markers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { ChunkWorkerPool, FsChunkBackend, restoreFromStore, sharedWorkerPool, closeSharedWorkerPool, defaultWorkerCount } from '@backlot/storage';
import { BacklotApi } from '@backlot/api';
import { checkpointFolderLocal } from '../packages/client/src/folder/local-checkpoint.js';
import { publishFolder, type PublishFolderResult } from '../packages/client/src/folder/publish.js';
import { restoreFolder } from '../packages/client/src/folder/restore.js';
import { loadState } from '../packages/client/src/folder/state.js';
import { fmt, machineLine, REPO_ROOT, table, updateSections, cpuSeconds } from './report.js';
import { spawnReady } from './child.js';
import { du } from './disk-usage.js';
import { peerEnvironment } from './peer-environment.js';
import { have } from './cli-peers.js';

const THIS_FILE = fileURLToPath(import.meta.url);

// The entry point is at the end of the file, after every declaration it uses.

// ---- options -----------------------------------------------------------------------------------

interface Options {
  scale: number;
  commits: number;
  seed: number;
  only: Set<string> | null;
  mode: 'check-first' | 'encode-all';
  profile: boolean;
  write: boolean;
  keep: boolean;
  repeat: number;
  /** Write the raw results (JSON) here. */
  save: string | undefined;
  /** Only rebuild the report (and BENCHMARKS.md section) from a file written by --save. */
  reportFrom: string | undefined;
  /** Compression threads for Backlot (0: the storage default, one per core beyond the first, at least two). */
  workers: number;
}

function parseOptions(argv: string[]): Options {
  const val = (name: string) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
  };
  const mode = (val('mode') ?? 'check-first') as Options['mode'];
  if (mode !== 'check-first' && mode !== 'encode-all') throw new Error(`--mode must be check-first or encode-all`);
  return {
    scale: Number(val('scale') ?? 256),
    commits: Number(val('commits') ?? 20),
    seed: Number(val('seed') ?? 7),
    only: val('only') ? new Set(val('only')!.split(',')) : null,
    mode,
    profile: argv.includes('--profile'),
    write: !argv.includes('--no-write'),
    keep: argv.includes('--keep'),
    repeat: Math.max(1, Number(val('repeat') ?? 1)),
    workers: Math.max(0, Number(val('workers') ?? 0)),
    save: val('save'),
    reportFrom: val('report-from'),
  };
}

// ---- helpers -----------------------------------------------------------------------------------

const log = (...a: unknown[]) => console.error('[bench:storage]', ...a);

function run(cmd: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn('/bin/bash', ['-c', cmd], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('exit', (code, signal) => {
      if (code === 0) res({ stdout, stderr });
      else rej(new Error(`\`${cmd}\` failed (${code ?? signal}): ${stderr.slice(-2000)}`));
    });
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, value };
}

/** Files and bytes of a restored tree, without VCS/tool metadata. */
function treeOf(p: string, skip = new Set(['.git', '.svn', '.backlot', '.gitattributes'])): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (skip.has(e.name)) continue;
      const q = join(d, e.name);
      if (e.isDirectory()) walk(q);
      else if (e.isFile()) {
        files++;
        bytes += lstatSync(q).size;
      }
    }
  };
  if (existsSync(p)) walk(p);
  return { files, bytes };
}

const procCpuSeconds = (pid: number): number => cpuSeconds(pid) ?? NaN;


function ensurePeers(): void {
  const needed: Record<string, string> = { git: 'git', 'git-lfs': 'git-lfs', svn: 'subversion', svnadmin: 'subversion', restic: 'restic', borg: 'borgbackup' };
  const missing = Object.keys(needed).filter((b) => !have(b));
  if (missing.length === 0) return;
  if (process.env.CI) {
    log(`CI: not installing peers; skipping what is missing (${missing.join(', ')})`);
    return;
  }
  log(`installing peers: apt-get install ${[...new Set(missing.map((b) => needed[b]))].join(' ')} …`);
  const r = spawnSync('/bin/bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git git-lfs subversion restic borgbackup'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) log('apt-get failed; peers that are still missing are skipped');
}

interface GenReport {
  seed: number;
  scale_mb: number;
  commits: number;
  bytes_written: number;
  after_seconds: number;
  final_tree_bytes: number;
  final_files: number;
  per_commit?: { commit: number; files: number; bytes: number; seconds: number }[];
}

function generatorPath(): string {
  const fromEnv = process.env.BACKLOT_BENCH_GENERATOR;
  const candidates = [fromEnv, join(REPO_ROOT, '..', 'shared', 'bench', 'creative-history.mjs'), '/work/shared/bench/creative-history.mjs'].filter(Boolean) as string[];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`creative-history.mjs not found (looked at ${candidates.join(', ')}); set BACKLOT_BENCH_GENERATOR`);
  return found;
}

/** Runs the generator into `work` with `after` run after each commit; its stderr goes to `logFile`. */
function generate(o: Options, work: string, after: string, env: NodeJS.ProcessEnv, logFile: string): Promise<GenReport> {
  return new Promise((res, rej) => {
    const args = [generatorPath(), '--work', work, '--seed', String(o.seed), '--scale', String(o.scale), '--commits', String(o.commits), '--after', `{ ${after} ; } 2>>${logFile}`, '--verbose'];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', rej);
    child.on('exit', (code) => {
      if (code !== 0) {
        let tail = '';
        try {
          tail = readFileSync(logFile, 'utf8').slice(-2000);
        } catch {
          // no log yet
        }
        return rej(new Error(`generator failed (${code}): ${err.slice(-2000)}\n${tail}`));
      }
      const line = out.trim().split('\n').pop()!;
      res(JSON.parse(line) as GenReport);
    });
  });
}

/**
 * A resident agent: the per-commit command connects over loopback TCP (bash /dev/tcp), sends the
 * commit index, and waits for "ok". The handler runs in this process.
 */
async function startAgent(handler: (commit: number) => Promise<void>): Promise<{ port: number; close(): Promise<void>; after: string }> {
  const server: Server = createServer((socket) => {
    const rl = createInterface({ input: socket });
    rl.once('line', async (line) => {
      try {
        await handler(Number(line.trim()));
        socket.end('ok\n');
      } catch (err) {
        log('agent error:', (err as Error).stack ?? err);
        socket.end(`error ${String((err as Error).message).replace(/\s+/g, ' ')}\n`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    after: `exec 3<>/dev/tcp/127.0.0.1/${port} && echo "$COMMIT_INDEX" >&3 && read -r reply <&3 && [ "$reply" = ok ] || { echo "backlot agent: $reply" >&2; exit 1; }`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

interface ServerChild {
  url: string;
  setupToken: string;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startServerChild(dataDir: string, profileDir?: string): Promise<ServerChild> {
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const server = await spawnReady<{ url: string; setupToken: string }>(THIS_FILE, ['--server-child', dataDir], { nodeArgs });
  return { ...server.info, dataDir, child: server.child, stop: () => server.stop() };
}

/** First account, a studio and a project, through the API. */
async function seedProject(url: string, setupToken: string): Promise<{ api: BacklotApi; projectId: string }> {
  const api = new BacklotApi({ baseUrl: url });
  // Setting up signs the api in as that first account; publishing and restoring act as it.
  await api.auth.setup({ token: setupToken, email: 'bench@storage.test', name: 'Storage Bench', password: 'correct horse battery staple' });
  const studio = await api.studios.create({ name: 'Bench Studio' });
  const project = await api.projects.create(studio.id, { name: 'Creative History' });
  return { api, projectId: project.id };
}

// ---- the systems -------------------------------------------------------------------------------

interface SystemResult {
  key: string;
  label: string;
  timed: string;
  afterSeconds: number;
  repoBytes: number;
  repoWhat: string;
  restoreSeconds: number;
  restoreWhat: string;
  restoredOk: boolean;
  restored: { files: number; bytes: number };
  gen: GenReport;
  extra?: Record<string, unknown>;
  /** Every round's numbers when the run was repeated. */
  rounds?: { after: number; restore: number; bytes: number }[];
}

interface Peer {
  key: string;
  label: string;
  bins: string[];
  timed: string;
  /** Before the generator runs (the work folder does not exist yet). Returns the --after command. */
  prepare(dir: string, work: string, env: NodeJS.ProcessEnv): Promise<string>;
  size(dir: string, work: string): { bytes: number; what: string };
  restore(dir: string, work: string, dest: string, env: NodeJS.ProcessEnv, gen: GenReport): Promise<void>;
  restoreWhat: string;
}

const LFS_KINDS = ['*.blend', '*.psd', '*.exr', '*.mp4', '*.png'];

const PEERS: Peer[] = [
  {
    key: 'git', label: 'git', bins: ['git'],
    timed: '`git add -A && git commit`',
    async prepare() {
      return 'if [ "$COMMIT_INDEX" = 0 ]; then git init -q -b main; fi; git add -A && git commit -q --allow-empty -m "commit $COMMIT_INDEX"';
    },
    size: (_d, work) => ({ bytes: du(join(work, '.git')), what: '`.git`' }),
    async restore(dir, work, dest, env) {
      mkdirSync(dest, { recursive: true });
      const idx = join(dir, 'restore.index');
      await run(`GIT_INDEX_FILE=${idx} git --git-dir=${work}/.git read-tree HEAD && GIT_INDEX_FILE=${idx} git --git-dir=${work}/.git checkout-index -a --prefix=${dest}/`, { env });
    },
    restoreWhat: 'checkout of HEAD into an empty folder (`read-tree` + `checkout-index -a`)',
  },
  {
    key: 'lfs', label: 'git-lfs', bins: ['git', 'git-lfs'],
    timed: '`git add -A && git commit && git push` (LFS for .blend .psd .exr .mp4 .png) to a local bare upstream',
    async prepare(dir, _work, env) {
      await run(`git init -q --bare -b main ${dir}/upstream.git`, { env });
      return `if [ "$COMMIT_INDEX" = 0 ]; then git init -q -b main && git lfs install --local >/dev/null && git lfs track ${LFS_KINDS.map((k) => `'${k}'`).join(' ')} >/dev/null && git remote add origin ${dir}/upstream.git; fi; `
        + 'git add -A && git commit -q --allow-empty -m "commit $COMMIT_INDEX" && git push -q origin HEAD:main';
    },
    size: (dir, work) => ({ bytes: du(join(work, '.git')) + du(join(dir, 'upstream.git')), what: '`.git` (with its LFS cache) + bare upstream (with LFS objects)' }),
    async restore(dir, _work, dest, env) {
      await run(`git clone -q -b main ${dir}/upstream.git ${dest}`, { env });
    },
    restoreWhat: '`git clone` of the upstream (LFS smudge of the final tree)',
  },
  {
    key: 'svn', label: 'svn', bins: ['svn', 'svnadmin'],
    timed: '`svn add --force . && svn rm <missing> && svn commit` to a file:// repository',
    async prepare(dir, _work, env) {
      await run(`svnadmin create ${dir}/repo`, { env });
      return `if [ "$COMMIT_INDEX" = 0 ]; then svn checkout -q --force file://${dir}/repo . ; fi; `
        + `svn add -q --force . && { svn status | grep '^!' | cut -c9- | xargs -r -d '\\n' svn rm -q; } ; svn commit -q -m "commit $COMMIT_INDEX"`;
    },
    size: (dir) => ({ bytes: du(join(dir, 'repo')), what: 'repository (`svnadmin create`)' }),
    async restore(dir, _work, dest, env) {
      await run(`svn checkout -q file://${dir}/repo ${dest}`, { env });
    },
    restoreWhat: '`svn checkout` (file://)',
  },
  {
    key: 'restic', label: 'restic', bins: ['restic'],
    timed: '`restic backup .`',
    async prepare(dir, _work, env) {
      await run(`restic init -q --repository-version 2 -r ${dir}/repo`, { env });
      return `restic -r ${dir}/repo backup -q .`;
    },
    size: (dir) => ({ bytes: du(join(dir, 'repo')), what: 'repository (v2, compression auto)' }),
    async restore(dir, _work, dest, env) {
      await run(`restic -r ${dir}/repo restore latest -q --target ${dest}`, { env });
    },
    restoreWhat: '`restic restore latest`',
  },
  {
    key: 'borg', label: 'borg', bins: ['borg'],
    timed: '`borg create REPO::cN .`',
    async prepare(dir, _work, env) {
      await run(`borg init -e none ${dir}/repo`, { env });
      return `borg create ${dir}/repo::c$COMMIT_INDEX .`;
    },
    size: (dir) => ({ bytes: du(join(dir, 'repo')), what: 'repository (encryption none, lz4)' }),
    async restore(dir, _work, dest, env, gen) {
      mkdirSync(dest, { recursive: true });
      await run(`borg extract ${dir}/repo::c${gen.commits - 1}`, { cwd: dest, env });
    },
    restoreWhat: '`borg extract` of the last archive',
  },
];

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.reportFrom) {
    const saved = JSON.parse(readFileSync(o.reportFrom, 'utf8')) as { options: Options; results: SystemResult[]; skipped: string[]; loadBefore: number[]; profile: string; measuredAt: string; machine: string };
    const section = report({ ...saved.options, write: o.write }, saved.results, saved.skipped, saved.loadBefore, saved.profile, new Date(saved.measuredAt), saved.machine);
    console.log(section);
    if (o.write) updateSections({ storage: section });
    return;
  }
  const wants = (k: string) => !o.only || o.only.has(k);
  const loadBefore = loadavg();
  ensurePeers();
  const base = mkdtempSync(join(tmpdir(), 'backlot-bench-storage-'));
  log(`data: creative-history --seed ${o.seed} --scale ${o.scale} --commits ${o.commits}; temp folder ${base}`);
  const env = await peerEnvironment(base, 'Storage Bench');

  const results: SystemResult[] = [];
  const skipped: string[] = [];
  let profileText = '';
  let ownPool: ChunkWorkerPool | undefined;
  try {
    const pool = o.workers ? await ChunkWorkerPool.create(o.workers) : await sharedWorkerPool();
    ownPool = o.workers ? pool : undefined;
    const keys = [...PEERS.map((p) => p.key), 'local', 'publish'].filter(wants);
    for (const key of keys) {
      const peer = PEERS.find((p) => p.key === key);
      if (peer && !peer.bins.every(have)) skipped.push(peer.label);
    }
    const runnable = keys.filter((k) => !skipped.includes(PEERS.find((p) => p.key === k)?.label ?? ''));
    const runs = new Map<string, SystemResult[]>();
    for (let rep = 0; rep < o.repeat; rep++) {
      // Alternate the order so a drift in machine load does not always favour the same systems.
      const order = rep % 2 === 0 ? runnable : [...runnable].reverse();
      if (o.repeat > 1) log(`round ${rep + 1} of ${o.repeat}: ${order.join(', ')}`);
      for (const key of order) {
        const dir = join(base, `${key}-${rep}`);
        mkdirSync(dir, { recursive: true });
        let result: SystemResult;
        if (key === 'local') result = await runLocal(o, dir, env, pool);
        else if (key === 'publish') {
          const r = await runPublish(o, dir, env, pool);
          result = r.result;
          if (r.profile) profileText = r.profile;
        } else result = await runPeer(PEERS.find((p) => p.key === key)!, o, dir, env);
        runs.set(key, [...(runs.get(key) ?? []), result]);
        if (!o.keep) rmSync(dir, { recursive: true, force: true });
      }
    }
    for (const key of runnable) {
      const all = runs.get(key)!;
      // The fastest round of each system (least disturbed by other load); sizes are deterministic.
      const best = { ...all[0] };
      best.afterSeconds = Math.min(...all.map((r) => r.afterSeconds));
      best.restoreSeconds = Math.min(...all.map((r) => r.restoreSeconds));
      // Sizes are deterministic except restic's (see the report); the smallest is the peer's best.
      best.repoBytes = Math.min(...all.map((r) => r.repoBytes));
      best.restoredOk = all.every((r) => r.restoredOk);
      best.rounds = all.map((r) => ({ after: r.afterSeconds, restore: r.restoreSeconds, bytes: r.repoBytes }));
      const fastest = all.reduce((a, r) => (r.afterSeconds < a.afterSeconds ? r : a));
      best.extra = fastest.extra;
      results.push(best);
    }
  } finally {
    await ownPool?.close();
    await closeSharedWorkerPool();
    if (!o.keep) rmSync(base, { recursive: true, force: true });
    else log(`kept ${base}`);
  }

  const measuredAt = new Date();
  const machine = machineLine(measuredAt, loadBefore);
  if (o.save) writeFileSync(o.save, JSON.stringify({ options: { ...o, only: null }, results, skipped, loadBefore, profile: profileText, measuredAt: measuredAt.toISOString(), machine }, null, 1));
  const section = report(o, results, skipped, loadBefore, profileText, measuredAt, machine);
  console.log(section);
  if (o.write) {
    updateSections({ storage: section });
    log('wrote the storage section of BENCHMARKS.md');
  }
}

async function runPeer(peer: Peer, o: Options, dir: string, env: NodeJS.ProcessEnv): Promise<SystemResult> {
  const work = join(dir, 'work');
  log(`${peer.label}: replaying …`);
  const after = await peer.prepare(dir, work, env);
  const gen = await generate(o, work, after, env, join(dir, 'after.log'));
  const size = peer.size(dir, work);
  const dest = join(dir, 'restored');
  const r = await timed(() => peer.restore(dir, work, dest, env, gen));
  const restored = treeOf(dest);
  log(`${peer.label}: ${gen.after_seconds.toFixed(2)} s, ${fmt(size.bytes / 2 ** 20)} MiB, restore ${r.seconds.toFixed(2)} s`);
  rmSync(dest, { recursive: true, force: true });
  return {
    key: peer.key, label: peer.label, timed: peer.timed, afterSeconds: gen.after_seconds, repoBytes: size.bytes, repoWhat: size.what,
    restoreSeconds: r.seconds, restoreWhat: peer.restoreWhat, restored, restoredOk: restored.files === gen.final_files && restored.bytes === gen.final_tree_bytes, gen,
  };
}

async function runLocal(o: Options, dir: string, env: NodeJS.ProcessEnv, pool: ChunkWorkerPool): Promise<SystemResult> {
  const work = join(dir, 'work');
  const storeDir = join(dir, 'store');
  mkdirSync(dir, { recursive: true });
  const backend = new FsChunkBackend({ dir: storeDir });
  const store = backend.store('bench');
  const perCommit: { newChunks: number; newBytes: number }[] = [];
  const agent = await startAgent(async () => {
    const r = await checkpointFolderLocal(work, store, { pool });
    perCommit.push({ newChunks: r.newChunks, newBytes: r.newBytes });
  });
  log('Backlot local checkpoint: replaying …');
  let gen: GenReport;
  try {
    gen = await generate(o, work, agent.after, env, join(dir, 'after.log'));
  } finally {
    await agent.close();
  }
  const repoBytes = du(storeDir) + du(join(work, '.backlot'));
  // Restore from the local store, for reference (the server restore is the headline).
  const state = await loadState(work, 'local-state.json');
  const dest = join(dir, 'restored');
  const r = await timed(async () => {
    for (const [p, t] of Object.entries(state.files)) {
      const path = join(dest, ...p.split('/'));
      mkdirSync(join(path, '..'), { recursive: true });
      await restoreFromStore(store, { fileHash: t.fileHash, size: t.size, chunks: t.chunks.map((id, i) => ({ id, size: t.chunkSizes[i] })) }, path);
    }
  });
  const restored = treeOf(dest);
  log(`Backlot local: ${gen.after_seconds.toFixed(2)} s, ${fmt(repoBytes / 2 ** 20)} MiB, restore ${r.seconds.toFixed(2)} s`);
  return {
    key: 'local', label: 'Backlot local checkpoint', timed: 'scan (size+mtime) + chunk + compress + store changed files into a local fs chunk store',
    afterSeconds: gen.after_seconds, repoBytes, repoWhat: 'local chunk store + `.backlot` state', restoreSeconds: r.seconds,
    restoreWhat: 'restore every file from the local store (verified)', restored, restoredOk: restored.files === gen.final_files && restored.bytes === gen.final_tree_bytes, gen,
    extra: { newBytes: perCommit.reduce((a, c) => a + c.newBytes, 0) },
  };
}

async function runPublish(o: Options, dir: string, env: NodeJS.ProcessEnv, pool: ChunkWorkerPool): Promise<{ result: SystemResult; profile: string }> {
  const work = join(dir, 'work');
  const dataDir = join(dir, 'server-data');
  const profDir = join(dir, 'profiles');
  mkdirSync(dataDir, { recursive: true });
  log('Backlot checkpoint + publish: starting the server (child process) …');
  const server = await startServerChild(dataDir, o.profile ? profDir : undefined);
  let session: Session | null = null;
  try {
    const { api, projectId } = await seedProject(server.url, server.setupToken);
    const runs: PublishFolderResult[] = [];
    const agent = await startAgent(async () => {
      const r = await publishFolder(api, projectId, work, { pool, mode: o.mode, comment: 'bench' });
      if (r.failed.length) throw new Error(`refused: ${r.failed.map((f) => `${f.path}: ${f.error.message}`).join('; ')}`);
      runs.push(r);
    });
    if (o.profile) {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 1000 });
      await session.post('Profiler.start');
    }
    log('Backlot checkpoint + publish: replaying …');
    let gen: GenReport;
    const cpu0 = { client: procCpuSeconds(process.pid), server: procCpuSeconds(server.child.pid!) };
    try {
      gen = await generate(o, work, agent.after, env, join(dir, 'after.log'));
    } finally {
      await agent.close();
    }
    // Includes generation-time idle only (the client and server do nothing between commits).
    const cpu = { client: procCpuSeconds(process.pid) - cpu0.client, server: procCpuSeconds(server.child.pid!) - cpu0.server };
    let clientProfile: unknown = null;
    if (session) {
      clientProfile = (await session.post('Profiler.stop')).profile;
      session.disconnect();
      session = null;
    }
    const dest = join(dir, 'restored');
    const state = await loadState(work);
    const rc0 = { client: procCpuSeconds(process.pid), server: procCpuSeconds(server.child.pid!) };
    const r = await timed(() => restoreFolder(api, projectId, state, dest, { manifests: 'server' }));
    const restoreCpu = { client: procCpuSeconds(process.pid) - rc0.client, server: procCpuSeconds(server.child.pid!) - rc0.server };
    const restored = treeOf(dest);
    await server.stop();
    const repoBytes = du(dataDir);
    const phases = { scan: 0, items: 0, chunks: 0, checkpoints: 0, removals: 0, state: 0 };
    const upload = { uploadedBytes: 0, uploadedRawBytes: 0, uploaded: 0, present: 0, encoded: 0, checkRequests: 0, uploadRequests: 0, offerWaitMs: 0, flushWaitMs: 0 };
    for (const run of runs) {
      for (const k of Object.keys(phases) as (keyof typeof phases)[]) phases[k] += run.phases[k];
      for (const k of Object.keys(upload) as (keyof typeof upload)[]) upload[k] += run.upload[k];
    }
    log(`Backlot publish: ${gen.after_seconds.toFixed(2)} s, ${fmt(repoBytes / 2 ** 20)} MiB, restore ${r.seconds.toFixed(2)} s`);
    let profile = '';
    if (o.profile) profile = await summarizeProfiles(clientProfile, profDir);
    return {
      result: {
        key: 'publish', label: 'Backlot checkpoint + publish', timed: `scan + chunk + ask the server what is missing + compress and upload that + create checkpoints (publishFolder, ${o.mode}), server in a child process over loopback`,
        afterSeconds: gen.after_seconds, repoBytes, repoWhat: 'server data folder (SQLite + chunk store)', restoreSeconds: r.seconds,
        restoreWhat: 'restoreFolder from the server into an empty folder: checkpoint manifests fetched from the server, every chunk and file verified', restored,
        restoredOk: restored.files === gen.final_files && restored.bytes === gen.final_tree_bytes, gen,
        extra: { phases, upload, restore: r.value.fetch, cpu, restoreCpu },
      },
      profile,
    };
  } finally {
    if (session) session.disconnect();
    await server.stop();
  }
}

// ---- profiles ----------------------------------------------------------------------------------

interface ProfNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }

function selfTimes(profile: { nodes: ProfNode[]; samples?: number[]; startTime: number; endTime: number }): { busy: number; wall: number; top: [string, number][]; areas: [string, number][] } {
  const hits = new Map<number, number>();
  if (profile.samples?.length) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const n of profile.nodes) hits.set(n.id, n.hitCount ?? 0);
  const total = [...hits.values()].reduce((a, b) => a + b, 0) || 1;
  const wall = (profile.endTime - profile.startTime) / 1e6;
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  let idle = 0;
  for (const n of profile.nodes) {
    const h = hits.get(n.id) ?? 0;
    if (!h) continue;
    const f = n.callFrame;
    if (f.functionName === '(idle)') {
      idle += h;
      continue;
    }
    const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/packages\//, 'packages/');
    const key = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + h);
    const area =
      /packages\/storage/.test(f.url) ? 'storage package (JS)' :
      /packages\/client/.test(f.url) ? 'client package (JS)' :
      /packages\/server/.test(f.url) ? 'server code (JS)' :
      /node_modules\/(kysely|better-sqlite3)/.test(f.url) ? 'SQL (Kysely + better-sqlite3 JS)' :
      /node_modules\/(fastify|@fastify|find-my-way|avvio)/.test(f.url) ? 'Fastify' :
      /node_modules\/undici|node:internal\/deps\/undici/.test(f.url) ? 'undici (fetch)' :
      f.url.startsWith('node:') ? 'node core (streams, fs, net, http)' :
      !f.url ? `native: ${f.functionName}` : 'other JS';
    areas.set(area, (areas.get(area) ?? 0) + h);
  }
  const busy = total - idle;
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { busy: busy / total, wall, top: sorted(self).slice(0, 12).map(([k, v]) => [k, v / total]), areas: sorted(areas).slice(0, 12).map(([k, v]) => [k, v / total]) };
}

async function summarizeProfiles(client: unknown, profDir: string): Promise<string> {
  const parts: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const describe = (name: string, p: { nodes: ProfNode[]; samples?: number[]; startTime: number; endTime: number }) => {
    const s = selfTimes(p);
    parts.push(`**${name}**: busy ${pct(s.busy)} of ${s.wall.toFixed(1)} s of wall time (shares below are of all samples).`, '');
    parts.push(table(['area (self time)', 'share'], s.areas.map(([a, v]) => [a, pct(v)])), '');
    parts.push(table(['hottest functions (self time)', 'share'], s.top.map(([f, v]) => [`\`${f}\``, pct(v)])), '');
  };
  if (client) describe('Client main thread (publish run; the compression worker thread is not in this profile)', client as never);
  // --cpu-prof writes one file per thread (tsx's loader thread too): the main thread is the busiest.
  const files = existsSync(profDir) ? readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const profiles = files.map((f) => JSON.parse(readFileSync(join(profDir, f), 'utf8')));
  const main = profiles.sort((a, b) => selfTimes(b).busy * (b.endTime - b.startTime) - selfTimes(a).busy * (a.endTime - a.startTime))[0];
  if (main) describe('Server main thread (whole life: start-up, setup, every publish, the restore)', main);
  return parts.join('\n');
}

// ---- report ------------------------------------------------------------------------------------

const MiB = 2 ** 20;

function report(o: Options, results: SystemResult[], skipped: string[], loadBefore: number[], profile: string, measuredAt: Date, machine?: string): string {
  const by = (k: string) => results.find((r) => r.key === k);
  const gen = results[0]?.gen;
  const lines: string[] = [];
  lines.push('## Storage: checkpoint/commit time, repository size, restore time');
  lines.push('');
  lines.push(machine ?? machineLine(measuredAt, loadBefore));
  lines.push('');
  lines.push(
    `Data: \`node ../shared/bench/creative-history.mjs --seed ${o.seed} --scale ${o.scale} --commits ${o.commits}\`` +
      (gen ? `: ${fmt(gen.bytes_written / MiB)} MiB written over ${gen.commits} commits, final tree ${gen.final_files} files, ${fmt(gen.final_tree_bytes / MiB)} MiB.` : '.') +
      ' Every system replays the identical history (one generator run each); times are the generator\'s `after_seconds`' +
      ' (sum over commits of the per-commit command only, generation excluded). Sizes are apparent bytes (sum of file sizes).' +
      ` Written by \`npm run bench:storage\`${o.scale !== 256 || o.commits !== 20 ? ` -- --scale ${o.scale} --commits ${o.commits}` : ''}.`,
  );
  lines.push('');
  lines.push(
    '**Data:** the generator\'s noise (`.mp4`/`.png`/`.exr`) is an AES-CTR keystream and its choices come from xoshiro128**, so incompressible media is' +
      ' incompressible. Figures measured before 2026-12 with its old xorshift PRNG (which repeated every 32 KiB, so "noise" compressed and deduplicated) are void.',
  );
  lines.push('');
  lines.push(
    `Backlot runs as a resident client process (as the desktop client would): the per-commit command only signals it over a loopback socket. Peers are their CLI invocations (their start-up is included; node's own start-up is ${nodeStartMs()} ms on this machine, for scale). ` +
      `Backlot compresses on its worker pool (${o.workers || defaultWorkerCount()} thread(s)${o.workers ? '' : ': one per core beyond the first, at least two'}); the server runs in its own process (embedded SQLite, fs chunk store), so on a small machine client and server compete for the same cores.`,
  );
  lines.push('');
  const rows = results.map((r) => [
    r.label, r.timed, fmt(r.afterSeconds), fmt(r.repoBytes / MiB), r.repoWhat, fmt(r.restoreSeconds), r.restoreWhat,
    r.restoredOk ? 'yes' : `**no** (${r.restored.files} files, ${r.restored.bytes} bytes)`,
  ]);
  lines.push(table(['system', 'timed per commit', 'seconds (all commits)', 'repository MiB', 'repository is', 'restore s', 'restore is', 'restored tree matches'], rows));
  if (skipped.length) lines.push('', `Skipped (not installed): ${skipped.join(', ')}.`);
  if (o.repeat > 1) {
    lines.push('', `${o.repeat} rounds, order alternating; the tables show each system's fastest round. All rounds (seconds, restore seconds):`);
    lines.push('', results.map((r) => {
      const rounds = r.rounds ?? [];
      const sizes = new Set(rounds.map((x) => x.bytes));
      return `${r.label}: ${rounds.map((x) => `${fmt(x.after)} / ${fmt(x.restore)}${sizes.size > 1 ? ` (${fmt(x.bytes / MiB)} MiB)` : ''}`).join(', ')}`;
    }).join('; ') + '.');
    if (results.some((r) => new Set((r.rounds ?? []).map((x) => x.bytes)).size > 1))
      lines.push('', 'Repository sizes that differ between rounds: restic picks a random chunker polynomial per repository, so its chunk boundaries, and hence its dedup of this periodic data, change from one repository to the next. The tables use the smallest size seen (the peer\'s best case).');
  }
  lines.push('');

  // Ratios Backlot / peer.
  const ratioRows: string[][] = [];
  const aimText = (x: number, aim: number | null, lowerIsBetter = true) => (aim === null ? '—' : (lowerIsBetter ? x <= aim : x >= aim) ? `met (≤ ${aim}×)` : `**not met** (aim ≤ ${aim}×)`);
  const add = (what: string, ours: SystemResult | undefined, oursVal: (r: SystemResult) => number, peerKey: string, peerWhat: string, aim: number | null, unit: (x: number) => string) => {
    const peer = by(peerKey);
    if (!ours || !peer) return;
    const a = oursVal(ours);
    const b = oursVal(peer);
    const x = a / b;
    ratioRows.push([what, `${ours.label}: ${unit(a)}`, `${peer.label} ${peerWhat}: ${unit(b)}`, `${x.toFixed(2)}×`, aimText(x, aim)]);
  };
  const s = (x: number) => `${fmt(x)} s`;
  const m = (x: number) => `${fmt(x / MiB)} MiB`;
  const local = by('local');
  const pub = by('publish');
  for (const k of ['git', 'restic', 'borg']) add('local checkpoint time', local, (r) => r.afterSeconds, k, 'commit/backup', null, s);
  add('checkpoint + publish time', pub, (r) => r.afterSeconds, 'lfs', 'commit + push', null, s);
  add('checkpoint + publish time', pub, (r) => r.afterSeconds, 'svn', 'commit (to its repository)', null, s);
  add('checkpoint + publish time', pub, (r) => r.afterSeconds, 'git', 'commit', null, s);
  add('checkpoint + publish time', pub, (r) => r.afterSeconds, 'restic', 'backup', null, s);
  add('checkpoint + publish time', pub, (r) => r.afterSeconds, 'borg', 'create', 0.7, s);
  for (const k of ['git', 'lfs', 'svn', 'borg']) add('repository bytes (server)', pub, (r) => r.repoBytes, k, 'repository', null, m);
  add('repository bytes (server)', pub, (r) => r.repoBytes, 'restic', 'repository', 0.9, m);
  add('repository bytes (local store)', local, (r) => r.repoBytes, 'restic', 'repository', 0.9, m);
  add('repository bytes (local store)', local, (r) => r.repoBytes, 'borg', 'repository', null, m);
  add('restore time (from the server)', pub, (r) => r.restoreSeconds, 'lfs', 'clone', 1.0, s);
  for (const k of ['git', 'svn', 'restic', 'borg']) add('restore time (from the server)', pub, (r) => r.restoreSeconds, k, 'restore/checkout', null, s);
  add('restore time (local store)', local, (r) => r.restoreSeconds, 'git', 'checkout', null, s);
  if (ratioRows.length) {
    lines.push('Ratios, Backlot ÷ peer (below 1× = Backlot faster or smaller):');
    lines.push('');
    lines.push(table(['measure', 'Backlot', 'peer', 'ratio', 'aim'], ratioRows));
    lines.push('');
  }
  if (pub?.extra) {
    const ph = pub.extra.phases as Record<string, number>;
    const up = pub.extra.upload as Record<string, number>;
    const rf = pub.extra.restore as Record<string, number>;
    const cpu = pub.extra.cpu as { client: number; server: number };
    const rcpu = pub.extra.restoreCpu as { client: number; server: number };
    lines.push(
      `Backlot publish breakdown (all commits): scan ${fmt(ph.scan / 1000)} s, assets/collections ${fmt(ph.items / 1000)} s, chunks (read + cut + hash + check + compress + upload) ${fmt(ph.chunks / 1000)} s, ` +
        `checkpoint ops ${fmt(ph.checkpoints / 1000)} s, removals ${fmt(ph.removals / 1000)} s, state ${fmt(ph.state / 1000)} s. ` +
        `Chunks: ${up.present} already on the server, ${up.uploaded} uploaded (${fmt(up.uploadedRawBytes / MiB)} MiB raw → ${fmt(up.uploadedBytes / MiB)} MiB encoded) in ${up.uploadRequests} upload and ${up.checkRequests} check requests; ` +
        `${up.encoded} chunks compressed; waiting on check/upload (backpressure) ${fmt(up.offerWaitMs / 1000)} s, final flushes ${fmt(up.flushWaitMs / 1000)} s. ` +
        `CPU time over the replay: client ${fmt(cpu.client)} s (all threads), server ${fmt(cpu.server)} s, against ${fmt(pub.afterSeconds)} s of wall time. ` +
        `Restore: ${rf.requests} fetch requests, ${rf.chunks} chunks, ${fmt(rf.bytes / MiB)} MiB received; CPU client ${fmt(rcpu.client)} s, server ${fmt(rcpu.server)} s, wall ${fmt(pub.restoreSeconds)} s.`,
    );
    lines.push('');
  }
  if (profile) {
    lines.push('### Profile of the publish run (`--profile`)', '', profile);
  }
  return lines.join('\n');
}

function nodeStartMs(): string {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return fmt(times[1]);
}

// ---- server child ------------------------------------------------------------------------------

/** `--server-child DATADIR`: a real server on port 0; prints {url, setupToken} and serves until stdin ends. */
async function serverChild(): Promise<void> {
  const dataDir = process.argv[process.argv.indexOf('--server-child') + 1];
  const { loadConfig } = await import('../packages/server/src/config/config.js');
  const { startServer } = await import('../packages/server/src/server.js');
  const { prepareSetup } = await import('../packages/server/src/admin/accounts.js');
  const config = loadConfig({ dataDir, port: 0, host: '127.0.0.1' }, {});
  const server = await startServer(config, { logger: false, print: () => {} });
  const setupToken = await prepareSetup(server.deps);
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.stdin.on('end', () => void shutdown());
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ url: server.url, setupToken, pid: process.pid })}\n`);
}

// ---- entry point -------------------------------------------------------------------------------

if (process.argv.includes('--server-child')) await serverChild();
else await main();
