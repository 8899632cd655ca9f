// Data for bench/cli.ts: the project's content from ../shared/bench/creative-history.mjs, the
// artist's edit made to it, the small-file trees for `status`, and checking a copy byte for byte.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededBytes } from '@backlot/test-kit/random';
import { prng } from './prng.js';
import { REPO_ROOT } from './report.js';

export interface TreeFile {
  path: string;
  size: number;
}

/** Media kinds the generator fills with an AES-CTR keystream (incompressible). */
export const INCOMPRESSIBLE = ['.mp4', '.png'];
/** Binary kinds: tracked by git-lfs, and the kinds the edit touches (scenes and layered images, which artists re-save). */
export const BINARY_KINDS = ['.blend', '.psd', '.exr', '.mp4', '.png'];
const EDITED_KINDS = ['.blend', '.psd'];

export function generatorPath(): string {
  const candidates = [process.env.BACKLOT_BENCH_GENERATOR, join(REPO_ROOT, '..', 'shared', 'bench', 'creative-history.mjs')].filter(Boolean) as string[];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`creative-history.mjs not found (looked at ${candidates.join(', ')}); set BACKLOT_BENCH_GENERATOR`);
  return found;
}

export interface Content {
  files: TreeFile[];
  bytes: number;
  /** One generator run per episode folder: `--seed` and `--scale` (MB) of each. */
  runs: { folder: string; seed: number; scaleMb: number; files: number; bytes: number }[];
  seconds: number;
}

/**
 * About `targetBytes` of content. The generator's file sizes grow with its --scale (its file count
 * stays near 30), so one run at 1 GB would be a handful of files of several hundred MB each; a
 * studio project is more files of ordinary size. So the content is several runs (one per episode
 * folder, seeds 1, 2, …, --commits 1: only the first tree, no history), each at --scale ≤ 512 MB,
 * which writes about 0.35 × scale of files sized as the generator intends.
 */
export async function generateContent(dir: string, targetBytes: number, log: (s: string) => void): Promise<Content> {
  const perRun = 0.35 * 512 * 2 ** 20;
  const n = Math.max(1, Math.ceil(targetBytes / perRun));
  const scaleMb = Math.max(8, Math.round(targetBytes / 2 ** 20 / 0.35 / n));
  const started = Date.now();
  mkdirSync(dir, { recursive: true });
  const seeds = Array.from({ length: n }, (_, i) => i + 1);
  const reports: Content['runs'] = [];
  // Two generators at a time: one per core.
  const queue = [...seeds];
  const worker = async () => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
      const folder = `ep${String(seed).padStart(2, '0')}`;
      const out = await runNode([generatorPath(), '--work', join(dir, folder), '--seed', String(seed), '--scale', String(scaleMb), '--commits', '1']);
      const rep = JSON.parse(out.trim().split('\n').pop()!) as { final_files: number; final_tree_bytes: number };
      reports.push({ folder, seed, scaleMb, files: rep.final_files, bytes: rep.final_tree_bytes });
      log(`  generated ${folder}: ${rep.final_files} files, ${(rep.final_tree_bytes / 2 ** 20).toFixed(0)} MiB`);
    }
  };
  await Promise.all([worker(), worker()]);
  reports.sort((a, b) => a.seed - b.seed);
  const files = listTree(dir);
  return { files, bytes: files.reduce((a, f) => a + f.size, 0), runs: reports, seconds: (Date.now() - started) / 1000 };
}

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`node ${args.join(' ')} failed (${code}): ${err.slice(-2000)}`))));
  });
}

/** Regular files under `dir` (relative, '/'-separated, sorted), skipping tool folders. */
export function listTree(dir: string, skip = new Set(['.backlot', '.git', '.gitattributes'])): TreeFile[] {
  const out: TreeFile[] = [];
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (skip.has(e.name)) continue;
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), rel);
      else if (e.isFile()) out.push({ path: rel, size: statSync(join(d, e.name)).size });
    }
  };
  walk(dir, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 }).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}

export async function hashTree(dir: string, files: TreeFile[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of files) out.set(f.path, await sha256File(join(dir, f.path)));
  return out;
}

/**
 * Compares `dir` with the expected files: the same paths and sizes, and (for `hashed` paths, or all
 * when omitted) the same SHA-256. Returns '' when equal, else what differs.
 */
export async function compareTree(dir: string, expected: TreeFile[], hashes: Map<string, string>, hashed?: Iterable<string>): Promise<string> {
  const got = listTree(dir);
  const want = new Map(expected.map((f) => [f.path, f.size]));
  const problems: string[] = [];
  for (const f of got) {
    const size = want.get(f.path);
    if (size === undefined) problems.push(`unexpected ${f.path}`);
    else if (size !== f.size) problems.push(`${f.path}: ${f.size} bytes, expected ${size}`);
  }
  const have = new Set(got.map((f) => f.path));
  for (const f of expected) if (!have.has(f.path)) problems.push(`missing ${f.path}`);
  if (problems.length === 0) {
    for (const p of hashed ?? want.keys()) if ((await sha256File(join(dir, p))) !== hashes.get(p)) problems.push(`${p}: content differs`);
  }
  return problems.length ? `${problems.length} difference(s): ${problems.slice(0, 5).join('; ')}` : '';
}

export interface Edit {
  /** New content per edited path. */
  files: Map<string, Buffer>;
  regions: number;
  /** Bytes inserted or overwritten. */
  changedBytes: number;
  /** Sizes of the edited files after the edit (what git-lfs stores and moves again). */
  editedFileBytes: number;
}

/**
 * An artist's re-save of some working files: every 4th scene or layered image (at least two), in
 * each ~1% of its bytes changed in three regions at seeded positions — one insertion and two
 * in-place overwrites — with incompressible bytes, so compression cannot hide what an upload costs.
 */
export function makeEdit(root: string, files: TreeFile[], seed = 11): Edit {
  const rnd = prng(seed);
  const candidates = files.filter((f) => EDITED_KINDS.some((k) => f.path.endsWith(k)) && f.size >= 64 * 1024);
  const chosen = candidates.filter((_, i) => i % 4 === 0);
  if (chosen.length < 2) chosen.push(...candidates.filter((f) => !chosen.includes(f)).slice(0, 2 - chosen.length));
  const edit: Edit = { files: new Map(), regions: 0, changedBytes: 0, editedFileBytes: 0 };
  let noiseSeed = seed * 1000;
  for (const f of chosen) {
    let buf = readFileSync(join(root, f.path));
    const region = Math.max(1, Math.floor((f.size * 0.01) / 3));
    for (let r = 0; r < 3; r++) {
      const at = Math.floor(rnd() * (buf.length - region));
      const bytes = seededBytes(region, ++noiseSeed);
      if (r === 0) buf = Buffer.concat([buf.subarray(0, at), bytes, buf.subarray(at)]);
      else bytes.copy(buf, at);
      edit.regions++;
      edit.changedBytes += region;
    }
    edit.files.set(f.path, buf);
    edit.editedFileBytes += buf.length;
  }
  return edit;
}

export function applyEdit(root: string, edit: Edit): void {
  for (const [p, b] of edit.files) writeFileSync(join(root, p), b);
}

/**
 * `count` small files (1–4 KiB of text, each different) in a nested tree: 10 top folders, 10
 * below each, then leaf folders of about 100 files (the shape of a project's shots and assets).
 */
export function makeSmallTree(dir: string, count: number, seed = 5): { files: string[]; bytes: number } {
  const rnd = prng(seed);
  const files: string[] = [];
  let bytes = 0;
  const perLeaf = 100;
  const leaves = Math.max(1, Math.ceil(count / perLeaf));
  const words = ['mesh', 'rig', 'shader', 'camera', 'light', 'frame', 'layer', 'take', 'note', 'bone'];
  for (let i = 0; i < count; i++) {
    const leaf = i % leaves;
    const rel = `seq${String(leaf % 10).padStart(2, '0')}/sh${String(Math.floor(leaf / 10) % 10).padStart(3, '0')}0/part${String(Math.floor(leaf / 100)).padStart(3, '0')}/file_${String(i).padStart(6, '0')}.txt`;
    const size = 1024 + Math.floor(rnd() * 3072);
    let text = '';
    while (text.length < size) text += `${words[Math.floor(rnd() * words.length)]}_${Math.floor(rnd() * 1e6)} = ${rnd().toFixed(6)}\n`;
    const path = join(dir, rel);
    if (i < leaves) mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text.slice(0, size));
    files.push(rel);
    bytes += size;
  }
  return { files, bytes };
}
