// Resolves who is calling from a verified session only: the `backlot_session` cookie (browser)
// or an `Authorization: Bearer` token (CLI/API). Cookie sessions must echo their CSRF token on
// unsafe methods. Nothing else in a request can name the acting user.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BacklotError } from '@backlot/core';
import type { AppDeps, Ctx } from '../context.js';
import { resolveSession, type IssuedSession } from '../auth/sessions.js';
import { hashSecret } from '../auth/tokens.js';
import { logThrough } from '../logging.js';
import { isScimPath } from '../scim/paths.js';

export const SESSION_COOKIE = 'backlot_session';
export const CSRF_COOKIE = 'backlot_csrf';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: Ctx;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearerToken(request: FastifyRequest): string | null | undefined {
  const h = request.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(h);
  return m ? m[1] : null;
}

export function installSessionResolution(app: FastifyInstance, deps: AppDeps): void {
  app.decorateRequest('ctx', null as unknown as Ctx);
  app.addHook('onRequest', async (request) => {
    request.ctx = { ...deps, user: null, ip: request.ip ?? null, requestId: request.id, log: logThrough(request.log) };
    // SCIM has its own credential (a studio's provisioning token, scim/auth.ts) and never a user.
    if (isScimPath(request.url)) return;
    const bearer = bearerToken(request);
    if (bearer === null) throw new BacklotError('unauthenticated', 'malformed Authorization header');
    const cookie = request.cookies?.[SESSION_COOKIE];
    const token = bearer ?? cookie;
    if (!token) return;
    const session = await resolveSession(deps, token);
    // A bearer token smuggled into the cookie would skip the CSRF check: treat it as no session.
    if (!session || (!bearer && session.kind !== 'cookie')) {
      // A stale token on a request that needs no identity (login, setup) must not block it.
      if (bearer) throw new BacklotError('unauthenticated', 'the session has ended or is not valid; sign in again');
      return;
    }
    if (!bearer && session.kind === 'cookie' && !SAFE.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || hashSecret(sent) !== session.csrfHash)
        throw new BacklotError('forbidden', 'missing or wrong CSRF token', { header: CSRF_HEADER });
    }
    if (bearer && session.kind !== 'bearer') throw new BacklotError('unauthenticated', 'a browser session cannot be used as a bearer token');
    request.ctx.user = session.user;
    request.ctx.credential = { token, via: bearer ? 'bearer' : 'cookie' };
  });
}

/** Hands a new session to the client: a cookie pair for browsers, the token in the body for CLI/API. */
export function deliverSession(reply: FastifyReply, deps: AppDeps, session: IssuedSession, kind: 'cookie' | 'bearer') {
  if (kind === 'bearer') return { token: session.token, expiresAt: session.expiresAt };
  const common = { path: '/', sameSite: 'strict' as const, secure: deps.config.cookieSecure, expires: new Date(session.expiresAt) };
  reply.setCookie(SESSION_COOKIE, session.token, { ...common, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
  return { csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

export function clearSessionCookies(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}
