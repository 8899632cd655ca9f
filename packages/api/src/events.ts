// Live events: GET /projects/:projectId/events is a WebSocket whose messages are pulls (the
// project's changes as the caller may see them) and presence (docs/live-events.md). A browser
// authenticates it with its session cookie; a bearer client needs a WebSocket that can send
// headers (Node's `ws` package: `(url, headers) => new WebSocket(url, { headers })`).
import type { LiveMessage } from './contract.js';
import { ProtocolError } from './errors.js';
import { LIVE_EVENTS } from './routes.js';
import type { Transport } from './transport.js';

/** The part of a WebSocket used here: the browser's, Node 22's, or the `ws` package's. */
export interface LiveSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Opens a socket; `headers` carry the bearer token, when there is one. */
export type SocketFactory = (url: string, headers: Record<string, string>) => LiveSocket;

export interface LiveEvents {
  readonly socket: LiveSocket;
  /** Each message, parsed. */
  onMessage(listener: (message: LiveMessage) => void): void;
  /** Asks for a `pong` (a liveness check of the connection). */
  ping(): void;
  close(): void;
}

/** A live event message from its text frame. */
export function parseLiveMessage(data: unknown): LiveMessage {
  const text = typeof data === 'string' ? data : data instanceof Uint8Array ? new TextDecoder().decode(data) : String(data);
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new ProtocolError(`live event is not JSON: ${text.slice(0, 200)}`);
  }
  const type = (message as { type?: unknown } | null)?.type;
  if (type !== 'changes' && type !== 'presence' && type !== 'pong') throw new ProtocolError(`unknown live event: ${text.slice(0, 200)}`);
  return message as LiveMessage;
}

export function eventsApi(t: Transport) {
  return {
    /**
     * Opens the project's live events from a pull cursor (without one, the first message is a
     * snapshot). Refusals (401, 404, 400, 429) arrive as a failed handshake.
     */
    open: (projectId: string, options: { since?: string; connect?: SocketFactory } = {}): LiveEvents => {
      const path = t.url(LIVE_EVENTS, { projectId }, { since: options.since });
      const origin = t.baseUrl || (globalThis as { location?: { origin: string } }).location?.origin;
      if (!origin) throw new TypeError('live events need an absolute baseUrl');
      const url = new URL(t.baseUrl ? path : origin + path);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const headers: Record<string, string> = {};
      t.session.apply('GET', headers);
      const connect = options.connect ?? defaultSocket(headers);
      const socket = connect(url.toString(), headers);
      return {
        socket,
        onMessage: (listener) => socket.addEventListener('message', (event) => listener(parseLiveMessage(event.data))),
        ping: () => socket.send(JSON.stringify({ type: 'ping' })),
        close: () => socket.close(1000),
      };
    },
  };
}

function defaultSocket(headers: Record<string, string>): SocketFactory {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => LiveSocket }).WebSocket;
  if (!Ctor) throw new TypeError('no global WebSocket here; pass `connect` (e.g. from the ws package)');
  // The standard WebSocket cannot send headers: only a cookie session authenticates it.
  if (headers.authorization) throw new TypeError('a bearer session needs a `connect` that sends headers (e.g. the ws package)');
  return (url) => new Ctor(url);
}
