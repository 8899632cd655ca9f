// The CLI's HttpClient (node:http) where it differs from fetch: an answer that arrives while a
// streamed body is still being sent, a server that never answers, an answer cut off mid-body, an
// abort, a redirect, and what a request carries (JSON, lengths, headers). The chunk protocol
// itself runs over both clients in publish.test.ts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { ApiError, NetworkError, ProtocolError, Transport, ROUTES } from '@backlot/api';
import { nodeHttpClient } from '../src/remote/node-http.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let url: string;
let handle: Handler = (_req, res) => res.end();

before(async () => {
  server = createServer((req, res) => handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((r) => {
  server.closeAllConnections();
  server.close(() => r());
}));

const transport = (timeoutMs?: number) => new Transport({ baseUrl: url, http: nodeHttpClient(), retry: false, timeoutMs, auth: { kind: 'bearer', token: 't0ken' } });
const readBody = async (req: IncomingMessage) => {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts);
};

describe('node:http client', () => {
  test('JSON requests carry their length, content type and credentials; the answer is parsed', async () => {
    let seen: { headers: IncomingMessage['headers']; body: string } | undefined;
    handle = async (req, res) => {
      seen = { headers: req.headers, body: (await readBody(req)).toString('utf8') };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ missing: ['é'] }));
    };
    const answer = await transport().json(ROUTES['content.checkChunks'], { projectId: 'p' }, { json: { ids: ['é'] } });
    assert.deepEqual(answer, { missing: ['é'] });
    assert.equal(seen!.body, '{"ids":["é"]}');
    assert.equal(seen!.headers['content-length'], String(Buffer.byteLength(seen!.body)));
    assert.equal(seen!.headers['content-type'], 'application/json');
    assert.equal(seen!.headers.authorization, 'Bearer t0ken');
  });

  test('a refusal answered while a streamed body is still being sent is the error, without waiting for the rest', async () => {
    handle = (_req, res) => res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ error: { code: 'payload_too_large', message: 'too big' } }));
    let produced = 0;
    let stopped = false;
    const body = (async function* () {
      try {
        for (; produced < 10_000; produced++) yield new Uint8Array(1024 * 1024); // 10 GB if sent whole
      } finally {
        stopped = true;
      }
    })();
    await assert.rejects(
      transport().json(ROUTES['content.uploadChunks'], { projectId: 'p' }, { body }),
      (e: unknown) => e instanceof ApiError && e.status === 413 && e.code === 'payload_too_large',
    );
    // The rest of the body is dropped: the source stops well short of its end.
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(stopped, 'the body source was closed');
    assert.ok(produced < 10_000, `parts produced: ${produced}`);
  });

  test('a streamed body arrives whole, in order', async () => {
    let got: Buffer | undefined;
    handle = async (req, res) => {
      got = await readBody(req);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"stored":3,"bytes":3}');
    };
    const body = (async function* () {
      for (let i = 0; i < 3; i++) yield Buffer.alloc(300_000, i);
    })();
    await transport().json(ROUTES['content.uploadChunks'], { projectId: 'p' }, { body });
    assert.equal(got!.length, 900_000);
    assert.equal(got![0], 0);
    assert.equal(got![899_999], 2);
  });

  test('no answer within the timeout is a NetworkError', async () => {
    handle = () => {}; // never answers
    const started = Date.now();
    await assert.rejects(transport(150).json(ROUTES['meta.health'], {}), NetworkError);
    assert.ok(Date.now() - started < 5000);
  });

  test('an answer cut off mid-body fails its stream with a NetworkError naming the call', async () => {
    handle = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000000' });
      res.write(Buffer.alloc(1000), () => req.socket.destroy());
    };
    const answer = await transport().stream(ROUTES['content.fetchChunks'], { projectId: 'p' }, { json: { ids: [] } });
    let received = 0;
    await assert.rejects(
      (async () => {
        for await (const part of answer.body) received += part.length;
      })(),
      (e: unknown) => e instanceof NetworkError && /chunks\/fetch/.test(e.message),
    );
    assert.equal(received, 1000);
  });

  test('an aborted request rejects with the abort reason', async () => {
    handle = () => {};
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(new Error('stopped by the user')), 50);
    await assert.rejects(transport().json(ROUTES['meta.health'], {}, { signal: ctrl.signal }), /stopped by the user/);
  });

  test('a redirect is not followed (the token stays here): the error names where the server moved', async () => {
    handle = (_req, res) => res.writeHead(301, { location: 'https://backlot.example.com/api/v1/health' }).end();
    await assert.rejects(transport().json(ROUTES['meta.health'], {}), (e: unknown) => e instanceof ProtocolError && /redirects to https:\/\/backlot\.example\.com/.test(e.message));
  });

  test('an address that does not speak HTTP is a NetworkError saying so', async () => {
    const other = createNetServer((socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.2\r\n')));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const t = new Transport({ baseUrl: `http://127.0.0.1:${(other.address() as AddressInfo).port}`, http: nodeHttpClient(), retry: false });
      await assert.rejects(t.json(ROUTES['meta.health'], {}), (e: unknown) => e instanceof NetworkError && /does not answer in HTTP/.test(e.message));
    } finally {
      other.close();
    }
  });

  test('a server that is not there is a NetworkError', async () => {
    const dead = new Transport({ baseUrl: 'http://127.0.0.1:1', http: nodeHttpClient(), retry: false });
    await assert.rejects(dead.json(ROUTES['meta.health'], {}), NetworkError);
  });
});
