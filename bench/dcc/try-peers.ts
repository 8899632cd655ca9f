// Builds a DCC corpus and prints the peers' numbers on it (a check that the harness works, and the
// peer side of the delta-checkpoint comparison).
//
//   node --import tsx bench/dcc/try-peers.ts --data blender --versions 8 [--chunk-stats]
//   node --import tsx bench/dcc/try-peers.ts --data generator --seed 7 --scale 256 --commits 20
//   options: --only restic,borg-lz4,borg-zstd3,git-lfs,git-gc   a subset of peers
//            --dir DIR        corpus folder (default /tmp/dcc-corpus-<data>-<parameters>, reused)
//            --scale X        blender: size factor of meshes and images (default 1)
//            --chunk-stats    also print new-chunk shares and zstd patch sizes per .blend version
//            --no-peers       only the corpus (and --chunk-stats)
//            --keep           keep the peers' repositories
//            --json FILE      write the results as JSON
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, machineLine, table } from '../report.js';
import { buildBlenderCorpus, buildGeneratorCorpus, CorpusSkipped, type CorpusInfo } from './corpus.js';
import { AVG_SIZES, deltaStats, type DeltaRow } from './delta-stats.js';
import { runPeers, zstdSize, type PeerResult } from './peers.js';

const argv = process.argv.slice(2);
const val = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : undefined;
};
const data = val('data') ?? 'blender';
const seed = Number(val('seed') ?? 7);
const log = (s: string) => console.error(`[dcc] ${s}`);
const MB = 1e6;
const mb = (n: number) => fmt(n / MB);
const pct = (n: number) => `${(100 * n).toFixed(n < 0.01 ? 2 : 1)}%`;

async function corpus(): Promise<CorpusInfo> {
  if (data === 'blender') {
    const versions = Number(val('versions') ?? 8);
    const scale = Number(val('scale') ?? 1);
    const dir = val('dir') ?? `/tmp/dcc-corpus-blender-v${versions}-s${seed}${scale === 1 ? '' : `-x${scale}`}`;
    return buildBlenderCorpus({ dir, versions, seed, scale, log });
  }
  if (data === 'generator') {
    const scale = Number(val('scale') ?? 256);
    const commits = Number(val('commits') ?? 20);
    const dir = val('dir') ?? `/tmp/dcc-corpus-generator-s${seed}-x${scale}-c${commits}`;
    return buildGeneratorCorpus({ dir, seed, scale, commits, log });
  }
  throw new Error(`--data must be blender or generator, not ${data}`);
}

function chunkReport(rows: DeltaRow[]): string {
  const groups = new Map<string, DeltaRow[]>();
  for (const r of rows) groups.set(r.rel, [...(groups.get(r.rel) ?? []), r]);
  const line = (label: string, rs: DeltaRow[]) => {
    const bytes = rs.reduce((a, r) => a + r.bytes, 0);
    const z = rs.reduce((a, r) => a + r.zstd, 0);
    const sum = (f: (r: DeltaRow) => number) => rs.reduce((a, r) => a + f(r), 0);
    return [
      label, rs.length, mb(bytes / rs.length),
      ...AVG_SIZES.map((_, i) => pct(sum((r) => r.newShare[i] * r.bytes) / bytes)),
      mb(z / rs.length), pct(sum((r) => r.patchDict) / z), pct(sum((r) => r.patchLong) / z),
    ];
  };
  const header = ['file (versions that replace one)', 'pairs', 'mean MB', ...AVG_SIZES.map((a) => `new @ ${a / 1024} KiB`), 'zstd-3 alone MB', 'patch (dict) / alone', 'patch (long) / alone'];
  const body = [...groups].map(([rel, rs]) => line(rel, rs));
  body.push(line('all .blend versions', rows));
  const last = rows.filter((r) => r.version === Math.max(...rows.map((x) => x.version)));
  for (const r of last) body.push(line(`${r.rel}, last version only (small edit)`, [r]));
  return table(header, body);
}

function peerReport(results: PeerResult[], bigZstd: number): string {
  const rows = results.map((r) =>
    r.skipped
      ? [r.peer, 'skipped', '', '', '', '', r.skipped]
      : [r.peer, mb(r.storedBytes), fmt(r.commitSeconds), fmt(r.restoreLatestSeconds), fmt(r.restoreOldestSeconds), mb(r.incrementalBytes), pct(r.incrementalBytes / bigZstd)],
  );
  return table(['peer', 'stored MB', 'commit s', 'restore latest s', 'restore oldest s', 'last version MB', 'last version / file zstd-3'], rows);
}

async function main(): Promise<void> {
  const load = loadavg();
  let info: CorpusInfo;
  try {
    info = await corpus();
  } catch (err) {
    if (err instanceof CorpusSkipped) {
      console.log(err.message);
      return;
    }
    throw err;
  }
  const latest = info.snapshots[info.snapshots.length - 1];
  const big = join(latest, info.largestBlend);
  const bigBytes = statSync(big).size;
  const bigZstd = zstdSize(big, 3);
  console.log(`# DCC peers (${data})\n`);
  console.log(`Corpus: ${info.snapshots.length} snapshots in ${info.snapshots[0].replace(/\/0$/, '')}; ${mb(info.bytesWritten)} MB written across versions; newest snapshot ${mb(info.latestBytes)} MB; generated in ${info.generationSeconds ? `${fmt(info.generationSeconds)} s` : '(cached)'}.`);
  console.log(`The last version re-saves only ${info.largestBlend}: ${mb(bigBytes)} MB, ${mb(bigZstd)} MB at zstd-3 (5% of that: ${mb(bigZstd * 0.05)} MB).\n`);

  if (argv.includes('--chunk-stats')) {
    const t = Date.now();
    const rows = deltaStats(info.snapshots);
    console.log(`## Re-saved .blend versions: new chunks and zstd patches (${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
    console.log(chunkReport(rows) + '\n');
  }

  let results: PeerResult[] = [];
  if (!argv.includes('--no-peers')) {
    const work = mkdtempSync(join(tmpdir(), 'dcc-peers-'));
    try {
      const t = Date.now();
      results = await runPeers(info.snapshots, { workDir: work, only: val('only')?.split(','), log, keep: argv.includes('--keep') });
      console.log(`## Peers (${((Date.now() - t) / 1000).toFixed(0)} s in all)\n`);
      console.log(peerReport(results, bigZstd) + '\n');
      for (const r of results) if (r.incrementalWhat) console.log(`- ${r.peer}, last version: ${r.incrementalWhat}`);
    } finally {
      if (argv.includes('--keep')) log(`kept ${work}`);
      else rmSync(work, { recursive: true, force: true });
    }
  }
  console.log(`\n${machineLine(new Date(), load)}`);
  const json = val('json');
  if (json) writeFileSync(json, JSON.stringify({ data, info, largest: { path: info.largestBlend, bytes: bigBytes, zstd3: bigZstd }, results }, null, 1));
}

await main();
