// Answers of the account routes: setup, sign-up, login, the caller, sessions.

/** `cookie` for browsers (HttpOnly session cookie + CSRF token), `bearer` for CLI/API clients. */
export type SessionKind = 'cookie' | 'bearer';

/** A bearer session: send `Authorization: Bearer <token>`. */
export interface BearerSession {
  token: string;
  expiresAt: string;
}

/** A cookie session: the cookies are set; echo `csrfToken` in `X-CSRF-Token` on changes. */
export interface CookieSession {
  csrfToken: string;
  expiresAt: string;
}

export type SessionOf<K extends SessionKind> = K extends 'cookie' ? CookieSession : BearerSession;

/** POST /setup, /auth/signup, /auth/login. */
export type SignedIn<K extends SessionKind = 'bearer'> = { userId: string } & SessionOf<K>;

/** GET /auth/me. */
export interface Me {
  id: string;
  email: string;
  name: string;
  isInstanceAdmin: boolean;
}

/** POST /auth/password: every other session of the caller ended. */
export interface PasswordChanged {
  endedSessions: number;
}

export interface SessionInfo {
  id: string;
  kind: SessionKind;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  /** The session this request came with. */
  current: boolean;
}

/** GET /auth/sessions: the caller's live sessions, newest first. */
export interface SessionList {
  sessions: SessionInfo[];
}

/** GET /health. */
export interface Health {
  ok: true;
}
