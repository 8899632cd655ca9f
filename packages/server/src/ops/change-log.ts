// The project change log: every accepted operation takes the project's next revision and writes
// what it changed, in the same transaction as the change itself. Pulls and live events read it.
import { BacklotError, type Entity } from '@backlot/core';
import type { Trx } from '../context.js';
import { lockProject } from '../db/project-lock.js';

export interface ChangeEntry {
  entity: Entity;
  entityId: string;
  change: 'upsert' | 'remove';
  data: unknown;
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
