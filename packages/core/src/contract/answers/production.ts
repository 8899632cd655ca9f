// Answers of the production writes. Each REST write applies one operation and answers with that
// operation's result, the same `result` a sync push reports for it (OpResult).
import type { OpType } from '../ops/index.js';
import type { AssetView, CheckpointView, CollectionView, ControlRequestView, DependencyView, StatusView } from '../views.js';

/** A project's vocabularies (PATCH answers them whole; GET /settings wraps them). */
export interface ProjectSettings {
  collectionTypes: string[];
  assetTypes: string[];
  dependencyTypes: string[];
  tags: string[];
}

/** status.delete: its tasks moved to the replacement. */
export interface StatusDeleted {
  deleted: string;
  movedTasks: number;
}

/** collection.delete: the collection and its subtree (counts include the root) went to the trash. */
export interface CollectionTrashed {
  trashed: string;
  collections: number;
  assets: number;
}

/** asset.delete, checkpoint.delete. */
export interface Trashed {
  trashed: string;
}

/** dependency.remove. */
export interface DependencyRemoved {
  removed: string;
}

export type TrashKind = 'collection' | 'asset' | 'checkpoint';

/** trash.restore: the item is back in its old place (a collection with what was trashed with it). */
export interface Restored {
  restored: string;
  kind: TrashKind;
}

/** trash.purge: gone for good (a collection with everything below it). */
export interface Purged {
  purged: string;
  kind: TrashKind;
}

/** What each operation answers when applied. */
export interface OpAnswers {
  'settings.update': ProjectSettings;
  'status.create': StatusView;
  'status.update': StatusView;
  'status.delete': StatusDeleted;
  'collection.create': CollectionView;
  'collection.update': CollectionView;
  'collection.assign': CollectionView;
  'collection.delete': CollectionTrashed;
  'asset.create': AssetView;
  'asset.update': AssetView;
  'asset.delete': Trashed;
  'dependency.add': DependencyView;
  'dependency.remove': DependencyRemoved;
  'task.assign': AssetView;
  'task.status': AssetView;
  'checkpoint.create': CheckpointView;
  'checkpoint.delete': Trashed;
  'checkpoint.revert': CheckpointView;
  'checkpoint.preview': CheckpointView;
  'asset.cover': AssetView;
  /** The request, resolved (accept also makes the requester the assignee). */
  'control.request': ControlRequestView;
  'control.accept': ControlRequestView;
  'control.decline': ControlRequestView;
  'control.cancel': ControlRequestView;
  'control.handoff': AssetView;
  'trash.restore': Restored;
  'trash.purge': Purged;
}

// Fails to compile when an operation type has no answer above.
type Complete<T extends Record<OpType, unknown>> = T;
export type OpAnswer<K extends OpType> = Complete<OpAnswers>[K];
