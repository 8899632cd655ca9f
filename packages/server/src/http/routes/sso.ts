// Single sign-on: the owner's settings (documented API), and the browser side of the sign-in
// flows (redirects, the IdP's form post, SP metadata), which are navigations rather than API
// calls and so stay out of the OpenAPI document.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  addMapping, getSsoSettings, removeMapping, removeProvider, setOidc, setSaml, updateSsoPolicy,
} from '../../auth/sso/settings.js';
import { completeSignIn, discoverSso, oidcReturn, redeemCliCode, samlReturn, startSignIn } from '../../auth/sso/flow.js';
import { spMetadata } from '../../auth/sso/saml.js';
import { SSO_PATH } from '../../auth/sso/urls.js';
import { deliverSession } from '../session.js';
import { body, Email, Id, params, StudioRole } from '../schemas.js';

const SSO_COOKIE = 'backlot_sso';
const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Protocol = Type.Union([Type.Literal('oidc'), Type.Literal('saml')]);
const userAgent = (h: string | string[] | undefined) => (typeof h === 'string' ? h : null);

export async function ssoRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['sso'];

  // ---- settings (owners; mappings also admins) ----
  r.get('/studios/:studioId/sso', { schema: { tags, params: params.studio, summary: 'SSO settings, SP metadata URLs and group mappings (no secrets)' } },
    async (req) => getSsoSettings(req.ctx, req.params.studioId));
  r.put('/studios/:studioId/sso/oidc', {
    schema: { tags, params: params.studio, summary: 'Configure OpenID Connect (the issuer is discovered now)', body: body({ issuer: Url, clientId: Type.String({ minLength: 1, maxLength: 500 }), clientSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })), groupsClaim: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }) },
  }, async (req) => setOidc(req.ctx, req.params.studioId, req.body));
  r.put('/studios/:studioId/sso/saml', {
    schema: {
      tags, params: params.studio, summary: 'Configure SAML 2.0 from the IdP metadata URL (read now) or XML, or its SSO URL, entity id and certificates',
      body: body({
        metadataUrl: Type.Optional(Url),
        metadataXml: Type.Optional(Type.String({ minLength: 1, maxLength: 200_000 })),
        entryPoint: Type.Optional(Url), idpIssuer: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
        certificates: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 20_000 }), { minItems: 1, maxItems: 5 })),
        groupsAttribute: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
      }),
    },
  }, async (req) => setSaml(req.ctx, req.params.studioId, req.body));
  for (const protocol of ['oidc', 'saml'] as const)
    r.delete(`/studios/:studioId/sso/${protocol}`, { schema: { tags, params: params.studio } }, async (req, reply) => {
      await removeProvider(req.ctx, req.params.studioId, protocol);
      return reply.status(204).send();
    });
  r.patch('/studios/:studioId/sso', {
    schema: {
      tags, params: params.studio, summary: 'Require SSO for IdP-managed accounts, the break-glass list, the SSO session age',
      body: body({
        enforced: Type.Optional(Type.Boolean()),
        breakGlass: Type.Optional(Type.Array(Id, { maxItems: 20 })),
        sessionMaxMinutes: Type.Optional(Type.Union([Type.Integer({ minimum: 5, maximum: 60 * 24 * 90 }), Type.Null()])),
      }),
    },
  }, async (req) => updateSsoPolicy(req.ctx, req.params.studioId, req.body));
  r.post('/studios/:studioId/sso/mappings', {
    schema: {
      tags, params: params.studio, summary: 'Map an IdP group to a studio role and project roles (refused when it grants more than you may)',
      body: body({
        group: Type.String({ minLength: 1, maxLength: 500 }),
        studioRole: StudioRole,
        projectRoles: Type.Optional(Type.Array(Type.Object({ projectId: Id, roleId: Id }, { additionalProperties: false }), { maxItems: 100 })),
      }),
    },
  }, async (req, reply) => reply.status(201).send(await addMapping(req.ctx, req.params.studioId, req.body)));
  r.delete('/studios/:studioId/sso/mappings/:mappingId', { schema: { tags, params: Type.Object({ studioId: Id, mappingId: Id }) } }, async (req, reply) => {
    await removeMapping(req.ctx, req.params.studioId, req.params.mappingId);
    return reply.status(204).send();
  });

  // ---- sign-in: discovery and the CLI's code exchange (API calls) ----
  r.get('/auth/sso/discover', { schema: { tags, querystring: Type.Object({ email: Email }, { additionalProperties: false }), summary: 'Studios offering SSO to an email domain' } },
    async (req) => ({ studios: await discoverSso(req.ctx, req.query.email) }));
  r.post('/auth/sso/cli/exchange', { schema: { tags, summary: 'The CLI redeems its loopback code with its verifier for a bearer session', body: body({ code: Type.String({ minLength: 20, maxLength: 200 }), verifier: Type.String({ minLength: 43, maxLength: 128 }) }) } },
    async (req) => {
      const { userId, studioId, session } = await redeemCliCode(req.ctx, req.body.code, req.body.verifier, userAgent(req.headers['user-agent']));
      return { userId, studioId, token: session.token, expiresAt: session.expiresAt };
    });

  // ---- sign-in: browser navigations (not API operations) ----
  await app.register(async (browser) => {
    browser.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 512 * 1024 }, (_req, text, done) => {
      done(null, Object.fromEntries(new URLSearchParams(text as string)));
    });
    // These are page loads: with the web app served, a refused sign-in goes back to the sign-in
    // page, which explains it, instead of leaving the person on a JSON error. The app's error
    // handler has answered (and audited) as usual; only the answer a browser sees is turned into
    // that redirect. API clients and servers without the web app keep the JSON.
    browser.addHook('onSend', async (req, reply, payload) => {
      const status = reply.statusCode;
      if (status < 400 || status >= 500 || !req.ctx?.config.webRoot || !String(req.headers.accept ?? '').includes('text/html')) return payload;
      let reason = 'the sign-in was refused';
      try {
        reason = (JSON.parse(String(payload)) as { error?: { message?: string } }).error?.message ?? reason;
      } catch {
        // not the error shape: keep the generic reason
      }
      reply.clearCookie(SSO_COOKIE, { path: SSO_PATH });
      reply.code(303).header('location', `/sign-in?sso_error=${encodeURIComponent(reason.slice(0, 300))}`).type('text/plain; charset=utf-8');
      return '';
    });
    const b = browser.withTypeProvider<TypeBoxTypeProvider>();
    const hide = true;
    // Lax, not Strict: the IdP's redirect back is a cross-site top-level navigation.
    const bindCookie = (reply: FastifyReply, state: string, secure: boolean) =>
      reply.setCookie(SSO_COOKIE, state, { path: SSO_PATH, httpOnly: true, sameSite: 'lax', secure, maxAge: 600 });

    b.get('/auth/sso/:studioId/start', {
      schema: {
        hide, params: params.studio,
        querystring: Type.Object({ protocol: Type.Optional(Protocol), returnTo: Type.Optional(Type.String({ maxLength: 1000 })), cliRedirect: Type.Optional(Url), cliChallenge: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
      },
    }, async (req, reply) => {
      const { redirect, state } = await startSignIn(req.ctx, req.params.studioId, req.query);
      bindCookie(reply, state, req.ctx.config.cookieSecure);
      return reply.redirect(redirect, 302);
    });

    b.get('/auth/sso/oidc/callback', { schema: { hide } }, async (req, reply) => {
      const state = await oidcReturn(req.ctx, new URL(req.url, req.ctx.baseUrl()));
      return reply.redirect(`${SSO_PATH}/complete?state=${encodeURIComponent(state)}`, 303);
    });

    b.get('/auth/sso/:studioId/saml/metadata', { schema: { hide, params: params.studio } }, async (req, reply) =>
      reply.type('application/samlmetadata+xml').send(spMetadata(req.ctx, req.params.studioId)));

    b.post('/auth/sso/:studioId/saml/acs', {
      schema: { hide, params: params.studio, body: Type.Object({ SAMLResponse: Type.String({ minLength: 1, maxLength: 500_000 }), RelayState: Type.String({ minLength: 1, maxLength: 200 }) }) },
    }, async (req, reply) => {
      const state = await samlReturn(req.ctx, req.params.studioId, req.body.SAMLResponse, req.body.RelayState);
      return reply.redirect(`${SSO_PATH}/complete?state=${encodeURIComponent(state)}`, 303);
    });

    b.get('/auth/sso/complete', { schema: { hide, querystring: Type.Object({ state: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }) } }, async (req, reply) => {
      const done = await completeSignIn(req.ctx, req.query.state, req.cookies[SSO_COOKIE], userAgent(req.headers['user-agent']));
      reply.clearCookie(SSO_COOKIE, { path: SSO_PATH });
      if (done.kind === 'cli') return reply.redirect(done.redirect, 303);
      deliverSession(reply, req.ctx, done.session, 'cookie');
      return reply.redirect(done.returnTo, 303);
    });
  });
}
