// The tamper-evidence of the audit log: each entry's hash covers its own fields and the previous
// entry's hash, so editing, deleting or reordering any entry breaks every link after it.
import { createHash } from 'node:crypto';
import type { AuditLogTable } from '../db/schema.js';

export const GENESIS_HASH = '0'.repeat(64);

export type ChainFields = Omit<AuditLogTable, 'hash'>;

export function entryHash(e: ChainFields): string {
  // A fixed field order: adding a column must not silently change old hashes.
  const canonical = JSON.stringify([
    e.scope, e.seq, e.studio_id, e.project_id, e.actor_id, e.action, e.target_type, e.target_id,
    e.before, e.after, e.ip, e.created_at, e.prev_hash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
