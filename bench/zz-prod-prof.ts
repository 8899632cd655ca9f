// temporary profiling driver (deleted after use)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/production-server.ts', ...process.argv.slice(2)], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout! });
const queue: string[] = [];
let waiter: ((l: string) => void) | null = null;
lines.on('line', (l) => { if (waiter) { const w = waiter; waiter = null; w(l); } else queue.push(l); });
const next = () => new Promise<string>((res) => { if (queue.length) res(queue.shift()!); else waiter = res; });
const fx = JSON.parse(await next());
const P = `${fx.url}/api/v1/projects/${fx.projectId}`;
const get = async (tok: string, path: string) => { const r = await fetch(P + path, { headers: { authorization: `Bearer ${tok}` } }); const t = await r.text(); if (r.status !== 200) throw new Error(t); return JSON.parse(t); };
const scen = (process.env.SCEN ?? 'vendor-board,lead-board,artist-board,admin-board,vendor-my,artist-list,pull-artist').split(',');
const snap = await get(fx.artist.token, '/changes');
for (let i = 0; i < 20; i++) {
  const t = fx.tasks[i];
  const r = await fetch(P + '/ops', { method: 'POST', headers: { authorization: `Bearer ${fx.pm.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ops: [{ opId: `p${i}`, op: { type: 'task.status', assetId: fx.artistTasks[i % fx.artistTasks.length].id, statusId: fx.statuses[(i + 1) % fx.statuses.length] } }] }) });
  await r.text();
}
const paths: Record<string, [string, string]> = {
  'vendor-board': [fx.vendor.token, '/board'], 'lead-board': [fx.lead.token, '/board'], 'artist-board': [fx.artist.token, '/board'], 'admin-board': [fx.admin.token, '/board'],
  'vendor-my': [fx.vendor.token, '/board?view=my'], 'artist-list': [fx.artist.token, '/assets?sort=name'], 'pull-artist': [fx.artist.token, `/changes?since=${snap.cursor}`],
};
for (const s of scen) {
  const [tok, path] = paths[s];
  for (let i = 0; i < 5; i++) await get(tok, path);
  child.stdin!.write('profile-start\n'); await next();
  const t = performance.now();
  const N = Number(process.env.N ?? 40);
  for (let i = 0; i < N; i++) await get(tok, path);
  console.log(s, ((performance.now() - t) / N).toFixed(1), 'ms/req');
  child.stdin!.write(`profile-stop /tmp/prof-${s}.cpuprofile\n`); await next();
}
child.stdin!.end();
