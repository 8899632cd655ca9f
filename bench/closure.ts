// Visibility closure in process, without a server: a ProjectGraph shaped like bench/browse.ts's
// `seedBigProject` (50 top-level collections, the first shared, the last ten assigned to the lead;
// 5,000 collections; 100,000 assets, 60% tasks, 70% of those assigned; 300,000 layered dependency
// edges), built in memory. Reports p50/p99 of `visibleTo` for an Artist, a Vendor (assigned-only:
// shared collections ignored) and the lead, of a pull's two visibility digests (cursor and head)
// for an Artist's fresh view, and the cost of patching the graph change by change.
//
//   flock /tmp/backlot-bench.lock node --import tsx bench/closure.ts [--assets 100000] [--edges 300000] [--rounds 300]
//                                                                    [--baseline DIR]
// --baseline: another version's visibility.ts, project-view.ts and digest.ts copied into DIR, to
// compare before and after a change on the same data.
import { PermissionSet, type AssetNode, type CollectionNode, type DependencyEdge, type ProjectActor } from '@backlot/core';
import * as core from '@backlot/core';
import * as current from '../packages/server/src/sync/digest.js';
import { prng } from './prng.js';
import { forgetAnswers } from './forget-answers.js';
import { percentile } from './report.js';

const baselineAt = process.argv.indexOf('--baseline');
const baseline = baselineAt > 0 ? process.argv[baselineAt + 1] : null;
const { ProjectGraph } = (baseline ? await import(`${baseline}/visibility.ts`) : core) as typeof core;
const { memberView } = (baseline ? await import(`${baseline}/project-view.ts`) : core) as typeof core;
const digest = (baseline ? await import(`${baseline}/digest.ts`) : current) as typeof current;
console.log(baseline ? `baseline implementation from ${baseline}` : 'current implementation');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ASSETS = arg('assets', 100_000);
const EDGES = arg('edges', 300_000);
const ROUNDS = arg('rounds', 300);

const rand = prng(42);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
// UUID-shaped ids from the PRNG, so runs are comparable (the digest parses ids as hex).
// Built from character codes: flat strings, like the ids the database hands the server.
const HEX = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
const uuid = () => String.fromCharCode(...Array.from({ length: 36 }, (_, i) => (i === 8 || i === 13 || i === 18 || i === 23 ? 45 : HEX[Math.floor(rand() * 16)])));

const ARTIST = uuid();
const LEAD = uuid();
// As bench/production-server.ts: 33 Artists and 10 Vendors hold the assigned tasks.
const others = Array.from({ length: 43 }, uuid);
const VENDOR = others[33];

const collections: CollectionNode[] = [];
const top: string[] = [];
const leaves: { id: string; top: number }[] = [];
const col = (parentId: string | null, shared = false, assigneeId: string | null = null) => {
  const id = uuid();
  collections.push({ id, createdRev: 1, parentId, shared, assigneeId });
  return id;
};
for (let t = 0; t < 50; t++) {
  const tid = col(null, t === 0, t >= 40 ? LEAD : null);
  top.push(tid);
  for (let m = 0; m < 9; m++) {
    const mid = col(tid);
    for (let l = 0; l < 10 && collections.length < 5000; l++) leaves.push({ id: col(mid), top: t });
  }
}
const leafTop = new Map(leaves.map((l) => [l.id, l.top]));
const assets: AssetNode[] = [];
for (let i = 0; i < ASSETS; i++) {
  const leaf = pick(leaves);
  const task = rand() < 0.6;
  assets.push({ id: uuid(), createdRev: 1 + (i % 1000), collectionId: leaf.id, assigneeId: task && rand() < 0.7 ? (i % 400 === 0 ? ARTIST : pick(others)) : null });
}
const layerOf = (i: number) => i % 3;
const byTopLayer = top.map(() => [[], [], []] as string[][]);
assets.forEach((a, i) => byTopLayer[leafTop.get(a.collectionId!)!][layerOf(i)].push(a.id));
const deps: (DependencyEdge & { id: string })[] = [];
for (let n = 0; n < EDGES; n++) {
  const i = Math.floor(rand() * assets.length);
  const layer = layerOf(i);
  if (layer === 0) { n--; continue; }
  const t = leafTop.get(assets[i].collectionId!)!;
  const r = rand();
  const toCollection = r < 0.005;
  const pool = (r < 0.1 ? byTopLayer[0] : byTopLayer[t])[Math.floor(rand() * layer)];
  if (!pool.length) continue;
  deps.push({ id: uuid(), assetId: assets[i].id, targetAssetId: toCollection ? null : pick(pool), targetCollectionId: toCollection ? pick(leaves.filter((l) => l.top === t)).id : null });
}

const pct = percentile;
const ms = (x: number) => x.toFixed(2).padStart(8);
const time = (f: () => void) => {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

let t = process.hrtime.bigint();
const graph = new ProjectGraph(collections, assets, deps);
console.log(`graph: ${collections.length} collections, ${assets.length} assets, ${deps.length} edges; built in ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0)} ms`);

const members = [
  { name: 'Artist', user: ARTIST, shared: true },
  { name: 'Vendor (assigned only)', user: VENDOR, shared: false },
  { name: 'Lead (10 top-level)', user: LEAD, shared: true },
];
console.log(`\nvisibleTo, ${ROUNDS} rounds (ms)\n${'member'.padEnd(24)} assets   colls   names      p50      p99      max`);
for (const m of members) {
  const v = graph.visibleTo(m.user, { shared: m.shared });
  for (let i = 0; i < 20; i++) graph.visibleTo(m.user, { shared: m.shared });
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    forgetAnswers(graph);
    times.push(time(() => graph.visibleTo(m.user, { shared: m.shared })));
  }
  console.log(`${m.name.padEnd(24)} ${String(v.assets.size).padStart(6)} ${String(v.collections.size).padStart(7)} ${String(v.namesOnly.size).padStart(7)} ${ms(pct(times, 50))} ${ms(pct(times, 99))} ${ms(Math.max(...times))}`);
}

// A pull right after a change: a fresh view, the digest at the cursor's revision and at the head.
const perms = (p: string[]) => PermissionSet.of(p);
const artistActor: ProjectActor = {
  userId: ARTIST, role: 'member', suspended: false,
  projectRole: { id: 'artist', fixed: false, permissions: perms(['checkpoint.view', 'checkpoint.create', 'content.download', 'status.change', 'assignment.self_assign']) },
};
const leadActor: ProjectActor = { ...artistActor, userId: LEAD };
const many = (digest as { visibilityDigests?: typeof current.visibilityDigests }).visibilityDigests;
console.log(`\npull digests (fresh view: closure + cursor and head digests), ${ROUNDS} rounds (ms)\n${'member'.padEnd(24)}      p50      p99   digests only p50`);
for (const [name, actor] of [['Artist', artistActor], ['Lead', leadActor]] as const) {
  const both = (view: ReturnType<typeof memberView>) =>
    many ? many(graph, actor, view, [900, 1000]) : [digest.visibilityDigest(graph, actor, view, 900), digest.visibilityDigest(graph, actor, view, 1000)];
  const times: number[] = [];
  const only: number[] = [];
  for (let i = 0; i < ROUNDS + 20; i++) {
    let view!: ReturnType<typeof memberView>;
    forgetAnswers(graph);
    const a = time(() => (view = memberView(graph, actor)));
    const b = time(() => both(view));
    if (i >= 20) { times.push(a + b); only.push(b); }
  }
  console.log(`${name.padEnd(24)} ${ms(pct(times, 50))} ${ms(pct(times, 99))} ${ms(pct(only, 50))}`);
}

// Patching: moves, reassignments, removals and restores, new edges, as a replay would.
{
  const N = 20_000;
  const liveAssets = [...assets];
  const removed: AssetNode[] = [];
  t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const r = rand();
    if (r < 0.3) graph.upsertAsset({ ...pick(liveAssets), collectionId: pick(leaves).id });
    else if (r < 0.5) graph.upsertAsset({ ...pick(liveAssets), assigneeId: pick(others) });
    else if (r < 0.65) {
      const j = Math.floor(rand() * liveAssets.length);
      const [a] = liveAssets.splice(j, 1);
      graph.removeAsset(a.id);
      removed.push(a);
    } else if (r < 0.75 && removed.length) {
      const a = removed.pop()!;
      graph.upsertAsset(a);
      liveAssets.push(a);
    } else if (r < 0.85) {
      const a = { id: uuid(), createdRev: 2000, collectionId: pick(leaves).id, assigneeId: null };
      graph.upsertAsset(a);
      liveAssets.push(a);
    } else graph.upsertDependency({ id: uuid(), assetId: pick(liveAssets).id, targetAssetId: pick(liveAssets).id, targetCollectionId: null });
  }
  const total = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`\npatching: ${N} changes in ${total.toFixed(0)} ms (${((total * 1000) / N).toFixed(1)} µs per change)`);
  const v = graph.visibleTo(LEAD);
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    forgetAnswers(graph);
    times.push(time(() => graph.visibleTo(LEAD)));
  }
  console.log(`lead after patching: ${v.assets.size} assets, p50 ${pct(times, 50).toFixed(2)} ms, p99 ${pct(times, 99).toFixed(2)} ms`);
}
