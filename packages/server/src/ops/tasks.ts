// Task assignment (the soft lock's owner) and status changes, each kept in the task's trail.
import { notFound, type StatusCategory } from '@backlot/core';
import type { Handler, OpEnv } from './env.js';
import { assertProjectMember, liveAsset, liveStatus } from './lookups.js';
import { assetView } from '../db/views.js';
import { supersedeRequestsOf } from './request-states.js';
import type { AssetsTable } from '../db/schema.js';

/**
 * Moves a task to a new assignee (or none). Callers have authorized the move; this records it.
 * The previous assignee loses the right to checkpoint at once; their local files are theirs.
 */
export async function setAssignee(env: OpEnv, task: AssetsTable, assigneeId: string | null, action: string) {
  if (assigneeId) await assertProjectMember(env.trx, env, assigneeId);
  await env.trx.updateTable('assets').set({ assignee_id: assigneeId, updated_at: env.at }).where('id', '=', task.id).execute();
  if (assigneeId) await supersedeRequestsOf(env, task.id, assigneeId);
  const view = assetView({ ...task, assignee_id: assigneeId, updated_at: env.at });
  await env.upsert('asset', task.id, view, { action: action, before: { assigneeId: task.assignee_id }, after: { assigneeId } });
  return view;
}

export async function assignTask(env: OpEnv, task: AssetsTable, assigneeId: string | null, opts: { newlyCreated?: boolean } = {}) {
  const check = { kind: 'task.assign' as const, assetId: task.id, isTask: task.kind === 'task', currentAssigneeId: task.assignee_id, newAssigneeId: assigneeId };
  // A task created in this same operation is not in the visibility graph yet; its creator could
  // see the place it was created in, so it counts as visible to them.
  // Delegating to env.view (not spreading it) keeps its lazily computed closure lazy.
  const view = opts.newlyCreated
    ? Object.assign(Object.create(env.view) as typeof env.view, { canSeeAsset: (id: string) => id === task.id || env.view.canSeeAsset(id) })
    : undefined;
  env.authorize(check, view);
  if (task.assignee_id === assigneeId) return assetView(task);
  const action = assigneeId === null ? 'task.unassigned'
    : assigneeId === env.actor.userId && task.assignee_id ? 'task.taken_over'
    : assigneeId === env.actor.userId ? 'task.self_assigned'
    : 'task.assigned';
  return setAssignee(env, task, assigneeId, action);
}

export const assignTaskOp: Handler<'task.assign'> = async (env, op) => {
  const task = await liveAsset(env.trx, env.project.id, op.assetId);
  return assignTask(env, task, op.assigneeId);
};

/** Records a status change in the asset and its trail; callers have authorized it. */
export async function recordStatus(env: OpEnv, task: AssetsTable, statusId: string, checkpointId: string | null) {
  await env.trx.updateTable('assets').set({ status_id: statusId, updated_at: env.at }).where('id', '=', task.id).execute();
  await env.trx.insertInto('status_changes').values({
    id: crypto.randomUUID(), project_id: env.project.id, asset_id: task.id, from_status_id: task.status_id, to_status_id: statusId,
    checkpoint_id: checkpointId, actor_id: env.actor.userId, created_at: env.at,
  }).execute();
  const view = assetView({ ...task, status_id: statusId, updated_at: env.at });
  await env.upsert('asset', task.id, view, { action: 'task.status_changed', before: { statusId: task.status_id }, after: { statusId, checkpointId } });
  return view;
}

export async function statusCategory(env: OpEnv, statusId: string): Promise<StatusCategory> {
  return (await liveStatus(env.trx, env.project.id, statusId)).category;
}

export const changeStatus: Handler<'task.status'> = async (env, op) => {
  // Visibility first, so an invisible task answers 404 whatever the status id.
  if (!env.view.canSeeAsset(op.assetId)) throw notFound('asset');
  const task = await liveAsset(env.trx, env.project.id, op.assetId);
  const toCategory = await statusCategory(env, op.statusId);
  env.authorize({ kind: 'task.status', assetId: task.id, isTask: task.kind === 'task', assigneeId: task.assignee_id, toCategory });
  if (task.status_id === op.statusId) return assetView(task);
  return recordStatus(env, task, op.statusId, null);
};
