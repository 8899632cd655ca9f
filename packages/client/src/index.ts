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
// Working folders (local-first): the project database, its tree, status, sync.
export { ProjectDb, PROJECT_DIR, type ProjectMeta } from './project/project-db.js';
export { ProjectTree, fileNameOf, assetNameOf as splitFileName, type AssetSummary } from './project/tree.js';
export { listItems, itemFields, getItem, checkpointsOf, latestCheckpoint, type LocalCheckpointView, type EntityName } from './project/items.js';
export { queuedOps, type QueuedOp } from './project/outbox.js';
export { localStore } from './project/local-store.js';
export { folderStatus, type FileState, type FileStatus } from './worktree/status.js';
export { loadIgnoreRules, ignoreRules, IGNORE_FILE, PRESET_NAMES, type IgnoreRules } from './worktree/ignore.js';
export { workingFiles, type WorkingFile } from './worktree/working-files.js';
export { syncProject, SyncConflictError, type SyncResult, type SyncOptions } from './sync/sync.js';
export { pullChanges } from './sync/pull.js';
export { materialize } from './sync/materialize.js';
export type { NameConflict, Refusal, PushResult } from './sync/push.js';
export { folderPath, splitVersion, PathOutsideError } from './worktree/paths.js';
export { addPaths, type AddResult } from './actions/add.js';
export { checkpointPaths, CheckpointRefused, type CheckpointResult } from './actions/checkpoint.js';
export { cloneProject, initPersonal, type CloneTarget } from './actions/clone.js';
export { renameConflicted, mergeConflicted, conflictPath } from './sync/conflicts.js';
export { findVersion, writeVersion, revertTo, VersionError } from './actions/versions.js';
export { freeFiles, rebuildFiles, LocalCopyError } from './actions/local-copies.js';
export { moveFile, removeFiles, ReorganizeError } from './actions/reorganize.js';
export { publishPersonal, type PublishTarget } from './actions/publish-personal.js';
export { lockFolder, FolderBusyError, type FolderLock } from './project/folder-lock.js';
export { PreviewError } from './project/previews.js';
