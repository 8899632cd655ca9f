// Child process for the API benchmark: a real Backlot server on the embedded default (SQLite in a
// temporary data directory, logger off, start-up output silenced), seeded through its own HTTP API
// by bench/seed.ts. Prints one JSON line (`ApiFixture`) on stdout once ready, then serves until
// SIGTERM/SIGINT or until stdin closes, and removes its data.
//
//   node --import tsx bench/api-server.ts [--projects=20] [--profile=OUT.cpuprofile]
// With --profile, V8's sampling CPU profiler runs from the moment the seeding is done until
// shutdown (so set-up, migrations and password hashing stay out of it) and the profile is written
// to OUT on exit.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../packages/server/src/config/config.js';
import { startServer } from '../packages/server/src/server.js';
import { seedStudio, type ApiFixture } from './seed.js';

export type { ApiFixture };

const arg = (name: string, fallback: number) => {
  const m = process.argv.find((a) => a.startsWith(`--${name}=`));
  return m ? Number(m.split('=')[1]) : fallback;
};
const PROJECTS = arg('projects', 20);
const PROFILE_OUT = process.argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
let profiler: Session | null = null;

const dataDir = mkdtempSync(join(tmpdir(), 'backlot-bench-'));
const config = loadConfig({ dataDir, port: 0, host: '127.0.0.1' }, {});
const server = await startServer(config, { logger: false, print: () => {} });

let closing = false;
async function shutdown(code = 0) {
  if (closing) return;
  closing = true;
  try {
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(PROFILE_OUT!, JSON.stringify(profile));
      profiler.disconnect();
    }
    await server.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  }
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

try {
  const fixture = await seedStudio(server, PROJECTS);
  if (PROFILE_OUT) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 1000 });
    await profiler.post('Profiler.start');
  }
  process.stdout.write(`${JSON.stringify({ ...fixture, pid: process.pid } satisfies ApiFixture)}\n`);
  // The parent going away (even without a signal) ends us too.
  process.stdin.on('end', () => void shutdown());
  process.stdin.resume();
} catch (err) {
  process.stderr.write(`api-server: ${(err as Error).stack ?? err}\n`);
  await shutdown(1);
}
