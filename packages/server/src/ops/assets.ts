// Asset operations: create, update (rename, move, retype, retag, convert task <-> resource),
// delete, and typed dependencies asset -> asset / asset -> collection.
import { BacklotError, notFound } from '@backlot/core';
import type { Handler, OpEnv } from './env.js';
import {
  assertFreeName, checkVocabulary, defaultTaskStatus, freshId, liveAsset, liveCollection, settingsOf, validItemName,
} from './lookups.js';
import { assetView, dependencyView } from '../db/views.js';
import { assignTask } from './tasks.js';
import { cancelPendingRequests } from './request-states.js';
import { trashAsset } from './trash.js';
import type { AssetsTable } from '../db/schema.js';

const normaliseTags = (tags: string[]) => [...new Set(tags.map((t) => t.trim()).filter(Boolean))];

export const createAsset: Handler<'asset.create'> = async (env, op) => {
  env.authorize({ kind: 'asset.create', collectionId: op.collectionId });
  const name = validItemName(op.name);
  const extension = (op.extension ?? '').replace(/^\./, '').toLowerCase();
  checkVocabulary(op.assetType, settingsOf(env).assetTypes, 'asset type');
  await assertFreeName(env, 'assets', op.collectionId, name, extension);
  const kind = op.kind ?? 'resource';
  const row: AssetsTable = {
    id: await freshId(env.trx, 'assets', op.id), project_id: env.project.id, collection_id: op.collectionId, name, extension, kind,
    type: op.assetType ?? null, tags: JSON.stringify(normaliseTags(op.tags ?? [])), description: op.description ?? null, url: op.url ?? null,
    assignee_id: null, status_id: kind === 'task' ? await defaultTaskStatus(env.trx, env.project.id) : null, cover_checkpoint_id: null,
    created_at: env.at, created_by: env.actor.userId, created_rev: env.revision, updated_at: env.at, deleted_at: null, deleted_by: null, trash_root: null,
  };
  await env.trx.insertInto('assets').values(row).execute();
  let view = assetView(row);
  await env.upsert('asset', row.id, view, { action: 'asset.created', after: view });
  if (op.assigneeId) {
    if (kind !== 'task') throw new BacklotError('validation_failed', 'only tasks have an assignee', { field: 'assigneeId' });
    // The new asset is not in the graph yet; its creator may see it as long as they see its place.
    view = (await assignTask(env, row, op.assigneeId, { newlyCreated: true })) as typeof view;
  }
  return view;
};

export const updateAsset: Handler<'asset.update'> = async (env, op) => {
  env.authorize({ kind: 'asset.update', id: op.id, newCollectionId: op.collectionId });
  const current = await liveAsset(env.trx, env.project.id, op.id);
  const collectionId = op.collectionId === undefined ? current.collection_id : op.collectionId;
  const name = op.name === undefined ? current.name : validItemName(op.name);
  const extension = op.extension === undefined ? current.extension : op.extension.replace(/^\./, '').toLowerCase();
  if (op.assetType !== undefined) checkVocabulary(op.assetType, settingsOf(env).assetTypes, 'asset type');
  if (collectionId !== current.collection_id || name !== current.name || extension !== current.extension)
    await assertFreeName(env, 'assets', collectionId, name, extension, op.id);
  const kind = op.kind ?? current.kind;
  const next: Partial<AssetsTable> = {
    collection_id: collectionId, name, extension, kind, type: op.assetType === undefined ? current.type : op.assetType,
    tags: op.tags === undefined ? current.tags : JSON.stringify(normaliseTags(op.tags)),
    description: op.description === undefined ? current.description : op.description,
    url: op.url === undefined ? current.url : op.url, updated_at: env.at,
  };
  if (kind !== current.kind) {
    // A resource has no assignee or status; a new task starts in the first todo status.
    if (kind === 'resource') {
      next.assignee_id = null;
      next.status_id = null;
      await cancelPendingRequests(env, op.id, 'cancelled');
    } else next.status_id = await defaultTaskStatus(env.trx, env.project.id);
  }
  await env.trx.updateTable('assets').set(next).where('id', '=', op.id).execute();
  const view = assetView({ ...current, ...next });
  await env.upsert('asset', op.id, view, { action: kind !== current.kind ? 'asset.converted' : 'asset.updated', before: assetView(current), after: view });
  return view;
};

export const deleteAsset: Handler<'asset.delete'> = async (env, op) => {
  env.authorize({ kind: 'asset.delete', id: op.id });
  const current = await liveAsset(env.trx, env.project.id, op.id);
  await trashAsset(env, current);
  await env.audit('asset.trashed', { type: 'asset', id: op.id }, { name: current.name, collectionId: current.collection_id }, null);
  return { trashed: op.id };
};

async function dependencyTarget(env: OpEnv, op: { targetAssetId?: string; targetCollectionId?: string }) {
  if (!!op.targetAssetId === !!op.targetCollectionId)
    throw new BacklotError('validation_failed', 'name exactly one of targetAssetId or targetCollectionId', { fields: ['targetAssetId', 'targetCollectionId'] });
  if (op.targetAssetId) await liveAsset(env.trx, env.project.id, op.targetAssetId);
  else await liveCollection(env.trx, env.project.id, op.targetCollectionId!);
}

export const addDependency: Handler<'dependency.add'> = async (env, op) => {
  env.authorize({ kind: 'dependency.change', assetId: op.assetId, targetAssetId: op.targetAssetId ?? null, targetCollectionId: op.targetCollectionId ?? null });
  await liveAsset(env.trx, env.project.id, op.assetId);
  await dependencyTarget(env, op);
  if (op.targetAssetId === op.assetId) throw new BacklotError('validation_failed', 'an asset cannot depend on itself', { field: 'targetAssetId' });
  checkVocabulary(op.dependencyType, settingsOf(env).dependencyTypes, 'dependency type');
  const existing = await env.trx.selectFrom('dependencies').select('id').where('asset_id', '=', op.assetId)
    .where('target_asset_id', op.targetAssetId ? '=' : 'is', op.targetAssetId ?? null)
    .where('target_collection_id', op.targetCollectionId ? '=' : 'is', op.targetCollectionId ?? null)
    .where('type', '=', op.dependencyType).executeTakeFirst();
  if (existing) throw new BacklotError('conflict', 'this dependency exists already', { reason: 'duplicate', existingId: existing.id });
  const row = {
    id: await freshId(env.trx, 'dependencies', op.id), project_id: env.project.id, asset_id: op.assetId, target_asset_id: op.targetAssetId ?? null,
    target_collection_id: op.targetCollectionId ?? null, type: op.dependencyType, created_at: env.at, created_by: env.actor.userId,
  };
  await env.trx.insertInto('dependencies').values(row).execute();
  const view = dependencyView(row);
  await env.upsert('dependency', row.id, view, { action: 'dependency.added', after: view });
  return view;
};

export const removeDependency: Handler<'dependency.remove'> = async (env, op) => {
  const dep = await env.trx.selectFrom('dependencies').selectAll().where('id', '=', op.id).where('project_id', '=', env.project.id).executeTakeFirst();
  if (!dep || !env.view.canSeeAsset(dep.asset_id)) throw notFound('dependency');
  env.authorize({ kind: 'dependency.change', assetId: dep.asset_id, targetAssetId: dep.target_asset_id, targetCollectionId: dep.target_collection_id });
  await env.trx.deleteFrom('dependencies').where('id', '=', op.id).execute();
  await env.remove('dependency', op.id, { id: op.id, assetId: dep.asset_id }, { action: 'dependency.removed', before: dependencyView(dep) });
  return { removed: op.id };
};
