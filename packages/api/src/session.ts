// Who the calls act as. CLI/API clients hold a bearer token; a browser holds an HttpOnly session
// cookie it cannot read, so it sends cookies along (`credentials: 'include'`) and proves the
// request is its own by echoing the CSRF token (the readable `backlot_csrf` cookie, or what the
// cookie login answered) in `X-CSRF-Token` on every unsafe method.

export const CSRF_COOKIE = 'backlot_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

export type Auth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'cookie'; csrfToken?: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF cookie of this page, when running in a browser and it is set. */
export function readCsrfCookie(): string | undefined {
  const cookies = (globalThis as { document?: { cookie?: string } }).document?.cookie;
  if (!cookies) return undefined;
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export class Session {
  private auth: Auth;

  constructor(auth: Auth = { kind: 'none' }) {
    this.auth = auth;
  }

  get kind(): Auth['kind'] {
    return this.auth.kind;
  }

  /** The bearer token, when acting with one. */
  get token(): string | undefined {
    return this.auth.kind === 'bearer' ? this.auth.token : undefined;
  }

  useBearer(token: string): void {
    this.auth = { kind: 'bearer', token };
  }

  /** Cookie mode; without a token, the CSRF cookie is read at each unsafe call. */
  useCookie(csrfToken?: string): void {
    this.auth = { kind: 'cookie', csrfToken };
  }

  /** Signed out: a bearer client acts as nobody; a browser stays in cookie mode (its cookies are gone). */
  clear(): void {
    this.auth = this.auth.kind === 'cookie' ? { kind: 'cookie' } : { kind: 'none' };
  }

  /** Takes the session a sign-in answered with (setup, sign-up, login, accepting an invitation). */
  adopt(answer: object): void {
    const { token, csrfToken } = answer as { token?: unknown; csrfToken?: unknown };
    if (typeof token === 'string') this.useBearer(token);
    else if (typeof csrfToken === 'string') this.useCookie(csrfToken);
  }

  /** Adds the credentials to a request's headers; answers the fetch `credentials` mode. */
  apply(method: string, headers: Record<string, string>): RequestCredentials {
    if (this.auth.kind === 'bearer') {
      headers.authorization = `Bearer ${this.auth.token}`;
      return 'omit';
    }
    if (this.auth.kind === 'cookie') {
      const csrf = this.auth.csrfToken ?? readCsrfCookie();
      if (csrf && !SAFE_METHODS.has(method.toUpperCase())) headers[CSRF_HEADER] = csrf;
      return 'include';
    }
    return 'same-origin';
  }
}
