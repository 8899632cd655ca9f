// @backlot/client: working folders, publishing and restoring content, the chunk protocol and ops
// pushes, all over @backlot/api (pass a signed-in BacklotApi; its transport retries what is safe).
export { BacklotApi, ApiError, NetworkError, ProtocolError, withRetry } from '@backlot/api';
export { ChunkApi } from './remote/chunks.js';
export { pushOps, OpRejectedError } from './remote/ops.js';
export { ChunkUploader } from './content/upload.js';
export { createCheckpoints, checkpointOpId } from './content/checkpoints.js';
export { publishFile } from './content/publish-file.js';
export { restoreFiles, restoreCheckpoint, fetchCheckpointManifest, ChunkFetcher } from './content/restore.js';
export { publishFolder } from './folder/publish.js';
export { restoreFolder } from './folder/restore.js';
export { scanFolder } from './folder/scan.js';
export { checkpointFolderLocal } from './folder/local-checkpoint.js';
export { FolderConflictError } from './folder/items.js';
