// Delta checkpoints against whole-file and chunk-dedup peers, on real DCC data and on the shared
// generator. Per data set, the same snapshot sequence (bench/dcc/corpus.ts) is replayed into
// Backlot (the built CLI against `backlot serve` over loopback) and into restic, borg (lz4 and
// zstd,3), git-lfs and git + gc (bench/dcc/peers.ts), all in this run on this machine:
//   stored bytes            the server's data folder / each peer's repository at the end
//   checkpoint + publish    per version: `backlot add`/`rm` for new and gone files, `backlot
//                           checkpoint --sync` of what changed (peers: their commit and push)
//   restore latest          `backlot clone` by a second member into an empty folder (peers: restore,
//                           extract, clone + lfs pull), verified file by file; the median of 3
//   restore oldest          every file that the first version has and the newest still has, as of
//                           that first version (one batched restore of their first checkpoints);
//                           the median of 3
//   incremental sync        the last version re-saves only the largest .blend: bytes the artist's
//                           sync sends, and bytes a member who had the previous version fetches
//
//   npm run bench:deltas [-- --data blender,generator] [--versions 40] [--scale 256 --commits 20] [--only restic,git-lfs] [--no-write] [--keep]
//   (--versions: blender corpus; --scale/--commits: generator corpus)
// Results go to BENCHMARKS.md between <!-- bench:deltas --> markers.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, copyFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BacklotApi } from '@backlot/api';
import { closeSharedWorkerPool, ENCODING_PATCH } from '@backlot/storage';
import { fetchCheckpointManifests, restoreFiles } from '../packages/client/src/content/restore.js';
import { checkpointsOf } from '../packages/client/src/project/items.js';
import { ProjectDb } from '../packages/client/src/project/project-db.js';
import { ProjectTree } from '../packages/client/src/project/tree.js';
import { workingFiles } from '../packages/client/src/worktree/working-files.js';
import { buildCli, runBacklot, snapshotCli, startServer } from './backlot-cli.js';
import { buildBlenderCorpus, buildGeneratorCorpus, changedFiles, CorpusSkipped, listTree, type CorpusInfo } from './dcc/corpus.js';
import { RESTORE_RUNS, runPeers, zstdSize, type PeerResult } from './dcc/peers.js';
import { du } from './disk-usage.js';
import { fmt, machineLine, median, table, updateSections } from './report.js';

const argv = process.argv.slice(2);
const val = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : undefined;
};
const flag = (name: string) => argv.includes(`--${name}`);
const log = (s: string) => process.stderr.write(`[deltas] ${s}\n`);
const PASSWORD = 'correct horse battery staple';
const PROJECT = 'Deltas';
const MB = 1e6;

interface OursResult extends PeerResult {
  uploadedIncremental: number;
  fetchedIncremental: number;
  /** Raw bytes the versions wrote (what a checkpoint of every changed file reads). */
  versionBytes: number;
}

interface DataSetResult {
  name: string;
  info: CorpusInfo;
  bigBlend: { path: string; bytes: number; zstd3: number };
  ours: OursResult;
  peers: PeerResult[];
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** Backlot on one snapshot sequence. */
async function runOurs(info: CorpusInfo, base: string, bin: string): Promise<OursResult> {
  const server = await startServer(bin, join(base, 'server-data'));
  try {
    const owner = new BacklotApi({ baseUrl: server.url });
    await owner.auth.setup({ token: server.token, email: 'owner@bench.test', name: 'Olivia Owner', password: PASSWORD });
    const studio = await owner.studios.create({ name: 'Delta Studio' });
    const project = await owner.projects.create(studio.id, { name: PROJECT });
    const { results } = await owner.invitations.invite(studio.id, { emails: ['member@bench.test'], role: 'member' });
    const member = await new BacklotApi({ baseUrl: server.url }).invitations.accept({ token: results[0].link!.split('#token=')[1], name: 'Mo Member', password: PASSWORD });
    const { roles } = await owner.roles.list(project.id);
    await owner.projectMembers.add(project.id, { userIds: [member.userId], roleId: roles.find((r) => r.key === 'supervisor')!.id });
    const ownerCfg = join(base, 'cfg-owner');
    const memberCfg = join(base, 'cfg-member');
    await runBacklot(bin, ['login', server.url, '--email', 'owner@bench.test', '--password-stdin'], ownerCfg, { input: `${PASSWORD}\n` });
    await runBacklot(bin, ['login', server.url, '--email', 'member@bench.test', '--password-stdin'], memberCfg, { input: `${PASSWORD}\n` });

    const work = join(base, 'work');
    await runBacklot(bin, ['clone', PROJECT, work], ownerCfg, { cwd: base });
    const changed = changedFiles(info.snapshots);
    const last = info.snapshots.length - 1;
    let seconds = 0;
    let versionBytes = 0;
    let uploadedIncremental = 0;
    let fetchedIncremental = 0;
    let tracked = new Set<string>();
    const memberWork = join(base, 'member');
    for (let v = 0; v <= last; v++) {
      const snap = info.snapshots[v];
      const now = new Set(listTree(snap).keys());
      const gone = [...tracked].filter((p) => !now.has(p));
      for (const p of gone) unlinkSync(join(work, p));
      const wrote = changed.filter((c) => c.version === v);
      for (const c of wrote) {
        saveAsItsTool(c.path, join(work, c.rel));
        versionBytes += c.bytes;
      }
      const added = wrote.map((c) => c.rel).filter((p) => !tracked.has(p));
      const paths = wrote.map((c) => c.rel);
      const cli = (args: string[]) => runBacklot(bin, args, ownerCfg, { cwd: work });
      if (v === last) {
        // The member had the previous version: clone now (not timed), fetch the re-save after.
        await runBacklot(bin, ['clone', PROJECT, memberWork], memberCfg, { cwd: base });
      }
      const took: string[] = [];
      const timed = async (args: string[]) => {
        const r = await cli(args);
        seconds += r.seconds;
        took.push(`${args[0]} ${fmt(r.seconds)}`);
        return r;
      };
      if (gone.length) await timed(['rm', ...gone]);
      if (added.length) await timed(['add', ...added]);
      // As an artist publishes: one command checkpoints and syncs.
      const sync = await timed(paths.length ? ['checkpoint', ...paths, '-m', `v${v}`, '--sync', '--json'] : ['sync', '--json']);
      log(`  v${v}: ${wrote.length} files, ${fmt(wrote.reduce((n, c) => n + c.bytes, 0) / MB)} MB: ${took.join(', ')} s`);
      const s = JSON.parse(sync.stdout) as { uploadedBytes: number; refused: unknown[] };
      if (s.refused.length) throw new Error(`version ${v}: sync refused ${JSON.stringify(s.refused).slice(0, 300)}`);
      if (v === last) uploadedIncremental = s.uploadedBytes;
      tracked = now;
    }
    const down = JSON.parse((await runBacklot(bin, ['sync', '--json'], memberCfg, { cwd: memberWork })).stdout) as { fetchedBytes: number };
    fetchedIncremental = down.fetchedBytes;

    // Restore latest: a clone into an empty folder, checked file by file, once the server has
    // stored the newest version whole (rebase.ts runs after each checkpoint, in the background):
    // every chunk of every file's newest version, as the artist's folder records them, is no
    // longer a patch in the server's store (the fs store: DATA/chunks/PROJECT/ab/abcd…).
    await waitForRebase(join(base, 'server-data', 'chunks', project.id), work);
    // The rebase goes on turning the previous versions into patches after the newest is whole:
    // measure the store, and time restores, once the server is done.
    await server.idle();
    const storedBytes = du(join(base, 'server-data'));
    const fresh = join(base, 'fresh');
    const cloneRuns: number[] = [];
    for (let i = 0; i < RESTORE_RUNS; i++) {
      rmSync(fresh, { recursive: true, force: true });
      cloneRuns.push((await runBacklot(bin, ['clone', PROJECT, fresh], memberCfg, { cwd: base })).seconds);
      verifyTree(fresh, info.snapshots[last]);
    }

    // Restore oldest: the first checkpoint of every file the first version has and the newest has too.
    const db = ProjectDb.open(fresh);
    const tree = new ProjectTree(db);
    const first = [...listTree(info.snapshots[0]).keys()].filter((p) => tree.assetByPath.has(p));
    const api = new BacklotApi({ baseUrl: server.url });
    await api.auth.login({ email: 'member@bench.test', password: PASSWORD });
    const oldest = join(base, 'oldest');
    const oldestRuns: number[] = [];
    for (let i = 0; i < RESTORE_RUNS; i++) {
      rmSync(oldest, { recursive: true, force: true });
      const t = process.hrtime.bigint();
      const firstIds = first.map((p) => checkpointsOf(db, tree.assetByPath.get(p)!.id)[0].id);
      const { manifests } = await fetchCheckpointManifests(api, project.id, firstIds);
      const files = first.map((p, i) => {
        const m = manifests.get(firstIds[i])!;
        return { path: join(oldest, p), fileHash: m.fileHash, size: m.size, chunks: m.chunks, chunkSizes: m.chunkSizes };
      });
      await restoreFiles(api, project.id, files);
      oldestRuns.push(Number(process.hrtime.bigint() - t) / 1e9);
      for (const p of first) if (sha(join(oldest, p)) !== sha(join(info.snapshots[0], p))) throw new Error(`backlot: oldest ${p} differs`);
    }
    const restoreOldestSeconds = median(oldestRuns);
    db.sql.close();
    return {
      peer: 'Backlot', storedBytes, commitSeconds: seconds, restoreLatestSeconds: median(cloneRuns), restoreOldestSeconds,
      incrementalBytes: uploadedIncremental, uploadedIncremental, fetchedIncremental, versionBytes,
      incrementalWhat: `sent by the artist's sync; a member with the previous version fetched ${fetchedIncremental} bytes`,
    };
  } finally {
    await server.stop();
  }
}

/**
 * Writes a new version of a working file as the tool that made it does: Blender writes
 * `NAME.blend@` and renames it over the scene (a new file each save); ImageMagick, the scripts and
 * the notes are written into the existing file. The snapshot's mtime is kept.
 */
function saveAsItsTool(src: string, dst: string): void {
  mkdirSync(dirname(dst), { recursive: true });
  const st = statSync(src);
  const target = dst.endsWith('.blend') ? `${dst}@` : dst;
  copyFileSync(src, target);
  utimesSync(target, st.atime, st.mtime);
  if (target !== dst) renameSync(target, dst);
}

/** Waits (up to two minutes) until no chunk of the newest versions recorded in `folder` is stored as a patch under `storeDir`. */
async function waitForRebase(storeDir: string, folder: string): Promise<void> {
  const db = ProjectDb.open(folder);
  const ids = new Set(workingFiles.all(db).flatMap((f) => f.chunks.map(([id]) => id)));
  db.sql.close();
  const isPatch = (id: string) => {
    try {
      return readFileSync(join(storeDir, id.slice(0, 2), id)).subarray(0, 1)[0] === ENCODING_PATCH;
    } catch {
      return false; // not stored under this id (a duplicate of another file's chunk, or gone)
    }
  };
  const started = Date.now();
  for (let left = [...ids]; ; left = left.filter(isPatch)) {
    if (left.length === 0) return;
    if (Date.now() - started > 120_000) {
      log(`warning: ${left.length} chunks of the newest versions are still patches after 2 minutes; measuring anyway`);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Throws unless `dir` (tool files aside) holds exactly the files of `snapshot`, byte for byte. */
function verifyTree(dir: string, snapshot: string): void {
  const want = listTree(snapshot);
  const got = listTree(dir);
  got.forEach((_, p) => {
    if (p.startsWith('.backlot')) got.delete(p);
  });
  const problems = [...want.keys()].filter((p) => !got.has(p) || sha(join(dir, p)) !== sha(join(snapshot, p)));
  for (const p of got.keys()) if (!want.has(p)) problems.push(`extra ${p}`);
  if (problems.length) throw new Error(`backlot: restore of ${snapshot} is wrong: ${problems.slice(0, 10).join('; ')}`);
}

async function dataSet(name: string, bin: string, root: string): Promise<DataSetResult | null> {
  let info: CorpusInfo;
  try {
    if (name === 'blender') info = await buildBlenderCorpus({ dir: join(tmpdir(), `dcc-corpus-blender-v${val('versions') ?? 40}`), versions: Number(val('versions') ?? 40), log });
    else {
      const scale = Number(val('scale') ?? 256);
      const commits = Number(val('commits') ?? 20);
      info = await buildGeneratorCorpus({ dir: join(tmpdir(), `dcc-corpus-generator-s7-x${scale}-c${commits}`), seed: 7, scale, commits, resave: true, log });
    }
  } catch (err) {
    if (err instanceof CorpusSkipped) {
      log(`${name}: skipped (${err.message})`);
      return null;
    }
    throw err;
  }
  const lastSnap = info.snapshots[info.snapshots.length - 1];
  const bigBlend = { path: info.largestBlend, bytes: statSync(join(lastSnap, info.largestBlend)).size, zstd3: zstdSize(join(lastSnap, info.largestBlend)) };
  log(`${name}: ${info.snapshots.length} versions, ${fmt(info.bytesWritten / MB)} MB written, newest ${fmt(info.latestBytes / MB)} MB`);
  const base = mkdtempSync(join(root, `${name}-`));
  log(`${name}: Backlot …`);
  const ours = await runOurs(info, join(base, 'backlot'), bin);
  log(`${name}: Backlot stored ${fmt(ours.storedBytes / MB)} MB in ${fmt(ours.commitSeconds)} s; incremental up ${ours.uploadedIncremental}, down ${ours.fetchedIncremental}`);
  const only = val('only')?.split(',');
  const peers = await runPeers(info.snapshots, { workDir: join(base, 'peers'), only, log });
  return { name, info, bigBlend, ours, peers };
}

function section(sets: DataSetResult[], measuredAt: Date, load: number[]): string {
  const lines = [`Measured ${machineLine(measuredAt, load)}. \`npm run bench:deltas\` (bench/deltas.ts); data: bench/dcc/corpus.ts.`, ''];
  for (const s of sets) {
    const { ours, peers } = s;
    const restic = peers.find((p) => p.peer === 'restic' && !p.skipped);
    const borg = peers.find((p) => p.peer === 'borg-lz4' && !p.skipped);
    const lfs = peers.find((p) => p.peer === 'git-lfs' && !p.skipped);
    lines.push(`### ${s.name === 'blender' ? 'Real Blender 3.4 saves and ImageMagick edits' : `creative-history.mjs --seed 7 --scale ${val('scale') ?? 256} --commits ${val('commits') ?? 20}, plus one re-save`}`, '');
    lines.push(`${s.info.snapshots.length} versions, ${fmt(s.info.bytesWritten / MB)} MB of file versions written, newest tree ${fmt(s.info.latestBytes / MB)} MB. The last version re-saves only \`${s.bigBlend.path}\` (${fmt(s.bigBlend.bytes / MB)} MB, ${fmt(s.bigBlend.zstd3 / MB)} MB with zstd 3).`, '');
    const rows = [ours, ...peers.filter((p) => !p.skipped)].map((p) => [
      p.peer, fmt(p.storedBytes / MB), fmt(p.commitSeconds), fmt(p.restoreLatestSeconds), fmt(p.restoreOldestSeconds), fmt(p.incrementalBytes / 1000),
    ]);
    lines.push(table(['system', 'stored MB', 'checkpoint + publish s', 'restore latest s', 'restore oldest s', 'last re-save on the wire, KB'], rows), '');
    const aims: string[] = [];
    if (restic) aims.push(`stored bytes ${fmt(ours.storedBytes / restic.storedBytes)}x restic's (aim <= 0.35x)`);
    aims.push(`incremental sync of the re-saved .blend: ${fmt((100 * ours.uploadedIncremental) / s.bigBlend.zstd3)}% of its compressed size sent, ${fmt((100 * ours.fetchedIncremental) / s.bigBlend.zstd3)}% fetched by a member who had the previous version (aim <= 5%)`);
    if (borg) aims.push(`checkpoint + publish ${fmt(ours.commitSeconds / borg.commitSeconds)}x borg's time (aim <= 0.7x)`);
    if (lfs) aims.push(`restore latest ${fmt(ours.restoreLatestSeconds / lfs.restoreLatestSeconds)}x git-lfs clone (aim <= 1x)`);
    lines.push(...aims.map((a) => `- ${a}`), '');
    const skipped = peers.filter((p) => p.skipped);
    if (skipped.length) lines.push(`Skipped: ${skipped.map((p) => `${p.peer} (${p.skipped})`).join(', ')}.`, '');
  }
  lines.push(`Backlot's times include starting the CLI for each command (about 85 ms each; peers start theirs too). Restore times are the median of ${RESTORE_RUNS} runs each, every run verified file by file against the snapshot.`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const load = loadavg();
  const measuredAt = new Date();
  const root = mkdtempSync(join(tmpdir(), 'backlot-deltas-'));
  try {
    log(buildCli(log));
    const bin = snapshotCli(root);
    const sets: DataSetResult[] = [];
    for (const name of (val('data') ?? 'blender,generator').split(',')) {
      const r = await dataSet(name, bin, root);
      if (r) sets.push(r);
    }
    const body = section(sets, measuredAt, load);
    process.stdout.write(`${body}\n`);
    writeFileSync(join(tmpdir(), 'backlot-deltas.json'), JSON.stringify(sets.map((s) => ({ ...s, info: { ...s.info, snapshots: s.info.snapshots.length } })), null, 2));
    if (!flag('no-write') && sets.length) updateSections({ deltas: body });
  } finally {
    if (!flag('keep')) rmSync(root, { recursive: true, force: true });
  }
}

await main();
// The in-process restore leaves the shared worker pool and keep-alive sockets behind.
await closeSharedWorkerPool();
process.exit(process.exitCode ?? 0);
