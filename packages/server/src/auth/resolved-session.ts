// Who a request's credential stands for, whatever the credential (a session, an access token).
import type { AuthUser } from '../context.js';

export interface ResolvedSession {
  user: AuthUser;
  kind: 'cookie' | 'bearer';
  csrfHash: string;
}
