// A `backlot serve` process for the crash scenario: the server on DATA_DIR (SQLite + fs chunk
// store), on an ephemeral port, its clock CLOCK_OFFSET_MS ahead of the wall clock (default 0). Prints one JSON line when listening ({ url, setupToken }), then
// runs until it is killed (that is the point) or its stdin closes.
import { loadConfig } from '../../src/config/config.js';
import { startServer } from '../../src/server.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: server.ts DATA_DIR [CLOCK_OFFSET_MS]');
const offset = Number(process.argv[3] ?? 0);
let setupToken: string | null = null;
const server = await startServer(loadConfig({ dataDir, port: 0, host: '127.0.0.1' }, {}), {
  logger: false,
  clock: { now: () => new Date(Date.now() + offset) },
  print: (line) => {
    const m = /setup token: (\S+)/.exec(line);
    if (m) setupToken = m[1];
  },
});
process.stdout.write(`${JSON.stringify({ url: server.url, setupToken })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  process.exit(0);
});
