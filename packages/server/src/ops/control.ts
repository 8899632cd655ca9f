// Control requests (exclusive edit control): request a task, the assignee accepts or declines,
// the assignee hands off, and a departing assignee's tasks pass to the most senior requester.
import { BacklotError, chooseHeir, notFound, PermissionSet } from '@backlot/core';
import type { Handler, OpEnv } from './env.js';
import { freshId, liveAsset } from './lookups.js';
import { setAssignee } from './tasks.js';
import { resolveRequest } from './request-states.js';
import { controlRequestView } from '../db/views.js';
import type { ControlRequestsTable } from '../db/schema.js';

async function pendingRequest(env: OpEnv, requestId: string) {
  const req = await env.trx.selectFrom('control_requests').selectAll().where('id', '=', requestId).where('project_id', '=', env.project.id).executeTakeFirst();
  if (!req || !env.view.canSeeAsset(req.asset_id)) throw notFound('control request');
  if (req.status !== 'pending') throw new BacklotError('conflict', `the request was already ${req.status}`, { reason: 'not_pending', status: req.status });
  return req;
}

export const requestControl: Handler<'control.request'> = async (env, op) => {
  if (!env.view.canSeeAsset(op.assetId)) throw notFound('asset');
  const task = await liveAsset(env.trx, env.project.id, op.assetId);
  env.authorize({ kind: 'control.request', assetId: task.id, isTask: task.kind === 'task', assigneeId: task.assignee_id });
  if (!task.assignee_id) throw new BacklotError('conflict', 'the task is unassigned; assign it instead of requesting it', { reason: 'unassigned' });
  const existing = await env.trx.selectFrom('control_requests').select('id').where('asset_id', '=', task.id).where('requester_id', '=', env.actor.userId).where('status', '=', 'pending').executeTakeFirst();
  if (existing) throw new BacklotError('conflict', 'you already asked for this task', { reason: 'duplicate', existingId: existing.id });
  const row: ControlRequestsTable = {
    id: await freshId(env.trx, 'control_requests', op.id), project_id: env.project.id, asset_id: task.id, requester_id: env.actor.userId,
    status: 'pending', message: op.message ?? null, created_at: env.at, resolved_at: null, resolved_by: null,
  };
  await env.trx.insertInto('control_requests').values(row).execute();
  const view = controlRequestView(row);
  await env.upsert('control_request', row.id, view, { action: 'control.requested', target: { type: 'asset', id: task.id }, after: { requestId: row.id, assigneeId: task.assignee_id } });
  return view;
};

async function respond(env: OpEnv, requestId: string, accept: boolean) {
  const req = await pendingRequest(env, requestId);
  const task = await liveAsset(env.trx, env.project.id, req.asset_id);
  env.authorize({ kind: 'control.respond', assetId: task.id, assigneeId: task.assignee_id });
  const view = await resolveRequest(env, req, accept ? 'accepted' : 'declined');
  await env.audit(accept ? 'control.accepted' : 'control.declined', { type: 'asset', id: task.id }, { assigneeId: task.assignee_id }, { requestId: req.id, requesterId: req.requester_id });
  if (accept) await setAssignee(env, task, req.requester_id, 'task.transferred');
  return view;
}

export const acceptControl: Handler<'control.accept'> = (env, op) => respond(env, op.requestId, true);
export const declineControl: Handler<'control.decline'> = (env, op) => respond(env, op.requestId, false);

export const cancelControl: Handler<'control.cancel'> = async (env, op) => {
  const req = await pendingRequest(env, op.requestId);
  // Through the policy, so a refusal is audited like any other.
  env.authorize({ kind: 'control.cancel', assetId: req.asset_id, requesterId: req.requester_id });
  const view = await resolveRequest(env, req, 'cancelled');
  await env.audit('control.cancelled', { type: 'asset', id: req.asset_id }, null, { requestId: req.id });
  return view;
};

export const handOff: Handler<'control.handoff'> = async (env, op) => {
  if (!env.view.canSeeAsset(op.assetId)) throw notFound('asset');
  const task = await liveAsset(env.trx, env.project.id, op.assetId);
  env.authorize({ kind: 'control.handoff', assetId: task.id, assigneeId: task.assignee_id });
  if (op.toUserId === env.actor.userId) return setAssignee(env, task, task.assignee_id, 'task.handed_off');
  return setAssignee(env, task, op.toUserId, 'task.handed_off');
};

/**
 * When an assignee leaves a project, each of their tasks goes to the pending requester with the
 * most senior role (lowest rank) whose role can checkpoint; otherwise it becomes unassigned.
 */
export async function releaseTasksOf(env: OpEnv, userId: string): Promise<number> {
  const tasks = await env.trx.selectFrom('assets').selectAll().where('project_id', '=', env.project.id).where('assignee_id', '=', userId).where('deleted_at', 'is', null).execute();
  for (const task of tasks) {
    const candidates = await env.trx
      .selectFrom('control_requests as cr')
      .innerJoin('project_members as pm', (j) => j.onRef('pm.user_id', '=', 'cr.requester_id').onRef('pm.project_id', '=', 'cr.project_id'))
      .innerJoin('roles as r', 'r.id', 'pm.role_id')
      // Only requesters with an active studio seat can hold a task (suspended ones are passed over).
      .innerJoin('studio_members as sm', (j) => j.onRef('sm.user_id', '=', 'cr.requester_id').on('sm.studio_id', '=', env.project.studio_id))
      .select(['cr.id', 'cr.requester_id', 'r.rank', 'r.permissions', 'cr.created_at'])
      .where('cr.asset_id', '=', task.id)
      .where('cr.status', '=', 'pending')
      .where('sm.suspended_at', 'is', null)
      .where('cr.requester_id', '!=', userId)
      .orderBy('r.rank').orderBy('cr.created_at')
      .execute();
    const heir = chooseHeir(candidates.map((c) => ({ ...c, rank: Number(c.rank), permissions: PermissionSet.of(JSON.parse(c.permissions)), requestedAt: c.created_at })));
    if (heir) {
      const req = await env.trx.selectFrom('control_requests').selectAll().where('id', '=', heir.id).executeTakeFirstOrThrow();
      await resolveRequest(env, req, 'accepted');
      await setAssignee(env, task, heir.requester_id, 'task.transferred_on_leave');
    } else await setAssignee(env, task, null, 'task.unassigned_on_leave');
  }
  // Their own pending requests end with their seat.
  const theirs = await env.trx.selectFrom('control_requests').selectAll().where('project_id', '=', env.project.id).where('requester_id', '=', userId).where('status', '=', 'pending').execute();
  for (const r of theirs) await resolveRequest(env, r, 'cancelled');
  return tasks.length;
}
