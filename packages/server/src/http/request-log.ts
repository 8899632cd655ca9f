// One log line per request, when it completes (Fastify's own pair of lines per request is
// replaced), and the request id on every answer, so a user who reports a failure can quote the id
// that names its log lines; 5xx answers carry it in their body too.
import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/** Share links carry their secret in the path: logs show the route, never the token. */
function loggedUrl(request: FastifyRequest): string {
  return request.url.startsWith('/s/') ? request.url.replace(/^\/s\/[^/?]+/, '/s/:token') : request.url;
}

export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: loggedUrl(request) }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const line = {
      method: request.method, url: loggedUrl(request), status, ms: Math.round(reply.elapsedTime * 10) / 10,
      userId: request.ctx?.user?.id, ip: request.ip,
    };
    // A 5xx's stack was logged by the error handler under the same request id.
    if (error || status >= 500) request.log.error({ ...line, err: error ?? undefined }, 'request failed');
    else request.log.info(line, 'request');
  }

  /** The completed-request line says 404 already. */
  override routeNotFound(): void {}
}

export function installRequestIds(app: FastifyInstance): void {
  // A callback hook: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
}
