export { HttpClient, ApiError, NetworkError, ProtocolError, withRetry } from './remote/http.js';
export { ChunkApi } from './remote/chunks.js';
export { pushOps, OpRejectedError } from './remote/ops.js';
export { publishFile, ChunkUploader, createCheckpoints, checkpointOpId } from './content/publish.js';
export { restoreFiles, restoreCheckpoint, fetchCheckpointManifest, ChunkFetcher } from './content/restore.js';
export { publishFolder, restoreFolder, scanFolder, checkpointFolderLocal, FolderConflictError } from './content/folder.js';
