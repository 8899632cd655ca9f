// Pushing operations through the sync endpoint (api.sync.push, POST /projects/:id/ops) with client
// op ids. The server remembers applied op ids per caller, so re-sending a batch after a crash or a
// lost answer replays the recorded results instead of applying twice; that is why the api's
// transport retries pushes, and why a client that crashed may send the same ops again.
import { ProtocolError, type BacklotApi, type ClientOp } from '@backlot/api';
import { MAX_BATCH, type OpResult } from '@backlot/core';

/** A body size well under the server's 32 MiB limit for a push. */
export const MAX_OPS_BATCH_BYTES = 24 * 1024 * 1024;

export type { ClientOp, OpResult };

/** An operation the server refused or found in conflict. */
export class OpRejectedError extends Error {
  override readonly name = 'OpRejectedError';
  readonly opId: string;
  readonly status: 'rejected' | 'conflict';
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly existingId: string | undefined;

  constructor(result: Exclude<OpResult, { status: 'applied' }>, readonly opType?: string) {
    super(`${opType ?? 'operation'} ${result.status}: ${result.code}: ${result.message}`);
    this.opId = result.opId;
    this.status = result.status;
    this.code = result.code;
    this.details = result.details ?? {};
    this.existingId = result.status === 'conflict' ? result.existingId : undefined;
  }
}

/**
 * Sends `ops` in order, in as few requests as the server's limits allow (MAX_BATCH ops, a bounded
 * body), and returns one result per op in the same order. Rejections are results, not exceptions;
 * transport failures and 429/5xx are retried by the api's transport (the op ids make that safe).
 */
export async function pushOps(api: BacklotApi, projectId: string, ops: readonly ClientOp[]): Promise<OpResult[]> {
  const results: OpResult[] = [];
  let batch: ClientOp[] = [];
  let bytes = 0;
  const send = async () => {
    if (batch.length === 0) return;
    const res = await api.sync.push(projectId, batch);
    if (!Array.isArray(res?.results) || res.results.length !== batch.length) throw new ProtocolError('ops: the answer does not have one result per operation');
    results.push(...res.results);
    batch = [];
    bytes = 0;
  };
  for (const op of ops) {
    const size = Buffer.byteLength(JSON.stringify(op)) + 1;
    if (batch.length >= MAX_BATCH || (batch.length > 0 && bytes + size > MAX_OPS_BATCH_BYTES)) await send();
    batch.push(op);
    bytes += size;
  }
  await send();
  return results;
}
