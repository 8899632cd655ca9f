// Peers for the delta-checkpoint benchmark, replayed over a sequence of full snapshots (see
// corpus.ts): restic, borg (lz4 and zstd,3), git-lfs and plain git + gc. Each peer gets one working
// folder; before each version the snapshot is copied over it (rsync-like: copy what differs in
// size or mtime, keep mtimes, delete what is gone) and the peer's commit command runs. Only the
// peer's commands are timed.
//
//   const results = await runPeers(info.snapshots, { workDir: '/tmp/x', only: ['restic', 'git-lfs'] });
//
// Measured per peer (PeerResult):
//   storedBytes          repository size at the end (apparent bytes, bench/disk-usage.ts)
//   commitSeconds        sum of the per-version commands (git-lfs: with the push; git-gc: with the final gc)
//   restoreLatest/OldestSeconds  newest / oldest version into an empty folder, verified against the
//                        snapshot (paths, sizes, SHA-256; throws on any difference)
//   incrementalBytes     what the LAST version costs on the wire (the corpora make that version a
//                        re-save of the largest .blend only): restic/borg the repository growth of
//                        that backup; git-lfs the LFS objects (+ git objects) a clone that had the
//                        previous version gains from `git pull`; git-gc the pack `git fetch`
//                        receives (GIT_TRACE_PACKFILE)
// Missing peers are installed with apt-get (never under CI); what is still missing is returned
// with `skipped`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import binding from 'zstd-napi/binding.js';
import { du } from '../disk-usage.js';
import { bash, have } from '../cli-peers.js';
import { peerEnvironment } from '../peer-environment.js';
import { median } from '../report.js';

export interface PeerResult {
  peer: string;
  storedBytes: number;
  commitSeconds: number;
  restoreLatestSeconds: number;
  restoreOldestSeconds: number;
  incrementalBytes: number;
  /** What incrementalBytes counts, in words. */
  incrementalWhat?: string;
  /** Seconds of each version's command (the last entry of git-gc excludes the gc). */
  perVersionSeconds?: number[];
  skipped?: string;
}

/** Restores timed per version; the median is reported (the same for Backlot, deltas.ts). */
export const RESTORE_RUNS = 3;

export const PEER_NAMES = ['restic', 'borg-lz4', 'borg-zstd3', 'git-lfs', 'git-gc'] as const;

type Log = (s: string) => void;

/** Binary extensions git-lfs tracks (what a studio would put in .gitattributes). */
const LFS_PATTERNS = ['blend', 'blend1', 'png', 'exr', 'tif', 'tiff', 'jpg', 'jpeg', 'psd', 'mp4', 'mov', 'abc', 'usd', 'usdc', 'fbx', 'wav'].map((e) => `*.${e}`);
/** Top-level entries of a working folder that belong to the tool, not to the snapshot. */
const TOOL_FILES = new Set(['.git', '.gitattributes']);

// ---- process and file helpers ------------------------------------------------------------------

/** A shell command's standard output (throws with its output when it fails). */
const sh = async (cmd: string, opts: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<string> => (await bash(cmd, opts)).stdout;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function* walk(root: string, rel = ''): Generator<string> {
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    if (!rel && TOOL_FILES.has(e.name)) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walk(root, r);
    else if (e.isFile()) yield r;
  }
}

/**
 * Makes `work` hold exactly the snapshot (tool files aside), like `rsync -a --delete`: a file is
 * copied unless it is the very file (same inode: corpora hard-link unchanged files) copied last
 * time, or has the same size, mtime and bytes; files not in the snapshot are deleted. A copy gets
 * a new inode (written aside, then renamed) and the snapshot's mtime: git's stat check compares
 * seconds, so an in-place copy with an old mtime and the same size could go unnoticed.
 * `synced` (rel → source identity) carries over between calls for one working folder.
 */
export function syncTree(snapshot: string, work: string, synced = new Map<string, string>()): { copied: number; deleted: number } {
  let copied = 0;
  let deleted = 0;
  const want = new Set<string>();
  for (const rel of walk(snapshot)) {
    want.add(rel);
    const src = join(snapshot, rel);
    const dst = join(work, rel);
    const s = statSync(src);
    const id = `${s.dev}:${s.ino}`;
    const d = existsSync(dst) ? statSync(dst) : undefined;
    if (d && synced.get(rel) === id) continue;
    if (d && d.size === s.size && Math.abs(d.mtimeMs - s.mtimeMs) < 1 && readFileSync(dst).equals(readFileSync(src))) {
      synced.set(rel, id);
      continue;
    }
    mkdirSync(dirname(dst), { recursive: true });
    const tmp = `${dst}.dcc-sync`;
    copyFileSync(src, tmp);
    utimesSync(tmp, s.atime, s.mtime);
    renameSync(tmp, dst);
    synced.set(rel, id);
    copied++;
  }
  for (const rel of [...walk(work)]) {
    if (want.has(rel)) continue;
    unlinkSync(join(work, rel));
    synced.delete(rel);
    deleted++;
    // Drop folders the delete emptied (rsync --delete removes them too).
    for (let d = dirname(rel); d !== '.'; d = dirname(d)) {
      const p = join(work, d);
      if (readdirSync(p).length) break;
      rmdirSync(p);
    }
  }
  return { copied, deleted };
}

/** Path → [size, sha256] of a tree, tool files excluded. */
function manifest(root: string): Map<string, [number, string]> {
  const m = new Map<string, [number, string]>();
  for (const rel of walk(root)) {
    const buf = readFileSync(join(root, rel));
    m.set(rel, [buf.length, createHash('sha256').update(buf).digest('hex')]);
  }
  return m;
}

/** Throws unless `restored` holds the same files, sizes and contents as `snapshot`. */
export function verifyRestore(peer: string, restored: string, snapshot: string): void {
  const got = manifest(restored);
  const want = manifest(snapshot);
  const problems: string[] = [];
  for (const [rel, [size, hash]] of want) {
    const g = got.get(rel);
    if (!g) problems.push(`missing ${rel}`);
    else if (g[0] !== size || g[1] !== hash) problems.push(`differs ${rel} (${g[0]} vs ${size} bytes)`);
  }
  for (const rel of got.keys()) if (!want.has(rel)) problems.push(`extra ${rel}`);
  if (problems.length) throw new Error(`${peer}: restore of ${snapshot} is wrong (${problems.length} problems): ${problems.slice(0, 10).join('; ')}`);
}

/** Size of a whole file compressed with zstd at `level` (one frame, as `zstd -3` would). */
export function zstdSize(path: string, level = 3): number {
  const src = readFileSync(path);
  const dst = Buffer.allocUnsafe(binding.compressBound(src.length));
  return new binding.CCtx().compress(dst, src, level);
}


// ---- the peers ---------------------------------------------------------------------------------

interface Ctx {
  dir: string;
  work: string;
  env: NodeJS.ProcessEnv;
  versions: number;
}

interface Peer {
  name: string;
  bins: string[];
  apt: string[];
  /** Creates the repository (not timed). */
  setup(c: Ctx): Promise<void>;
  /** The per-version command, run in the working folder (timed). */
  commit(c: Ctx, v: number): Promise<void>;
  /** Timed work after the last version (git gc). */
  finish?(c: Ctx): Promise<void>;
  /** Before the last version: prepare what measures it (e.g. a clone at the previous version). */
  beforeLast?(c: Ctx): Promise<void>;
  /** After the last version: the bytes it moved, and what they are. Default: growth of `repo`. */
  afterLast?(c: Ctx): Promise<{ bytes: number; what: string }>;
  repo(c: Ctx): string;
  /** Restores version v (0 or versions-1) into `dest`; returns the folder holding the tree. */
  restore(c: Ctx, v: number, dest: string): Promise<string>;
}

function borg(name: string, compression: string): Peer {
  return {
    name, bins: ['borg'], apt: ['borgbackup'],
    repo: (c) => join(c.dir, 'repo'),
    setup: async (c) => void (await sh(`borg init -e none ${c.dir}/repo`, { env: c.env })),
    commit: async (c, v) => void (await sh(`borg create --compression ${compression} ${c.dir}/repo::v${v} .`, { cwd: c.work, env: c.env })),
    async restore(c, v, dest) {
      mkdirSync(dest, { recursive: true });
      await sh(`borg extract ${c.dir}/repo::v${v}`, { cwd: dest, env: c.env });
      return dest;
    },
  };
}

const PEERS: Peer[] = [
  {
    name: 'restic', bins: ['restic'], apt: ['restic'],
    repo: (c) => join(c.dir, 'repo'),
    setup: async (c) => void (await sh(`restic init -q --repository-version 2 -r ${c.dir}/repo`, { env: c.env })),
    commit: async (c, v) => void (await sh(`restic -r ${c.dir}/repo backup -q --tag v${v} .`, { cwd: c.work, env: c.env })),
    async restore(c, v, dest) {
      const which = v === c.versions - 1 ? 'latest' : `latest --tag v${v}`;
      await sh(`restic -r ${c.dir}/repo restore ${which} -q --target ${dest}`, { env: c.env });
      // `restic backup .` restores relative to the target; older restic kept the absolute path.
      return existsSync(join(dest, c.work)) ? join(dest, c.work) : dest;
    },
  },
  borg('borg-lz4', 'lz4'),
  borg('borg-zstd3', 'zstd,3'),
  {
    name: 'git-lfs', bins: ['git', 'git-lfs'], apt: ['git', 'git-lfs'],
    repo: (c) => join(c.dir, 'upstream.git'),
    async setup(c) {
      await sh(`git init -q --bare -b main ${c.dir}/upstream.git`, { env: c.env });
      mkdirSync(c.work, { recursive: true });
      await sh(`git init -q -b main && git lfs install --local >/dev/null && git lfs track ${LFS_PATTERNS.map((p) => `'${p}'`).join(' ')} >/dev/null && git remote add origin ${c.dir}/upstream.git`, { cwd: c.work, env: c.env });
    },
    commit: async (c, v) => void (await sh(`git add -A && git commit -q --allow-empty -m v${v} && git push -q origin HEAD:main`, { cwd: c.work, env: c.env })),
    async beforeLast(c) {
      await sh(`git clone -q ${c.dir}/upstream.git ${c.dir}/client`, { env: c.env });
    },
    async afterLast(c) {
      const git = join(c.dir, 'client', '.git');
      const lfs0 = du(join(git, 'lfs', 'objects'));
      const obj0 = du(join(git, 'objects'));
      await sh('git pull -q --ff-only', { cwd: join(c.dir, 'client'), env: c.env });
      const lfs = du(join(git, 'lfs', 'objects')) - lfs0;
      const obj = du(join(git, 'objects')) - obj0;
      return { bytes: lfs + obj, what: `git pull into a clone at the previous version: ${lfs} B of LFS objects + ${obj} B of git objects` };
    },
    async restore(c, v, dest) {
      if (v === c.versions - 1) {
        await sh(`git clone -q ${c.dir}/upstream.git ${dest}`, { env: c.env });
      } else {
        const first = (await sh(`git --git-dir=${c.dir}/upstream.git rev-list --reverse main | sed -n ${v + 1}p`, { env: c.env })).trim();
        await sh(`git clone -q --no-checkout ${c.dir}/upstream.git ${dest} && git -C ${dest} checkout -q ${first}`, { env: c.env });
      }
      return dest;
    },
  },
  {
    name: 'git-gc', bins: ['git'], apt: ['git'],
    repo: (c) => join(c.work, '.git'),
    async setup(c) {
      mkdirSync(c.work, { recursive: true });
      await sh('git init -q -b main', { cwd: c.work, env: c.env });
    },
    commit: async (c, v) => void (await sh(`git add -A && git commit -q --allow-empty -m v${v}`, { cwd: c.work, env: c.env })),
    finish: async (c) => void (await sh('git gc -q', { cwd: c.work, env: c.env })),
    async beforeLast(c) {
      await sh(`git clone -q --no-local --no-checkout ${c.work} ${c.dir}/client`, { env: c.env });
    },
    async afterLast(c) {
      // The pack upload-pack sends (thin, deltas against what the client has), as received.
      const trace = join(c.dir, 'fetch.pack');
      const obj0 = du(join(c.dir, 'client', '.git', 'objects'));
      await sh(`GIT_TRACE_PACKFILE=${trace} git fetch -q origin`, { cwd: join(c.dir, 'client'), env: c.env });
      const obj = du(join(c.dir, 'client', '.git', 'objects')) - obj0;
      if (existsSync(trace)) return { bytes: statSync(trace).size, what: `pack received by git fetch (GIT_TRACE_PACKFILE; the client's objects grew ${obj} B)` };
      return { bytes: obj, what: 'growth of the client .git/objects after git fetch' };
    },
    async restore(c, v, dest) {
      if (v === c.versions - 1) {
        await sh(`git clone -q --no-local ${c.work} ${dest}`, { env: c.env });
      } else {
        const first = (await sh(`git rev-list --reverse main | sed -n ${v + 1}p`, { cwd: c.work, env: c.env })).trim();
        await sh(`git clone -q --no-local --no-checkout ${c.work} ${dest} && git -C ${dest} checkout -q ${first}`, { env: c.env });
      }
      return dest;
    },
  },
];

/** Installs missing peers with apt-get, never under CI. */
function ensurePeers(peers: Peer[], log: Log): void {
  const missing = peers.filter((p) => !p.bins.every(have));
  if (!missing.length) return;
  if (process.env.CI) {
    log(`CI: not installing peers; skipping ${missing.map((p) => p.name).join(', ')}`);
    return;
  }
  const pkgs = [...new Set(missing.flatMap((p) => p.apt))];
  log(`installing peers: apt-get install ${pkgs.join(' ')} …`);
  const r = spawnSync('/bin/bash', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkgs.join(' ')}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) log('apt-get failed; peers that are still missing are skipped');
}

// ---- the harness -------------------------------------------------------------------------------

async function runPeer(peer: Peer, snapshots: string[], base: string, env: NodeJS.ProcessEnv, log: Log): Promise<PeerResult> {
  const dir = join(base, peer.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const c: Ctx = { dir, work: join(dir, 'work'), env, versions: snapshots.length };
  mkdirSync(c.work, { recursive: true });
  await peer.setup(c);
  const per: number[] = [];
  const synced = new Map<string, string>();
  let incremental = { bytes: 0, what: '' };
  for (let v = 0; v < snapshots.length; v++) {
    const last = v === snapshots.length - 1;
    if (last && peer.beforeLast) await peer.beforeLast(c);
    const before = last ? du(peer.repo(c)) : 0;
    syncTree(snapshots[v], c.work, synced);
    per.push(await timed(() => peer.commit(c, v)));
    if (last) {
      incremental = peer.afterLast ? await peer.afterLast(c) : { bytes: du(peer.repo(c)) - before, what: 'repository growth of the last backup' };
    }
  }
  const finishSeconds = peer.finish ? await timed(() => peer.finish!(c)) : 0;
  const storedBytes = du(peer.repo(c));
  const restoreOne = async (v: number) => {
    const dest = join(dir, `restore-${v}`);
    let root = dest;
    const seconds = await timed(async () => (root = await peer.restore(c, v, dest)));
    verifyRestore(peer.name, root, snapshots[v]);
    rmSync(dest, { recursive: true, force: true });
    return seconds;
  };
  // The median of RESTORE_RUNS: one restore of a few hundred milliseconds swings by a third.
  const restoreMedian = async (v: number) => {
    const runs: number[] = [];
    for (let i = 0; i < RESTORE_RUNS; i++) runs.push(await restoreOne(v));
    return median(runs);
  };
  const restoreLatestSeconds = await restoreMedian(snapshots.length - 1);
  const restoreOldestSeconds = await restoreMedian(0);
  const commitSeconds = per.reduce((a, b) => a + b, 0) + finishSeconds;
  log(`${peer.name}: commits ${commitSeconds.toFixed(1)} s, ${(storedBytes / 1e6).toFixed(1)} MB stored, restore ${restoreLatestSeconds.toFixed(1)} / ${restoreOldestSeconds.toFixed(1)} s, last version ${incremental.bytes} B`);
  return { peer: peer.name, storedBytes, commitSeconds, restoreLatestSeconds, restoreOldestSeconds, incrementalBytes: incremental.bytes, incrementalWhat: incremental.what, perVersionSeconds: per };
}

/**
 * Replays `snapshots` (full trees, oldest first) into each peer and measures it. Every peer works
 * under `workDir/<peer>` (removed afterwards unless `keep`).
 */
export async function runPeers(snapshots: string[], opts: { workDir: string; only?: string[]; log?: Log; keep?: boolean }): Promise<PeerResult[]> {
  const log = opts.log ?? (() => {});
  if (snapshots.length < 2) throw new RangeError('need at least two snapshots');
  const base = resolve(opts.workDir);
  const chosen = PEERS.filter((p) => !opts.only || opts.only.includes(p.name));
  const unknown = (opts.only ?? []).filter((n) => !PEERS.some((p) => p.name === n));
  if (unknown.length) throw new Error(`unknown peers: ${unknown.join(', ')} (known: ${PEER_NAMES.join(', ')})`);
  ensurePeers(chosen, log);
  const env = await peerEnvironment(base, 'DCC Bench');
  const results: PeerResult[] = [];
  for (const peer of chosen) {
    const missing = peer.bins.filter((b) => !have(b));
    if (missing.length) {
      results.push({ peer: peer.name, storedBytes: 0, commitSeconds: 0, restoreLatestSeconds: 0, restoreOldestSeconds: 0, incrementalBytes: 0, skipped: `not installed: ${missing.join(', ')}` });
      continue;
    }
    log(`${peer.name}: replaying ${snapshots.length} versions …`);
    results.push(await runPeer(peer, snapshots, base, env, log));
    if (!opts.keep) rmSync(join(base, peer.name), { recursive: true, force: true });
  }
  return results;
}
