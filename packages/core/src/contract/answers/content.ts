// Answers of the content routes: chunks, checkpoint manifests, garbage collection, share links,
// storage usage and quotas. Binary answers (fetched chunk frames, files, preview images) are
// byte streams, not JSON.

/** POST /projects/:projectId/chunks/check: the asked ids the server lacks for the caller, in order. */
export interface ChunkCheck {
  missing: string[];
}

/** POST /projects/:projectId/chunks: frames accepted and their encoded bytes. */
export interface ChunksStored {
  stored: number;
  bytes: number;
}

/** GET /projects/:projectId/checkpoints/:checkpointId/manifest: what to fetch to restore the file. */
export interface CheckpointManifest {
  id: string;
  assetId: string;
  fileName: string;
  fileHash: string;
  size: number;
  /** In file order, with raw sizes. */
  chunks: { id: string; size: number }[];
}

/**
 * POST /projects/:projectId/checkpoints/manifests {ids}: many manifests in one answer, each id
 * decided on its own by the rule of the single manifest.
 */
export interface CheckpointManifests {
  /** In the order asked. */
  manifests: CheckpointManifest[];
  /** Unknown or invisible (`not_found`), or visible without permission to download (`forbidden`). */
  refused: { id: string; code: 'not_found' | 'forbidden'; message: string }[];
  /** Left out to keep the answer bounded (too many chunks in all): ask for these again. */
  deferred: string[];
}

/** POST /projects/:projectId/gc: stored chunks no surviving checkpoint references, deleted. */
export interface GcResult {
  deleted: number;
  bytes: number;
}

export type ShareState = 'active' | 'expired' | 'revoked';

export interface ShareView {
  id: string;
  checkpointId: string;
  /** The shared checkpoint's number in its asset's history. */
  checkpointNumber: number;
  assetId: string;
  /** The asset's collection (null: the project's top level). */
  collectionId: string | null;
  /** The collections above the asset, as on its card (null: the project's top level). */
  folder: string | null;
  fileName: string;
  createdBy: string;
  createdAt: string;
  /** null: never expires. */
  expiresAt: string | null;
  revokedAt: string | null;
  downloadCount: number;
  lastAccessAt: string | null;
  state: ShareState;
}

/** POST /projects/:projectId/checkpoints/:checkpointId/shares: the token is shown only here. */
export interface ShareCreated extends ShareView {
  token: string;
  /** The public page: `<server>/s/<token>`. */
  url: string;
}

/** GET /projects/:projectId/shares: newest first (PATCH and DELETE answer one ShareView). */
export interface ShareList {
  shares: ShareView[];
}

/** GET /projects/:projectId/usage. Bytes are stored (compressed) bytes. */
export interface ProjectUsage {
  projectId: string;
  usedBytes: number;
  rawBytes: number;
  chunks: number;
  quotaBytes: number | null;
  /** What may still be pushed: the tighter of the project's and the studio's quota (null: no limit). */
  remainingBytes: number | null;
}

export interface StudioProjectUsage {
  id: string;
  name: string;
  status: 'active' | 'archived';
  usedBytes: number;
  rawBytes: number;
  chunks: number;
  quotaBytes: number | null;
}

/** GET /studios/:studioId/usage. */
export interface StudioUsage {
  studioId: string;
  usedBytes: number;
  rawBytes: number;
  quotaBytes: number | null;
  projects: StudioProjectUsage[];
}

/** PUT /studios/:studioId/quota. */
export interface StudioQuota {
  studioId: string;
  quotaBytes: number | null;
}

/** PUT /projects/:projectId/quota. */
export interface ProjectQuota {
  projectId: string;
  quotaBytes: number | null;
}
