// The views an operation made here is shown as until the server's own come back (or for good, in a
// Personal project). Authors and times are this folder's guess; the server sets the real ones.
import type { AssetView, CollectionView, OpOf } from '@backlot/core';
import type { LocalCheckpointView } from './items.js';

const now = () => new Date().toISOString();

export function collectionViewOf(op: OpOf<'collection.create'> & { id: string }, userId: string): CollectionView {
  const at = now();
  return {
    id: op.id, parentId: op.parentId, name: op.name, type: op.collectionType ?? null, description: op.description ?? null, shared: op.shared ?? false,
    assigneeId: null, createdAt: at, createdBy: userId, updatedAt: at, createdRev: 0,
  };
}

export function assetViewOf(op: OpOf<'asset.create'> & { id: string }, userId: string): AssetView {
  const at = now();
  return {
    id: op.id, collectionId: op.collectionId, name: op.name, extension: op.extension ?? '', kind: op.kind ?? 'resource', type: op.assetType ?? null,
    tags: op.tags ?? [], description: op.description ?? null, url: op.url ?? null, assigneeId: op.assigneeId ?? null, statusId: null,
    coverCheckpointId: null, createdAt: at, createdBy: userId, updatedAt: at, createdRev: 0,
  };
}

export function checkpointViewOf(
  op: OpOf<'checkpoint.create'> & { id: string },
  number: number,
  userId: string,
  chunkSizes: number[],
  pending: boolean,
): LocalCheckpointView {
  return {
    id: op.id, assetId: op.assetId, number, fileHash: op.fileHash, size: op.size, comment: op.comment ?? '', statusId: op.statusId ?? null,
    previewHash: op.previewHash ?? null, revertedFrom: null, authorId: userId, createdAt: now(), chunks: op.chunks, chunkSizes, pending,
  };
}
