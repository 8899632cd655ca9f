// Assembles the HTTP server: body limits, validation, sessions, error shape, OpenAPI, routes.
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { AppDeps } from './context.js';
import { errorBody, installErrorHandling } from './http/errors.js';
import { installSessionResolution } from './http/session.js';
import { installRequestIds, RequestLog } from './http/request-log.js';
import { installUnreadBodyHandling } from './http/unread-bodies.js';
import { randomUUID } from 'node:crypto';
import { authRoutes } from './http/routes/auth.js';
import { studioRoutes } from './http/routes/studios.js';
import { projectRoutes } from './http/routes/projects.js';
import { invitationRoutes } from './http/routes/invitations.js';
import { auditRoutes } from './http/routes/audit.js';
import { productionRoutes } from './http/routes/production.js';
import { browseRoutes } from './http/routes/browse.js';
import { syncRoutes } from './http/routes/sync.js';
import { contentRoutes } from './http/routes/content.js';
import { eventRoutes } from './http/routes/events.js';
import { installLiveEvents } from './events/plugin.js';
import { identityRoutes } from './http/routes/identity.js';
import { hasWebApp, webAppRoutes } from './http/web-app.js';
import { scimRoutes } from './scim/routes.js';
import { SCIM_PREFIX } from './scim/paths.js';

export const API_PREFIX = '/api/v1';
/** JSON bodies are small; chunk uploads get their own limit on their own routes. */
const JSON_BODY_LIMIT = 256 * 1024;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // No logger at all when logs go nowhere (tests, benchmarks): a silent one still makes a child
    // logger per request.
    ...(deps.logger.level === 'silent' ? {} : { loggerInstance: deps.logger }),
    // Ids are made here, never taken from the client: they name log lines a user may quote.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    logController: new RequestLog(),
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: deps.config.trustProxy,
    // Strict validation: no type coercion of bodies, unknown fields refused by the schemas.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    routerOptions: { maxParamLength: 200 },
    // Router-level refusals (undecodable URL, over-long path parameter) get the one error shape too.
    frameworkErrors: (err, _request, reply) =>
      (reply as import('fastify').FastifyReply).status(err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400).send(errorBody('bad_request', err.message)),
  });
  installErrorHandling(app, deps);
  installRequestIds(app);
  installUnreadBodyHandling(app);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Backlot API', version: '1', description: 'Studio server API. Authenticate with `Authorization: Bearer <token>` (CLI/API) or the session cookie plus `X-CSRF-Token` (browser).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  // Before the session hook: @fastify/websocket must mark upgrade requests first, or a handshake
  // refused by that hook leaves its socket open.
  await installLiveEvents(app, deps);
  installSessionResolution(app, deps);

  await app.register(async (api) => {
    api.get('/health', { schema: { tags: ['meta'] } }, async () => ({ ok: true }));
    api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    await api.register(authRoutes);
    await api.register(studioRoutes);
    await api.register(projectRoutes);
    await api.register(invitationRoutes);
    await api.register(auditRoutes);
    await api.register(productionRoutes);
    await api.register(browseRoutes);
    await api.register(syncRoutes);
    await api.register(eventRoutes);
    await api.register(identityRoutes);
  }, { prefix: API_PREFIX });
  // SCIM 2.0 provisioning, authenticated by each studio's SCIM token (scim/).
  await app.register(scimRoutes, { prefix: SCIM_PREFIX });
  // Chunks, files, previews, share links (API under the prefix, public /s/ pages at the root), usage.
  await app.register(contentRoutes, { deps });
  // The web app at `/` when a build is configured (API routes and /s/ pages take precedence).
  if (hasWebApp(deps.config.webRoot))
    await app.register(webAppRoutes, { root: deps.config.webRoot, apiPrefix: API_PREFIX, hsts: deps.config.cookieSecure });

  return app;
}
