// Checkpoint records: one asset's file at a moment. Author, time and number are the server's;
// on a task only the assignee may create one (the soft lock). Content arrives with the content
// store; here the record and its rules.
import { BacklotError, notFound } from '@backlot/core';
import type { Handler, OpEnv } from './env.js';
import { freshId, liveAsset, liveCheckpoint } from './lookups.js';
import { assetView, checkpointView } from '../db/views.js';
import { recordStatus, statusCategory } from './tasks.js';
import type { AssetsTable, CheckpointsTable } from '../db/schema.js';
import { admitCheckpointContent, copyCheckpointChunks, recordCheckpointChunks } from './checkpoint-content.js';

async function nextNumber(env: OpEnv, assetId: string): Promise<number> {
  const r = await env.trx.selectFrom('checkpoints').select((eb) => eb.fn.max('number').as('n')).where('asset_id', '=', assetId).executeTakeFirst();
  return Number(r?.n ?? 0) + 1;
}

async function insertCheckpoint(
  env: OpEnv, asset: AssetsTable,
  fields: { id?: string; fileHash: string; size: number; chunks: string[]; comment?: string; previewHash?: string | null; revertedFrom?: string | null },
  statusId: string | undefined,
) {
  const row: CheckpointsTable = {
    id: await freshId(env.trx, 'checkpoints', fields.id), project_id: env.project.id, asset_id: asset.id, number: await nextNumber(env, asset.id),
    file_hash: fields.fileHash, size: fields.size, chunks: JSON.stringify(fields.chunks), comment: fields.comment ?? '',
    status_id: statusId ?? asset.status_id, preview_hash: fields.previewHash ?? null, reverted_from: fields.revertedFrom ?? null,
    author_id: env.actor.userId, created_at: env.at, deleted_at: null, deleted_by: null,
  };
  await env.trx.insertInto('checkpoints').values(row).execute();
  const view = checkpointView(row);
  await env.upsert('checkpoint', row.id, view);
  if (statusId && statusId !== asset.status_id) await recordStatus(env, asset, statusId, row.id);
  else {
    await env.trx.updateTable('assets').set({ updated_at: env.at }).where('id', '=', asset.id).execute();
    // Its new time moves it on boards sorted by last change: clients and caches hear of it.
    await env.upsert('asset', asset.id, assetView({ ...asset, updated_at: env.at }));
  }
  return { row, view };
}

/** A status set while checkpointing follows the same rules as any status change. */
async function authorizeStatus(env: OpEnv, asset: AssetsTable, statusId: string | undefined) {
  if (!statusId || statusId === asset.status_id) return;
  if (asset.kind !== 'task') throw new BacklotError('validation_failed', 'only tasks have a status', { field: 'statusId' });
  env.authorize({ kind: 'task.status', assetId: asset.id, isTask: true, assigneeId: asset.assignee_id, toCategory: await statusCategory(env, statusId) });
}

export const createCheckpoint: Handler<'checkpoint.create'> = async (env, op) => {
  if (!env.view.canSeeAsset(op.assetId)) throw notFound('asset');
  const asset = await liveAsset(env.trx, env.project.id, op.assetId);
  env.authorize({ kind: 'checkpoint.create', assetId: asset.id, isTask: asset.kind === 'task', assigneeId: asset.assignee_id });
  await authorizeStatus(env, asset, op.statusId);
  await admitCheckpointContent(env, op);
  const { row, view } = await insertCheckpoint(env, asset, op, op.statusId);
  await recordCheckpointChunks(env, row.id, op.chunks);
  await env.audit('checkpoint.created', { type: 'checkpoint', id: row.id }, null, { assetId: asset.id, number: view.number, fileHash: row.file_hash, size: view.size, statusId: row.status_id });
  return view;
};

export const deleteCheckpoint: Handler<'checkpoint.delete'> = async (env, op) => {
  const cp = await liveCheckpoint(env, op.id);
  env.authorize({ kind: 'checkpoint.delete', assetId: cp.asset_id });
  await env.trx.updateTable('checkpoints').set({ deleted_at: env.at, deleted_by: env.actor.userId }).where('id', '=', op.id).execute();
  await env.remove('checkpoint', op.id, { id: op.id, assetId: cp.asset_id }, { action: 'checkpoint.trashed', before: checkpointView(cp) });
  return { trashed: op.id };
};

/** Revert: a new latest checkpoint with an older one's content; history stays linear. */
export const revertCheckpoint: Handler<'checkpoint.revert'> = async (env, op) => {
  const old = await liveCheckpoint(env, op.id);
  const asset = await liveAsset(env.trx, env.project.id, old.asset_id);
  env.authorize({ kind: 'checkpoint.revert', assetId: asset.id, isTask: asset.kind === 'task', assigneeId: asset.assignee_id });
  const { row, view } = await insertCheckpoint(env, asset, {
    fileHash: old.file_hash, size: Number(old.size), chunks: JSON.parse(old.chunks), previewHash: old.preview_hash, revertedFrom: old.id,
    comment: op.comment ?? `Reverted to version ${old.number}`,
  }, undefined);
  await copyCheckpointChunks(env, old.id, row.id);
  await env.audit('checkpoint.reverted', { type: 'checkpoint', id: row.id }, { from: old.id, number: Number(old.number) }, { number: view.number });
  return view;
};
