// Child process for the API benchmark's peer: a minimal Fastify server on the same machine that
// answers the same routes with the same JSON bodies Backlot answered, without sessions, policy or
// database — the ceiling for a Fastify JSON API on this box. Bodies come from a JSON file mapping
// route pattern → body. Prints `{"url": …}` on stdout once listening; ends on SIGTERM/SIGINT or
// when stdin closes.
//
//   node --import tsx bench/ceiling-server.ts BODIES.json
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const bodiesFile = process.argv[2];
if (!bodiesFile) throw new Error('usage: ceiling-server.ts BODIES.json');
const bodies = JSON.parse(readFileSync(bodiesFile, 'utf8')) as Record<string, unknown>;

const app = Fastify({ logger: false });
for (const [route, body] of Object.entries(bodies)) {
  // Returned as an object so it is serialized per request, as Backlot's handlers' results are.
  app.get(route, async () => body);
}
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;

async function shutdown() {
  await app.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`);
process.stdin.on('end', () => void shutdown());
process.stdin.resume();
