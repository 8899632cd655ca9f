// The sync protocol's answers: a push is answered op by op; a pull carries the changes after a
// cursor, or a snapshot when what the member may see changed.
import type { ErrorCode } from '../errors.js';
import type { AssetView, CheckpointView, CollectionNameView, CollectionView, ControlRequestView, DependencyView, MemberEntry, StatusView } from './views.js';

/** Operations in one push. */
export const MAX_BATCH = 500;
/** Changes in one pull page. */
export const MAX_PULL = 1000;

/** One op of a push, with the client's id for it (idempotent retries). */
export interface PushedOp {
  /** 1-100 characters of [A-Za-z0-9_.:-]; one id per operation, reused only to retry it. */
  opId: string;
  op: unknown;
}

export type OpResult =
  | { opId: string; status: 'applied'; revision: number; result: unknown }
  | { opId: string; status: 'conflict'; code: ErrorCode; message: string; existingId?: string; details: Record<string, unknown> }
  /** `code` is an ErrorCode, or `internal` for a server fault (details.requestId names its log lines). */
  | { opId: string; status: 'rejected'; code: ErrorCode | 'internal'; message: string; details: Record<string, unknown> };

export type Entity = 'collection' | 'asset' | 'dependency' | 'checkpoint' | 'control_request' | 'status' | 'settings' | 'member' | 'role';

/** One change in a pull: an upsert with the item's view, or a removal with its id alone. */
export type Change =
  | { revision: number; at: string; actorId: string | null; entity: Entity; id: string; change: 'upsert'; data: unknown }
  | { revision: number; entity: Entity; id: string; change: 'remove' };

export interface Snapshot {
  collections: (CollectionView | CollectionNameView)[];
  assets: AssetView[];
  dependencies: DependencyView[];
  checkpoints: CheckpointView[];
  controlRequests: ControlRequestView[];
  statuses: StatusView[];
  settings: Record<string, unknown>;
  members: MemberEntry[];
}

export type PullAnswer =
  | { reset: false; revision: number; cursor: string; hasMore: boolean; changes: Change[] }
  | { reset: true; revision: number; cursor: string; hasMore: false; snapshot: Snapshot };

/**
 * A pull cursor: `revision.digest`, the digest fingerprinting what the member could see at that
 * revision (16 url-safe base64 characters). Opaque to clients: they send back what they got.
 */
export interface Cursor {
  revision: number;
  digest: string;
}

const CURSOR = /^(\d{1,15})\.([A-Za-z0-9_-]{16})$/;

export function parseCursor(raw: string): Cursor | null {
  const m = CURSOR.exec(raw);
  return m ? { revision: Number(m[1]), digest: m[2] } : null;
}

export function formatCursor(c: Cursor): string {
  return `${c.revision}.${c.digest}`;
}
