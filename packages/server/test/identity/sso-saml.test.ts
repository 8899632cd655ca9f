// Single sign-on with SAML 2.0 against a real IdP (samlify with its own key, on 127.0.0.1),
// through the real bindings: AuthnRequest by HTTP-Redirect, the signed response by an
// auto-submitted HTTP-POST form, in a browser that honours SameSite. Shows the SP metadata,
// configures from IdP metadata, signs in with group mappings, and refuses (401, no account, no
// session, audited): an unsigned response, a signed message around an unsigned assertion, a
// wrong signature, the wrong audience, an expired assertion, another recipient, a replay, and the
// IdP of another studio.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHarness, dbKinds, type Caller, type Harness } from '@backlot/test-kit/harness';
import { must, refused } from '@backlot/test-kit/production-world';
import { Browser, makeKeyPair, startSamlIdp, type SamlIdp, type SamlUser } from './idps.js';

const HOST = 'backlot.test';
const BASE = `http://${HOST}`;

for (const kind of dbKinds()) {
  describe(`SSO with SAML 2.0 (${kind})`, () => {
    let h: Harness;
    let idpA: SamlIdp, idpB: SamlIdp;
    let owner: Caller;
    let studioA: string, studioB: string, showA: string, artist: string;
    const carol: SamlUser = { nameId: 'carol@studio-a.test', email: 'carol@studio-a.test', name: 'Carol', groups: ['artists', 'everyone'] };
    const dave: SamlUser = { nameId: 'dave@studio-a.test', email: 'dave@studio-a.test', name: 'Dave', groups: [] };

    const acs = (studioId: string) => `${BASE}/api/v1/auth/sso/${studioId}/saml/acs`;
    const start = (studioId: string) => `${BASE}/api/v1/auth/sso/${studioId}/start?protocol=saml`;
    const counts = async () => ({
      users: (await h.deps.db.selectFrom('users').select('id').execute()).length,
      sessions: (await h.deps.db.selectFrom('sessions').select('id').execute()).length,
      seats: (await h.deps.db.selectFrom('studio_members').select('user_id').execute()).length,
    });
    const signIn = async () => {
      const b = new Browser(h.app, HOST);
      const page = await b.go(start(studioA));
      return { b, page };
    };
    /** A sign-in the IdP answers badly: refused with 401 and the reason, nothing made. */
    const refusedSignIn = async (reason?: string) => {
      const before = await counts();
      const { b, page } = await signIn();
      assert.equal(page.status, 401, page.body);
      const body = JSON.parse(page.body);
      if (reason) assert.equal(body.error.details.reason, reason, page.body);
      assert.ok(!b.cookies(HOST).has('backlot_session'));
      assert.deepEqual(await counts(), before, 'no account, seat or session');
      return body.error;
    };

    before(async () => {
      h = await createHarness(kind, { publicUrl: BASE });
      owner = await h.setupAdmin();
      studioA = must(await h.as(owner).post('/studios', { name: 'Studio A', allowedEmailDomains: ['studio-a.test'] }), 201).id;
      studioB = must(await h.as(owner).post('/studios', { name: 'Studio B' }), 201).id;
      showA = must(await h.as(owner).post(`/studios/${studioA}/projects`, { name: 'Show A' }), 201).id;
      artist = (must(await h.as(owner).get(`/projects/${showA}/roles`), 200).roles as any[]).find((r) => r.key === 'artist').id;
      idpA = await startSamlIdp();
      idpB = await startSamlIdp();
    });
    after(async () => {
      await h.close();
      await idpA.close();
      await idpB.close();
    });

    test('the SP metadata shows the entity id and the ACS URL, and asks for signed assertions', async () => {
      const r = await h.request('GET', `/auth/sso/${studioA}/saml/metadata`);
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /xml/);
      const xml = r.raw.body;
      assert.ok(xml.includes(`entityID="${BASE}/api/v1/auth/sso/${studioA}/saml/metadata"`), xml);
      assert.ok(xml.includes(`Location="${acs(studioA)}"`), xml);
      assert.ok(xml.includes('WantAssertionsSigned="true"'), xml);
      idpA.trustSp(xml);
      idpB.trustSp((await h.request('GET', `/auth/sso/${studioB}/saml/metadata`)).raw.body);
      // Studio B's IdP is also told about studio A (an IdP another studio uses).
    });

    test('owners configure SAML from IdP metadata; bad metadata or certificates are refused', async () => {
      refused(await h.request('PUT', `/studios/${studioA}/sso/saml`, { token: owner.token, body: { metadataXml: '<not-metadata/>' } }), 400, 'validation_failed');
      refused(await h.request('PUT', `/studios/${studioA}/sso/saml`, { token: owner.token, body: { entryPoint: idpA.entryPoint, idpIssuer: idpA.entityId, certificates: ['not a certificate'] } }), 400, 'validation_failed');
      assert.equal(await h.deps.db.selectFrom('studio_sso').select('studio_id').where('studio_id', '=', studioA).executeTakeFirst(), undefined);
      const view = must(await h.request('PUT', `/studios/${studioA}/sso/saml`, { token: owner.token, body: { metadataXml: idpA.metadataXml } }), 200);
      assert.equal(view.saml.entryPoint, idpA.entryPoint);
      assert.equal(view.saml.idpIssuer, idpA.entityId);
      assert.equal(view.saml.certificateCount, 1);
      assert.equal(view.serviceProvider.acsUrl, acs(studioA));
      must(await h.request('PUT', `/studios/${studioB}/sso/saml`, { token: owner.token, body: { metadataXml: idpB.metadataXml } }), 200);
      must(await h.as(owner).post(`/studios/${studioA}/sso/mappings`, { group: 'artists', studioRole: 'member', projectRoles: [{ projectId: showA, roleId: artist }] }), 201);
      const audit = await h.deps.db.selectFrom('audit_log').select('action').where('action', '=', 'sso.saml_configured').execute();
      assert.equal(audit.length, 2);
    });

    test('owners may give the IdP metadata URL instead: read once, within bounds; a bad URL or answer is a 400 on that field', async () => {
      // The IdP's metadata published over HTTP on 127.0.0.1 (loopback may be http), plus bad answers.
      const served = createServer((req, res) => {
        if (req.url === '/metadata') return res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idpB.metadataXml);
        if (req.url === '/huge') return res.writeHead(200).end(Buffer.alloc(2 * 1024 * 1024, 'x'));
        if (req.url === '/moved') return res.writeHead(302, { location: '/metadata' }).end();
        if (req.url === '/page') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>');
        res.writeHead(404).end();
      });
      await new Promise<void>((r) => served.listen(0, '127.0.0.1', r));
      const at = (path: string) => `http://127.0.0.1:${(served.address() as AddressInfo).port}${path}`;
      try {
        const before = await h.deps.db.selectFrom('studio_sso').selectAll().where('studio_id', '=', studioB).executeTakeFirst();
        for (const [url, why] of [[at('/gone'), /answered 404/], [at('/huge'), /larger than 1 MiB/], [at('/moved'), /answered 302/], [at('/page'), /IdP metadata/], ['ftp://127.0.0.1/metadata', /https/], ['http://idp.example/metadata', /https/]] as const) {
          const e = refused(await h.request('PUT', `/studios/${studioB}/sso/saml`, { token: owner.token, body: { metadataUrl: url } }), 400, 'validation_failed', url);
          assert.match(e.message, why, url);
          assert.equal(e.details.field, 'metadataUrl', url);
        }
        refused(await h.request('PUT', `/studios/${studioB}/sso/saml`, { token: owner.token, body: { metadataUrl: at('/metadata'), metadataXml: idpB.metadataXml } }), 400, 'validation_failed', 'two sources');
        assert.deepEqual(await h.deps.db.selectFrom('studio_sso').selectAll().where('studio_id', '=', studioB).executeTakeFirst(), before, 'refusals changed nothing');
        const view = must(await h.request('PUT', `/studios/${studioB}/sso/saml`, { token: owner.token, body: { metadataUrl: at('/metadata') } }), 200);
        assert.equal(view.saml.entryPoint, idpB.entryPoint);
        assert.equal(view.saml.idpIssuer, idpB.entityId);
      } finally {
        served.close();
      }
    });

    test('signing in: redirect binding out, POST binding back, a JIT account with its mapped role, the session cookie', async () => {
      idpA.signInAs(carol);
      const { b, page } = await signIn();
      assert.equal(new URL(page.url).pathname, '/', page.body);
      const session = b.cookies(HOST).get('backlot_session');
      assert.ok(session);
      const me = must(await h.request('GET', '/auth/me', { headers: { cookie: `backlot_session=${session.value}` } }), 200);
      assert.equal(me.email, carol.email);
      const pm = await h.deps.db.selectFrom('project_members').select(['project_id', 'role_id']).where('user_id', '=', me.id).execute();
      assert.deepEqual(pm, [{ project_id: showA, role_id: artist }]);
      assert.ok(b.visited.some((v) => v.startsWith(`GET ${idpA.entryPoint}?SAMLRequest=`)), 'HTTP-Redirect binding');
      assert.ok(b.visited.includes(`POST ${acs(studioA)}`), 'HTTP-POST binding');
    });

    test('refused: an unsigned response', async () => {
      idpA.signInAs(dave);
      idpA.tamperNext((xml) => xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, ''));
      await refusedSignIn('saml_rejected');
    });

    test('refused: a signed message around an unsigned assertion', async () => {
      // Told that this SP does not want signed assertions, samlify signs only the outer message.
      const metadata = (await h.request('GET', `/auth/sso/${studioA}/saml/metadata`)).raw.body;
      idpA.trustSp(metadata.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"'));
      idpA.signInAs(dave);
      try {
        await refusedSignIn('saml_rejected');
        assert.ok(Buffer.from(idpA.lastResponse()!.SAMLResponse, 'base64').toString().includes('Signature'), 'the message was signed');
      } finally {
        idpA.trustSp(metadata);
      }
    });

    test('refused: a wrong signature (an impostor\'s key)', async () => {
      idpA.signInAs(dave);
      idpA.signWith(makeKeyPair('impostor'));
      try {
        await refusedSignIn('saml_rejected');
      } finally {
        idpA.signWith(null);
      }
    });

    test('refused: an assertion altered after signing', async () => {
      idpA.signInAs(dave);
      idpA.tamperNext((xml) => xml.replace('>dave@studio-a.test<', '>carol@studio-a.test<'));
      await refusedSignIn('saml_rejected');
    });

    test('refused: the wrong audience', async () => {
      idpA.signInAs(dave);
      idpA.alterNext((a) => { a.audience = 'https://someone-else.example.com/sp'; });
      const e = await refusedSignIn('saml_rejected');
      assert.match(e.message, /audience/i);
    });

    test('refused: an expired assertion', async () => {
      idpA.signInAs(dave);
      idpA.alterNext((a) => {
        a.notBefore = new Date(Date.now() - 60 * 60_000).toISOString();
        a.notOnOrAfter = new Date(Date.now() - 30 * 60_000).toISOString();
      });
      await refusedSignIn('saml_rejected');
    });

    test('refused: an assertion for another recipient', async () => {
      idpA.signInAs(dave);
      idpA.alterNext((a) => { a.recipient = acs(studioB); });
      await refusedSignIn('saml_recipient');
    });

    test('refused: a replayed response', async () => {
      idpA.signInAs(carol);
      await signIn();
      const used = idpA.lastResponse()!;
      const before = await counts();
      const b = new Browser(h.app, HOST);
      const page = await b.post(acs(studioA), used, '127.0.0.1');
      assert.equal(page.status, 400, page.body);
      // And with a fresh attempt's state: the assertion was already used.
      const b2 = new Browser(h.app, HOST);
      const atIdp = await b2.go(start(studioA), { stopAt: (u) => u.href.startsWith(idpA.entryPoint) });
      const relay = new URL(atIdp.url).searchParams.get('RelayState')!;
      const again = await b2.post(acs(studioA), { SAMLResponse: used.SAMLResponse, RelayState: relay }, '127.0.0.1');
      assert.equal(again.status, 401, again.body);
      assert.deepEqual(await counts(), before);
    });

    test('refused: the IdP of another studio', async () => {
      // Studio A's sign-in, answered by studio B's IdP (its own key and entity id) at A's ACS.
      const before = await counts();
      idpB.signInAs({ ...dave, nameId: 'dave@studio-b.test', email: 'dave@studio-b.test' });
      const b = new Browser(h.app, HOST);
      const atIdp = await b.go(start(studioA), { stopAt: (u) => u.href.startsWith(idpA.entryPoint) });
      const redirected = new URL(atIdp.url);
      const toB = new URL(idpB.entryPoint);
      toB.search = redirected.search;
      idpB.trustSp((await h.request('GET', `/auth/sso/${studioA}/saml/metadata`)).raw.body);
      const page = await b.go(toB.href);
      assert.equal(page.status, 401, page.body);
      assert.deepEqual(await counts(), before);
      const audit = await h.deps.db.selectFrom('audit_log').select('action').where('studio_id', '=', studioA).where('action', '=', 'auth.sso_refused').execute();
      assert.ok(audit.length >= 6);
    });
  });
}
