// Answers sent before the request body was read (a refused upload, a frame declared too large)
// must not break the connection's next request: the unread rest of the body would be parsed as
// that request. A small rest is read and thrown away, so a keep-alive client keeps its
// connection; a large or unbounded one is not worth receiving, and the connection is closed
// after the answer (`Connection: close` tells the client not to reuse it).
import type { FastifyInstance } from 'fastify';

/** Largest declared body that is drained rather than answered with a closed connection. */
export const DRAIN_LIMIT = 8 * 1024 * 1024;

export function installUnreadBodyHandling(app: FastifyInstance): void {
  // A callback hook: no promise per answer.
  app.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw;
    if (raw.complete || raw.readableEnded || raw.destroyed) return done(null, payload);
    const declared = Number(raw.headers['content-length']);
    if (Number.isFinite(declared) && declared <= DRAIN_LIMIT) {
      // Read and discard (resume() does nothing while a reader's 'readable' listener is attached).
      const drain = () => {
        while (raw.read() !== null);
      };
      raw.on('readable', drain);
      drain();
    } else {
      reply.header('connection', 'close');
    }
    done(null, payload);
  });
}
