// The sync protocol's metadata side: push a batch of operations (each with a client op id, so
// a re-sent batch replays instead of applying twice, which is why it is retried), pull the
// changes after a cursor.
import type { Op, PullAnswer, PushAnswer } from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

/** One operation of a push, with its client op id (1-100 of [A-Za-z0-9_.:-], reused only to retry it). */
export interface ClientOp {
  opId: string;
  op: Op;
}

export function syncApi(t: Transport) {
  return {
    /** POST /projects/:projectId/ops: up to MAX_BATCH ops, each answered applied, rejected or conflict. */
    push: (projectId: string, ops: ClientOp[]): Promise<PushAnswer> => t.json(ROUTES['sync.push'], { projectId }, { json: { ops } }),
    /**
     * GET /projects/:projectId/changes: the changes after `since` as the caller may see them now,
     * or a snapshot (`reset: true`) without a cursor or when their visibility changed.
     */
    pull: (projectId: string, query: { since?: string; limit?: number } = {}): Promise<PullAnswer> =>
      t.json(ROUTES['sync.pull'], { projectId }, { query }),
  };
}
