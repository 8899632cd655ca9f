// The one API client of the app: same origin (baseUrl ''), the browser's HttpOnly session cookie,
// and the CSRF token echoed on every change (read from the backlot_csrf cookie, or adopted from
// the sign-in answer). Every call to the server goes through it.
import { BacklotApi } from '@backlot/api';

export const api = new BacklotApi({ baseUrl: '', auth: { kind: 'cookie' } });
