// The sync push: a batch of client operations, each parsed and applied on its own through applyOp
// (idempotent by op id), each answered applied, rejected or conflict. Refused ops are audited.
import { BacklotError, parseOp, type OpResult } from '@backlot/core';
import { inTransaction, type Ctx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { loadMemberAccess, RefusedError } from '../access/access.js';
import { applyOp } from '../ops/apply.js';

export async function pushOps(ctx: Ctx, projectId: string, batch: { opId: string; op: unknown }[]): Promise<OpResult[]> {
  const { project } = await loadMemberAccess(ctx, projectId);
  const results: OpResult[] = [];
  for (const { opId, op: raw } of batch) {
    try {
      const op = parseOp(raw);
      const applied = await applyOp(ctx, projectId, op, opId);
      results.push({ opId, status: 'applied', revision: applied.revision, result: applied.result });
    } catch (err) {
      if (!(err instanceof BacklotError)) {
        // A bug must not cost the rest of the batch its answers: applyOp's transaction rolled
        // back, so this op changed nothing; it is answered, logged, and the batch goes on.
        ctx.log.error(`op ${opId} of a push to project ${projectId} failed`, err);
        results.push({ opId, status: 'rejected', code: 'internal', message: 'internal server error', details: ctx.requestId ? { requestId: ctx.requestId } : {} });
        continue;
      }
      if (err.code === 'conflict' || err.code === 'op_id_reused') {
        results.push({ opId, status: 'conflict', code: err.code, message: err.message, existingId: err.details.existingId as string | undefined, details: err.details });
        continue;
      }
      results.push({ opId, status: 'rejected', code: err.code, message: err.message, details: err.details });
      // Refused operations are audited: a tampered client shows up in the log.
      if (err instanceof RefusedError || err.code === 'forbidden' || err.code === 'not_found')
        await inTransaction(ctx, (trx) => appendAudit(trx, {
          studioId: project.studio_id, projectId, actorId: ctx.user!.id, action: 'sync.op_refused', targetType: 'op', targetId: opId,
          after: { type: typeof (raw as { type?: unknown })?.type === 'string' ? (raw as { type: string }).type.slice(0, 100) : null, code: err.code, reason: err.message }, ip: ctx.ip,
        }, ctx.clock.now().toISOString()));
    }
  }
  return results;
}

// ---- pull --------------------------------------------------------------------------------------
