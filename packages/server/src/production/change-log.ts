// The project change log: every accepted operation takes the project's next revision and writes
// what it changed, in the same transaction as the change itself. Pulls and live events read it.
import { BacklotError } from '@backlot/core';
import type { Trx } from '../context.js';

/** Entities a change-log entry can describe. */
export type Entity = 'collection' | 'asset' | 'dependency' | 'checkpoint' | 'control_request' | 'status' | 'settings' | 'member' | 'role';

export interface ChangeEntry {
  entity: Entity;
  entityId: string;
  change: 'upsert' | 'remove';
  data: unknown;
}

/**
 * Takes the project's next revision. The UPDATE locks the project row (PostgreSQL) or the
 * database (SQLite) until commit, so writers to one project are serialised: no lost updates and
 * no duplicate revisions.
 */
export async function nextRevision(trx: Trx, projectId: string): Promise<number> {
  const row = await trx
    .updateTable('projects')
    .set((eb) => ({ revision: eb('revision', '+', 1) }))
    .where('id', '=', projectId)
    .where('deleted_at', 'is', null)
    .returning('revision')
    .executeTakeFirst();
  if (!row) throw new BacklotError('not_found', 'project not found');
  return Number(row.revision);
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
