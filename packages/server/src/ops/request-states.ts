// How control requests end: resolved one by one (accepted, declined, cancelled, superseded), each
// change logged. Used by the control-request handlers and by everything that moves a task.
import type { OpEnv } from './env.js';
import { controlRequestView } from '../db/views.js';
import type { ControlRequestsTable } from '../db/schema.js';

export async function resolveRequest(env: OpEnv, req: ControlRequestsTable, status: ControlRequestsTable['status']) {
  const next = { status, resolved_at: env.at, resolved_by: env.actor.userId };
  await env.trx.updateTable('control_requests').set(next).where('id', '=', req.id).execute();
  const view = controlRequestView({ ...req, ...next });
  await env.upsert('control_request', req.id, view);
  return view;
}

/** Pending requests of one task end (e.g. it became a resource or was trashed). */
export async function cancelPendingRequests(env: OpEnv, assetId: string, status: 'cancelled' | 'superseded') {
  const pending = await env.trx.selectFrom('control_requests').selectAll().where('asset_id', '=', assetId).where('status', '=', 'pending').execute();
  for (const r of pending) await resolveRequest(env, r, status);
}

/** Once someone holds the task, their own pending request for it is moot. */
export async function supersedeRequestsOf(env: OpEnv, assetId: string, userId: string) {
  const mine = await env.trx.selectFrom('control_requests').selectAll().where('asset_id', '=', assetId).where('requester_id', '=', userId).where('status', '=', 'pending').execute();
  for (const r of mine) await resolveRequest(env, r, 'superseded');
}
