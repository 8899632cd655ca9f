// Which function applies which operation type.
import type { Handler } from './env.js';
import type { OpType } from '@backlot/core';
import { assignCollection, createCollection, deleteCollection, updateCollection } from './collections.js';
import { addDependency, createAsset, deleteAsset, removeDependency, updateAsset } from './assets.js';
import { assignTaskOp, changeStatus } from './tasks.js';
import { createCheckpoint, deleteCheckpoint, revertCheckpoint } from './checkpoints.js';
import { acceptControl, cancelControl, declineControl, handOff, requestControl } from './control.js';
import { purgeFromTrash, restoreFromTrash } from './trash.js';
import { createStatus, deleteStatus, updateSettings, updateStatus } from './settings.js';
import { setAssetCover, setCheckpointPreview } from './previews.js';

export const HANDLERS: { [K in OpType]: Handler<K> } = {
  'settings.update': updateSettings,
  'status.create': createStatus,
  'status.update': updateStatus,
  'status.delete': deleteStatus,
  'collection.create': createCollection,
  'collection.update': updateCollection,
  'collection.assign': assignCollection,
  'collection.delete': deleteCollection,
  'asset.create': createAsset,
  'asset.update': updateAsset,
  'asset.delete': deleteAsset,
  'dependency.add': addDependency,
  'dependency.remove': removeDependency,
  'task.assign': assignTaskOp,
  'task.status': changeStatus,
  'checkpoint.create': createCheckpoint,
  'checkpoint.delete': deleteCheckpoint,
  'checkpoint.revert': revertCheckpoint,
  'checkpoint.preview': setCheckpointPreview,
  'asset.cover': setAssetCover,
  'control.request': requestControl,
  'control.accept': acceptControl,
  'control.decline': declineControl,
  'control.cancel': cancelControl,
  'control.handoff': handOff,
  'trash.restore': restoreFromTrash,
  'trash.purge': purgeFromTrash,
};
