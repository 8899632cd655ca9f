// Checkpointing a working folder into a local chunk store, with no server (the storage benchmark's
// "Backlot local"): the same scan and state as a published folder, kept in a state file of its own.
import { join } from 'node:path';
import { storeFile, type ChunkStore, type ChunkWorkerPool } from '@backlot/storage';
import { scanFolder, type ScanOptions } from './scan.js';
import { loadState, saveState } from './state.js';

export interface LocalCheckpointResult {
  checkpointed: string[];
  unchanged: number;
  removed: string[];
  newChunks: number;
  newBytes: number;
}

/**
 * Checkpoints every changed file of `root` into a local chunk store (no server): chunk, compress,
 * store what the store lacks, record the manifests in ROOT/.backlot/<stateName>.
 */
export async function checkpointFolderLocal(
  root: string,
  store: ChunkStore,
  options: ScanOptions & { pool?: ChunkWorkerPool; stateName?: string } = {},
): Promise<LocalCheckpointResult> {
  const stateName = options.stateName ?? 'local-state.json';
  const state = await loadState(root, stateName);
  const scan = await scanFolder(root, state, options);
  const out: LocalCheckpointResult = { checkpointed: [], unchanged: scan.unchanged.length, removed: scan.removed, newChunks: 0, newBytes: 0 };
  for (const f of scan.changed) {
    const r = await storeFile(join(root, f.path), store, { pool: options.pool });
    const prev = state.files[f.path];
    if (!prev || prev.fileHash !== r.fileHash) out.checkpointed.push(f.path);
    state.files[f.path] = { size: f.size, mtimeMs: f.mtimeMs, fileHash: r.fileHash, chunks: r.chunks.map((c) => c.id), chunkSizes: r.chunks.map((c) => c.size) };
    out.newChunks += r.newChunks;
    out.newBytes += r.newBytes;
  }
  for (const p of scan.removed) delete state.files[p];
  await saveState(root, state, stateName);
  return out;
}
