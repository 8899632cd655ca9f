// Live events over WebSocket: GET /projects/:projectId/events[?since=<pull cursor>].
// Authenticated like every route (bearer token, or the session cookie for browsers, whose Origin
// must be this server's). The first message is the pull from `since` (a snapshot without it);
// after that, every time the project's revision moves, the same pull again from the last cursor
// (events/connection.ts), plus `presence` messages. See docs/live-events.md.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BacklotError } from '@backlot/core';
import { requireUser } from '../../auth/sessions.js';
import { params } from '../schemas.js';
import { pullChanges } from '../../sync/pull.js';
import { LiveConnection, type LiveSocket, type PullResult } from '../../events/connection.js';

/** Live sockets one user may hold in one server process (tabs, tools, CLI watchers). */
export const MAX_SOCKETS_PER_USER = 32;

const initialPulls = new WeakMap<FastifyRequest, { token: string; initial: PullResult }>();

/**
 * Cookies ride along on cross-site WebSocket handshakes too (CSRF tokens cannot be sent there),
 * so a cookie-authenticated socket must come from a page of this server.
 */
function sameOrigin(req: FastifyRequest, baseUrl: string): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser
  const allowed = new Set([new URL(baseUrl).origin, `${req.protocol}://${req.host}`]);
  return allowed.has(origin);
}

export async function eventRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/projects/:projectId/events', {
    websocket: true,
    schema: {
      tags: ['sync'], params: params.project,
      summary: 'Live events (WebSocket): the project\'s changes as the caller may see them, and presence',
      querystring: Type.Object({ since: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false }),
    },
    // Everything that can refuse runs before the upgrade, so refusals are plain HTTP answers.
    preHandler: async (req) => {
      if (!req.ws) throw new BacklotError('bad_request', 'this endpoint speaks WebSocket; connect with an Upgrade request');
      requireUser(req.ctx.user);
      const session = req.ctx.credential;
      if (!session) throw new BacklotError('unauthenticated', 'sign in first');
      if (session.via === 'cookie' && !sameOrigin(req, req.ctx.baseUrl())) throw new BacklotError('forbidden', 'cross-origin WebSocket refused');
      if (app.liveEvents.socketsOf(req.ctx.user!.id) >= MAX_SOCKETS_PER_USER)
        throw new BacklotError('rate_limited', 'too many live connections; close some first', { limit: MAX_SOCKETS_PER_USER });
      // Membership and the cursor are checked here: a non-member gets 404, a bad cursor 400.
      const initial = await pullChanges(req.ctx, req.params.projectId, req.query.since);
      initialPulls.set(req, { token: session.token, initial });
    },
  }, async (socket, req) => {
    const prepared = initialPulls.get(req);
    initialPulls.delete(req);
    const user = req.ctx.user;
    if (!prepared || !user) return socket.close(1011, 'internal error');
    const conn = new LiveConnection(
      req.ctx, app.liveEvents, socket as LiveSocket, req.params.projectId, user.id, prepared.token, req.ctx.ip, prepared.initial.cursor,
    );
    await conn.start(prepared.initial);
  });
}
