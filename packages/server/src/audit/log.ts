// Appending to the audit log. Every append happens inside the caller's transaction, so an event
// is recorded exactly when the change it describes is committed.
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Db } from '../db/connect.js';
import { entryHash, GENESIS_HASH } from './chain.js';

export const INSTANCE_SCOPE = 'instance';

export interface AuditEvent {
  studioId?: string | null;
  projectId?: string | null;
  actorId: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** Creates the chain head of a new scope (a studio); call in the studio's creating transaction. */
export async function startAuditChain(trx: Transaction<Database> | Db, scope: string): Promise<void> {
  await trx.insertInto('audit_heads').values({ scope, seq: 0, hash: GENESIS_HASH }).onConflict((oc) => oc.column('scope').doNothing()).execute();
}

export async function appendAudit(trx: Transaction<Database>, event: AuditEvent, at: string): Promise<void> {
  const scope = event.studioId ?? INSTANCE_SCOPE;
  // The UPDATE takes the head's row lock (PostgreSQL) / the write lock (SQLite), so concurrent
  // appends to one chain are serialised and never share a sequence number.
  const head = await trx
    .updateTable('audit_heads')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('scope', '=', scope)
    .returning(['seq', 'hash'])
    .executeTakeFirst();
  if (!head) throw new Error(`audit chain ${scope} has no head`);
  const row = {
    scope,
    seq: Number(head.seq),
    studio_id: event.studioId ?? null,
    project_id: event.projectId ?? null,
    actor_id: event.actorId,
    action: event.action,
    target_type: event.targetType ?? null,
    target_id: event.targetId ?? null,
    before: json(event.before),
    after: json(event.after),
    ip: event.ip ?? null,
    created_at: at,
    prev_hash: head.hash,
  };
  const hash = entryHash(row);
  await trx.insertInto('audit_log').values({ ...row, hash }).execute();
  await trx.updateTable('audit_heads').set({ hash }).where('scope', '=', scope).execute();
}
