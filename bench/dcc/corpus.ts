// Real DCC corpora for the delta-checkpoint benchmarks: folders of full snapshots `DIR/0`, `DIR/1`,
// … `DIR/(N-1)`, each the whole tree of a small studio project after one artist's checkpoint.
//
//   buildBlenderCorpus    real Blender 3.4 saves (three scenes, ~20 / 6 / 6 MB, uncompressed .blend)
//                         plus real ImageMagick images (PNG, LZW TIFF, EXR, PSD, JPEG) and a few
//                         text files. Every .blend version is a real re-save in a fresh Blender
//                         process (pointer values change all over the file, as after reopening).
//                         The LAST version re-saves only the largest scene after a small edit: that
//                         step is the "incremental sync after one re-save" measurement.
//   buildGeneratorCorpus  the deterministic synthetic history (../shared/bench/creative-history.mjs)
//                         in the same layout, plus one final snapshot that re-saves only its largest
//                         .blend the way the generator models a Blender save.
//
// Unchanged files are hard links to the previous snapshot (same bytes, same mtime), so a corpus
// costs only the bytes its versions wrote. A finished corpus is reused when `DIR/.complete` has
// the same parameters (generation takes minutes).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../prng.js';
import { REPO_ROOT } from '../report.js';
import { run as runCommand } from '../cli-peers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BLENDER_SCRIPT = join(HERE, 'blender-scenes.py');
/** Bump when the generation changes, so cached corpora are rebuilt. */
const FORMAT = 2;
/** Marks a folder this module owns (and may therefore wipe and regenerate). */
const MARKER = '.backlot-dcc-corpus';

export interface CorpusInfo {
  /** Absolute paths of the snapshot folders, oldest first. */
  snapshots: string[];
  versionsWritten: number;
  /** Sum of the sizes of the files each version wrote (version 0: the whole tree). */
  bytesWritten: number;
  /** Relative path of the largest .blend (the file the last version re-saves). */
  largestBlend: string;
  /** Bytes of the newest snapshot. */
  latestBytes: number;
  /** Wall time of the generation (0 when the cache was reused). */
  generationSeconds: number;
}

/** Thrown when a tool the corpus needs is missing and may not be installed (CI, or apt failed). */
export class CorpusSkipped extends Error {}

type Log = (s: string) => void;

// ---- shared helpers ----------------------------------------------------------------------------

function* walk(root: string, rel = ''): Generator<string> {
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walk(root, r);
    else if (e.isFile()) yield r;
  }
}

/** The snapshot folders of a corpus (numeric names), oldest first. */
export function snapshotsOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b)
    .map((n) => join(dir, String(n)));
}

export interface ChangedFile {
  version: number;
  rel: string;
  path: string;
  bytes: number;
  /** The same path in the previous snapshot when it existed there (the version it replaces). */
  prev?: string;
}

/**
 * The files each snapshot wrote: new paths, and paths whose file is not the previous one (another
 * inode and another size or mtime; hard links and `cp -a` copies of unchanged files do not count).
 */
export function changedFiles(snapshots: string[]): ChangedFile[] {
  const out: ChangedFile[] = [];
  let prev = new Map<string, { ino: number; size: number; mtimeMs: number }>();
  snapshots.forEach((snap, version) => {
    const cur = new Map<string, { ino: number; size: number; mtimeMs: number }>();
    for (const rel of walk(snap)) {
      const st = statSync(join(snap, rel));
      const k = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
      cur.set(rel, k);
      const p = prev.get(rel);
      const same = p && (p.ino === k.ino || (p.size === k.size && p.mtimeMs === k.mtimeMs));
      if (!same) out.push({ version, rel, path: join(snap, rel), bytes: k.size, prev: p ? join(snapshots[version - 1], rel) : undefined });
    }
    prev = cur;
  });
  return out;
}

function treeBytes(root: string): number {
  let n = 0;
  for (const rel of walk(root)) n += statSync(join(root, rel)).size;
  return n;
}

/** Copies a tree as hard links (a snapshot starts as the previous one; edits replace files). */
function linkTree(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const e of readdirSync(src, { withFileTypes: true })) {
    if (e.isDirectory()) linkTree(join(src, e.name), join(dst, e.name));
    else if (e.isFile()) linkSync(join(src, e.name), join(dst, e.name));
  }
}

/** Makes `path` a fresh file of its own: unlinks the hard link so writing it cannot touch older snapshots. */
function detach(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path)) unlinkSync(path);
}

/** A command's standard output (throws with its output when it fails). */
const run = async (cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> => (await runCommand(cmd, args, opts)).stdout;

const works = (cmd: string, args: string[], expect: RegExp): boolean => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 && expect.test(`${r.stdout}${r.stderr}`);
};

/** A real ImageMagick `convert` (a stand-in earlier on PATH may only pretend to be one). */
function findConvert(): string | undefined {
  return ['/usr/bin/convert', 'convert', 'magick'].find((c) => works(c, ['-version'], /^Version: ImageMagick/m));
}

const blenderWorks = () => works('blender', ['-b', '--factory-startup', '--version'], /^Blender \d/m);

/** Blender and ImageMagick, installed with apt-get when missing (never under CI). */
function ensureTools(log: Log): { convert: string } {
  let convert = findConvert();
  if (blenderWorks() && convert) return { convert };
  if (process.env.CI) throw new CorpusSkipped('skipped: blender not installed (CI: not installing blender/imagemagick)');
  log('installing blender and imagemagick with apt-get (a few minutes) …');
  const r = spawnSync('/bin/bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq blender imagemagick'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) log('apt-get failed');
  if (!blenderWorks()) throw new CorpusSkipped('skipped: blender not installed (apt-get install blender failed, or `blender -b --version` does not run)');
  convert = findConvert();
  if (!convert) throw new CorpusSkipped('skipped: imagemagick not installed');
  return { convert };
}

/** Returns the cached info when DIR holds a finished corpus made with `params`; otherwise prepares an empty DIR. */
function openCache(dir: string, params: object): CorpusInfo | undefined {
  const done = join(dir, '.complete');
  if (existsSync(done)) {
    const saved = JSON.parse(readFileSync(done, 'utf8')) as { params: object; info: CorpusInfo };
    if (JSON.stringify(saved.params) === JSON.stringify(params)) {
      return { ...saved.info, snapshots: snapshotsOf(dir), generationSeconds: 0 };
    }
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    // Only wipe a folder we made ourselves.
    if (!existsSync(join(dir, MARKER))) throw new Error(`${dir} is not empty and not a corpus folder; refusing to overwrite it`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), JSON.stringify(params));
  return undefined;
}

function finish(dir: string, params: object, startedMs: number): CorpusInfo {
  const snapshots = snapshotsOf(dir);
  const changed = changedFiles(snapshots);
  const last = snapshots[snapshots.length - 1];
  const blends = [...walk(last)].filter((r) => r.endsWith('.blend')).map((r) => ({ r, size: statSync(join(last, r)).size }));
  const info: CorpusInfo = {
    snapshots,
    versionsWritten: snapshots.length,
    bytesWritten: changed.reduce((a, c) => a + c.bytes, 0),
    largestBlend: blends.sort((a, b) => b.size - a.size)[0]?.r ?? '',
    latestBytes: treeBytes(last),
    generationSeconds: (Date.now() - startedMs) / 1000,
  };
  writeFileSync(join(dir, '.complete'), JSON.stringify({ params, info }, null, 1));
  return info;
}

// ---- the Blender corpus ------------------------------------------------------------------------

const SCENES = [
  { scene: 'env_forest', file: 'scenes/env_forest.blend', editChance: 0.5 },
  { scene: 'char_fox', file: 'scenes/char_fox.blend', editChance: 0.45 },
  { scene: 'prop_cart', file: 'scenes/prop_cart.blend', editChance: 0.35 },
];
const LARGEST = SCENES[0].file;

/**
 * Images made by ImageMagick: real compressed formats (plasma fractals look like painted/rendered
 * texture; EXRs are PIZ-compressed half floats like renderers write).
 */
const IMAGES: { file: string; make: (seed: number, s: (n: number) => number) => string[] }[] = [
  { file: 'textures/bark_albedo.png', make: (seed, s) => ['-seed', `${seed}`, '-size', `${s(1536)}x${s(1536)}`, 'plasma:sienna-tan', 'PNG24:OUT'] },
  { file: 'textures/leaves_albedo.png', make: (seed, s) => ['-seed', `${seed}`, '-size', `${s(1024)}x${s(1024)}`, 'plasma:darkgreen-yellowgreen', 'PNG24:OUT'] },
  { file: 'textures/ground_rough.tif', make: (seed, s) => ['-seed', `${seed}`, '-size', `${s(2048)}x${s(1024)}`, 'plasma:grey40-grey70', '-colorspace', 'Gray', '-compress', 'lzw', 'OUT'] },
  { file: 'paint/fox_concept.psd', make: (seed, s) => ['-seed', `${seed}`, '-size', `${s(1200)}x${s(800)}`, 'plasma:orange-white', '-depth', '8', 'OUT'] },
  { file: 'renders/sh010_beauty.exr', make: (seed, s) => ['-seed', `${seed}`, '-size', `${s(1280)}x${s(720)}`, 'plasma:navy-orange', '-compress', 'piz', 'OUT'] },
  { file: 'renders/sh020_beauty.exr', make: (seed, s) => ['-seed', `${seed}`, '-size', `${s(1280)}x${s(720)}`, 'plasma:black-skyblue', '-compress', 'piz', 'OUT'] },
  { file: 'refs/moodboard.jpg', make: (seed, s) => ['-seed', `${seed}`, '-size', `${s(1600)}x${s(1200)}`, 'plasma:white-grey', '-quality', '90', 'OUT'] },
];
/** Repainted in place between versions (touch-ups); the EXRs are re-rendered whole instead. */
const PAINTED = IMAGES.filter((i) => !i.file.endsWith('.exr') && !i.file.endsWith('.jpg')).map((i) => i.file);
const RENDERS = IMAGES.filter((i) => i.file.endsWith('.exr')).map((i) => i.file);
/** Keeps PNG output byte-stable (no time chunks). */
const PNG_STABLE = ['-define', 'png:exclude-chunks=date,time', '+set', 'date:create', '+set', 'date:modify'];

interface VersionPlan {
  scenes: { scene: string; file: string; edit: 'build' | 'session' | 'small' }[];
  images: { file: string; args: string[]; from?: string }[];
  deletes: string[];
}

/** What the artist does in each version; drawn from one seeded PRNG so the plan is deterministic. */
function planVersions(versions: number, seed: number, scale: number): VersionPlan[] {
  const rnd = prng(seed);
  const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const s = (n: number) => Math.max(16, Math.round(n * Math.sqrt(scale)));
  const plans: VersionPlan[] = [];
  const alive = new Set(IMAGES.map((i) => i.file));
  let shots = 2;
  for (let v = 0; v < versions; v++) {
    const p: VersionPlan = { scenes: [], images: [], deletes: [] };
    if (v === 0) {
      p.scenes = SCENES.map((x) => ({ ...x, edit: 'build' as const }));
      p.images = IMAGES.map((i) => ({ file: i.file, args: i.make(seed * 1000 + int(0, 999), s) }));
    } else if (v === versions - 1) {
      // The measured step: one small edit of the big scene, nothing else.
      p.scenes = [{ scene: SCENES[0].scene, file: LARGEST, edit: 'small' }];
    } else {
      for (const x of SCENES) if (rnd() < x.editChance) p.scenes.push({ ...x, edit: 'session' });
      const touchUp = rnd() < 0.5;
      // Every checkpoint saves some work: a scene when nothing else was drawn.
      if (!p.scenes.length && !touchUp) p.scenes.push({ ...SCENES[int(0, SCENES.length - 1)], edit: 'session' });
      if (touchUp) {
        // A touch-up: brighten or recolour one region of a texture or the concept painting.
        const file = PAINTED[int(0, PAINTED.length - 1)];
        const w = int(64, 400);
        const h = int(64, 400);
        const at = `+${int(0, 600)}+${int(0, 600)}`;
        const op = rnd() < 0.5
          ? ['-region', `${w}x${h}${at}`, '-modulate', `${int(80, 130)},${int(80, 120)},100`, '+region']
          : ['-fill', `rgb(${int(0, 255)},${int(0, 255)},${int(0, 255)})`, '-draw', `rectangle ${int(0, 600)},${int(0, 600)} ${int(600, 900)},${int(600, 900)}`];
        const out = file.endsWith('.png') ? 'PNG24:OUT' : 'OUT';
        const extra = file.endsWith('.tif') ? ['-compress', 'lzw'] : file.endsWith('.psd') ? ['-depth', '8'] : [];
        p.images.push({ file, from: file, args: ['IN', ...op, ...extra, out] });
      }
      const renders = [...alive].filter((f) => f.endsWith('.exr'));
      if (rnd() < 0.2) {
        // A re-render: every pixel changes.
        const file = renders[int(0, renders.length - 1)];
        const make = IMAGES.find((i) => i.file === file)?.make ?? IMAGES.find((i) => i.file === RENDERS[0])!.make;
        p.images.push({ file, args: make(seed * 1000 + v * 7 + int(0, 6), s) });
      }
      if (rnd() < 0.1 && shots < 5) {
        // A new shot gets its first render.
        shots++;
        const file = `renders/sh0${shots}0_beauty.exr`;
        alive.add(file);
        p.images.push({ file, args: ['-seed', `${seed * 1000 + v}`, '-size', `${s(1280)}x${s(720)}`, 'plasma:purple-gold', '-compress', 'piz', 'OUT'] });
      }
      if (v % 9 === 4) {
        // A preview comes and goes (tests deletes).
        p.images.push({ file: 'renders/preview_tmp.png', args: ['-seed', `${v}`, '-size', `${s(640)}x${s(360)}`, 'plasma:grey-white', 'PNG24:OUT'] });
      } else if (v % 9 === 6) p.deletes.push('renders/preview_tmp.png');
    }
    plans.push(p);
  }
  return plans;
}

function textFiles(v: number, plan: VersionPlan): Record<string, string> {
  const shots = Array.from({ length: 5 }, (_, i) => ({ shot: `sh0${i + 1}0`, status: i * 7 < v ? 'wip' : 'todo', frames: [1001, 1001 + 24 * (i + 2)] }));
  return {
    'notes/shots.json': JSON.stringify({ project: 'Forest', version: v, shots, changed: plan.scenes.map((x) => x.file).concat(plan.images.map((i) => i.file)) }, null, 2) + '\n',
    'scripts/export_fox.py': `# export the fox for layout (rev ${Math.floor(v / 5)})\nimport bpy\nbpy.ops.wm.open_mainfile(filepath='scenes/char_fox.blend')\nprint('frames', 1001, ${1001 + 24 * (2 + (Math.floor(v / 5) % 4))})\n`,
  };
}

/**
 * Builds (or reuses) a Blender corpus of `versions` snapshots in `dir`. Throws CorpusSkipped when
 * Blender or ImageMagick is missing and cannot be installed.
 */
export async function buildBlenderCorpus(opts: { dir: string; versions: number; seed?: number; scale?: number; log?: Log }): Promise<CorpusInfo> {
  const log = opts.log ?? (() => {});
  const seed = opts.seed ?? 7;
  const scale = opts.scale ?? 1;
  if (opts.versions < 2) throw new RangeError('versions must be at least 2 (the last one re-saves the big scene)');
  const dir = resolve(opts.dir);
  const params = { kind: 'blender', format: FORMAT, versions: opts.versions, seed, scale };
  const { convert } = ensureTools(log);
  const cached = openCache(dir, params);
  if (cached) {
    log(`reusing the Blender corpus in ${dir}`);
    return cached;
  }
  const started = Date.now();
  const gen = join(dir, '.gen');
  mkdirSync(gen, { recursive: true });
  const plans = planVersions(opts.versions, seed, scale);
  for (let v = 0; v < plans.length; v++) {
    const t = Date.now();
    const snap = join(dir, String(v));
    const prev = join(dir, String(v - 1));
    if (v > 0) linkTree(prev, snap);
    else mkdirSync(snap, { recursive: true });
    const p = plans[v];
    if (p.scenes.length) {
      // One Blender process per version: an artist's session (open, edit, save).
      const jobs = p.scenes.map((x) => {
        detach(join(snap, x.file));
        return { scene: x.scene, src: x.edit === 'build' ? null : join(prev, x.file), dst: join(snap, x.file), edit: x.edit };
      });
      const planFile = join(gen, `plan-${v}.json`);
      writeFileSync(planFile, JSON.stringify({ seed, version: v, scale, jobs }));
      const out = await run('blender', ['-b', '--factory-startup', '--python-exit-code', '1', '--python', BLENDER_SCRIPT, '--', planFile], { cwd: gen });
      for (const j of jobs) {
        if (!existsSync(j.dst)) throw new Error(`blender did not write ${j.dst}:\n${out.slice(-2000)}`);
        rmSync(`${j.dst}1`, { force: true }); // a .blend1 backup, should Blender make one
      }
    }
    for (const img of p.images) {
      const dst = join(snap, img.file);
      const tmp = join(gen, `tmp${img.file.slice(img.file.lastIndexOf('.'))}`);
      const fmtPrefix = img.args.at(-1)!.startsWith('PNG24:') ? 'PNG24:' : '';
      const args = img.args.map((a) => (a === 'IN' ? join(prev, img.from!) : a.endsWith('OUT') ? `${fmtPrefix}${tmp}` : a));
      await run(convert, [...(img.file.endsWith('.png') ? PNG_STABLE : []), ...args]);
      detach(dst);
      renameSync(tmp, dst);
    }
    for (const d of p.deletes) rmSync(join(snap, d), { force: true });
    // The last version is the measured single re-save: no notes either.
    for (const [rel, text] of v === plans.length - 1 ? [] : Object.entries(textFiles(v, p))) {
      const path = join(snap, rel);
      if (existsSync(path) && readFileSync(path, 'utf8') === text) continue; // unchanged: keep the link
      detach(path);
      writeFileSync(path, text);
    }
    log(`version ${v}: ${p.scenes.map((x) => `${x.scene}(${x.edit})`).join(' ') || '-'} ${p.images.map((i) => i.file).join(' ')}${p.deletes.length ? ` -${p.deletes.join(' -')}` : ''} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }
  rmSync(gen, { recursive: true, force: true });
  const info = finish(dir, params, started);
  if (info.largestBlend !== LARGEST) log(`warning: the largest .blend is ${info.largestBlend}, not ${LARGEST}`);
  return info;
}

// ---- the generator corpus ----------------------------------------------------------------------

/** ../shared/bench/creative-history.mjs, as bench/storage.ts finds it. */
export function generatorPath(): string {
  const candidates = [process.env.BACKLOT_BENCH_GENERATOR, join(REPO_ROOT, '..', 'shared', 'bench', 'creative-history.mjs'), '/work/shared/bench/creative-history.mjs'].filter(Boolean) as string[];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`creative-history.mjs not found (looked at ${candidates.join(', ')}); set BACKLOT_BENCH_GENERATOR`);
  return found;
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Replays the synthetic history into `dir/.work`, snapshotting after each commit (rsync
 * --link-dest hard-links unchanged files; plain `cp -a` without rsync), then appends one snapshot
 * that re-saves only the largest .blend (unless `resave: false`): commits + 1 snapshots.
 */
export async function buildGeneratorCorpus(opts: { dir: string; seed: number; scale: number; commits: number; resave?: boolean; log?: Log }): Promise<CorpusInfo> {
  const log = opts.log ?? (() => {});
  const dir = resolve(opts.dir);
  const resave = opts.resave ?? true;
  const params = { kind: 'generator', format: FORMAT, seed: opts.seed, scale: opts.scale, commits: opts.commits, resave };
  const cached = openCache(dir, params);
  if (cached) {
    log(`reusing the generator corpus in ${dir}`);
    return cached;
  }
  const started = Date.now();
  const work = join(dir, '.work');
  const hasRsync = spawnSync('/bin/bash', ['-c', 'command -v rsync'], { stdio: 'ignore' }).status === 0;
  const d = shq(dir);
  const after = hasRsync
    ? `if [ "$COMMIT_INDEX" -gt 0 ]; then L="--link-dest=${dir}/$((COMMIT_INDEX-1))"; else L=; fi; rsync -a $L ./ ${d}/$COMMIT_INDEX/`
    : `cp -a . ${d}/$COMMIT_INDEX`;
  log(`creative-history --seed ${opts.seed} --scale ${opts.scale} --commits ${opts.commits} …`);
  const report = execFileSync(process.execPath, [generatorPath(), '--work', work, '--seed', String(opts.seed), '--scale', String(opts.scale), '--commits', String(opts.commits), '--after', after], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
  });
  log(`generator: ${report.trim().split('\n').pop()}`);
  rmSync(work, { recursive: true, force: true });
  if (resave) appendResave(dir, opts.seed);
  return finish(dir, params, started);
}

/**
 * One more snapshot in which only the largest .blend changes, edited the way creative-history.mjs
 * models a Blender save: one record range rewritten, and 4-byte "pointer" fields rewritten in
 * about 1 of 28 128-byte records all over the file.
 */
export function appendResave(dir: string, seed: number): string {
  const snaps = snapshotsOf(dir);
  const last = snaps[snaps.length - 1];
  const next = join(dir, String(snaps.length));
  const blends = [...walk(last)].filter((r) => r.endsWith('.blend')).map((r) => ({ r, size: statSync(join(last, r)).size }));
  if (!blends.length) throw new Error(`no .blend in ${last}`);
  const big = blends.sort((a, b) => b.size - a.size)[0].r;
  linkTree(last, next);
  const rnd = prng(seed * 7919 + snaps.length);
  const u32 = () => Math.floor(rnd() * 2 ** 32);
  const buf = Buffer.from(readFileSync(join(last, big)));
  const len = Math.min(buf.length, 16 * 1024);
  const at = Math.floor(rnd() * (buf.length - len));
  for (let o = at; o + 4 <= at + len; o += 4) buf.writeUInt32LE(u32(), o);
  for (let o = 100; o + 4 <= buf.length; o += 128) if (u32() % 28 === 0) buf.writeUInt32LE(u32(), o);
  detach(join(next, big));
  writeFileSync(join(next, big), buf);
  return next;
}

/** Relative path → size, for quick checks by callers. */
export function listTree(root: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const rel of walk(root)) m.set(rel, lstatSync(join(root, rel)).size);
  return m;
}
