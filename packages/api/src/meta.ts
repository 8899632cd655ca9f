// Server health.
import type { Health } from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

export function metaApi(t: Transport) {
  return {
    /** GET /health: the server is up (no sign-in needed). */
    health: (): Promise<Health> => t.json(ROUTES['meta.health'], {}),
  };
}
