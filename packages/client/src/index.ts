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
// Working folders (local-first): reading one (also alone, as @backlot/client/working-folder), then sync.
export * from './working-folder.js';
export { localStore } from './project/local-store.js';
// Commands that will read files start the chunk workers first: they boot while the rest loads.
export { sharedWorkerPool } from '@backlot/storage';
export { syncProject, SyncConflictError, type SyncResult, type SyncOptions } from './sync/sync.js';
export { pullChanges } from './sync/pull.js';
export { materialize } from './sync/materialize.js';
export type { NameConflict, Refusal, PushResult } from './sync/push.js';
export { addPaths, type AddResult } from './actions/add.js';
export { checkpointPaths, CheckpointRefused, type CheckpointResult } from './actions/checkpoint.js';
export { checkpointTargets, type CheckpointTargets } from './actions/checkpoint-targets.js';
export { cloneProject, initPersonal, type CloneTarget } from './actions/clone.js';
export { renameConflicted, mergeConflicted, conflictPath } from './sync/conflicts.js';
export { findVersion, writeVersion, revertTo, VersionError } from './actions/versions.js';
export { freeFiles, rebuildFiles, LocalCopyError } from './actions/local-copies.js';
export { moveFile, removeFiles, ReorganizeError } from './actions/reorganize.js';
export { publishPersonal, type PublishTarget } from './actions/publish-personal.js';
export { PreviewError } from './project/previews.js';
