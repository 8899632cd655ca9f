// The server-side items of a working folder's files: folders become collections, files assets
// (resources). New items get client-chosen ids and op ids, journaled in the state before they are
// sent, so a run that crashed after the server applied them replays the same op ids.
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type { BacklotApi } from '@backlot/api';
import { pushOps, type ClientOp } from '../remote/ops.js';
import { saveState, type FolderState, type TrackedFile } from './state.js';

export interface ItemOptions {
  /**
   * An asset of the same name already on the server (not created from this folder): 'fail'
   * (default) stops with FolderConflictError; 'adopt' stacks this folder's checkpoints on it.
   */
  onNameTaken?: 'fail' | 'adopt';
}

/** Items of the same name exist on the server and `onNameTaken` is 'fail'. */
export class FolderConflictError extends Error {
  override readonly name = 'FolderConflictError';
  constructor(readonly conflicts: { path: string; existingId?: string; message: string }[]) {
    super(`name conflicts on the server: ${conflicts.map((c) => c.path).join(', ')}`);
  }
}

/** Splits a file name into an asset name and extension the server accepts. */
export function assetNameOf(fileName: string): { name: string; extension: string } {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return { name: fileName, extension: '' };
  const extension = fileName.slice(dot + 1);
  if (!/^[A-Za-z0-9._+-]{1,32}$/.test(extension)) return { name: fileName, extension: '' };
  return { name: fileName.slice(0, dot), extension };
}

function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** A tracked file now held by `assetId`, with no checkpoint of this folder on it yet. */
function withAsset(t: TrackedFile | undefined, assetId: string): TrackedFile {
  return { ...(t ?? { size: -1, mtimeMs: -1, fileHash: '', chunks: [], chunkSizes: [] }), assetId, checkpointId: undefined };
}

/**
 * Makes sure every path has a collection chain and an asset, creating what is missing in one push
 * (journaled in the state of `root` first), and records the answers in the state.
 */
export async function ensureAssets(api: BacklotApi, projectId: string, root: string, state: FolderState, paths: string[], options: ItemOptions = {}): Promise<void> {
  const needAsset = paths.filter((p) => !state.files[p]?.assetId);
  if (needAsset.length === 0) return;
  const ops: ClientOp[] = [];
  const kinds: { kind: 'collection' | 'asset'; key: string }[] = [];
  const sent = new Set<string>();
  const ensureFolder = (folder: string): string | null => {
    if (folder === '') return null;
    const confirmed = state.collections[folder];
    if (confirmed) return confirmed;
    const parentId = ensureFolder(folderOf(folder));
    let entry = state.pending.collections[folder];
    if (!entry) {
      const id = randomUUID();
      entry = state.pending.collections[folder] = { id, opId: `collection.create.${id}` };
    }
    if (!sent.has(folder)) {
      sent.add(folder);
      ops.push({ opId: entry.opId, op: { type: 'collection.create', id: entry.id, parentId, name: posix.basename(folder) } });
      kinds.push({ kind: 'collection', key: folder });
    }
    return entry.id;
  };
  for (const p of needAsset) {
    const collectionId = ensureFolder(folderOf(p));
    let entry = state.pending.assets[p];
    if (!entry) {
      const id = randomUUID();
      entry = state.pending.assets[p] = { id, opId: `asset.create.${id}` };
    }
    const { name, extension } = assetNameOf(posix.basename(p));
    ops.push({ opId: entry.opId, op: { type: 'asset.create', id: entry.id, collectionId, name, extension, kind: 'resource' } });
    kinds.push({ kind: 'asset', key: p });
  }
  await saveState(root, state); // the journal first
  const results = await pushOps(api, projectId, ops);
  const conflicts: { path: string; existingId?: string; message: string }[] = [];
  const failures: string[] = [];
  // Ids of items replaced by existing ones, so children sent in the same batch can be re-parented.
  const replaced = new Map<string, string>();
  results.forEach((r, i) => {
    const { kind, key } = kinds[i];
    const pending = kind === 'collection' ? state.pending.collections : state.pending.assets;
    const entry = pending[key];
    if (r.status === 'applied') {
      if (kind === 'collection') state.collections[key] = entry.id;
      else state.files[key] = withAsset(state.files[key], entry.id);
      delete pending[key];
      return;
    }
    const nameTaken = r.status === 'conflict' && r.existingId && r.details?.reason === 'name_taken';
    if (nameTaken && (kind === 'collection' || options.onNameTaken === 'adopt')) {
      // A folder of that name exists: use it. (An asset only when asked to merge.)
      replaced.set(entry.id, r.existingId!);
      if (kind === 'collection') state.collections[key] = r.existingId!;
      else state.files[key] = withAsset(state.files[key], r.existingId!);
      delete pending[key];
      return;
    }
    if (nameTaken) conflicts.push({ path: key, existingId: r.existingId, message: r.message });
    else failures.push(`${key}: ${r.status} ${r.code}: ${r.message}`);
    delete pending[key];
  });
  await saveState(root, state);
  if (conflicts.length > 0) throw new FolderConflictError(conflicts);
  if (replaced.size > 0 && needAsset.some((p) => !state.files[p]?.assetId)) {
    // Children of an adopted collection were refused (their parent id did not exist): go again,
    // now with the adopted ids.
    return ensureAssets(api, projectId, root, state, paths, options);
  }
  if (failures.length > 0) throw new Error(`could not create items on the server:\n  ${failures.join('\n  ')}`);
}
