// Answers of the production read routes: board, asset lists and detail, the collection tree, a
// task's trail and checkpoint history, pending control requests, trash, statuses and settings.
// Every answer is filtered by what the caller may see.
import type { StatusCategory } from '../../statuses.js';
import type { AssetKind, AssetView, CheckpointView, CollectionNameView, CollectionView, StatusView } from '../views.js';
import type { ProjectSettings } from './production.js';

export type BoardView = 'default' | 'my' | 'assigned' | 'unassigned';
export type SortKey = 'name' | 'updated' | 'created' | 'status';
export type SortOrder = 'asc' | 'desc';

/** Who someone is, by name (null when the account is gone). */
export interface PersonRef {
  id: string;
  name: string | null;
}

export interface CheckpointSummary {
  id: string;
  number: number;
  createdAt: string;
  previewHash: string | null;
}

/** An asset as the board and the lists show it. */
export interface AssetCard extends AssetView {
  assigneeName: string | null;
  /** The collections above it, top first, joined by "/" (null at the project's top level). */
  folder: string | null;
  /** Needs checkpoint.view (null without it). */
  latestCheckpoint: CheckpointSummary | null;
  /** The chosen cover checkpoint's preview, else the latest one's, if any. */
  cover: { checkpointId: string; previewHash: string } | null;
}

export interface BoardColumn {
  /** null: tasks without a status. */
  status: StatusView | null;
  count: number;
  cards: AssetCard[];
  /** Continues this column: the same board query with `status=<this column>&cursor=...`. */
  nextCursor: string | null;
}

/** GET /projects/:projectId/board: columns in the project's status order. */
export interface Board {
  view: BoardView;
  sort: SortKey;
  order: SortOrder;
  /** The project revision it was read at: live changes with a higher revision are not in it. */
  revision: number;
  columns: BoardColumn[];
}

/** GET /projects/:projectId/assets. */
export interface AssetPage {
  items: AssetCard[];
  nextCursor: string | null;
  sort: SortKey;
  order: SortOrder;
}

/** A collection on the way down to an item, top first; `nameOnly` when only its name is visible. */
export interface PathEntry {
  id: string;
  parentId: string | null;
  name: string;
  nameOnly: boolean;
}

export type AssetDependency =
  | { id: string; type: string; createdAt: string; target: { kind: 'asset'; id: string; name: string | null; extension: string | null } }
  | { id: string; type: string; createdAt: string; target: { kind: 'collection'; id: string; name: string | null } };

export interface AssetDependent {
  id: string;
  type: string;
  createdAt: string;
  source: { id: string; name: string; extension: string };
}

export interface PendingRequestSummary {
  id: string;
  requester: PersonRef;
  message: string | null;
  createdAt: string;
}

/** GET /projects/:projectId/assets/:assetId. */
export interface AssetDetail extends AssetCard {
  path: PathEntry[];
  canDownload: boolean;
  /** What this asset depends on (visible targets only). */
  dependencies: AssetDependency[];
  /** Visible assets that depend on this one. */
  dependents: AssetDependent[];
  pendingRequests: PendingRequestSummary[];
}

/** A collection as the tree shows it: whole, or by name only. */
export type CollectionEntry = (CollectionView & { assigneeName: string | null }) | CollectionNameView;

/** GET /projects/:projectId/collections[?parentId=]. */
export interface CollectionListing {
  /** The collection listed (null: the top level). */
  parent: CollectionEntry | null;
  path: PathEntry[];
  collections: CollectionEntry[];
}

/** GET /projects/:projectId/collections/:collectionId: with the path above it. */
export type CollectionDetail = CollectionEntry & { path: PathEntry[] };

/** A status as a trail names it, deleted ones included. */
export interface StatusRef {
  id: string;
  name: string;
  shortLabel: string;
  color: string;
  category: StatusCategory;
  deleted: boolean;
}

export interface CheckpointRef {
  id: string;
  number: number;
  previewHash: string | null;
}

export type TrailEntry =
  | {
      type: 'checkpoint'; at: string; actor: PersonRef;
      checkpoint: CheckpointRef & { comment: string; fileHash: string; size: number; status: StatusRef | null; revertedFrom: CheckpointRef | null };
    }
  | { type: 'status'; at: string; actor: PersonRef; from: StatusRef | null; to: StatusRef | null; checkpoint: CheckpointRef | null };

/** GET /projects/:projectId/assets/:assetId/trail: in time order. */
export interface Trail {
  assetId: string;
  /** Whether checkpoints are included (checkpoint.view). */
  checkpoints: boolean;
  entries: TrailEntry[];
}

/** A checkpoint as its history lists it: its view, with its author named and the reverted-from number. */
export interface CheckpointHistoryEntry extends Omit<CheckpointView, 'authorId' | 'chunks'> {
  revertedFromNumber: number | null;
  author: PersonRef;
}

/** GET /projects/:projectId/assets/:assetId/checkpoints: newest first. */
export interface CheckpointHistory {
  checkpoints: CheckpointHistoryEntry[];
  nextCursor: string | null;
}

export type ControlRequestScope = 'mine' | 'to-me' | 'task';

export interface PendingControlRequest {
  id: string;
  status: 'pending';
  message: string | null;
  createdAt: string;
  requester: PersonRef;
  /** `folder`: the collections above the asset, as on its card. */
  asset: { id: string; collectionId: string | null; folder: string | null; name: string; extension: string; statusId: string | null; assigneeId: string | null; assigneeName: string | null };
}

/** GET /projects/:projectId/control-requests. */
export interface ControlRequestList {
  scope: ControlRequestScope;
  requests: PendingControlRequest[];
}

interface TrashedBase {
  id: string;
  deletedAt: string;
  deletedBy: { id: string | null; name: string | null };
}

export type TrashItem =
  | (TrashedBase & {
      kind: 'collection'; name: string; parentId: string | null; collectionType: string | null;
      /** What was trashed with it (the collection itself not counted). */
      items: { collections: number; assets: number };
    })
  | (TrashedBase & { kind: 'asset'; name: string; extension: string; assetKind: AssetKind; collectionId: string | null })
  | (TrashedBase & { kind: 'checkpoint'; assetId: string; assetName: string; assetExtension: string; number: number; previewHash: string | null });

/** GET /projects/:projectId/trash: newest first. */
export interface TrashPage {
  items: TrashItem[];
  nextCursor: string | null;
}

/** GET /projects/:projectId/statuses: in board order. */
export interface StatusList {
  statuses: StatusView[];
}

/** GET /projects/:projectId/settings. */
export interface SettingsAnswer {
  settings: ProjectSettings;
}
