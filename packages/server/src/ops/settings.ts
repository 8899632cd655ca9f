// Project vocabularies (collection/asset/dependency types, tags) and project statuses.
import { BacklotError } from '@backlot/core';
import type { Handler } from './env.js';
import { freshId, liveStatus } from './lookups.js';
import { assetView, statusView } from '../db/views.js';

const unique = (list: string[]) => [...new Set(list.map((s) => s.trim()).filter(Boolean))];

export const updateSettings: Handler<'settings.update'> = async (env, op) => {
  env.authorize({ kind: 'settings.update' });
  const before = JSON.parse(env.project.settings);
  const after = { ...before };
  for (const key of ['collectionTypes', 'assetTypes', 'dependencyTypes', 'tags'] as const) if (op[key]) after[key] = unique(op[key]!);
  if (!after.dependencyTypes?.length) throw new BacklotError('validation_failed', 'a project needs at least one dependency type', { field: 'dependencyTypes' });
  await env.trx.updateTable('projects').set({ settings: JSON.stringify(after), updated_at: env.at }).where('id', '=', env.project.id).execute();
  await env.upsert('settings', env.project.id, after, { action: 'project.settings_changed', target: { type: 'project', id: env.project.id }, before, after });
  return after;
};

async function assertStatusNameFree(env: Parameters<Handler<'status.create'>>[0], name: string, exceptId?: string) {
  let q = env.trx.selectFrom('statuses').select('id').where('project_id', '=', env.project.id).where('name', '=', name).where('deleted_at', 'is', null);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const existing = await q.executeTakeFirst();
  if (existing) throw new BacklotError('conflict', 'a status with this name exists', { reason: 'name_taken', existingId: existing.id });
}

export const createStatus: Handler<'status.create'> = async (env, op) => {
  env.authorize({ kind: 'settings.update' });
  await assertStatusNameFree(env, op.name);
  const last = await env.trx.selectFrom('statuses').select((eb) => eb.fn.max('sort_order').as('o')).where('project_id', '=', env.project.id).executeTakeFirst();
  const row = {
    id: await freshId(env.trx, 'statuses', op.id), project_id: env.project.id, key: null, name: op.name, short_label: op.shortLabel, color: op.color,
    sort_order: op.order ?? Number(last?.o ?? 0) + 1, category: op.category as 'todo', deleted_at: null,
  };
  await env.trx.insertInto('statuses').values(row).execute();
  const view = statusView(row);
  await env.upsert('status', row.id, view, { action: 'status.created', after: view });
  return view;
};

export const updateStatus: Handler<'status.update'> = async (env, op) => {
  env.authorize({ kind: 'settings.update' });
  const current = await liveStatus(env.trx, env.project.id, op.id);
  if (op.name && op.name !== current.name) await assertStatusNameFree(env, op.name, op.id);
  const next = {
    name: op.name ?? current.name, short_label: op.shortLabel ?? current.short_label, color: op.color ?? current.color,
    category: (op.category ?? current.category) as 'todo', sort_order: op.order ?? current.sort_order,
  };
  await env.trx.updateTable('statuses').set(next).where('id', '=', op.id).execute();
  const view = statusView({ ...current, ...next });
  await env.upsert('status', op.id, view, { action: 'status.updated', before: statusView(current), after: view });
  return view;
};

/** A status in use is deleted only by moving its tasks to a replacement (the trail keeps both). */
export const deleteStatus: Handler<'status.delete'> = async (env, op) => {
  env.authorize({ kind: 'settings.update' });
  const current = await liveStatus(env.trx, env.project.id, op.id);
  if (op.replacementId === op.id) throw new BacklotError('validation_failed', 'the replacement must be another status', { field: 'replacementId' });
  await liveStatus(env.trx, env.project.id, op.replacementId);
  const live = await env.trx.selectFrom('statuses').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', env.project.id).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
  if (Number(live.n) <= 1) throw new BacklotError('conflict', 'a project keeps at least one status', { reason: 'last_status' });
  const moved = await env.trx.updateTable('assets').set({ status_id: op.replacementId, updated_at: env.at }).where('project_id', '=', env.project.id).where('status_id', '=', op.id).returningAll().execute();
  await env.trx.updateTable('statuses').set({ deleted_at: env.at }).where('id', '=', op.id).execute();
  for (const a of moved) await env.upsert('asset', a.id, assetView(a));
  await env.remove('status', op.id, { id: op.id, replacementId: op.replacementId }, { action: 'status.deleted', before: statusView(current), after: { replacementId: op.replacementId, movedTasks: moved.length } });
  return { deleted: op.id, movedTasks: moved.length };
};
