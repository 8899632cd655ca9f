// `npm run crash -- [--kills N] [--seed S]`: the crash scenario of crash.test.ts, as long as asked.
import { parseArgs } from 'node:util';
import { runCrashScenario } from './scenario.js';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '200' }, seed: { type: 'string', default: String(Date.now() % 1e9) } } });
const kills = Number(values.kills);
const seed = Number(values.seed);
if (!Number.isInteger(kills) || kills < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run crash -- [--kills N] [--seed S]');
  process.exit(2);
}
console.log(`crash scenario: ${kills} kills, seed ${seed}`);
const t0 = Date.now();
const report = await runCrashScenario({ kills, seed, log: (line) => console.log(line) });
console.log(JSON.stringify({ ...report, seconds: Math.round((Date.now() - t0) / 1000) }, null, 2));
process.exit(report.broken.length || report.leftoverTempFiles ? 1 : 0);
