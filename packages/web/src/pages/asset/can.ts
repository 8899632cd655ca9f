// What the caller may do on the asset page, asked of core's policies with the permissions the
// server reported; the asset itself was sent by the server, so it is visible to the caller.
import { authorizeContent, authorizeOp, authorizeProject, type ProjectActor } from '@backlot/core';
import type { AssetDetail } from '@backlot/api';
import { SHOWN_BY_SERVER } from '../../app/actor.ts';

export interface AssetRules {
  request: boolean;
  /** The caller holds the task: may hand it off and answer requests. */
  holder: boolean;
  takeOver: boolean;
  cancel(requesterId: string): boolean;
  dependencies: boolean;
  /** May turn the task into a resource or back (asset.update). */
  convert: boolean;
  shareCreate: boolean;
  shareManage: boolean;
}

export function assetRules(actor: ProjectActor | null, a: AssetDetail | undefined): AssetRules {
  if (!actor || !a) return { request: false, holder: false, takeOver: false, cancel: () => false, dependencies: false, convert: false, shareCreate: false, shareManage: false };
  const v = SHOWN_BY_SERVER;
  const isTask = a.kind === 'task';
  const me = actor.userId;
  return {
    request: authorizeOp(actor, v, { kind: 'control.request', assetId: a.id, isTask, assigneeId: a.assigneeId }).allowed && !a.pendingRequests.some((r) => r.requester.id === me),
    holder: isTask && authorizeOp(actor, v, { kind: 'control.handoff', assetId: a.id, assigneeId: a.assigneeId }).allowed,
    takeOver: isTask && a.assigneeId !== me && authorizeOp(actor, v, { kind: 'task.assign', assetId: a.id, isTask, currentAssigneeId: a.assigneeId, newAssigneeId: me }).allowed,
    cancel: (requesterId) => authorizeOp(actor, v, { kind: 'control.cancel', assetId: a.id, requesterId }).allowed,
    dependencies: authorizeOp(actor, v, { kind: 'dependency.change', assetId: a.id, targetAssetId: a.id, targetCollectionId: null }).allowed,
    convert: authorizeOp(actor, v, { kind: 'asset.update', id: a.id }).allowed,
    shareCreate: authorizeContent(actor, v, { kind: 'share.create', assetId: a.id }).allowed,
    shareManage: authorizeProject(actor, 'share.manage').allowed,
  };
}
