// temporary: profile visibleTo for the lead on a live production-server DB (deleted after use)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { openDatabase } from '../packages/server/src/db/connect.js';
import { graphAt } from '../packages/server/src/production/graph-cache.js';
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/production-server.ts', ...process.argv.slice(2)], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout! });
const fx = JSON.parse(await new Promise<string>((res) => lines.once('line', res)));
const opened = openDatabase({ databaseUrl: `sqlite:${fx.dbFile}`, dataDir: join(fx.dbFile, '..') });
const rev = Number((await opened.db.selectFrom('projects').select('revision').where('id', '=', fx.projectId).executeTakeFirstOrThrow()).revision);
const g = await graphAt(opened.db, fx.projectId, rev);
const time = (label: string, f: () => unknown) => { for (let i = 0; i < 5; i++) f(); const xs: number[] = []; for (let i = 0; i < 30; i++) { const t = performance.now(); f(); xs.push(performance.now() - t); } xs.sort((a, b) => a - b); console.log(label, 'p50', xs[15].toFixed(2), 'min', xs[0].toFixed(2)); };
time('lead visibleTo', () => g.visibleTo(fx.lead.userId));
time('vendor visibleTo', () => g.visibleTo(fx.vendor.userId, { shared: false }));
time('artist visibleTo', () => g.visibleTo(fx.artist.userId));
// Variant: adjacency holds the edge objects (no deps.get per edge).
const G: any = g;
const adj = new Map<string, Set<any>>();
for (const [a, ids] of G.assetDeps as Map<string, Set<string>>) adj.set(a, new Set([...ids].map((id) => G.deps.get(id))));
function variant(userId: string, shared = true) {
  const assets = new Set<string>(); const collections = new Set<string>(); const pending: string[] = [];
  const openCollection = (root: string) => {
    if (collections.has(root) || !g.collections.has(root)) return;
    const stack = [root]; collections.add(root);
    while (stack.length) { const id = stack.pop()!; for (const a of g.assetsIn(id)) if (!assets.has(a)) { assets.add(a); pending.push(a); } for (const c of g.childrenOf(id)) if (!collections.has(c)) { collections.add(c); stack.push(c); } }
  };
  const openAsset = (id: string) => { if (!assets.has(id) && g.assets.has(id)) { assets.add(id); pending.push(id); } };
  if (shared) for (const c of G.sharedCollections) openCollection(c);
  for (const c of G.assignedCollections.get(userId) ?? []) openCollection(c);
  for (const a of G.assignedAssets.get(userId) ?? []) openAsset(a);
  while (pending.length) { const edges = adj.get(pending.pop()!); if (!edges) continue; for (const d of edges) { if (d.targetAssetId) openAsset(d.targetAssetId); if (d.targetCollectionId) openCollection(d.targetCollectionId); } }
  const namesOnly = new Set<string>();
  const climb = (parentId: string | null) => { while (parentId && !collections.has(parentId) && !namesOnly.has(parentId) && g.collections.has(parentId)) { namesOnly.add(parentId); parentId = g.collections.get(parentId)?.parentId ?? null; } };
  for (const id of collections) climb(g.collections.get(id)!.parentId);
  for (const id of assets) climb(g.assets.get(id)!.collectionId);
  return { assets, collections, namesOnly };
}
const a1 = g.visibleTo(fx.lead.userId), a2 = variant(fx.lead.userId);
console.log('same', a1.assets.size === a2.assets.size && a1.namesOnly.size === a2.namesOnly.size);
time('lead variant', () => variant(fx.lead.userId));
time('lead visibleTo', () => g.visibleTo(fx.lead.userId));
time('lead variant', () => variant(fx.lead.userId));
time('vendor variant', () => variant(fx.vendor.userId, false));
// phases
time('lead: closure only (no climb) baseline-ish', () => { const v = g.visibleTo(fx.lead.userId); return v; });
const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.setSamplingInterval', { interval: 100 }); await s.post('Profiler.start');
for (let i = 0; i < 40; i++) g.visibleTo(fx.lead.userId);
const { profile } = await s.post('Profiler.stop');
writeFileSync('/tmp/prof-vis.cpuprofile', JSON.stringify(profile));
await opened.close();
child.stdin!.end();
