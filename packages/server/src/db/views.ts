// How production rows look in API answers, change-log entries and live events: the views of
// core's wire contract, made from database rows.
import type {
  AssetView, CheckpointView, CollectionNameView, CollectionView, ControlRequestView, DependencyView, StatusView,
} from '@backlot/core';
import type { AssetsTable, CheckpointsTable, CollectionsTable, ControlRequestsTable, DependenciesTable, StatusesTable } from './schema.js';

export const collectionView = (c: CollectionsTable): CollectionView => ({
  id: c.id, parentId: c.parent_id, name: c.name, type: c.type, description: c.description, shared: c.shared === 1,
  assigneeId: c.assignee_id, createdAt: c.created_at, createdBy: c.created_by, updatedAt: c.updated_at, createdRev: Number(c.created_rev),
});

/** A collection seen only as a parent on the way to something visible. */
export const collectionNameView = (c: Pick<CollectionView, 'id' | 'parentId' | 'name'>): CollectionNameView => ({ id: c.id, parentId: c.parentId, name: c.name, nameOnly: true });

export const assetView = (a: AssetsTable): AssetView => ({
  id: a.id, collectionId: a.collection_id, name: a.name, extension: a.extension, kind: a.kind, type: a.type,
  tags: JSON.parse(a.tags) as string[], description: a.description, url: a.url, assigneeId: a.assignee_id,
  statusId: a.status_id, coverCheckpointId: a.cover_checkpoint_id, createdAt: a.created_at, createdBy: a.created_by, updatedAt: a.updated_at,
  createdRev: Number(a.created_rev),
});

export const dependencyView = (d: DependenciesTable): DependencyView => ({
  id: d.id, assetId: d.asset_id, targetAssetId: d.target_asset_id, targetCollectionId: d.target_collection_id, type: d.type,
  createdAt: d.created_at, createdBy: d.created_by,
});

export const checkpointView = (c: CheckpointsTable, withChunks = false): CheckpointView => ({
  id: c.id, assetId: c.asset_id, number: Number(c.number), fileHash: c.file_hash, size: Number(c.size), comment: c.comment,
  statusId: c.status_id, previewHash: c.preview_hash, revertedFrom: c.reverted_from, authorId: c.author_id, createdAt: c.created_at,
  ...(withChunks && { chunks: JSON.parse(c.chunks) as string[] }),
});

export const controlRequestView = (r: ControlRequestsTable): ControlRequestView => ({
  id: r.id, assetId: r.asset_id, requesterId: r.requester_id, status: r.status, message: r.message,
  createdAt: r.created_at, resolvedAt: r.resolved_at, resolvedBy: r.resolved_by,
});

export const statusView = (s: StatusesTable): StatusView => ({
  id: s.id, key: s.key, name: s.name, shortLabel: s.short_label, color: s.color, order: s.sort_order, category: s.category,
});

export type { AssetView, CheckpointView, CollectionView, ControlRequestView, DependencyView, StatusView };
