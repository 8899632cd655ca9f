// Serves the built web app (a folder with index.html and Vite's hashed assets/) at `/`, on the
// same origin as the API, so the browser's session cookie and CSRF header work without CORS.
// Paths that look like pages (no file extension) get index.html and the app's router decides;
// the API's own 404s stay JSON. The folder is a setting (ServerConfig.webRoot): the server never
// imports the web package, `backlot serve` names its build.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import helmet from '@fastify/helmet';

/** Vite names these by content hash: a changed file gets a new name, so they may be cached for good. */
const HASHED_ASSETS = /^assets\//;
const FOREVER = 'public, max-age=31536000, immutable';
/** index.html must be revalidated each time, or a browser keeps running an old build. */
const REVALIDATE = 'no-cache';

export function hasWebApp(root: string | undefined): root is string {
  return !!root && existsSync(join(root, 'index.html'));
}

/**
 * The Content-Security-Policy of the app's pages: scripts, styles, images and fonts from this
 * origin only, no inline script or `<style>`, no plugins, not framed. React writes `style`
 * properties through the CSSOM (element.style), which style-src does not govern, so virtualised
 * lists and drag previews need no 'unsafe-inline'. Live events connect back to this origin over
 * ws(s):, named explicitly for browsers whose 'self' does not cover WebSocket schemes.
 */
function csp() {
  const liveEvents = (req: { headers: { host?: string } }, secure: boolean) => {
    const host = req.headers.host;
    return host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `${secure ? 'wss' : 'ws'}://${host}` : "'self'";
  };
  return {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'", (req: unknown) => liveEvents(req as FastifyRequest, (req as FastifyRequest).protocol === 'https')],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  };
}

export async function webAppRoutes(app: FastifyInstance, opts: { root: string; apiPrefix: string; hsts: boolean }): Promise<void> {
  // Encapsulated: helmet's headers go on the app's answers; API routes and the share pages keep
  // their own (share pages and previews set stricter policies of their own).
  await app.register(async (web) => {
    await web.register(helmet, {
      contentSecurityPolicy: csp() as never,
      // Behind TLS only (a reverse proxy); over plain http it would only confuse.
      hsts: opts.hsts ? { maxAge: 180 * 24 * 3600 } : false,
      crossOriginEmbedderPolicy: false,
      frameguard: { action: 'deny' },
    });
    await web.register(fastifyStatic, {
      root: opts.root,
      serve: false, // routes below; the plugin only lends reply.sendFile
      // The build writes .br and .gz beside each text file (scripts/build.mjs): sent as such to
      // browsers that accept them (the app's JS is about a third of its size gzipped).
      preCompressed: true,
      cacheControl: false,
      setHeaders: (res, path) => {
        const rel = path.slice(opts.root.length).replace(/^[\\/]+/, '').replace(/\\/g, '/').replace(/\.(br|gz)$/, '');
        res.setHeader('cache-control', HASHED_ASSETS.test(rel) ? FOREVER : rel === 'index.html' ? REVALIDATE : 'public, max-age=3600');
        // The same URL answers brotli, gzip or plain bytes: caches must key on what was accepted.
        res.setHeader('vary', 'accept-encoding');
      },
    });

    const page = (reply: FastifyReply) => reply.sendFile('index.html');
    web.get('/', { schema: { hide: true } }, (_req, reply) => page(reply));
    web.get('/*', { schema: { hide: true } }, (req, reply) => {
      const path = (req.params as { '*': string })['*'];
      const url = req.url.split('?')[0];
      // Never answer an API path with the app: clients must see the API's JSON 404.
      if (url === opts.apiPrefix || url.startsWith(`${opts.apiPrefix}/`)) return reply.callNotFound();
      const last = path.slice(path.lastIndexOf('/') + 1);
      // A file (has an extension): that file or 404. A page of the app: index.html.
      if (last.includes('.')) return reply.sendFile(path);
      return page(reply);
    });
  });
}
