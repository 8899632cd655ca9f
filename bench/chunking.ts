// Content-store benchmark: chunk + hash + compress throughput and dedup on creative-history data.
//
//   node --import tsx bench/chunking.ts [--scale 128] [--commits 12] [--seed 7] [--keep]
//
// Replays ../shared/bench/creative-history.mjs into a temp folder, snapshotting the working folder
// after each commit. The files changed by a commit are what a checkpoint stores; the benchmark
// chunks those file versions, as the client would, and prints markdown tables.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import binding from 'zstd-napi/binding.js';
import {
  chunkFile,
  ChunkWorkerPool,
  cutPoints,
  DEFAULT_CDC_PARAMS,
  DEFAULT_ZSTD_LEVEL,
  encodeChunk,
  FsChunkStore,
  sha256Hex,
  storeFile,
  type CdcParams,
} from '@backlot/storage';

const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => {
  if (a.startsWith('--')) args.set(a.slice(2), all[i + 1]?.startsWith('--') === false ? all[i + 1] : 'true');
});
const SCALE = Number(args.get('scale') ?? 128);
const COMMITS = Number(args.get('commits') ?? 12);
const SEED = Number(args.get('seed') ?? 7);
const here = dirname(fileURLToPath(import.meta.url));
const GENERATOR = resolve(here, '../../shared/bench/creative-history.mjs');
const MB = 1e6;
const KiB = 1024;

const mbps = (bytes: number, ms: number) => (bytes / MB / (ms / 1000)).toFixed(0);
const time = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
};

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

/** The file versions each commit wrote (path in its snapshot), detected by size + mtime. */
function changedVersions(snapRoot: string): string[] {
  const snaps = readdirSync(snapRoot).map(Number).sort((a, b) => a - b);
  const out: string[] = [];
  let prev = new Map<string, string>();
  for (const s of snaps) {
    const root = join(snapRoot, String(s));
    const cur = new Map<string, string>();
    for (const f of walk(root)) {
      const st = statSync(f);
      const key = `${st.size}:${st.mtimeMs}`;
      const rel = relative(root, f);
      cur.set(rel, key);
      if (prev.get(rel) !== key) out.push(f);
    }
    prev = cur;
  }
  return out;
}

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'backlot-bench-chunking-'));
  try {
    const [report, genMs] = await time(() =>
      execFileSync(
        process.execPath,
        [
          GENERATOR, '--work', join(work, 'work'), '--seed', String(SEED), '--scale', String(SCALE),
          '--commits', String(COMMITS), '--after', 'mkdir -p ../snaps && cp -a . ../snaps/$COMMIT_INDEX',
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      ),
    );
    const gen = JSON.parse(report.trim().split('\n').pop()!);
    const files = changedVersions(join(work, 'snaps'));
    const sizes = files.map((f) => statSync(f).size);
    const input = sizes.reduce((a, b) => a + b, 0);

    console.log(`# Chunking benchmark\n`);
    console.log(`Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, zstd ${binding.versionString()}, load average at start ${loadavg()[0].toFixed(1)}`);
    console.log(`Data: creative-history seed ${SEED}, scale ${SCALE} MB, ${COMMITS} commits (generated in ${(genMs / 1000).toFixed(1)} s);`);
    console.log(`${files.length} changed file versions, ${(input / MB).toFixed(1)} MB checkpointed, final tree ${(gen.final_tree_bytes / MB).toFixed(1)} MB.`);
    console.log(`Parameters: min ${DEFAULT_CDC_PARAMS.minSize / KiB} KiB, avg ${DEFAULT_CDC_PARAMS.avgSize / KiB} KiB, max ${DEFAULT_CDC_PARAMS.maxSize / KiB} KiB, zstd level ${DEFAULT_ZSTD_LEVEL}.\n`);

    // Warm the page cache so the first configuration is not charged for disk reads.
    for (const f of files) readFileSync(f);

    // --- 1. Pipeline throughput (read + cut + file hash on the main thread, hash + zstd on workers)
    console.log('## Pipeline throughput (chunk + hash + compress)\n');
    console.log('| configuration | wall s | MB/s | chunks | unique | stored MB |');
    console.log('|---|---|---|---|---|---|');
    const workerCounts = [0, 1, 2, Math.max(2, cpus().length)].filter((v, i, a) => a.indexOf(v) === i);
    for (const workers of workerCounts) {
      const pool = await ChunkWorkerPool.create(workers);
      const label = workers === 0 ? 'inline (no workers)' : `${pool.size} worker thread${pool.size > 1 ? 's' : ''}${pool.mode === 'inline' ? ' (fell back to inline)' : ''}`;
      const unique = new Map<string, number>();
      let chunks = 0;
      const [, ms] = await time(async () => {
        for (const f of files) {
          await chunkFile(f, {
            pool,
            onChunk: (c) => {
              chunks++;
              if (!unique.has(c.id)) unique.set(c.id, c.encoded.length);
            },
          });
        }
      });
      await pool.close();
      const stored = [...unique.values()].reduce((a, b) => a + b, 0);
      console.log(`| ${label} | ${(ms / 1000).toFixed(2)} | ${mbps(input, ms)} | ${chunks} | ${unique.size} | ${(stored / MB).toFixed(1)} |`);
    }
    {
      const pool = await ChunkWorkerPool.create();
      const dir = join(work, 'store');
      const store = new FsChunkStore({ dir, namespace: 'bench' });
      const threads = pool.size;
      const [, ms] = await time(async () => {
        for (const f of files) await storeFile(f, store, { pool });
      });
      await pool.close();
      const du = Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
      console.log(`| storeFile into FsChunkStore (${threads} worker${threads === 1 ? '' : 's'}, verify on put) | ${(ms / 1000).toFixed(2)} | ${mbps(input, ms)} | | | ${(du / MB).toFixed(1)} on disk |`);
    }

    // --- 2. Stages, single thread, in memory
    const buffers = files.map((f) => readFileSync(f));
    const [allCuts, cdcMs] = await time(() => buffers.map((b) => cutPoints(b)));
    const chunkBufs: Buffer[] = [];
    buffers.forEach((b, i) => {
      let p = 0;
      for (const c of allCuts[i]) {
        chunkBufs.push(b.subarray(p, c));
        p = c;
      }
    });
    const [ids, shaMs] = await time(() => chunkBufs.map((c) => sha256Hex(c)));
    const uniqueChunks = new Map<string, Buffer>();
    ids.forEach((id, i) => uniqueChunks.has(id) || uniqueChunks.set(id, chunkBufs[i]));
    const uniq = [...uniqueChunks.values()];
    const uniqueRaw = uniq.reduce((a, b) => a + b.length, 0);
    const [encoded, zMs] = await time(() => uniq.map((c) => encodeChunk(c)));
    const stored = encoded.reduce((a, e) => a + e.length, 0);
    const rawCount = encoded.filter((e) => e[0] === 0).length;
    console.log('\n## Stages (one thread, data in memory)\n');
    console.log('| stage | MB/s |');
    console.log('|---|---|');
    console.log(`| FastCDC cut points | ${mbps(input, cdcMs)} |`);
    console.log(`| SHA-256 (chunk ids) | ${mbps(input, shaMs)} |`);
    console.log(`| encodeChunk, zstd ${DEFAULT_ZSTD_LEVEL} (unique chunks only; ${rawCount} of ${uniq.length} stored raw) | ${mbps(uniqueRaw, zMs)} |`);

    // --- 3. Dedup
    const wholeFile = new Map<string, number>();
    buffers.forEach((b) => wholeFile.set(sha256Hex(b), b.length));
    const wholeBytes = [...wholeFile.values()].reduce((a, b) => a + b, 0);
    console.log('\n## Dedup and size\n');
    console.log('| measure | MB | ratio vs checkpointed |');
    console.log('|---|---|---|');
    console.log(`| checkpointed file versions | ${(input / MB).toFixed(1)} | 1.00x |`);
    console.log(`| whole-file dedup (unique file contents) | ${(wholeBytes / MB).toFixed(1)} | ${(input / wholeBytes).toFixed(2)}x |`);
    console.log(`| chunk dedup (unique chunks, raw) | ${(uniqueRaw / MB).toFixed(1)} | ${(input / uniqueRaw).toFixed(2)}x |`);
    console.log(`| chunk dedup + zstd ${DEFAULT_ZSTD_LEVEL} (stored) | ${(stored / MB).toFixed(1)} | ${(input / stored).toFixed(2)}x |`);

    // --- 4. Why these parameters: the same data with other chunk sizes
    console.log('\n## Chunk size trade-off (same data)\n');
    console.log('| min / avg / max KiB | chunks | mean KiB | dedup (raw) | stored MB | CDC MB/s |');
    console.log('|---|---|---|---|---|---|');
    const candidates: CdcParams[] = [
      { minSize: 64 * KiB, avgSize: 128 * KiB, maxSize: 512 * KiB },
      { minSize: 64 * KiB, avgSize: 256 * KiB, maxSize: 1024 * KiB },
      DEFAULT_CDC_PARAMS,
      { minSize: 256 * KiB, avgSize: 512 * KiB, maxSize: 2048 * KiB },
      { minSize: 256 * KiB, avgSize: 1024 * KiB, maxSize: 4096 * KiB },
      { minSize: 512 * KiB, avgSize: 2048 * KiB, maxSize: 8192 * KiB },
    ].filter((p, i, all) => all.findIndex((q) => q.minSize === p.minSize && q.avgSize === p.avgSize) === i);
    for (const p of candidates) {
      const [cuts, ms] = await time(() => buffers.map((b) => cutPoints(b, p)));
      const seen = new Map<string, Buffer>();
      let n = 0;
      buffers.forEach((b, i) => {
        let s = 0;
        for (const c of cuts[i]) {
          const sub = b.subarray(s, c);
          s = c;
          n++;
          const id = sha256Hex(sub);
          if (!seen.has(id)) seen.set(id, sub);
        }
      });
      let raw = 0;
      let enc = 0;
      for (const c of seen.values()) {
        raw += c.length;
        enc += encodeChunk(c).length;
      }
      const mark = p === DEFAULT_CDC_PARAMS ? ' (chosen)' : '';
      console.log(`| ${p.minSize / KiB} / ${p.avgSize / KiB} / ${p.maxSize / KiB}${mark} | ${n} | ${(input / n / KiB).toFixed(0)} | ${(input / raw).toFixed(2)}x | ${(enc / MB).toFixed(1)} | ${mbps(input, ms)} |`);
    }

    // --- 5. zstd levels on the unique chunks
    console.log('\n## zstd level (unique chunks, raw fallback)\n');
    console.log('| level | stored / raw | MB/s |');
    console.log('|---|---|---|');
    for (const level of [1, 2, 3, 5, 9]) {
      const [out, ms] = await time(() => uniq.reduce((a, c) => a + encodeChunk(c, { level, probe: false }).length, 0));
      console.log(`| ${level}${level === DEFAULT_ZSTD_LEVEL ? ' (chosen)' : ''} | ${(out / uniqueRaw).toFixed(3)} | ${mbps(uniqueRaw, ms)} |`);
    }
  } finally {
    if (args.has('keep')) console.log(`\n(kept ${work})`);
    else await rm(work, { recursive: true, force: true });
  }
}

await main();
