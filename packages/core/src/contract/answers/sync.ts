// Answers of the sync routes and the live event messages. A pull answers core's PullAnswer.
import type { OpResult, PullAnswer } from '../sync.js';

/** POST /projects/:projectId/ops: one result per pushed op, in order. */
export interface PushAnswer {
  results: OpResult[];
}

/** Server to client messages on GET /projects/:projectId/events (a WebSocket). */
export type LiveMessage =
  /** Exactly the body of a pull from the socket's last cursor. */
  | ({ type: 'changes' } & PullAnswer)
  /** Members with at least one live socket on the project, sorted. */
  | { type: 'presence'; online: string[] }
  /** The answer to a client `{ "type": "ping" }`. */
  | { type: 'pong' };
