// Publishing one file as a checkpoint of an asset: read it into a ChunkUploader (only chunks the
// server lacks are compressed and uploaded), then create the checkpoint through the ops endpoint
// with an op id, so a retry after a crash is idempotent. Re-running after an interruption asks
// again what is missing, so whatever reached the server before is not sent twice.
import { randomUUID } from 'node:crypto';
import type { BacklotApi } from '@backlot/api';
import type { CheckpointView } from '@backlot/core';
import type { FileSource } from '@backlot/storage';
import { OpRejectedError } from '../remote/ops.js';
import { checkpointOpId, createCheckpoints, missingChunksOf } from './checkpoints.js';
import { chunkInto, type ChunkedFile, type ChunkOptions } from './chunk-file.js';
import { ChunkUploader, type UploaderOptions, type UploadStats } from './upload.js';

export interface PublishFileOptions extends UploaderOptions, ChunkOptions {
  comment?: string;
  statusId?: string;
  /**
   * The asset's latest checkpoint known to the caller (null: none). With it (or `opId`), a retry
   * after a crash cannot create a second checkpoint; without both, a random op id is used.
   */
  baseCheckpointId?: string | null;
  /** Explicit op id (overrides the derived one). */
  opId?: string;
}

export interface PublishFileResult {
  /** The checkpoint as the server answered. */
  checkpoint: CheckpointView;
  revision: number;
  file: ChunkedFile;
  opId: string;
  stats: UploadStats;
}

/**
 * Publishes the file at `path` as a new checkpoint of `assetId`. Throws OpRejectedError when the
 * server refuses the checkpoint (permission, soft lock, …), ApiError/NetworkError on transport
 * problems; in every case re-running it resumes (chunks already on the server are skipped).
 */
export async function publishFile(
  api: BacklotApi,
  projectId: string,
  assetId: string,
  path: FileSource,
  options: PublishFileOptions = {},
): Promise<PublishFileResult> {
  const uploader = new ChunkUploader(api, projectId, options);
  for (let attempt = 1; ; attempt++) {
    const file = await chunkInto(path, uploader, options);
    await uploader.flush();
    const opId =
      options.opId ??
      (options.baseCheckpointId !== undefined
        ? checkpointOpId(assetId, options.baseCheckpointId, file.fileHash, file.size)
        : `cp.${randomUUID()}`);
    const [result] = await createCheckpoints(api, projectId, [
      { assetId, fileHash: file.fileHash, size: file.size, chunks: file.chunks, comment: options.comment, statusId: options.statusId, opId },
    ]);
    if (result.status === 'applied') {
      // checkpoint.create answers the new checkpoint's view.
      return { checkpoint: result.result as CheckpointView, revision: result.revision, file, opId, stats: uploader.stats };
    }
    const err = new OpRejectedError(result, 'checkpoint.create');
    const missing = missingChunksOf(err);
    // A chunk vanished between check and checkpoint (e.g. garbage collection): read the file
    // again, asking the server afresh about every chunk. Once.
    if (missing === null || attempt >= 2 || typeof path !== 'string') throw err;
    uploader.forget(missing.length > 0 ? missing : file.chunks);
  }
}
