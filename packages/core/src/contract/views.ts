// How production items look in API answers, change-log entries, pulls and live events: one shape
// each, the same for every client.
import type { StatusCategory } from '../statuses.js';

export interface CollectionView {
  id: string;
  parentId: string | null;
  name: string;
  type: string | null;
  description: string | null;
  shared: boolean;
  assigneeId: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  /** The project revision that created it. */
  createdRev: number;
}

/** A collection seen only as a parent on the way to something visible. */
export interface CollectionNameView {
  id: string;
  parentId: string | null;
  name: string;
  nameOnly: true;
}

export type AssetKind = 'resource' | 'task';

export interface AssetView {
  id: string;
  collectionId: string | null;
  name: string;
  extension: string;
  kind: AssetKind;
  type: string | null;
  tags: string[];
  description: string | null;
  url: string | null;
  assigneeId: string | null;
  statusId: string | null;
  coverCheckpointId: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  createdRev: number;
}

export interface DependencyView {
  id: string;
  assetId: string;
  targetAssetId: string | null;
  targetCollectionId: string | null;
  type: string;
  createdAt: string;
  createdBy: string;
}

export interface CheckpointView {
  id: string;
  assetId: string;
  number: number;
  fileHash: string;
  size: number;
  comment: string;
  statusId: string | null;
  previewHash: string | null;
  revertedFrom: string | null;
  authorId: string;
  createdAt: string;
  /** The ordered chunk ids, where an answer includes them. */
  chunks?: string[];
}

export type ControlRequestStatus = 'pending' | 'accepted' | 'declined' | 'cancelled' | 'superseded';

export interface ControlRequestView {
  id: string;
  assetId: string;
  requesterId: string;
  status: ControlRequestStatus;
  message: string | null;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export interface StatusView {
  id: string;
  key: string | null;
  name: string;
  shortLabel: string;
  color: string;
  order: number;
  category: StatusCategory;
}

/** A project member as a pull shows them (email only where the member may see emails). */
export interface MemberEntry {
  userId: string;
  name: string;
  email?: string;
  roleId: string;
}
