// A small typed HTTP client for the Backlot API over Node's fetch (undici): bearer auth, JSON in
// and out, streamed binary bodies both ways, and the server's `{ error: { code, message,
// details } }` turned into a typed ApiError. Transport failures become NetworkError. Nothing here
// retries on its own; `withRetry` does, for calls the caller knows to be idempotent.

/** The server answered with an error status. `code` and `message` are the server's own. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${status} ${code}: ${message}`);
  }

  /** Worth trying again: rate limited, or a server/proxy failure that is not the request's fault. */
  get retryable(): boolean {
    return this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/** The request never got an answer (connection refused or reset, timeout, aborted stream). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The server answered something that does not follow the protocol (bad JSON, bad frames). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export interface HttpClientOptions {
  /** Server root, e.g. `http://127.0.0.1:8080`. `/api/v1` is added to every path. */
  baseUrl: string;
  /** Bearer token (`Authorization: Bearer <token>`). */
  token?: string;
  /** Headers-received timeout per request in ms (default 120 s). Bodies may take longer. */
  timeoutMs?: number;
  /** fetch implementation (tests); default the global one. */
  fetch?: typeof fetch;
}

export type BinaryBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface RequestOptions {
  /** JSON body (serialised, content-type application/json). */
  json?: unknown;
  /** Binary body, streamed when it is an async iterable. */
  body?: BinaryBody;
  /** Content type of `body` (default application/octet-stream). */
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export const API_PREFIX = '/api/v1';

export class HttpClient {
  readonly baseUrl: string;
  private token: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** A client for the same server acting with another token. */
  withToken(token: string): HttpClient {
    return new HttpClient({ baseUrl: this.baseUrl, token, timeoutMs: this.timeoutMs, fetch: this.fetchImpl });
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }

  get<T = unknown>(path: string, options: Omit<RequestOptions, 'json' | 'body'> = {}): Promise<T> {
    return this.json<T>('GET', path, options);
  }

  post<T = unknown>(path: string, json?: unknown, options: Omit<RequestOptions, 'json' | 'body'> = {}): Promise<T> {
    return this.json<T>('POST', path, { ...options, json: json ?? {} });
  }

  patch<T = unknown>(path: string, json?: unknown, options: Omit<RequestOptions, 'json' | 'body'> = {}): Promise<T> {
    return this.json<T>('PATCH', path, { ...options, json: json ?? {} });
  }

  delete<T = unknown>(path: string, options: Omit<RequestOptions, 'json' | 'body'> = {}): Promise<T> {
    return this.json<T>('DELETE', path, options);
  }

  /** A request whose answer is JSON (or empty, which gives undefined). */
  async json<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new NetworkError(`${method} ${path}: reading the answer failed: ${(err as Error).message}`, { cause: err });
    }
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ProtocolError(`${method} ${path}: answer is not JSON: ${text.slice(0, 200)}`);
    }
  }

  /**
   * A request whose answer is streamed back (e.g. chunk frames). The caller must consume or
   * cancel the returned stream. Errors (status >= 400) are thrown before any byte is returned.
   */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.send(method, path, options);
    const body = res.body;
    if (!body) return (async function* () {})();
    return wrapStream(body as unknown as AsyncIterable<Uint8Array>, method, path);
  }

  /** Sends the request and returns the response once its headers arrived with a 2xx status. */
  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = this.baseUrl + (path.startsWith(API_PREFIX) ? path : API_PREFIX + (path.startsWith('/') ? path : `/${path}`));
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: RequestInit['body'] | undefined;
    let streaming = false;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
      if (options.body instanceof Uint8Array) body = options.body as unknown as RequestInit['body'];
      else {
        body = options.body as unknown as RequestInit['body'];
        streaming = true;
      }
    }
    // The timeout covers waiting for the response headers; a long streamed body is not cut off.
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ctrl.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    timer.unref?.();
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        body,
        signal: ctrl.signal,
        ...(streaming && { duplex: 'half' }),
      } as RequestInit);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      const cause = (err as { cause?: Error }).cause;
      throw new NetworkError(`${method} ${path}: ${cause?.message ?? (err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (res.status >= 400) throw await toApiError(res, method, path);
    return res;
  }
}

async function toApiError(res: Response, method: string, path: string): Promise<ApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // the status alone still says what happened
  }
  let parsed: { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const e = parsed?.error;
  const code = typeof e?.code === 'string' ? e.code : `http_${res.status}`;
  const message = typeof e?.message === 'string' ? e.message : text.slice(0, 200) || res.statusText;
  const details = e?.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {};
  return new ApiError(res.status, code, message, details, method, path);
}

async function* wrapStream(body: AsyncIterable<Uint8Array>, method: string, path: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const part of body) yield part;
  } catch (err) {
    throw new NetworkError(`${method} ${path}: answer stream failed: ${(err as Error).message}`, { cause: err });
  }
}

export interface RetryOptions {
  /** Attempts in total (default 4). */
  attempts?: number;
  /** First backoff in ms, doubled each time (default 200). */
  baseDelayMs?: number;
  /** Called before each retry (logging, tests). */
  onRetry?: (err: unknown, attempt: number) => void;
}

/** Whether an error is worth retrying (transport failures, 429, 502/503/504). */
export function isRetryable(err: unknown): boolean {
  return (err instanceof ApiError && err.retryable) || err instanceof NetworkError;
}

/** Runs `fn` again on retryable errors, with exponential backoff. Only for idempotent calls. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4);
  let delay = options.baseDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      options.onRetry?.(err, attempt);
      const retryAfter = err instanceof ApiError ? Number(err.details.retryAfterSeconds) : NaN;
      await new Promise((r) => setTimeout(r, Number.isFinite(retryAfter) ? retryAfter * 1000 : delay));
      delay *= 2;
    }
  }
}
