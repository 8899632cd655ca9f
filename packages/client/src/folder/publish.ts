// Publishing a working folder: every changed file becomes a checkpoint of its asset (new folders
// become collections, new files assets), chunks go through one shared uploader whatever the number
// of files, checkpoints are created in as few pushes as the limits allow, and assets of deleted
// files go to the trash. A file whose bytes hash to the recorded hash gets no new checkpoint.
import { join, posix } from 'node:path';
import type { BacklotApi } from '@backlot/api';
import { OpRejectedError, pushOps, type ClientOp } from '../remote/ops.js';
import { checkpointOpId, createCheckpoints, missingChunksOf } from '../content/checkpoints.js';
import { chunkInto, type ChunkOptions } from '../content/chunk-file.js';
import { ChunkUploader, type UploaderOptions, type UploadStats } from '../content/upload.js';
import { ensureAssets, type ItemOptions } from './items.js';
import { scanFolder, type ScannedFile, type ScanOptions } from './scan.js';
import { loadState, saveState, type FolderState } from './state.js';

export interface PublishFolderOptions extends ScanOptions, UploaderOptions, ChunkOptions, ItemOptions {
  /** Comment on every checkpoint (default "Published from <folder name>"). */
  comment?: string;
  /** Move assets of deleted files to the server's trash (default true). */
  trashRemoved?: boolean;
}

export interface PublishedFile {
  path: string;
  assetId: string;
  checkpointId: string;
  number: number;
  fileHash: string;
  size: number;
}

export interface PublishFolderResult {
  published: PublishedFile[];
  /** Read because size/mtime changed, but same content: no checkpoint. */
  touched: string[];
  unchanged: number;
  removed: string[];
  /** Files the server refused (permission, soft lock, …); tried again on the next run. */
  failed: { path: string; error: OpRejectedError }[];
  upload: UploadStats;
  /** Wall time per phase, ms: scan, items (collections/assets), chunks (read, check, upload), checkpoints, removals, state. */
  phases: Record<'scan' | 'items' | 'chunks' | 'checkpoints' | 'removals' | 'state', number>;
}

/**
 * Publishes every changed file of the working folder `root` to project `projectId`. Re-running
 * after an interruption resumes: unchanged files are skipped by size/mtime, chunks already on the
 * server are not sent again, and journaled creations replay their op ids.
 */
export async function publishFolder(api: BacklotApi, projectId: string, root: string, options: PublishFolderOptions = {}): Promise<PublishFolderResult> {
  const state = await loadState(root);
  if (state.projectId && state.projectId !== projectId) throw new Error(`${root} is a working folder of project ${state.projectId}, not ${projectId}`);
  state.projectId = projectId;
  const phases = { scan: 0, items: 0, chunks: 0, checkpoints: 0, removals: 0, state: 0 };
  let mark = performance.now();
  const lap = (phase: keyof typeof phases) => {
    const now = performance.now();
    phases[phase] += now - mark;
    mark = now;
  };
  const scan = await scanFolder(root, state, options);
  lap('scan');
  const uploader = new ChunkUploader(api, projectId, options);
  const result: PublishFolderResult = { published: [], touched: [], unchanged: scan.unchanged.length, removed: [], failed: [], upload: uploader.stats, phases };

  // 1. Places and items for new files, journaled then pushed in one batch.
  await ensureAssets(api, projectId, root, state, scan.changed.map((f) => f.path), options);
  lap('items');

  // 2. Chunks of every changed file, through one uploader.
  type Candidate = { scanned: ScannedFile; fileHash: string; size: number; chunks: string[]; chunkSizes: number[] };
  const readAll = async (files: ScannedFile[]) => {
    const out: Candidate[] = [];
    for (const f of files) {
      const file = await chunkInto(join(root, f.path), uploader, options);
      const prev = state.files[f.path];
      if (prev?.assetId && prev.checkpointId && prev.fileHash === file.fileHash) {
        prev.size = f.size;
        prev.mtimeMs = f.mtimeMs;
        result.touched.push(f.path);
        continue;
      }
      out.push({ scanned: f, ...file });
    }
    await uploader.flush();
    return out;
  };
  let candidates = await readAll(scan.changed);
  lap('chunks');

  // 3. Checkpoints, one op each, in as few requests as the limits allow.
  const comment = options.comment ?? `Published from ${posix.basename(root.replace(/\\/g, '/')) || root}`;
  for (let attempt = 1; candidates.length > 0; attempt++) {
    const requests = candidates.map((c) => {
      const assetId = assetIdOf(state, c.scanned.path);
      const base = state.files[c.scanned.path]?.assetId === assetId ? state.files[c.scanned.path].checkpointId ?? null : null;
      return { assetId, fileHash: c.fileHash, size: c.size, chunks: c.chunks, comment, opId: checkpointOpId(assetId, base, c.fileHash, c.size) };
    });
    const results = await createCheckpoints(api, projectId, requests);
    const retry: Candidate[] = [];
    results.forEach((r, i) => {
      const c = candidates[i];
      const req = requests[i];
      if (r.status === 'applied') {
        const cp = r.result as { id: string; number: number };
        state.files[c.scanned.path] = {
          size: c.scanned.size, mtimeMs: c.scanned.mtimeMs, fileHash: c.fileHash, chunks: c.chunks, chunkSizes: c.chunkSizes,
          assetId: req.assetId, checkpointId: cp.id,
        };
        result.published.push({ path: c.scanned.path, assetId: req.assetId, checkpointId: cp.id, number: cp.number, fileHash: c.fileHash, size: c.size });
        return;
      }
      const err = new OpRejectedError(r, 'checkpoint.create');
      const missing = missingChunksOf(err);
      // A chunk vanished between check and checkpoint (e.g. garbage collection): read the file
      // again, asking the server afresh. Once.
      if (missing !== null && attempt < 2) {
        uploader.forget(missing.length > 0 ? missing : c.chunks);
        retry.push(c);
      } else result.failed.push({ path: c.scanned.path, error: err });
    });
    lap('checkpoints');
    candidates = retry.length > 0 ? await readAll(retry.map((c) => c.scanned)) : [];
    lap('chunks');
  }

  // 4. Deleted files.
  if (scan.removed.length > 0) await trashRemoved(api, projectId, state, scan.removed, options.trashRemoved !== false, result);
  lap('removals');
  await saveState(root, state);
  lap('state');
  return result;
}

function assetIdOf(state: FolderState, path: string): string {
  const id = state.files[path]?.assetId ?? state.pending.assets[path]?.id;
  if (!id) throw new Error(`no asset for ${path}`);
  return id;
}

/**
 * Stops tracking `removed` files, moving their assets to the trash first when `trash` is set. A
 * refused removal stays tracked (and is listed in `result.failed`) for the next run.
 */
async function trashRemoved(api: BacklotApi, projectId: string, state: FolderState, removed: string[], trash: boolean, result: PublishFolderResult): Promise<void> {
  const ops: ClientOp[] = [];
  const paths: string[] = [];
  // How many tracked paths hold each asset: one is trashed only when no other path still does.
  const holders = new Map<string, number>();
  for (const t of Object.values(state.files)) if (t.assetId) holders.set(t.assetId, (holders.get(t.assetId) ?? 0) + 1);
  for (const p of removed) {
    const assetId = state.files[p]?.assetId;
    if (trash && assetId && holders.get(assetId) === 1) {
      ops.push({ opId: `trash.${assetId}.${state.files[p].checkpointId ?? 'none'}`, op: { type: 'asset.delete', id: assetId } });
      paths.push(p);
    }
  }
  const results = ops.length > 0 ? await pushOps(api, projectId, ops) : [];
  results.forEach((r, i) => {
    // Already gone on the server counts as done; anything else stays tracked for the next run.
    if (r.status !== 'applied' && r.code !== 'not_found') result.failed.push({ path: paths[i], error: new OpRejectedError(r, 'asset.delete') });
  });
  const keep = new Set(result.failed.map((f) => f.path));
  for (const p of removed) {
    if (keep.has(p)) continue;
    delete state.files[p];
    result.removed.push(p);
  }
}
