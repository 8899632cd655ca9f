// Operations made in this folder. In a studio project each one waits in the outbox (with a client
// op id, so a push that was cut off is re-sent and answered from the server's record instead of
// applied twice) and its effects are laid over the mirror until the server answers; in a Personal
// project, where this folder is the only truth, the effects go straight into the mirror.
import { randomUUID } from 'node:crypto';
import type { Op } from '@backlot/core';
import { mirror, type EntityName } from './items.js';
import type { ProjectDb } from './project-db.js';

export interface Effect {
  entity: EntityName;
  id: string;
  /** The item's view after the op, or `removed`. */
  data: unknown | 'removed';
}

export interface QueuedOp {
  seq: number;
  opId: string;
  op: Op;
}

/** Records an operation and its effects in one transaction. */
export function commitOp(db: ProjectDb, op: Op, effects: readonly Effect[]): void {
  db.tx(() => {
    if (db.meta().personal) {
      for (const e of effects) e.data === 'removed' ? mirror.remove(db, e.entity, e.id) : mirror.put(db, e.entity, e.id, e.data);
      return;
    }
    const { lastInsertRowid } = db
      .stmt('INSERT INTO outbox (op_id, type, op, created_at) VALUES (?, ?, ?, ?)')
      .run(randomUUID(), op.type, JSON.stringify(op), new Date().toISOString());
    const put = db.stmt(
      'INSERT INTO overlay (entity, id, data, op_seq) VALUES (?, ?, ?, ?) ON CONFLICT (entity, id) DO UPDATE SET data = excluded.data, op_seq = excluded.op_seq',
    );
    for (const e of effects) put.run(e.entity, e.id, JSON.stringify(e.data === 'removed' ? { removed: true } : e.data), lastInsertRowid);
  });
}

export function queuedOps(db: ProjectDb): QueuedOp[] {
  const rows = db.stmt('SELECT seq, op_id, op FROM outbox ORDER BY seq').all() as { seq: number; op_id: string; op: string }[];
  return rows.map((r) => ({ seq: r.seq, opId: r.op_id, op: JSON.parse(r.op) as Op }));
}

/** The server answered this op: it leaves the outbox and its overlay rows go (the pull brings the truth). */
export function settleOp(db: ProjectDb, seq: number): void {
  db.stmt('DELETE FROM outbox WHERE seq = ?').run(seq);
}

/** Replaces one op (a conflict resolved by renaming). */
export function replaceOp(db: ProjectDb, seq: number, op: Op): void {
  db.stmt('UPDATE outbox SET op = ? WHERE seq = ?').run(JSON.stringify(op), seq);
}

/**
 * Makes every queued op, overlay row and working file that names `localId` name `serverId`
 * instead: a folder made here turned out to exist on the server already (adopted), or local
 * checkpoints are stacked on the server's item (merge). Ids are UUIDs, so the text replacement
 * cannot hit anything else.
 */
export function renameId(db: ProjectDb, localId: string, serverId: string): void {
  db.tx(() => {
    db.stmt('UPDATE outbox SET op = replace(op, ?, ?)').run(localId, serverId);
    db.stmt('UPDATE overlay SET data = replace(data, ?, ?) WHERE id <> ?').run(localId, serverId, localId);
    db.stmt('DELETE FROM overlay WHERE id = ?').run(localId);
    db.stmt('UPDATE files SET asset_id = ? WHERE asset_id = ?').run(serverId, localId);
  });
}
