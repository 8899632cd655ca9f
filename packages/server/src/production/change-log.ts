// The project change log: every accepted operation takes the project's next revision and writes
// what it changed, in the same transaction as the change itself. Pulls and live events read it.
import { BacklotError, type Entity } from '@backlot/core';
import type { Trx } from '../context.js';

export interface ChangeEntry {
  entity: Entity;
  entityId: string;
  change: 'upsert' | 'remove';
  data: unknown;
}

/**
 * Locks the project for this transaction and answers its current revision: the no-op UPDATE
 * takes the row lock on PostgreSQL (waiting for, then reading past, a concurrent writer's commit)
 * and the write lock on SQLite. Every writer to a project (operations, uploads, garbage
 * collection) takes it first, so they are serialised. Null when there is no such project (or,
 * with `live`, when it is deleted).
 */
export async function lockProject(trx: Trx, projectId: string, opts: { live?: boolean } = {}): Promise<number | null> {
  let q = trx.updateTable('projects').set((eb) => ({ revision: eb.ref('revision') })).where('id', '=', projectId);
  if (opts.live) q = q.where('deleted_at', 'is', null);
  const row = await q.returning('revision').executeTakeFirst();
  return row ? Number(row.revision) : null;
}

/** Locks a live project and answers its current revision (not_found for a missing or deleted one). */
export async function lockLiveProject(trx: Trx, projectId: string): Promise<number> {
  const revision = await lockProject(trx, projectId, { live: true });
  if (revision === null) throw new BacklotError('not_found', 'project not found');
  return revision;
}

/**
 * Commits a locked project's next revision, `revision` (its current one plus one). Only a change
 * that writes change-log entries takes one, so every revision has at least one entry.
 */
export async function takeRevision(trx: Trx, projectId: string, revision: number): Promise<void> {
  const row = await trx
    .updateTable('projects')
    .set((eb) => ({ revision: eb('revision', '+', 1) }))
    .where('id', '=', projectId)
    .returning('revision')
    .executeTakeFirstOrThrow();
  // The lock taken by lockLiveProject holds until commit: nobody else can have moved it.
  if (Number(row.revision) !== revision) throw new Error(`project ${projectId} moved to revision ${row.revision} while locked (expected ${revision})`);
}

export async function writeChanges(
  trx: Trx,
  projectId: string,
  revision: number,
  meta: { opId: string | null; actorId: string | null; at: string },
  entries: ChangeEntry[],
): Promise<void> {
  if (!entries.length) return;
  await trx
    .insertInto('change_log')
    .values(entries.map((e, seq) => ({
      project_id: projectId, revision, seq, op_id: meta.opId, actor_id: meta.actorId, entity: e.entity, entity_id: e.entityId,
      change: e.change, data: e.data === undefined || e.data === null ? null : JSON.stringify(e.data), created_at: meta.at,
    })))
    .execute();
}
