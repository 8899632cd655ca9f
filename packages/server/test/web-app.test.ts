// The web app served at `/` (http/web-app.ts): pages of the app get index.html with a strict
// CSP and no-cache, hashed assets a year's cache, missing files 404, and the API's answers, its
// JSON 404s and the share pages' own policies stay as they were.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createHarness, type Harness } from '@backlot/test-kit/harness';

const BIG = 'export const words = ' + JSON.stringify(Array.from({ length: 2000 }, (_, i) => `word${i}`)) + ';\n';

describe('web app at /', () => {
  const root = mkdtempSync(join(tmpdir(), 'backlot-webroot-'));
  let h: Harness;
  let plain: Harness;
  before(async () => {
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-Ab12.js"></script>');
    writeFileSync(join(root, 'assets', 'app-Ab12.js'), 'console.log(1)');
    writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    // A bigger file with the compressed copies the build writes beside it.
    writeFileSync(join(root, 'assets', 'big-Cd34.js'), BIG);
    writeFileSync(join(root, 'assets', 'big-Cd34.js.br'), brotliCompressSync(BIG));
    writeFileSync(join(root, 'assets', 'big-Cd34.js.gz'), gzipSync(BIG));
    h = await createHarness('sqlite', { webRoot: root });
    plain = await createHarness('sqlite');
  });
  after(async () => {
    await h.close();
    await plain.close();
    rmSync(root, { recursive: true, force: true });
  });
  const get = (url: string, harness = h) => harness.app.inject({ method: 'GET', url });

  it('answers app pages with index.html, a strict CSP and no-cache', async () => {
    for (const url of ['/', '/projects/abc/board', '/invite', '/setup?x=1']) {
      const r = await get(url);
      assert.equal(r.statusCode, 200, url);
      assert.match(r.body, /<div id="root">/);
      assert.equal(r.headers['cache-control'], 'no-cache');
      const csp = String(r.headers['content-security-policy']);
      for (const part of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"])
        assert.ok(csp.includes(part), `${url}: ${part} missing in ${csp}`);
      assert.ok(!csp.includes('unsafe'), csp);
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
  });

  it('sends the precompressed copy a browser accepts, the same bytes once decoded', async () => {
    const as = (encoding?: string) => h.app.inject({ method: 'GET', url: '/assets/big-Cd34.js', headers: encoding ? { 'accept-encoding': encoding } : {} });
    const br = await as('gzip, deflate, br');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.rawPayload).toString(), BIG);
    assert.match(String(br.headers['content-type']), /javascript/);
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(br.headers.vary, 'accept-encoding');
    const gz = await as('gzip');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.rawPayload).toString(), BIG);
    const plainBytes = await as();
    assert.equal(plainBytes.headers['content-encoding'], undefined);
    assert.equal(plainBytes.body, BIG);
    assert.ok(br.rawPayload.length < BIG.length / 3, `${br.rawPayload.length} of ${BIG.length}`);
  });

  it('sends a refused single sign-on back to the sign-in page, with the reason; API clients get JSON', async () => {
    const url = '/api/v1/auth/sso/complete?state=not-a-sign-in-in-progress';
    const page = await h.app.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(page.statusCode, 303);
    const to = new URL(String(page.headers.location), 'http://x');
    assert.equal(to.pathname, '/sign-in');
    assert.ok((to.searchParams.get('sso_error') ?? '').length > 0, String(page.headers.location));
    const api = await h.app.inject({ method: 'GET', url, headers: { accept: 'application/json' } });
    assert.ok(api.statusCode >= 400 && api.statusCode < 500, String(api.statusCode));
    assert.equal(api.json().error.code.length > 0, true);
    // Without a web app there is no page to go back to: JSON for everyone.
    const bare = await plain.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
    assert.ok(bare.statusCode >= 400 && bare.statusCode < 500);
  });

  it('caches hashed assets for good and other files briefly; missing files are 404', async () => {
    const js = await get('/assets/app-Ab12.js');
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await get('/favicon.svg')).headers['cache-control'], 'public, max-age=3600');
    assert.equal((await get('/assets/gone-Zz99.js')).statusCode, 404);
    // Nothing outside the web root, however the path is spelled.
    writeFileSync(`${root}-secret.txt`, 'secret');
    for (const url of [`/..%2F${basename(root)}-secret.txt`, `/assets/..%2F..%2F${basename(root)}-secret.txt`]) {
      const r = await get(url);
      assert.ok(r.statusCode === 404 || r.statusCode === 403, `${url}: ${r.statusCode}`);
      assert.ok(!r.body.includes('secret'), url);
    }
    rmSync(`${root}-secret.txt`);
  });

  it('never answers an API path with the app', async () => {
    for (const url of ['/api/v1/no-such-route', '/api/v1', '/api/v1/projects/x/nothing']) {
      const r = await get(url);
      assert.equal(r.statusCode, 404, url);
      assert.equal(JSON.parse(r.body).error.code, 'not_found', url);
    }
    const health = await get('/api/v1/health');
    assert.deepEqual(JSON.parse(health.body), { ok: true });
  });

  it('keeps the share pages\' own policy, and serves no app without a web root', async () => {
    const share = await get('/s/not-a-real-token-aaaaaaaaaaaaaaaaaaaaaa');
    assert.match(String(share.headers['content-security-policy']), /default-src 'none'/);
    const r = await get('/', plain);
    assert.equal(r.statusCode, 404);
    assert.equal(JSON.parse(r.body).error.code, 'not_found');
  });
});
