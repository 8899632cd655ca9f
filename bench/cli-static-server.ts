// The plain-HTTP peer of bench/cli.ts when nginx cannot be used: files under ROOT served by Node's
// `http` with `fs.createReadStream`, in a child process (bench/child.ts prints {url} when ready).
//   node --import tsx bench/cli-static-server.ts ROOT
import { createReadStream, stat } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

const root = process.argv[2];
if (!root) throw new Error('usage: cli-static-server.ts ROOT');

const server = createServer((req, res) => {
  const rel = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]));
  if (rel.includes('..')) {
    res.writeHead(400).end();
    return;
  }
  const path = join(root, rel);
  stat(path, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': st.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(path, { highWaterMark: 1 << 20 }).pipe(res);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
