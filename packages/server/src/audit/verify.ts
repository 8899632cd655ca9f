// Walks a chain from the start and reports the first entry that does not link up.
import type { Db } from '../db/connect.js';
import { entryHash, GENESIS_HASH } from './chain.js';

export interface ChainReport {
  scope: string;
  ok: boolean;
  entries: number;
  /** The first broken link, when there is one. */
  broken?: { seq: number; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'missing_entry' | 'truncated' };
}

const PAGE = 1000;

export async function verifyChain(db: Db, scope: string): Promise<ChainReport> {
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('scope', '=', scope)
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return { scope, ok: false, entries, broken: { seq: expectedSeq, reason: 'missing_entry' } };
      const { hash, ...fields } = row;
      if (row.prev_hash !== expectedPrev) return { scope, ok: false, entries, broken: { seq, reason: 'prev_hash_mismatch' } };
      if (entryHash({ ...fields, seq }) !== hash) return { scope, ok: false, entries, broken: { seq, reason: 'hash_mismatch' } };
      expectedPrev = hash;
      expectedSeq++;
      entries++;
    }
    if (rows.length < PAGE) break;
  }
  const head = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('scope', '=', scope).executeTakeFirst();
  // Every chain has a head (created with its studio); a missing one cannot vouch for the end.
  if (!head || Number(head.seq) !== entries || head.hash !== expectedPrev)
    return { scope, ok: false, entries, broken: { seq: entries + 1, reason: 'truncated' } };
  return { scope, ok: true, entries };
}

export async function verifyAllChains(db: Db): Promise<ChainReport[]> {
  const scopes = await db.selectFrom('audit_heads').select('scope').orderBy('scope').execute();
  const reports: ChainReport[] = [];
  for (const { scope } of scopes) reports.push(await verifyChain(db, scope));
  return reports;
}
