// Operations about content metadata, applied through applyOp like every other operation (change
// log, audit, authorization by core's op policy):
//   checkpoint.preview  set or clear a checkpoint's preview image (its author, or asset.update)
//   asset.cover         which checkpoint's preview is an asset's cover (its assignee, or asset.update)
import { notFound } from '@backlot/core';
import type { Handler } from './env.js';
import { liveAsset, liveCheckpoint } from './lookups.js';
import { assetView, checkpointView } from '../db/views.js';
import { assertPreviewUsable } from './checkpoint-content.js';

export const setCheckpointPreview: Handler<'checkpoint.preview'> = async (env, op) => {
  const cp = await liveCheckpoint(env, op.id);
  env.authorize({ kind: 'checkpoint.preview', assetId: cp.asset_id, authorId: cp.author_id });
  if (op.previewHash) await assertPreviewUsable(env, op.previewHash);
  const updated = { ...cp, preview_hash: op.previewHash };
  if (cp.preview_hash !== op.previewHash) {
    await env.trx.updateTable('checkpoints').set({ preview_hash: op.previewHash }).where('id', '=', cp.id).execute();
    await env.upsert('checkpoint', cp.id, checkpointView(updated), { action: 'checkpoint.preview_set', before: { previewHash: cp.preview_hash }, after: { previewHash: op.previewHash, assetId: cp.asset_id } });
  }
  return checkpointView(updated);
};

export const setAssetCover: Handler<'asset.cover'> = async (env, op) => {
  if (!env.view.canSeeAsset(op.assetId)) throw notFound('asset');
  const asset = await liveAsset(env.trx, env.project.id, op.assetId);
  env.authorize({ kind: 'asset.cover', assetId: asset.id, assigneeId: asset.assignee_id });
  if (op.checkpointId !== null) {
    const cp = await liveCheckpoint(env, op.checkpointId);
    if (cp.asset_id !== asset.id) throw notFound('checkpoint');
  }
  if (asset.cover_checkpoint_id === op.checkpointId) return assetView(asset);
  const updated = { ...asset, cover_checkpoint_id: op.checkpointId, updated_at: env.at };
  await env.trx.updateTable('assets').set({ cover_checkpoint_id: op.checkpointId, updated_at: env.at }).where('id', '=', asset.id).execute();
  await env.upsert('asset', asset.id, assetView(updated), { action: 'asset.cover_set', before: { checkpointId: asset.cover_checkpoint_id }, after: { checkpointId: op.checkpointId } });
  return assetView(updated);
};
