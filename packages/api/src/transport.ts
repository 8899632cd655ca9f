// The HTTP side of every call: URL from the route table, credentials from the session, JSON or
// binary bodies, the server's error shape turned into ApiError, transport failures into
// NetworkError, and retries for routes that are safe to repeat. No Node APIs: the same code runs in
// Node and in the browser, sending through fetch unless given another HttpClient (http-client.ts).
import { NetworkError, ProtocolError, toApiError } from './errors.js';
import { byteStream, isReplayable, readAll, type BinaryBody, type ByteStream } from './bytes.js';
import { fetchClient, type AnswerHeaders, type HttpAnswer, type HttpClient } from './http-client.js';
import { withRetry, type RetryOptions } from './retry.js';
import { Session, type Auth } from './session.js';
import { API_PREFIX, fillPath, isIdempotent, type PathParams, type Route } from './routes.js';

export interface TransportOptions {
  /**
   * Server root, e.g. `http://127.0.0.1:8080` (a trailing `/api/v1` is ignored). In a page the
   * server itself serves, `''` calls the page's own origin.
   */
  baseUrl: string;
  /** Who to act as at first (default nobody); signing in through the api switches it. */
  auth?: Auth;
  /** Headers-received timeout per request in ms (default 120 s); a long body is not cut off. */
  timeoutMs?: number;
  /** fetch implementation (tests, custom agents); default the global one. */
  fetch?: typeof fetch;
  /** What sends the requests (default: fetch, or `fetch` above); a Node program may pass node-http.ts's. */
  http?: HttpClient;
  /** Retries of idempotent calls; false turns them off. */
  retry?: RetryOptions | false;
}

export type QueryValue = string | number | boolean | readonly string[] | null | undefined;
export type Query = Record<string, QueryValue>;

export interface CallInit {
  /** Query parameters; undefined and null are left out, lists are sent comma separated. */
  query?: Query;
  /** JSON body (serialised, content-type application/json). */
  json?: unknown;
  /** Binary body. */
  body?: BinaryBody;
  /** Content type of `body` (default application/octet-stream). */
  contentType?: string;
  /** Accept header (default application/json). */
  accept?: string;
  signal?: AbortSignal;
}

/** A binary answer with what its headers say about it. */
export interface BinaryAnswer {
  body: ByteStream;
  contentType: string | null;
  /** Content-Length, when sent. */
  size: number | null;
  headers: AnswerHeaders;
}

export class Transport {
  readonly baseUrl: string;
  readonly session: Session;
  private readonly timeoutMs: number;
  private readonly http: HttpClient;
  private readonly retry: RetryOptions | false;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(new RegExp(`${API_PREFIX}$`), '');
    this.session = new Session(options.auth);
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.http = options.http ?? fetchClient(options.fetch);
    this.retry = options.retry ?? {};
  }

  /** The absolute (or, with baseUrl '', origin-relative) URL of a route. */
  url<R extends Route>(route: R, params: PathParams<R['path']>, query?: Query): string {
    return this.baseUrl + fillPath(route.path, params) + queryString(query);
  }

  /** A call answered with JSON; `T` is the answer type (inferred from the caller's return type). */
  json<R extends Route, T = unknown>(route: R, params: PathParams<R['path']>, init: CallInit = {}): Promise<T> {
    return this.retrying(route, init, async () => {
      const res = await this.send(route, params, init);
      const text = await readText(res, route);
      if (!text) throw new ProtocolError(`${route.method} ${route.path}: the answer is empty, JSON was expected`);
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ProtocolError(`${route.method} ${route.path}: the answer is not JSON: ${text.slice(0, 200)}`);
      }
    });
  }

  /** A call answered with no content (204). */
  none<R extends Route>(route: R, params: PathParams<R['path']>, init: CallInit = {}): Promise<void> {
    return this.retrying(route, init, async () => {
      const res = await this.send(route, params, init);
      await readText(res, route); // lets the connection be reused
    });
  }

  /** A call answered with a (small) binary body, read whole. */
  bytes<R extends Route>(route: R, params: PathParams<R['path']>, init: CallInit = {}): Promise<{ bytes: Uint8Array; contentType: string | null; headers: AnswerHeaders }> {
    return this.retrying(route, init, async () => {
      const answer = await this.binary(route, params, init);
      return { bytes: await readAll(answer.body), contentType: answer.contentType, headers: answer.headers };
    });
  }

  /**
   * A call answered with a streamed binary body. Errors (status >= 400) are thrown before any
   * byte is handed out; only getting the headers is retried, the body is the caller's.
   */
  stream<R extends Route>(route: R, params: PathParams<R['path']>, init: CallInit = {}): Promise<BinaryAnswer> {
    return this.retrying(route, init, () => this.binary(route, params, init));
  }

  private async binary<R extends Route>(route: R, params: PathParams<R['path']>, init: CallInit): Promise<BinaryAnswer> {
    const res = await this.send(route, params, { accept: '*/*', ...init });
    const length = res.headers.get('content-length');
    return {
      body: byteStream(res.body, `${route.method} ${route.path}`),
      contentType: res.headers.get('content-type'),
      size: length !== null && /^\d+$/.test(length) ? Number(length) : null,
      headers: res.headers,
    };
  }

  /** Retries when the route is idempotent and the body can be sent again. */
  private retrying<T>(route: Route, init: CallInit, fn: () => Promise<T>): Promise<T> {
    const safe = this.retry !== false && isIdempotent(route) && (init.body === undefined || isReplayable(init.body));
    return safe ? withRetry(fn, this.retry || {}) : fn();
  }

  /** Sends the request; answers the response once its headers arrived with a 2xx status. */
  private async send<R extends Route>(route: R, params: PathParams<R['path']>, init: CallInit): Promise<HttpAnswer> {
    const { method } = route;
    const url = this.url(route, params, init.query);
    const what = `${method} ${route.path}`;
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
    const credentials = this.session.apply(method, headers);
    let body: BinaryBody | string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.body !== undefined) {
      headers['content-type'] = init.contentType ?? 'application/octet-stream';
      body = init.body;
    }
    // The timeout covers waiting for the headers; a long streamed body is not cut off.
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort(init.signal?.reason);
    init.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ctrl.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    (timer as { unref?: () => void }).unref?.();
    let res: HttpAnswer;
    try {
      res = await this.http({ method, url, headers, body, credentials, signal: ctrl.signal });
    } catch (err) {
      if (init.signal?.aborted) throw init.signal.reason ?? err;
      const cause = (err as { cause?: Error }).cause;
      throw new NetworkError(`${what}: ${cause?.message ?? (err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', onAbort);
    }
    if (res.status >= 400) throw await toApiError(res, method, route.path);
    // fetch follows redirects; a client that does not (node-http.ts) says where the server moved,
    // rather than sending the credentials on to another address.
    if (res.status >= 300) {
      await res.body.cancel();
      throw new ProtocolError(`${what}: the server redirects to ${res.headers.get('location') ?? 'another address'} (answer ${res.status}): use that address`);
    }
    return res;
  }
}

async function readText(res: HttpAnswer, route: Route): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    throw new NetworkError(`${route.method} ${route.path}: reading the answer failed: ${(err as Error).message}`, { cause: err });
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    search.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}
