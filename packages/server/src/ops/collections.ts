// Collection operations: create, update (rename, move, retype, describe, share), assign, delete.
import { BacklotError } from '@backlot/core';
import type { Handler } from './env.js';
import { assertFreeName, assertProjectMember, checkVocabulary, freshId, liveCollection, settingsOf, validItemName } from './lookups.js';
import { collectionView } from '../db/views.js';
import { trashCollection } from './trash.js';

export const createCollection: Handler<'collection.create'> = async (env, op) => {
  env.authorize({ kind: 'collection.create', parentId: op.parentId });
  const name = validItemName(op.name);
  checkVocabulary(op.collectionType, settingsOf(env).collectionTypes, 'collection type');
  await assertFreeName(env, 'collections', op.parentId, name, null);
  const row = {
    id: await freshId(env.trx, 'collections', op.id), project_id: env.project.id, parent_id: op.parentId, name, type: op.collectionType ?? null,
    description: op.description ?? null, shared: op.shared ? 1 : 0, assignee_id: null, created_at: env.at, created_by: env.actor.userId,
    created_rev: env.revision, updated_at: env.at, deleted_at: null, deleted_by: null, trash_root: null,
  };
  await env.trx.insertInto('collections').values(row).execute();
  const view = collectionView(row);
  await env.upsert('collection', row.id, view, { action: 'collection.created', after: view });
  return view;
};

export const updateCollection: Handler<'collection.update'> = async (env, op) => {
  env.authorize({ kind: 'collection.update', id: op.id, newParentId: op.parentId });
  const current = await liveCollection(env.trx, env.project.id, op.id);
  const parentId = op.parentId === undefined ? current.parent_id : op.parentId;
  const name = op.name === undefined ? current.name : validItemName(op.name);
  if (op.collectionType !== undefined) checkVocabulary(op.collectionType, settingsOf(env).collectionTypes, 'collection type');
  if (parentId !== current.parent_id) {
    // A collection cannot move into itself or below itself.
    for (let p: string | null = parentId; p; p = env.graph.collections.get(p)?.parentId ?? null)
      if (p === op.id) throw new BacklotError('conflict', 'a collection cannot be moved into itself', { reason: 'cycle' });
  }
  if (parentId !== current.parent_id || name !== current.name) await assertFreeName(env, 'collections', parentId, name, null, op.id);
  const next = {
    parent_id: parentId, name, type: op.collectionType === undefined ? current.type : op.collectionType,
    description: op.description === undefined ? current.description : op.description,
    shared: op.shared === undefined ? current.shared : op.shared ? 1 : 0, updated_at: env.at,
  };
  await env.trx.updateTable('collections').set(next).where('id', '=', op.id).execute();
  const view = collectionView({ ...current, ...next });
  await env.upsert('collection', op.id, view, { action: next.shared !== current.shared ? 'collection.shared_changed' : 'collection.updated', before: collectionView(current), after: view });
  return view;
};

export const assignCollection: Handler<'collection.assign'> = async (env, op) => {
  env.authorize({ kind: 'collection.assign', id: op.id, assigneeId: op.assigneeId });
  const current = await liveCollection(env.trx, env.project.id, op.id);
  if (op.assigneeId) await assertProjectMember(env.trx, env, op.assigneeId);
  await env.trx.updateTable('collections').set({ assignee_id: op.assigneeId, updated_at: env.at }).where('id', '=', op.id).execute();
  const view = collectionView({ ...current, assignee_id: op.assigneeId, updated_at: env.at });
  await env.upsert('collection', op.id, view, { action: op.assigneeId ? 'collection.assigned' : 'collection.unassigned', before: { assigneeId: current.assignee_id }, after: { assigneeId: op.assigneeId } });
  return view;
};

export const deleteCollection: Handler<'collection.delete'> = async (env, op) => {
  env.authorize({ kind: 'collection.delete', id: op.id });
  const current = await liveCollection(env.trx, env.project.id, op.id);
  const trashed = await trashCollection(env, current.id);
  await env.audit('collection.trashed', { type: 'collection', id: op.id }, { name: current.name, parentId: current.parent_id }, trashed);
  return { trashed: op.id, ...trashed };
};
