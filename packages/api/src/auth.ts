// Accounts and sign-in. Setup, sign-up, login and accepting an invitation hand out a session;
// the api adopts it at once (bearer token, or cookie mode with its CSRF token), so the calls
// after them act as the signed-in user. Logout forgets it.
import type { Me, PasswordChanged, SessionKind, SessionList, SignedIn } from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

export interface Account<K extends SessionKind> {
  email: string;
  name: string;
  password: string;
  /** `bearer` (default) for CLI/API clients, `cookie` for browsers. */
  session?: K;
}

export function authApi(t: Transport) {
  const signIn = async <K extends SessionKind>(route: typeof ROUTES['auth.setup' | 'auth.signup' | 'auth.login'], body: object): Promise<SignedIn<K>> => {
    const answer: SignedIn<K> = await t.json(route, {}, { json: body });
    t.session.adopt(answer);
    return answer;
  };
  return {
    /** POST /setup: the first (administrator) account, with the one-time setup token. */
    setup: <K extends SessionKind = 'bearer'>(body: Account<K> & { token: string }) => signIn<K>(ROUTES['auth.setup'], body),
    /** POST /auth/signup: open sign-up (when the server allows it). */
    signup: <K extends SessionKind = 'bearer'>(body: Account<K>) => signIn<K>(ROUTES['auth.signup'], body),
    /** POST /auth/login. */
    login: <K extends SessionKind = 'bearer'>(body: { email: string; password: string; session?: K }) => signIn<K>(ROUTES['auth.login'], body),
    /** POST /auth/logout: ends this session (and clears the browser's cookies). */
    logout: async (): Promise<void> => {
      await t.none(ROUTES['auth.logout'], {});
      t.session.clear();
    },
    /** GET /auth/me. */
    me: (): Promise<Me> => t.json(ROUTES['auth.me'], {}),
    /** POST /auth/password: every other session of the caller ends. */
    changePassword: (body: { currentPassword: string; newPassword: string }): Promise<PasswordChanged> =>
      t.json(ROUTES['auth.changePassword'], {}, { json: body }),
    /** GET /auth/sessions: the caller's live sessions. */
    sessions: (): Promise<SessionList> => t.json(ROUTES['auth.sessions'], {}),
    /** DELETE /auth/sessions/:sessionId: signs one of the caller's sessions out. */
    revokeSession: (sessionId: string): Promise<void> => t.none(ROUTES['auth.revokeSession'], { sessionId }),
    /** POST /admin/users/:userId/deactivate (instance administrators): every session of theirs fails at once. */
    deactivateUser: (userId: string): Promise<void> => t.none(ROUTES['auth.deactivateUser'], { userId }),
    /** POST /admin/users/:userId/reactivate (instance administrators). */
    reactivateUser: (userId: string): Promise<void> => t.none(ROUTES['auth.reactivateUser'], { userId }),
  };
}
