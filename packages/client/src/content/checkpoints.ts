// Checkpoint operations: creating checkpoints of content already on the server, with op ids that
// make a retry after a crash replay the recorded answer, and reading a refusal that says chunks
// are missing.
import { createHash } from 'node:crypto';
import type { BacklotApi } from '@backlot/api';
import { pushOps, type ClientOp, type OpRejectedError, type OpResult } from '../remote/ops.js';

export interface CheckpointRequest {
  assetId: string;
  fileHash: string;
  size: number;
  chunks: string[];
  comment?: string;
  statusId?: string;
  /** Client op id; see checkpointOpId. */
  opId: string;
}

/**
 * A deterministic op id for "this content on top of that checkpoint of that asset". A client that
 * crashed after the server applied the op but before it recorded the answer sends the same id
 * again and gets the recorded result back instead of a second checkpoint. `baseCheckpointId` is
 * the asset's latest checkpoint the client knows (null for the first one); including it keeps
 * "publish A, then B, then A again" three distinct checkpoints.
 */
export function checkpointOpId(assetId: string, baseCheckpointId: string | null, fileHash: string, size: number): string {
  const h = createHash('sha256').update(`checkpoint.create\n${assetId}\n${baseCheckpointId ?? ''}\n${fileHash}\n${size}`).digest('hex');
  return `cp.${h.slice(0, 48)}`;
}

export function checkpointOp(req: CheckpointRequest): ClientOp {
  return {
    opId: req.opId,
    op: {
      type: 'checkpoint.create', assetId: req.assetId, fileHash: req.fileHash, size: req.size, chunks: req.chunks,
      ...(req.comment !== undefined && { comment: req.comment }),
      ...(req.statusId !== undefined && { statusId: req.statusId }),
    },
  };
}

/** Creates checkpoints (chunks must be on the server already); one result per request, in order. */
export function createCheckpoints(api: BacklotApi, projectId: string, requests: readonly CheckpointRequest[]): Promise<OpResult[]> {
  return pushOps(api, projectId, requests.map(checkpointOp));
}

/** Ids a rejected checkpoint names as missing, when the rejection is about missing chunks. */
export function missingChunksOf(err: OpRejectedError): string[] | null {
  const d = err.details as { missing?: unknown; chunkIds?: unknown; chunkId?: unknown };
  const list = Array.isArray(d.missing) ? d.missing : Array.isArray(d.chunkIds) ? d.chunkIds : typeof d.chunkId === 'string' ? [d.chunkId] : null;
  if (list) return list.filter((x): x is string => typeof x === 'string');
  return /missing|chunk/i.test(err.code) || /chunk/i.test(err.message) ? [] : null;
}
