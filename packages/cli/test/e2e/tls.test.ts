// The CLI against a server behind a TLS proxy, as studios deploy it (`backlot serve` speaks plain
// HTTP; a reverse proxy terminates TLS): sign-in, clone, checkpoint + sync and a second clone over
// https, live events over wss, trusting the proxy's certificate through NODE_EXTRA_CA_CERTS;
// without that trust, a clear refusal. The certificate in fixtures/ is a self-signed test one for 127.0.0.1 (valid
// until 2126), not a secret.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliWorld, startFollowed } from './world.js';

const CERT = fileURLToPath(new URL('./fixtures/tls-proxy.crt', import.meta.url));
const KEY = fileURLToPath(new URL('./fixtures/tls-proxy.key', import.meta.url));

let w: CliWorld;
let proxy: Server;
let httpsUrl: string;

before(async () => {
  w = await CliWorld.start();
  const upstream = new URL(w.url);
  // A minimal reverse proxy: each request forwarded as it is, the answer streamed back.
  proxy = createServer({ key: readFileSync(KEY), cert: readFileSync(CERT) }, (req, res) => {
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  // WebSocket upgrades (backlot watch): the request head replayed upstream, then bytes both ways.
  proxy.on('upgrade', (req, socket, head) => {
    const up = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  httpsUrl = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

after(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await w?.stop();
});

test('over https: sign in, clone, checkpoint and sync, and a second clone gets the same bytes', async () => {
  const owner = w.users.owner;
  const trust = { env: { NODE_EXTRA_CA_CERTS: CERT } };
  await w.project('Over TLS');
  const login = await owner.run(['login', httpsUrl, '--email', owner.email, '--password-stdin'], { ...trust, input: 'correct horse battery staple\n' });
  assert.equal(login.code, 0, login.stderr);
  assert.match((await owner.run(['projects'], trust)).stdout, /Over TLS/);

  const first = join(await w.folder('tls'), 'work');
  assert.equal((await owner.run(['clone', 'Over TLS', first], trust)).code, 0);
  const plate = randomBytes(3 * 1024 * 1024); // several chunks, none compressible
  await writeFile(join(first, 'plate.exr'), plate);
  assert.equal((await owner.run(['add', 'plate.exr'], { ...trust, cwd: first })).code, 0);
  const sent = await owner.run(['checkpoint', 'plate.exr', '-m', 'over tls', '--sync'], { ...trust, cwd: first });
  assert.equal(sent.code, 0, sent.stderr);

  const second = join(await w.folder('tls'), 'again');
  const cloned = await owner.run(['clone', 'Over TLS', second], trust);
  assert.equal(cloned.code, 0, cloned.stderr);
  assert.ok((await readFile(join(second, 'plate.exr'))).equals(plate));
});

test('over wss: watch prints changes as they happen', async () => {
  const owner = w.users.owner;
  const [project] = (await owner.api.projects.list(w.studioId)).projects.filter((p) => p.name === 'Over TLS');
  const { items: [plate] } = await owner.api.browse.assets(project.id, { text: 'plate' });
  const shot = await owner.api.production.createAsset(project.id, { collectionId: plate.collectionId, name: 'shot010', extension: 'blend', kind: 'task' });
  const watch = startFollowed(['watch', '--project', project.id], { BACKLOT_CONFIG_DIR: owner.configDir, NODE_EXTRA_CA_CERTS: CERT });
  try {
    await watch.seen((o) => /Watching \d+ assets? /.test(o.stderr), 'start message');
    const { statuses } = await owner.api.browse.statuses(project.id);
    await owner.api.production.setStatus(project.id, shot.id, { statusId: statuses.find((st) => st.key === 'wip')!.id });
    await watch.seen((o) => /shot010\.blend now WIP/.test(o.stdout), 'line about shot010.blend');
  } finally {
    await watch.stop();
  }
});

test('a certificate the machine does not trust is refused with a hint, and nothing is signed in', async () => {
  const owner = w.users.owner;
  const env = { NODE_EXTRA_CA_CERTS: '', BACKLOT_CONFIG_DIR: join(w.dir, 'config', 'untrusting') };
  const login = await owner.run(['login', httpsUrl, '--email', owner.email, '--password-stdin'], { env, input: 'correct horse battery staple\n' });
  assert.equal(login.code, 5, login.stderr);
  assert.match(login.stderr, /certificate/);
  assert.match(login.stderr, /NODE_EXTRA_CA_CERTS/);
  assert.equal((await owner.run(['whoami'], { env })).code, 1, 'not signed in');
});
