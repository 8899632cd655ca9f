// Wires live events into an app: the hub on the deps (one per app), @fastify/websocket, and a
// clean shutdown (sockets closed with 1001, LISTEN connection ended) when the app closes.
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { AppDeps } from '../context.js';
import { EventHub } from './hub.js';

declare module 'fastify' {
  interface FastifyInstance {
    liveEvents: EventHub;
  }
}

/** Incoming frames are tiny (pings); anything bigger is refused by `ws` itself. */
const MAX_INCOMING_FRAME = 16 * 1024;

/** The hub for these deps, made (in-process, no LISTEN) when the deps were built without one. */
export function hubFor(deps: AppDeps): EventHub {
  if (deps.events instanceof EventHub) return deps.events;
  const hub = new EventHub({ db: deps.db, kind: deps.dbKind, log: deps.log });
  const other = deps.events;
  deps.events = other
    ? {
      projectChanged: (p, r) => { other.projectChanged(p, r); hub.projectChanged(p, r); },
      userAccessChanged: (u) => { other.userAccessChanged?.(u); hub.userAccessChanged(u); },
    }
    : hub;
  return hub;
}

export async function installLiveEvents(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const hub = hubFor(deps);
  app.decorate('liveEvents', hub);
  // Added before the websocket plugin's own preClose, so our sockets get a proper 1001 first.
  app.addHook('preClose', async () => {
    await hub.close();
  });
  await app.register(websocket, { options: { maxPayload: MAX_INCOMING_FRAME } });
}
