// Real identity providers on 127.0.0.1 for the SSO tests, and a small browser to drive them.
// - OpenID Connect: the test kit's oidc-provider IdP (who signs in is chosen by the test).
// - SAML 2.0: a samlify IdentityProvider with its own RSA key and certificate (made by openssl),
//   reading the SP's AuthnRequest from the HTTP-Redirect binding and answering with a signed
//   response through an auto-submitting HTTP-POST form. Tests may alter the response before it is
//   signed (audience, times, ...) or after (a stripped signature).
// - Browser: follows redirects and submits such forms, keeps cookies per host and honours
//   SameSite the way browsers do (no Lax/Strict cookies on a cross-site POST, no Strict ones on a
//   cross-site navigation), and reaches the Backlot server through Fastify's inject.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as samlify from 'samlify';
import { DOMParser } from '@xmldom/xmldom';
import type { FastifyInstance } from 'fastify';

// samlify wants a schema validator before it parses anything. This one checks well-formedness
// only (no XSD): enough for a test IdP reading the requests our own server makes.
samlify.setSchemaValidator({
  validate: async (xml: string) => {
    const errors: string[] = [];
    new DOMParser({ errorHandler: { error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m), warning: () => {} } }).parseFromString(xml, 'text/xml');
    if (errors.length) throw new Error(`not well-formed XML: ${errors[0]}`);
    return 'well-formed';
  },
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as { port: number }).port;
}

// ---- OpenID Connect: the shared test IdP ---------------------------------------------------------

export { startOidcIdp, type OidcAccount, type OidcIdp } from '@backlot/test-kit/oidc-idp';

// ---- SAML 2.0 -------------------------------------------------------------------------------

export interface KeyPair {
  privateKey: string;
  cert: string;
}

/** A fresh RSA key and self-signed certificate, made by openssl. */
export function makeKeyPair(cn: string): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'backlot-idp-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', `/CN=${cn}`], { stdio: 'ignore' });
    return { privateKey: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SamlUser {
  nameId: string;
  email: string;
  name: string;
  groups: string[];
}

/** What the IdP puts in its next response; tests change fields to make bad ones. */
export interface SamlAnswer {
  audience: string;
  recipient: string;
  destination: string;
  notBefore: string;
  notOnOrAfter: string;
  issuer: string;
}

export interface SamlIdp {
  entityId: string;
  entryPoint: string;
  keys: KeyPair;
  metadataXml: string;
  /** Registers the Backlot studio (by its SP metadata) this IdP answers. */
  trustSp(metadataXml: string): void;
  signInAs(user: SamlUser): void;
  /** Alters the next answer's fields before signing. */
  alterNext(fn: (a: SamlAnswer) => void): void;
  /** Alters the next signed response XML (after signing: a tampered or stripped message). */
  tamperNext(fn: (xml: string) => string): void;
  /** Signs with these keys instead of its own (an impostor holding another key). */
  signWith(keys: KeyPair | null): void;
  /** The last response it sent (base64), to replay. */
  lastResponse(): { SAMLResponse: string; RelayState: string } | null;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export async function startSamlIdp(opts: { entityId?: string } = {}): Promise<SamlIdp> {
  const server = createServer();
  const port = await listen(server);
  const entryPoint = `http://127.0.0.1:${port}/sso`;
  const entityId = opts.entityId ?? `http://127.0.0.1:${port}/metadata`;
  const keys = makeKeyPair('test-idp');
  const makeIdp = (k: KeyPair) => samlify.IdentityProvider({
    entityID: entityId, privateKey: k.privateKey, signingCert: k.cert, isAssertionEncrypted: false, wantAuthnRequestsSigned: false,
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: entryPoint }],
  });
  const idp = makeIdp(keys);
  let signer: KeyPair | null = null;
  let sp: ReturnType<typeof samlify.ServiceProvider> | null = null;
  let user: SamlUser | null = null;
  let alter: ((a: SamlAnswer) => void) | null = null;
  let tamper: ((xml: string) => string) | null = null;
  let last: { SAMLResponse: string; RelayState: string } | null = null;

  server.on('request', async (req, res) => {
    try {
      const url = new URL(req.url!, entryPoint);
      if (url.pathname !== '/sso' || !sp || !user) { res.statusCode = 404; return res.end(); }
      const query = Object.fromEntries(url.searchParams);
      const { extract } = (await idp.parseLoginRequest(sp, 'redirect', { query, octetString: '' })) as { extract: any };
      const requestId: string = extract.request.id;
      const acs: string = extract.request.assertionConsumerServiceUrl ?? sp.entityMeta.getAssertionConsumerService('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
      const now = new Date();
      const answer: SamlAnswer = {
        audience: sp.entityMeta.getEntityID(), recipient: acs, destination: acs, issuer: entityId,
        notBefore: new Date(now.getTime() - 60_000).toISOString(), notOnOrAfter: new Date(now.getTime() + 5 * 60_000).toISOString(),
      };
      alter?.(answer);
      alter = null;
      const u = user;
      const id = `_${randomUUID()}`;
      const assertionId = `_${randomUUID()}`;
      const groups = u.groups.map((g) => `<saml:AttributeValue xsi:type="xs:string">${esc(g)}</saml:AttributeValue>`).join('');
      const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${esc(answer.destination)}" InResponseTo="${esc(requestId)}">`
        + `<saml:Issuer>${esc(answer.issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>`
        + `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${assertionId}" Version="2.0" IssueInstant="${now.toISOString()}">`
        + `<saml:Issuer>${esc(answer.issuer)}</saml:Issuer>`
        + `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(u.nameId)}</saml:NameID>`
        + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${answer.notOnOrAfter}" Recipient="${esc(answer.recipient)}" InResponseTo="${esc(requestId)}"/></saml:SubjectConfirmation></saml:Subject>`
        + `<saml:Conditions NotBefore="${answer.notBefore}" NotOnOrAfter="${answer.notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${esc(answer.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
        + `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
        + `<saml:AttributeStatement><saml:Attribute Name="mail"><saml:AttributeValue xsi:type="xs:string">${esc(u.email)}</saml:AttributeValue></saml:Attribute>`
        + `<saml:Attribute Name="displayName"><saml:AttributeValue xsi:type="xs:string">${esc(u.name)}</saml:AttributeValue></saml:Attribute>`
        + `<saml:Attribute Name="groups">${groups}</saml:Attribute></saml:AttributeStatement>`
        + `</saml:Assertion></samlp:Response>`;
      const signing = signer ? makeIdp(signer) : idp;
      const made = await signing.createLoginResponse(sp, { extract }, 'post', { email: u.email }, () => ({ id, context: xml }));
      let context: string = made.context;
      if (tamper) {
        context = Buffer.from(tamper(Buffer.from(context, 'base64').toString('utf8'))).toString('base64');
        tamper = null;
      }
      last = { SAMLResponse: context, RelayState: query.RelayState ?? '' };
      res.setHeader('content-type', 'text/html');
      res.end(`<html><body onload="document.forms[0].submit()"><form method="post" action="${esc(acs)}">`
        + `<input type="hidden" name="SAMLResponse" value="${esc(context)}"/><input type="hidden" name="RelayState" value="${esc(query.RelayState ?? '')}"/></form></body></html>`);
    } catch (err) {
      res.statusCode = 400;
      res.end(String((err as Error).stack ?? err));
    }
  });

  return {
    entityId, entryPoint, keys, metadataXml: idp.getMetadata(),
    trustSp: (xml) => void (sp = samlify.ServiceProvider({ metadata: xml })),
    signInAs: (u) => void (user = u),
    alterNext: (fn) => void (alter = fn),
    tamperNext: (fn) => void (tamper = fn),
    signWith: (k) => void (signer = k),
    lastResponse: () => last,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

// ---- a browser ----------------------------------------------------------------------------------

interface Cookie {
  value: string;
  sameSite: 'strict' | 'lax' | 'none';
}

export interface Page {
  status: number;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class Browser {
  private readonly jars = new Map<string, Map<string, Cookie>>();
  /** Every URL visited, in order. */
  readonly visited: string[] = [];

  constructor(private readonly app: FastifyInstance, private readonly serverHost: string) {}

  cookies(host: string): Map<string, Cookie> {
    let jar = this.jars.get(host);
    if (!jar) this.jars.set(host, (jar = new Map()));
    return jar;
  }

  private cookieHeader(target: URL, from: URL | null, method: string): string {
    const crossSite = !!from && from.host !== target.host;
    return [...this.cookies(target.host)]
      .filter(([, c]) => !crossSite || c.sameSite === 'none' || (c.sameSite === 'lax' && method === 'GET'))
      .map(([n, c]) => `${n}=${c.value}`).join('; ');
  }

  private remember(host: string, setCookie: string | string[] | undefined) {
    for (const line of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = decodeURIComponent(pair.slice(eq + 1));
      const lower = attrs.map((a) => a.toLowerCase());
      // Only deletions count (the server's clock is a test clock, so real expiry dates mean nothing here).
      const expired = lower.some((a) => a.startsWith('expires=') && Date.parse(a.slice(8)) < Date.parse('2000-01-01')) || lower.some((a) => a === 'max-age=0');
      const ss = lower.find((a) => a.startsWith('samesite='))?.slice(9) as Cookie['sameSite'] | undefined;
      if (expired || value === '') this.cookies(host).delete(name);
      else this.cookies(host).set(name, { value, sameSite: ss ?? 'lax' });
    }
  }

  private async request(method: string, url: URL, from: URL | null, form?: Record<string, string>): Promise<Page> {
    this.visited.push(`${method} ${url.href}`);
    const cookie = this.cookieHeader(url, from, method);
    const headers: Record<string, string> = { ...(cookie && { cookie }), 'user-agent': 'test-browser' };
    const payload = form ? new URLSearchParams(form).toString() : undefined;
    if (payload) headers['content-type'] = 'application/x-www-form-urlencoded';
    let page: Page;
    if (url.host === this.serverHost) {
      const res = await this.app.inject({ method: method as 'GET', url: url.pathname + url.search, headers, ...(payload && { payload }) });
      page = { status: res.statusCode, url: url.href, headers: res.headers as Page['headers'], body: res.body };
    } else {
      const res = await fetch(url, { method, headers, body: payload, redirect: 'manual' });
      const h: Page['headers'] = Object.fromEntries(res.headers);
      h['set-cookie'] = res.headers.getSetCookie();
      page = { status: res.status, url: url.href, headers: h, body: await res.text() };
    }
    this.remember(url.host, page.headers['set-cookie']);
    return page;
  }

  /**
   * Navigates to `url`, following redirects and auto-submitted forms, until a page that is
   * neither, or a URL `stopAt` picks (answered with status 0, not requested): the CLI's loopback
   * listener, or a step a test wants to replay differently.
   */
  async go(start: string, opts: { stopAt?: (url: URL) => boolean; maxSteps?: number } = {}): Promise<Page> {
    let url = new URL(start);
    let from: URL | null = null;
    let method = 'GET';
    let form: Record<string, string> | undefined;
    for (let step = 0; step < (opts.maxSteps ?? 20); step++) {
      if (opts.stopAt?.(url)) return { status: 0, url: url.href, headers: {}, body: '' };
      const page = await this.request(method, url, from, form);
      const location = page.headers.location;
      if (page.status >= 300 && page.status < 400 && typeof location === 'string') {
        from = url;
        url = new URL(location, url);
        if (page.status !== 307 && page.status !== 308) { method = 'GET'; form = undefined; }
        continue;
      }
      const auto = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(page.body);
      if (page.status === 200 && auto && page.body.includes('onload="document.forms[0].submit()"')) {
        form = {};
        for (const m of auto[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) form[m[1]] = unescapeHtml(m[2]);
        from = url;
        url = new URL(unescapeHtml(auto[1]), url);
        method = 'POST';
        continue;
      }
      return page;
    }
    throw new Error(`too many steps: ${this.visited.slice(-5).join(' -> ')}`);
  }

  /** Sends a form POST from a page on `fromHost` (a cross-site post when the hosts differ). */
  async post(url: string, form: Record<string, string>, fromHost: string): Promise<Page> {
    return this.request('POST', new URL(url), new URL(`http://${fromHost}/`), form);
  }
}

const unescapeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
