// Restoring a working folder from the server: the files a state describes (a working folder's, or
// one built from the server's checkpoints), verified chunk by chunk and file by file, and a fresh
// state for the destination so it is a clean working folder.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BacklotApi } from '@backlot/api';
import { fetchCheckpointManifests, restoreFiles, type FetchStats, type FileToRestore, type RestoreFilesOptions } from '../content/restore.js';
import { emptyState, saveState, type FolderState, type TrackedFile } from './state.js';

export interface RestoreFolderOptions extends RestoreFilesOptions {
  /** Write a state into DEST/.backlot so the restored folder is a working folder (default true). */
  writeState?: boolean;
  /**
   * Where chunk lists come from: 'state' (default: the ones recorded in `state`) or 'server'
   * (each file's checkpoint manifest is fetched, as a fresh machine would; needs checkpointId).
   */
  manifests?: 'state' | 'server';
}

/**
 * Restores the files described by `state` into `dest`, verified chunk by chunk and file by file.
 */
export async function restoreFolder(
  api: BacklotApi,
  projectId: string,
  state: FolderState,
  dest: string,
  options: RestoreFolderOptions = {},
): Promise<{ files: number; bytes: number; fetch: FetchStats }> {
  // Files whose asset exists but whose first checkpoint never got through have nothing to restore.
  const paths = Object.keys(state.files).filter((p) => state.files[p].checkpointId && /^[0-9a-f]{64}$/.test(state.files[p].fileHash)).sort();
  const tracked: Record<string, TrackedFile> = { ...state.files };
  if (options.manifests === 'server') {
    const missing = paths.find((p) => !tracked[p].checkpointId);
    if (missing) throw new Error(`${missing}: no checkpoint recorded; cannot restore it from the server`);
    const { manifests, refused } = await fetchCheckpointManifests(api, projectId, paths.map((p) => tracked[p].checkpointId!));
    for (const p of paths) {
      const t = tracked[p];
      const m = manifests.get(t.checkpointId!);
      if (!m) throw new Error(`${p}: the server refused its checkpoint (${refused.get(t.checkpointId!)?.message ?? 'no answer'})`);
      tracked[p] = { ...t, fileHash: m.fileHash, size: m.size, chunks: m.chunks, chunkSizes: m.chunkSizes };
    }
  }
  const files: FileToRestore[] = paths.map((p) => {
    const t = tracked[p];
    return { path: join(dest, ...p.split('/')), fileHash: t.fileHash, size: t.size, chunks: t.chunks, chunkSizes: t.chunkSizes };
  });
  const r = await restoreFiles(api, projectId, files, options);
  if (options.writeState !== false) {
    const next: FolderState = { ...emptyState(projectId), collections: { ...state.collections }, files: {} };
    for (const p of paths) {
      const st = await stat(join(dest, ...p.split('/')));
      next.files[p] = { ...tracked[p], size: st.size, mtimeMs: st.mtimeMs };
    }
    await saveState(dest, next);
  }
  return r;
}
