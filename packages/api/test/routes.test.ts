// @backlot/api against the server: the route table matches the server's OpenAPI document both
// ways; a realistic flow over real HTTP (setup, login, studio, project, collection, asset, push,
// pull, board, chunks, checkpoint, download, live events, a browser-style cookie session);
// refusals surface as ApiError with the server's code, message and details; retries happen only
// where a call is safe to repeat, honouring the server's wait; cookie mode echoes the CSRF token.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeChunk } from '@backlot/storage';
import { loadConfig, startServer, type StartedServer } from '@backlot/server';
import { prepareSetup } from '@backlot/server/testing';
import {
  ApiError, BacklotApi, decodeFrames, encodeFrames, LIVE_EVENTS, NetworkError, readAll, ROUTES, type LiveMessage, type LiveSocket, type SocketFactory,
} from '../src/index.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const PASSWORD = 'a long enough password';

// ---- a real server --------------------------------------------------------------------------

let server: StartedServer;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'backlot-api-'));
  // An empty environment: nothing of the machine's BACKLOT_* settings leaks in.
  server = await startServer(loadConfig({ dataDir, port: 0, host: '127.0.0.1' }, {}), { logger: false, print: () => {} });
});

after(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

// ---- (a) the route table and the OpenAPI document -----------------------------------------------

describe('route table', () => {
  test('every documented operation is in ROUTES, and every ROUTES entry is documented', async () => {
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths))
      for (const method of Object.keys(item))
        if (['get', 'head', 'post', 'put', 'patch', 'delete'].includes(method)) documented.add(`${method.toUpperCase()} ${path}`);
    const table = Object.values(ROUTES).map((r) => `${r.method} ${r.path}`);
    assert.equal(new Set(table).size, table.length, 'no route is listed twice');
    const inTable = new Set(table);
    assert.deepEqual([...documented].filter((op) => !inTable.has(op)).sort(), [], 'documented but not in ROUTES');
    assert.deepEqual(table.filter((op) => !documented.has(op)).sort(), [], 'in ROUTES but not documented');
    assert.equal(inTable.size, documented.size);
    assert.ok(documented.size >= 100, `the document lists ${documented.size} operations`);
    // The live events WebSocket is the one route outside the document (and outside ROUTES).
    assert.ok(!documented.has(`${LIVE_EVENTS.method} ${LIVE_EVENTS.path}`));
  });

  test('every ROUTES entry is a function of BacklotApi', () => {
    const api = new BacklotApi({ baseUrl: 'http://127.0.0.1:1' }) as unknown as Record<string, Record<string, unknown>>;
    for (const name of Object.keys(ROUTES)) {
      const [area, fn] = name.split('.');
      assert.equal(typeof api[area]?.[fn], 'function', `api.${name}`);
    }
  });

  test('path parameters are encoded as one segment each', () => {
    const api = new BacklotApi({ baseUrl: 'http://h/' });
    assert.equal(api.transport.url(ROUTES['browse.asset'], { projectId: 'a/b', assetId: '?#' }), 'http://h/api/v1/projects/a%2Fb/assets/%3F%23');
    assert.equal(api.transport.url(ROUTES['browse.board'], { projectId: 'p' }, { status: ['x', 'none'], limit: 5, text: undefined }),
      'http://h/api/v1/projects/p/board?status=x%2Cnone&limit=5');
  });
});

// ---- (b) a realistic flow, (c) refusals ------------------------------------------------------------

describe('over real HTTP', () => {
  const email = 'lead@studio.test';
  let api: BacklotApi;
  let userId: string;
  let studioId: string;
  let projectId: string;

  test('first-run setup, bearer login, me', async () => {
    const token = await prepareSetup(server.deps);
    assert.ok(token);
    const first = new BacklotApi({ baseUrl: server.url });
    const setup = await first.auth.setup({ token, email, name: 'Lead', password: PASSWORD });
    assert.match(setup.userId, /^[0-9a-f-]{36}$/);
    assert.equal(typeof setup.token, 'string');
    assert.equal(first.session.kind, 'bearer');

    api = new BacklotApi({ baseUrl: `${server.url}/api/v1` });
    const login = await api.auth.login({ email, password: PASSWORD });
    assert.equal(login.userId, setup.userId);
    assert.ok(Date.parse(login.expiresAt) > Date.now());
    assert.equal(api.session.token, login.token);
    userId = login.userId;

    const me = await api.auth.me();
    assert.deepEqual(me, { id: userId, email, name: 'Lead', isInstanceAdmin: true });
    const { sessions } = await api.auth.sessions();
    assert.equal(sessions.filter((s) => s.current).length, 1);
    assert.equal((await api.meta.health()).ok, true);
  });

  test('studio, project, collection, asset', async () => {
    const studio = await api.studios.create({ name: 'Blue Door' });
    assert.equal(studio.myRole, 'owner');
    studioId = studio.id;
    assert.deepEqual((await api.studios.list()).studios.map((s) => s.id), [studioId]);

    const project = await api.projects.create(studioId, { name: 'Short Film' });
    assert.equal(project.studioId, studioId);
    assert.equal(project.status, 'active');
    assert.equal(project.preset, 'default');
    assert.ok(project.myRoleId);
    projectId = project.id;
    const detail = await api.projects.get(projectId);
    assert.ok(detail.myPermissions.includes('checkpoint.create'));

    const characters = await api.production.createCollection(projectId, { parentId: null, name: 'Characters', collectionType: 'Character' });
    assert.equal(characters.name, 'Characters');
    assert.equal(characters.type, 'Character');
    assert.equal(characters.createdBy, userId);
    const hero = await api.production.createAsset(projectId, { collectionId: characters.id, name: 'hero', extension: 'blend', kind: 'task', assetType: 'Model' });
    assert.equal(hero.collectionId, characters.id);
    assert.equal(hero.kind, 'task');
    assert.ok(hero.statusId, 'a new task starts in a status');
    const listing = await api.browse.collections(projectId);
    assert.deepEqual(listing.collections.map((c) => c.name), ['Characters']);
  });

  test('push ops and pull changes', async () => {
    const { collections: [characters] } = await api.browse.collections(projectId);
    const first = await api.sync.pull(projectId);
    assert.equal(first.reset, true);
    assert.ok(first.reset && first.snapshot.assets.some((a) => a.name === 'hero'));

    const { items: [hero] } = await api.browse.assets(projectId, { text: 'hero' });
    const villainId = randomUUID();
    const ops = [
      { opId: 'api-test-1', op: { type: 'asset.create' as const, id: villainId, collectionId: characters.id, name: 'villain', extension: 'blend', kind: 'task' as const } },
      { opId: 'api-test-2', op: { type: 'task.assign' as const, assetId: hero.id, assigneeId: userId } },
      { opId: 'api-test-3', op: { type: 'task.assign' as const, assetId: randomUUID(), assigneeId: userId } },
    ];
    const pushed = await api.sync.push(projectId, ops);
    assert.deepEqual(pushed.results.map((r) => [r.opId, r.status]), [['api-test-1', 'applied'], ['api-test-2', 'applied'], ['api-test-3', 'rejected']]);
    const [created, assigned, refused] = pushed.results;
    assert.ok(created.status === 'applied' && assigned.status === 'applied');
    assert.equal((created.result as { id: string }).id, villainId);
    assert.ok(assigned.revision > created.revision);
    assert.ok(refused.status === 'rejected' && refused.code === 'not_found');
    // The same batch again replays the recorded answers (op ids make pushes retry-safe).
    const again = await api.sync.push(projectId, ops.slice(0, 2));
    assert.deepEqual(again.results, pushed.results.slice(0, 2));

    const next = await api.sync.pull(projectId, { since: first.cursor });
    assert.equal(next.reset, false);
    assert.ok(!next.reset);
    assert.equal(next.hasMore, false);
    assert.ok(next.revision > first.revision);
    const upserts = next.changes.filter((c) => c.change === 'upsert').map((c) => `${c.entity}:${c.id}`);
    assert.ok(upserts.includes(`asset:${villainId}`));
    assert.ok(upserts.includes(`asset:${hero.id}`));
    const quiet = await api.sync.pull(projectId, { since: next.cursor });
    assert.ok(!quiet.reset && quiet.changes.length === 0);
  });

  test('board', async () => {
    const board = await api.browse.board(projectId);
    assert.equal(board.view, 'default');
    assert.equal(board.sort, 'updated');
    const cards = board.columns.flatMap((c) => c.cards);
    assert.deepEqual(cards.map((c) => c.name).sort(), ['hero', 'villain']);
    const hero = cards.find((c) => c.name === 'hero')!;
    assert.equal(hero.assigneeName, 'Lead');
    const column = board.columns.find((c) => c.cards.includes(hero))!;
    assert.equal(column.status?.id, hero.statusId);
    assert.equal(column.count, column.cards.length);
    const mine = await api.browse.board(projectId, { view: 'my' });
    assert.deepEqual(mine.columns.flatMap((c) => c.cards).map((c) => c.name), ['hero']);
  });

  test('chunks, checkpoint, manifest, download, fetch', async () => {
    const raw = new TextEncoder().encode('the hero model, version one\n'.repeat(500));
    const id = sha256(raw);
    assert.deepEqual(await api.content.checkChunks(projectId, [id]), { missing: [id] });
    const stored = await api.content.uploadChunks(projectId, encodeFrames([{ id, encoded: encodeChunk(raw) }]));
    assert.equal(stored.stored, 1);
    assert.deepEqual(await api.content.checkChunks(projectId, [id]), { missing: [] });

    const { items: [hero] } = await api.browse.assets(projectId, { text: 'hero' });
    const checkpoint = await api.production.createCheckpoint(projectId, hero.id, { fileHash: id, size: raw.length, chunks: [id], comment: 'first pass' });
    assert.equal(checkpoint.number, 1);
    assert.equal(checkpoint.authorId, userId);
    const manifest = await api.content.manifest(projectId, checkpoint.id);
    assert.deepEqual(manifest.chunks, [{ id, size: raw.length }]);
    assert.equal(manifest.fileName, 'hero.blend');

    const file = await api.content.download(projectId, checkpoint.id);
    assert.equal(file.fileName, 'hero.blend');
    assert.equal(file.fileHash, id);
    assert.equal(file.size, raw.length);
    assert.deepEqual(await readAll(file.body), raw);

    const fetched = await api.content.fetchChunks(projectId, [id]);
    const frames = [];
    for await (const f of decodeFrames(fetched.body)) frames.push(f);
    assert.deepEqual(frames.map((f) => f.id), [id]);

    const trail = await api.browse.trail(projectId, hero.id);
    assert.ok(trail.entries.some((e) => e.type === 'checkpoint' && e.checkpoint.comment === 'first pass'));
  });

  test('live events: the first message is the pull from the cursor', async () => {
    const WebSocket = createRequire(import.meta.url)('ws') as new (url: string, opts: { headers: Record<string, string> }) => LiveSocket;
    const connect: SocketFactory = (url, headers) => new WebSocket(url, { headers });
    const live = api.events.open(projectId, { connect });
    let timer: NodeJS.Timeout | undefined;
    try {
      const first = await Promise.race([
        new Promise<LiveMessage>((resolve) => live.onMessage((m) => m.type === 'changes' && resolve(m))),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no live event within 10 s')), 10_000))),
      ]);
      assert.ok(first.type === 'changes' && first.reset && first.snapshot.assets.length === 2);
    } finally {
      clearTimeout(timer);
      live.close();
    }
  });

  test('a refusal is an ApiError with the server\'s code, message and details', async () => {
    const taken = (await api.projects.list(studioId)).projects[0];
    const err = await api.projects.create(studioId, { name: taken.name }).then(() => assert.fail('created twice'), (e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 409);
    assert.equal(err.code, 'conflict');
    assert.equal(err.message, 'a project with this name already exists in the studio');
    assert.deepEqual(err.details, { existingId: taken.id });
    assert.deepEqual(err.body, { error: { code: 'conflict', message: err.message, details: { existingId: taken.id } } });
    assert.equal(err.method, 'POST');
    assert.equal(err.path, ROUTES['projects.create'].path);

    const invalid = await api.production.createCollection(projectId, { parentId: null, name: '' }).catch((e: unknown) => e);
    assert.ok(invalid instanceof ApiError && invalid.code === 'validation_failed' && Array.isArray(invalid.details.issues));
    const missing = await api.browse.asset(projectId, randomUUID()).catch((e: unknown) => e);
    assert.ok(missing instanceof ApiError && missing.status === 404 && missing.code === 'not_found');
    const anonymous = await new BacklotApi({ baseUrl: server.url }).auth.me().catch((e: unknown) => e);
    assert.ok(anonymous instanceof ApiError && anonymous.status === 401 && anonymous.code === 'unauthenticated');
  });

  test('a browser-style cookie session against the server: CSRF token echoed on changes', async () => {
    // A cookie jar over fetch, as a browser keeps one.
    const jar = new Map<string, string>();
    const browserFetch: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
      const res = await fetch(input, { ...init, headers });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const [name, value] = pair.split('=');
        if (value) jar.set(name, value);
        else jar.delete(name);
      }
      return res;
    };
    const browser = new BacklotApi({ baseUrl: server.url, fetch: browserFetch });
    const login = await browser.auth.login({ email, password: PASSWORD, session: 'cookie' });
    assert.equal(typeof login.csrfToken, 'string');
    assert.equal(browser.session.kind, 'cookie');
    assert.ok(jar.has('backlot_session') && jar.get('backlot_csrf') === login.csrfToken);
    assert.equal((await browser.auth.me()).id, userId);
    const renamed = await browser.projects.rename(projectId, 'Short Film (cookie)');
    assert.equal(renamed.name, 'Short Film (cookie)');

    // Without the token, the same change is refused.
    browser.session.useCookie('not-the-token-at-all-000000');
    const refused = await browser.projects.rename(projectId, 'Short Film').catch((e: unknown) => e);
    assert.ok(refused instanceof ApiError && refused.status === 403 && refused.details.header === 'x-csrf-token');
    browser.session.useCookie(login.csrfToken);
    await browser.auth.logout();
    assert.ok(!jar.has('backlot_session'));
  });
});

// ---- (d) retries, (e) cookie mode, with a fake fetch ---------------------------------------------

interface Sent {
  method: string;
  url: string;
  headers: Headers;
  credentials?: RequestCredentials;
  body?: unknown;
}

/** A fetch answering from a script, one answer per request, recording what was sent. */
function scripted(...answers: (Response | Error)[]) {
  const sent: Sent[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    sent.push({ method: init?.method ?? 'GET', url: String(input), headers: new Headers(init?.headers), credentials: init?.credentials, body: init?.body });
    const next = answers.shift();
    if (!next) throw new Error('no more answers scripted');
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { sent, fetchImpl };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const failure = (status: number, code: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  json(status, { error: { code, message: `${code} for a test`, details } }, headers);
const ME = { id: randomUUID(), email: 'a@b.test', name: 'A', isInstanceAdmin: false };
const PROJECT = randomUUID();

describe('retries', () => {
  const waits: number[] = [];
  const options = (fetchImpl: typeof fetch) => ({
    baseUrl: 'http://backlot.test', auth: { kind: 'bearer' as const, token: 'x'.repeat(43) }, fetch: fetchImpl,
    retry: { sleep: async (ms: number) => void waits.push(ms) },
  });

  test('a GET answered 503 is retried, and succeeds', async () => {
    waits.length = 0;
    const { sent, fetchImpl } = scripted(failure(503, 'internal'), json(200, ME));
    const api = new BacklotApi(options(fetchImpl));
    assert.deepEqual(await api.auth.me(), ME);
    assert.equal(sent.length, 2);
    assert.equal(waits.length, 1);
  });

  test('transport failures and 502/504 are retried; the last error surfaces', async () => {
    const { sent, fetchImpl } = scripted(new TypeError('fetch failed'), failure(502, 'http_502'), failure(504, 'http_504'), failure(504, 'http_504'));
    const api = new BacklotApi(options(fetchImpl));
    const err = await api.browse.statuses(PROJECT).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError && err.status === 504);
    assert.equal(sent.length, 4, 'four attempts by default');
    const network = scripted(new TypeError('fetch failed'));
    const once = await new BacklotApi({ ...options(network.fetchImpl), retry: false }).auth.me().catch((e: unknown) => e);
    assert.ok(once instanceof NetworkError);
  });

  test('the server\'s wait is honoured: details.retryAfterSeconds, then Retry-After', async () => {
    waits.length = 0;
    const { fetchImpl } = scripted(failure(429, 'rate_limited', { retryAfterSeconds: 2 }), failure(503, 'internal', {}, { 'retry-after': '1' }), json(200, ME));
    await new BacklotApi(options(fetchImpl)).auth.me();
    assert.deepEqual(waits, [2000, 1000]);
    // Asked to wait longer than the limit, the call fails at once instead.
    const long = scripted(failure(429, 'rate_limited', { retryAfterSeconds: 3600 }));
    const err = await new BacklotApi(options(long.fetchImpl)).auth.me().catch((e: unknown) => e);
    assert.ok(err instanceof ApiError && err.code === 'rate_limited' && err.retryAfterMs === 3_600_000);
    assert.equal(long.sent.length, 1);
  });

  test('a POST that is not idempotent is not retried', async () => {
    const { sent, fetchImpl } = scripted(failure(503, 'internal'), json(201, {}));
    const err = await new BacklotApi(options(fetchImpl)).studios.create({ name: 'Once' }).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError && err.status === 503);
    assert.equal(sent.length, 1);
    const network = scripted(new TypeError('socket hang up'));
    const lost = await new BacklotApi(options(network.fetchImpl)).production.createCollection(PROJECT, { parentId: null, name: 'x' }).catch((e: unknown) => e);
    assert.ok(lost instanceof NetworkError);
    assert.equal(network.sent.length, 1);
  });

  test('the POSTs that are idempotent by design are retried (ops, chunk check, chunk fetch)', async () => {
    const push = scripted(failure(503, 'internal'), json(200, { results: [] }));
    await new BacklotApi(options(push.fetchImpl)).sync.push(PROJECT, [{ opId: 'o1', op: { type: 'trash.restore', id: randomUUID() } }]);
    assert.equal(push.sent.length, 2);
    assert.equal(push.sent[0].body, push.sent[1].body, 'the same batch, op ids included');
    const check = scripted(new TypeError('fetch failed'), json(200, { missing: [] }));
    await new BacklotApi(options(check.fetchImpl)).content.checkChunks(PROJECT, []);
    assert.equal(check.sent.length, 2);
    const fetchChunks = scripted(failure(502, 'http_502'), new Response(new Uint8Array(0), { status: 200 }));
    await new BacklotApi(options(fetchChunks.fetchImpl)).content.fetchChunks(PROJECT, []);
    assert.equal(fetchChunks.sent.length, 2);
  });
});

describe('cookie session and CSRF', () => {
  test('the CSRF token from a cookie login goes on unsafe methods only, with credentials included', async () => {
    const csrfToken = 'csrf-token-from-the-login-answer';
    const { sent, fetchImpl } = scripted(
      json(200, { userId: ME.id, csrfToken, expiresAt: '2099-01-01T00:00:00.000Z' }),
      json(200, ME),
      json(201, { id: randomUUID(), name: 'S', allowedEmailDomains: [], createdAt: '2026-01-01T00:00:00.000Z', myRole: 'owner' }),
      new Response(null, { status: 204 }),
      json(200, { ok: true }),
    );
    const api = new BacklotApi({ baseUrl: 'http://backlot.test', fetch: fetchImpl });
    await api.auth.login({ email: ME.email, password: PASSWORD, session: 'cookie' });
    assert.equal(api.session.kind, 'cookie');
    await api.auth.me();
    await api.studios.create({ name: 'S' });
    await api.studios.delete(randomUUID());
    await api.meta.health();
    assert.deepEqual(sent.map((s) => [s.method, s.headers.get('x-csrf-token')]), [
      ['POST', null], // signing in: no session yet
      ['GET', null],
      ['POST', csrfToken],
      ['DELETE', csrfToken],
      ['GET', null],
    ]);
    assert.deepEqual(sent.slice(1).map((s) => s.credentials), ['include', 'include', 'include', 'include']);
    assert.ok(sent.every((s) => !s.headers.has('authorization')));
  });

  test('without a remembered token, the backlot_csrf cookie of the page is echoed', async () => {
    const g = globalThis as { document?: unknown };
    g.document = { cookie: 'theme=dark; backlot_csrf=from-the-cookie' };
    try {
      const { sent, fetchImpl } = scripted(json(200, { id: PROJECT }));
      const api = new BacklotApi({ baseUrl: '', auth: { kind: 'cookie' }, fetch: fetchImpl });
      await api.projects.archive(PROJECT);
      assert.equal(sent[0].url, `/api/v1/projects/${PROJECT}/archive`, 'same-origin, relative URL');
      assert.equal(sent[0].headers.get('x-csrf-token'), 'from-the-cookie');
      assert.equal(sent[0].credentials, 'include');
    } finally {
      delete g.document;
    }
  });
});
