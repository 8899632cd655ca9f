// The project lock: every writer to a project (operations, uploads, garbage collection, repairs)
// takes it first, so they are serialised per project on both databases.
import type { Transaction } from 'kysely';
import type { Database } from './schema.js';

type Trx = Transaction<Database>;

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
