// Content: the byte side of sync (chunk check, upload and fetch as frames, see frames.ts),
// checkpoint files and manifests, previews and covers, garbage collection, share links, usage
// and quotas.
import type {
  CheckpointManifest, CheckpointManifests, ChunkCheck, ChunksStored, GcResult, OpAnswer, ProjectQuota, ProjectUsage, ShareCreated, ShareList, ShareView,
  StudioQuota, StudioUsage,
} from './contract.js';
import type { BinaryBody } from './bytes.js';
import type { Fields } from './production.js';
import { ROUTES } from './routes.js';
import type { BinaryAnswer, Transport } from './transport.js';

/** Ids per check request (server limit). */
export const MAX_CHECK_IDS = 10_000;
/** Ids per fetch request (server limit). */
export const MAX_FETCH_IDS = 1_000;
/** Ids per manifests request (server limit). */
export const MAX_MANIFEST_IDS = 1_000;

export type PreviewType = 'image/png' | 'image/jpeg' | 'image/webp';

/** A checkpoint's file as it streams in. */
export interface FileDownload extends BinaryAnswer {
  /** SHA-256 of the whole file (X-Backlot-File-Hash), to check what arrived. */
  fileHash: string | null;
  /** The asset's file name, from Content-Disposition. */
  fileName: string | null;
}

/** The exact (UTF-8) file name of an RFC 6266 Content-Disposition header, else its plain one. */
function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const exact = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (exact) {
    try {
      return decodeURIComponent(exact[1]);
    } catch {
      // fall back to the plain name
    }
  }
  return /filename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
}

export function contentApi(t: Transport) {
  return {
    /** POST .../chunks/check: which of these chunk ids the server lacks for you (up to MAX_CHECK_IDS). */
    checkChunks: (projectId: string, ids: string[]): Promise<ChunkCheck> => t.json(ROUTES['content.checkChunks'], { projectId }, { json: { ids } }),
    /**
     * POST .../chunks: a byte stream of frames (encodeFrames), each verified on arrival. Not
     * retried: after a failure, check again and upload what is still missing.
     */
    uploadChunks: (projectId: string, frames: BinaryBody, init: { signal?: AbortSignal } = {}): Promise<ChunksStored> =>
      t.json(ROUTES['content.uploadChunks'], { projectId }, { body: frames, signal: init.signal }),
    /**
     * POST .../chunks/fetch: the chunks as a stream of frames (decodeFrames); every id must belong
     * to a checkpoint you may download (up to MAX_FETCH_IDS). With `patches`, a chunk stored as a
     * patch (encoding 2) may come as one, naming bases you may fetch too; decode it with them.
     * `held` (with patches): per id, chunks you hold at its place in your version of the file; the
     * chunk may come as a patch against those.
     */
    fetchChunks: (
      projectId: string, ids: string[], init: { signal?: AbortSignal; patches?: boolean; held?: Record<string, string[]> } = {},
    ): Promise<BinaryAnswer> =>
      t.stream(ROUTES['content.fetchChunks'], { projectId }, {
        json: init.patches ? { ids, patches: true, ...(init.held && Object.keys(init.held).length > 0 && { held: init.held }) } : { ids },
        accept: 'application/octet-stream', signal: init.signal,
      }),
    /** GET .../checkpoints/:checkpointId/content: the file, reconstructed and verified by the server. */
    download: async (projectId: string, checkpointId: string, init: { signal?: AbortSignal } = {}): Promise<FileDownload> => {
      const answer = await t.stream(ROUTES['content.download'], { projectId, checkpointId }, { accept: 'application/octet-stream', signal: init.signal });
      return { ...answer, fileHash: answer.headers.get('x-backlot-file-hash'), fileName: fileNameOf(answer.headers.get('content-disposition')) };
    },
    /** GET .../manifest: the ordered chunk list with sizes (to fetch and restore the file). */
    manifest: (projectId: string, checkpointId: string): Promise<CheckpointManifest> =>
      t.json(ROUTES['content.manifest'], { projectId, checkpointId }),
    /**
     * POST .../checkpoints/manifests: many manifests at once (up to MAX_MANIFEST_IDS ids), each id
     * answered on its own: a manifest, refused (not_found / forbidden), or deferred (ask again).
     */
    manifests: (projectId: string, ids: string[]): Promise<CheckpointManifests> =>
      t.json(ROUTES['content.manifests'], { projectId }, { json: { ids } }),
    /** PUT .../preview: sets the checkpoint's preview image (the bytes must be of `type`). */
    putPreview: (projectId: string, checkpointId: string, image: Uint8Array | Blob, type: PreviewType): Promise<OpAnswer<'checkpoint.preview'>> =>
      t.json(ROUTES['content.putPreview'], { projectId, checkpointId }, { body: image, contentType: type }),
    /** GET .../preview: the image (seeing the asset is enough). */
    getPreview: async (projectId: string, checkpointId: string): Promise<{ bytes: Uint8Array; type: PreviewType; hash: string | null }> => {
      const { bytes, contentType, headers } = await t.bytes(ROUTES['content.getPreview'], { projectId, checkpointId }, { accept: 'image/*' });
      return { bytes, type: contentType as PreviewType, hash: headers.get('etag')?.replace(/"/g, '') ?? null };
    },
    deletePreview: (projectId: string, checkpointId: string): Promise<OpAnswer<'checkpoint.preview'>> =>
      t.json(ROUTES['content.deletePreview'], { projectId, checkpointId }),
    /** PUT .../assets/:assetId/cover: a checkpoint's preview as the asset's cover (null clears it). */
    setCover: (projectId: string, assetId: string, fields: Fields<'asset.cover', 'assetId'>): Promise<OpAnswer<'asset.cover'>> =>
      t.json(ROUTES['content.setCover'], { projectId, assetId }, { json: fields }),
    /** POST .../gc: deletes stored chunks no surviving checkpoint references (after a grace period). */
    gc: (projectId: string): Promise<GcResult> => t.json(ROUTES['content.gc'], { projectId }),
    /** POST .../checkpoints/:checkpointId/shares: the token is in this answer only. */
    createShare: (projectId: string, checkpointId: string, body: { expiresAt?: string | null } = {}): Promise<ShareCreated> =>
      t.json(ROUTES['content.createShare'], { projectId, checkpointId }, { json: body }),
    listShares: (projectId: string): Promise<ShareList> => t.json(ROUTES['content.listShares'], { projectId }),
    /** PATCH .../shares/:shareId: a new expiry (null: never). */
    updateShare: (projectId: string, shareId: string, body: { expiresAt: string | null }): Promise<ShareView> =>
      t.json(ROUTES['content.updateShare'], { projectId, shareId }, { json: body }),
    revokeShare: (projectId: string, shareId: string): Promise<ShareView> => t.json(ROUTES['content.revokeShare'], { projectId, shareId }),
    projectUsage: (projectId: string): Promise<ProjectUsage> => t.json(ROUTES['content.projectUsage'], { projectId }),
    /** GET /studios/:studioId/usage: storage per project (studio owners and admins). */
    studioUsage: (studioId: string): Promise<StudioUsage> => t.json(ROUTES['content.studioUsage'], { studioId }),
    /** PUT /studios/:studioId/quota: in stored bytes; null for none. */
    setStudioQuota: (studioId: string, bytes: number | null): Promise<StudioQuota> =>
      t.json(ROUTES['content.setStudioQuota'], { studioId }, { json: { bytes } }),
    setProjectQuota: (projectId: string, bytes: number | null): Promise<ProjectQuota> =>
      t.json(ROUTES['content.setProjectQuota'], { projectId }, { json: { bytes } }),
  };
}
