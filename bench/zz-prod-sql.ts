// temporary: time the admin board's SQL on a live production-server DB (deleted after use)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import SQLite from 'better-sqlite3';
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/production-server.ts', ...process.argv.slice(2)], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout! });
const fx = JSON.parse(await new Promise<string>((res) => lines.once('line', res)));
const db = new SQLite(fx.dbFile, { readonly: true });
const p = fx.projectId;
const qs: [string, string, any[]][] = [
  ['count by status', `select a.status_id, count(*) as n from assets as a where a.project_id = ? and a.deleted_at is null and a.kind = 'task' group by a.status_id`, [p]],
  ['page col', `select a.id, a.status_id, a.updated_at as k from assets as a where a.project_id = ? and a.deleted_at is null and a.kind = 'task' and a.status_id = ? order by a.updated_at desc, a.id desc limit 21`, [p, fx.statuses[1]]],
  ['count by status,collection', `select a.collection_id, a.status_id, count(*) as n from assets as a where a.project_id = ? and a.deleted_at is null and a.kind = 'task' group by a.status_id, a.collection_id`, [p]],
  ['list name', `select a.id, a.status_id, a.name as k from assets as a where a.project_id = ? and a.deleted_at is null order by a.name asc, a.id asc limit 51`, [p]],
];
for (const analyzed of [false, true, 'cache', 'mmap']) {
  if (analyzed === 'cache') db.pragma('cache_size = -65536');
  if (analyzed === 'mmap') { db.pragma('cache_size = -2000'); db.pragma('mmap_size = 268435456'); }
  for (const [name, q, args] of qs) {
    const st = db.prepare(q);
    const plan = (db.prepare('explain query plan ' + q).all(...args) as any[]).map((r) => r.detail).join(' | ');
    st.all(...args);
    const xs: number[] = [];
    for (let i = 0; i < 30; i++) { const t = performance.now(); st.all(...args); xs.push(performance.now() - t); }
    xs.sort((a, b) => a - b);
    console.log(String(analyzed), name, 'p50', xs[15].toFixed(2), 'ms |', plan);
  }
}
db.close();
child.stdin!.end();
