// A second `backlot serve`-like process for events.test.ts: starts a server on the PostgreSQL
// database named by BACKLOT_DATABASE_URL, prints `LISTENING <url>`, and stops when stdin closes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { startServer } from '../src/server.js';
import { TestClock } from '@backlot/test-kit/harness';

const dataDir = mkdtempSync(join(tmpdir(), 'backlot-events-child-'));
const config = loadConfig({ dataDir, port: 0, host: '127.0.0.1', databaseUrl: process.env.BACKLOT_DATABASE_URL }, {});
// The same fixed time as the test's own server, so the sessions it issued are valid here too.
const server = await startServer(config, { clock: new TestClock(), print: () => {}, logger: false });
process.stdout.write(`LISTENING ${server.url}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
