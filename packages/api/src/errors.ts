// What a call can fail with. The server's refusals keep its own `{ error: { code, message,
// details } }`; transport failures and answers that break the protocol get their own types.
import type { ErrorBody } from './contract.js';

/** A server error code, or `http_<status>` when the answer did not carry the error shape (a proxy's page). */
export type ApiErrorCode = ErrorBody['error']['code'] | `http_${number}`;

/**
 * The server answered with an error status. `code`, `message` and `details` are the server's own
 * (a UI may show `message` as it is); `method`, `path` and `status` say which call it answered.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Record<string, unknown>,
    readonly method: string,
    readonly path: string,
    /** Seconds from a Retry-After header, when the answer had one. */
    readonly retryAfterHeader: number | null = null,
  ) {
    super(message);
  }

  /** The error as the server sent it. */
  get body(): ErrorBody {
    return { error: { code: this.code as ErrorBody['error']['code'], message: this.message, details: this.details } };
  }

  override toString(): string {
    return `ApiError: ${this.method} ${this.path}: ${this.status} ${this.code}: ${this.message}`;
  }

  /** Worth trying again: rate limited, or a proxy/server failure that is not the request's fault. */
  get retryable(): boolean {
    return this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
  }

  /** How long the server asked us to wait, in ms (details.retryAfterSeconds, else Retry-After). */
  get retryAfterMs(): number | null {
    const s = typeof this.details.retryAfterSeconds === 'number' ? this.details.retryAfterSeconds : this.retryAfterHeader;
    return s !== null && Number.isFinite(s) && s >= 0 ? s * 1000 : null;
  }
}

/** The request never got an answer (connection refused or reset, timeout, a broken stream). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The server answered something that does not follow the protocol (not JSON where JSON was due). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** Turns an error answer into an ApiError, keeping the server's error shape when it has one. */
export async function toApiError(
  res: { status: number; statusText: string; headers: { get(name: string): string | null }; text(): Promise<string> },
  method: string,
  path: string,
): Promise<ApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // the status alone still says what happened
  }
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const e = (parsed as Partial<ErrorBody> | undefined)?.error;
  const code = typeof e?.code === 'string' ? e.code : (`http_${res.status}` as const);
  const message = typeof e?.message === 'string' ? e.message : text.slice(0, 200) || res.statusText;
  const details = e?.details && typeof e.details === 'object' ? e.details : {};
  return new ApiError(res.status, code, message, details, method, path, retryAfterSeconds(res.headers.get('retry-after')));
}

/** Retry-After as seconds: a number of seconds or an HTTP date. */
function retryAfterSeconds(raw: string | null): number | null {
  if (!raw) return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, (at - Date.now()) / 1000);
}
