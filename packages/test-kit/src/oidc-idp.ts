// A real OpenID Connect IdP for tests: oidc-provider on 127.0.0.1 with one confidential client
// (PKCE required, consent pre-granted: the tests are about Backlot, not the IdP's screens). Who
// signs in is either chosen by the test (`signInAs`, answered without a page) or typed by a person
// into a plain login form (`form: true`, for browser tests); unknown emails are refused there.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

export interface OidcAccount {
  email: string;
  name: string;
  groups: string[];
}

export interface OidcIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by subject (in form mode the subject is the email typed in). */
  accounts: Map<string, OidcAccount>;
  /** The account the next sign-in authenticates as (without `form`). */
  signInAs(sub: string): void;
  close(): Promise<void>;
}

const LOGIN_FORM = '<!doctype html><title>Test IdP</title><h1>Test IdP sign-in</h1><form method="post"><label>IdP email <input name="login"></label><button>Sign in at IdP</button></form>';

export async function startOidcIdp(redirectUri: string, opts: { form?: boolean } = {}): Promise<OidcIdp> {
  const accounts = new Map<string, OidcAccount>();
  let next = '';
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const clientId = `backlot-${randomUUID()}`;
  const clientSecret = randomUUID() + randomUUID();
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    async findAccount(_ctx: unknown, sub: string) {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email: a.email, email_verified: true, name: a.name, groups: a.groups }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    // Claims in the ID token itself (the server reads them there).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    cookies: { keys: [randomUUID()] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx: any) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  } as any);
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    try {
      if (!opts.form) return await provider.interactionFinished(req, res, { login: { accountId: next } }, { mergeWithLastSubmission: false });
      if (req.method === 'GET') return void res.setHeader('content-type', 'text/html; charset=utf-8').end(LOGIN_FORM);
      let body = '';
      for await (const chunk of req) body += chunk;
      const who = new URLSearchParams(body).get('login') ?? '';
      await provider.interactionFinished(req, res, accounts.has(who) ? { login: { accountId: who } } : { error: 'access_denied' }, { mergeWithLastSubmission: false });
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  return {
    issuer, clientId, clientSecret, accounts,
    signInAs: (sub) => void (next = sub),
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
