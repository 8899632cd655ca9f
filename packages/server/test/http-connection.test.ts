// The HTTP layer as a client and an operator meet it, on a real listening server:
// - an answer sent before the body was read (a refused upload) leaves a keep-alive connection
//   usable for the next request, or closes it when the rest of the body is large;
// - every request is logged once (structured), every 5xx with its stack and the request id that
//   the client received in `X-Request-Id` and in the error body.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { startServer, type StartedServer } from '../src/server.js';
import { prepareSetup } from '../src/admin/accounts.js';
import { createHarness } from '@backlot/test-kit/harness';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The local port of the socket: the same port means the same connection. */
  port: number;
}

/** One request over `agent` (keep-alive, one socket). */
function call(agent: http.Agent, url: string, method: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(parts).toString(), port: req.socket!.localPort! }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** A frame header declaring `length` bytes, followed by `length` bytes. */
function frameOf(length: number): Buffer {
  const f = Buffer.alloc(36 + length);
  f.writeUInt32BE(length, 32);
  return f;
}

describe('keep-alive connections after early refusals', () => {
  let dataDir: string;
  let server: StartedServer;
  let agent: http.Agent;
  let token: string;
  let projectId: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'backlot-conn-'));
    server = await startServer(loadConfig({ dataDir, port: 0, host: '127.0.0.1' }, {}), { print: () => {}, logger: false });
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const json = (path: string, body: unknown, auth?: string) =>
      call(agent, `${server.url}/api/v1${path}`, 'POST', Buffer.from(JSON.stringify(body)), { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) });
    const setup = await json('/setup', { token: await prepareSetup(server.deps), email: 'conn@studio.test', name: 'Conn', password: 'correct horse battery' });
    token = JSON.parse(setup.text).token;
    const studio = JSON.parse((await json('/studios', { name: 'S' }, token)).text);
    projectId = JSON.parse((await json(`/studios/${studio.id}/projects`, { name: 'P' }, token)).text).id;
  });
  after(async () => {
    agent.destroy();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = (body: Buffer, auth = true) =>
    call(agent, `${server.url}/api/v1/projects/${projectId}/chunks`, 'POST', body, { 'content-type': 'application/octet-stream', ...(auth ? { authorization: `Bearer ${token}` } : {}) });
  const health = () => call(agent, `${server.url}/api/v1/health`, 'GET');

  test('a 3 MiB frame refused with 413 before its body is read: the next request on the connection works', async () => {
    const before = await health();
    const refused = await upload(frameOf(3 * 1024 * 1024));
    assert.equal(refused.status, 413);
    assert.equal(JSON.parse(refused.text).error.code, 'payload_too_large');
    const next = await health();
    assert.equal(next.status, 200);
    assert.equal(next.port, before.port, 'the same kept-alive connection');
    // An unauthenticated upload is refused before any of its body is read, too.
    assert.equal((await upload(frameOf(1024 * 1024), false)).status, 401);
    assert.equal((await health()).status, 200);
  });

  test('a large unread rest of a body closes the connection after the answer, and the next request gets a fresh one', async () => {
    const before = await health();
    const refused = await upload(Buffer.alloc(24 * 1024 * 1024)); // a first frame of length 0 is malformed
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.connection, 'close');
    const next = await health();
    assert.equal(next.status, 200);
    assert.notEqual(next.port, before.port, 'a new connection');
  });
});

describe('request logging', () => {
  test('one line per request; a 5xx with its stack and the id the client was given', async () => {
    const lines: any[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
        done();
      },
    });
    const h = await createHarness('sqlite', { logTo: sink });
    try {
      // A route with a bug, added for this test before the app starts answering.
      h.app.get('/api/v1/test-only/broken', async () => {
        throw new TypeError('a bug deep down');
      });
      const ok = await h.request('GET', '/health');
      const okId = ok.headers['x-request-id'];
      assert.match(String(okId), /^[0-9a-f-]{36}$/);
      const failed = await h.request('GET', '/test-only/broken');
      assert.equal(failed.status, 500);
      const id = failed.headers['x-request-id'];
      assert.equal(failed.body.error.code, 'internal');
      assert.equal(failed.body.error.details.requestId, id);
      assert.ok(!JSON.stringify(failed.body).includes('a bug deep down'), 'the client learns nothing of the bug itself');

      const okLine = lines.find((l) => l.reqId === okId && l.msg === 'request');
      assert.ok(okLine, JSON.stringify(lines));
      assert.equal(okLine.level, 30);
      assert.deepEqual([okLine.method, okLine.url, okLine.status], ['GET', '/api/v1/health', 200]);
      assert.equal(lines.filter((l) => l.reqId === okId).length, 1, 'one line per request');
      const errLine = lines.find((l) => l.reqId === id && l.err);
      assert.ok(errLine, 'the 5xx is logged with its error');
      assert.equal(errLine.level, 50);
      assert.match(errLine.err.stack, /TypeError: a bug deep down\n\s+at /);
      assert.ok(lines.some((l) => l.reqId === id && l.msg === 'request failed' && l.status === 500));
      // Share tokens never reach the log.
      await h.app.inject({ method: 'GET', url: '/s/abcdefghijklmnopqrstuvwxyz0123456789' });
      await h.app.inject({ method: 'GET', url: '/s/abcdefghijklmnopqrstuvwxyz0123456789/download' });
      assert.ok(!JSON.stringify(lines).includes('abcdefghijklmnopqrstuvwxyz0123456789'));
    } finally {
      await h.close();
    }
  });

  test('the level setting: error logs 5xx only', async () => {
    const lines: any[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l))); done(); } });
    const h = await createHarness('sqlite', { logTo: sink, logLevel: 'error' });
    try {
      await h.request('GET', '/health');
      assert.deepEqual(lines, []);
    } finally {
      await h.close();
    }
    assert.throws(() => loadConfig({ logLevel: 'loud' as never }, {}), /invalid log level/);
    assert.throws(() => loadConfig({}, { BACKLOT_LOG_FORMAT: 'xml' }), /invalid log format/);
  });
});
