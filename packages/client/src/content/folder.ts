// A working folder: which files changed since they were last checkpointed, publishing every
// changed file as a checkpoint of its asset (folders become collections, files assets), and
// restoring a folder from the server.
//
// Local state lives in ROOT/.backlot/state.json: per file its size, mtime, content hash, asset,
// latest checkpoint and chunk list. A file whose size and mtime match is not read at all (as git's
// index does); a file whose bytes hash to the recorded hash gets no new checkpoint. The state is
// written atomically (temp + rename). Items about to be created on the server are journaled in the
// state with their client-chosen ids and op ids before they are sent, so a run that crashed after
// the server applied them replays the same op ids and gets the recorded results back.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { storeFile, type ChunkStore, type ChunkWorkerPool } from '@backlot/storage';
import type { HttpClient, RetryOptions } from '../remote/http.js';
import { OpRejectedError, pushOps, type ClientOp } from '../remote/ops.js';
import { ChunkUploader, checkpointOpId, chunkInto, createCheckpoints, missingChunksOf, type ChunkOptions, type UploaderOptions, type UploadStats } from './publish.js';
import { fetchCheckpointManifest, restoreFiles, type FetchStats, type FileToRestore, type RestoreFilesOptions } from './restore.js';

export const STATE_DIR = '.backlot';
const STATE_VERSION = 1;

export interface TrackedFile {
  size: number;
  mtimeMs: number;
  fileHash: string;
  chunks: string[];
  chunkSizes: number[];
  /** The file's asset on the server (published folders). */
  assetId?: string;
  /** Latest checkpoint of that asset created from this folder. */
  checkpointId?: string;
}

export interface FolderState {
  version: number;
  projectId?: string;
  /** Folder path ('' is the root) -> collection id, for created/adopted collections. */
  collections: Record<string, string>;
  /** Relative path (posix separators) -> what was last checkpointed. */
  files: Record<string, TrackedFile>;
  /** Creations sent (or about to be) whose answer was not recorded yet. */
  pending: {
    collections: Record<string, { id: string; opId: string }>;
    assets: Record<string, { id: string; opId: string }>;
  };
}

export function emptyState(projectId?: string): FolderState {
  return { version: STATE_VERSION, projectId, collections: {}, files: {}, pending: { collections: {}, assets: {} } };
}

export async function loadState(root: string, name = 'state.json'): Promise<FolderState> {
  let text: string;
  try {
    text = await readFile(join(root, STATE_DIR, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
  const s = JSON.parse(text) as FolderState;
  if (s.version !== STATE_VERSION) throw new Error(`${join(root, STATE_DIR, name)}: unsupported state version ${s.version}`);
  s.collections ??= {};
  s.files ??= {};
  s.pending ??= { collections: {}, assets: {} };
  return s;
}

export async function saveState(root: string, state: FolderState, name = 'state.json'): Promise<void> {
  const dir = join(root, STATE_DIR);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${name}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, join(dir, name));
}

// ---- scanning ----------------------------------------------------------------------------------

const ALWAYS_IGNORED = new Set([STATE_DIR, '.git', '.svn', '.hg']);
const TEMP_FILE = /^\..+\.backlot-[0-9a-f]+\.tmp$/;

export interface ScanOptions {
  /** Extra ignore rule on relative posix paths (directories are passed with a trailing '/'). */
  ignore?: (relPath: string) => boolean;
}

export interface ScannedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ScanResult {
  /** New files and files whose size or mtime differ from the state. */
  changed: ScannedFile[];
  unchanged: string[];
  /** Tracked files that are gone. */
  removed: string[];
}

/** Compares the folder with the state by size and mtime only (no file is read). */
export async function scanFolder(root: string, state: FolderState, options: ScanOptions = {}): Promise<ScanResult> {
  const changed: ScannedFile[] = [];
  const unchanged: string[] = [];
  const seen = new Set<string>();
  const walk = async (rel: string) => {
    const entries = await readdir(rel ? join(root, rel) : root, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (ALWAYS_IGNORED.has(e.name) || TEMP_FILE.test(e.name)) continue;
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!options.ignore?.(`${p}/`)) await walk(p);
      } else if (e.isFile()) {
        if (options.ignore?.(p)) continue;
        let st;
        try {
          st = await stat(join(root, p));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted while we looked
          throw err;
        }
        seen.add(p);
        const t = state.files[p];
        if (t && t.size === st.size && t.mtimeMs === st.mtimeMs) unchanged.push(p);
        else changed.push({ path: p, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  };
  await walk('');
  const removed = Object.keys(state.files).filter((p) => !seen.has(p));
  return { changed, unchanged, removed };
}

/** Splits a file name into an asset name and extension the server accepts. */
export function assetNameOf(fileName: string): { name: string; extension: string } {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return { name: fileName, extension: '' };
  const extension = fileName.slice(dot + 1);
  if (!/^[A-Za-z0-9._+-]{1,32}$/.test(extension)) return { name: fileName, extension: '' };
  return { name: fileName.slice(0, dot), extension };
}

// ---- local checkpoint --------------------------------------------------------------------------

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

// ---- publishing --------------------------------------------------------------------------------

export interface PublishFolderOptions extends ScanOptions, UploaderOptions, ChunkOptions {
  /** Comment on every checkpoint (default "Published from <folder name>"). */
  comment?: string;
  /** Move assets of deleted files to the server's trash (default true). */
  trashRemoved?: boolean;
  /**
   * An asset of the same name already on the server (not created from this folder): 'fail'
   * (default) stops with FolderConflictError; 'adopt' stacks this folder's checkpoints on it.
   */
  onNameTaken?: 'fail' | 'adopt';
  retry?: RetryOptions;
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

/** Items of the same name exist on the server and `onNameTaken` is 'fail'. */
export class FolderConflictError extends Error {
  override readonly name = 'FolderConflictError';
  constructor(readonly conflicts: { path: string; existingId?: string; message: string }[]) {
    super(`name conflicts on the server: ${conflicts.map((c) => c.path).join(', ')}`);
  }
}

/**
 * Publishes every changed file of the working folder `root` to project `projectId`: new folders
 * become collections, new files assets (resources), and each changed file a checkpoint. Chunks are
 * uploaded once per run whatever the number of files (one shared uploader). Re-running after an
 * interruption resumes: unchanged files are skipped by size/mtime, chunks already on the server
 * are not sent again, and journaled creations replay their op ids.
 */
export async function publishFolder(http: HttpClient, projectId: string, root: string, options: PublishFolderOptions = {}): Promise<PublishFolderResult> {
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
  const result: PublishFolderResult = { published: [], touched: [], unchanged: scan.unchanged.length, removed: [], failed: [], upload: undefined as unknown as UploadStats, phases };

  // 1. Places and items for new files, journaled then pushed in one batch.
  await ensureAssets(http, projectId, root, state, scan.changed.map((f) => f.path), options);
  lap('items');

  // 2. Chunks of every changed file, through one uploader.
  const uploader = new ChunkUploader(http, projectId, options);
  result.upload = uploader.stats;
  type Candidate = { scanned: ScannedFile; fileHash: string; size: number; chunks: string[]; chunkSizes: number[] };
  let candidates: Candidate[] = [];
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
  candidates = await readAll(scan.changed);
  lap('chunks');

  // 3. Checkpoints, one op each, in as few requests as the limits allow.
  const comment = options.comment ?? `Published from ${posix.basename(root.replace(/\\/g, '/')) || root}`;
  for (let attempt = 1; candidates.length > 0; attempt++) {
    const requests = candidates.map((c) => {
      const assetId = assetIdOf(state, c.scanned.path);
      const base = state.files[c.scanned.path]?.assetId === assetId ? state.files[c.scanned.path].checkpointId ?? null : null;
      return { assetId, fileHash: c.fileHash, size: c.size, chunks: c.chunks, comment, opId: checkpointOpId(assetId, base, c.fileHash, c.size) };
    });
    const results = await createCheckpoints(http, projectId, requests, options.retry);
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
  if (scan.removed.length > 0) {
    const trash = options.trashRemoved !== false;
    const ops: ClientOp[] = [];
    const paths: string[] = [];
    // How many tracked paths hold each asset: one is trashed only when no other path still does.
    const holders = new Map<string, number>();
    for (const t of Object.values(state.files)) if (t.assetId) holders.set(t.assetId, (holders.get(t.assetId) ?? 0) + 1);
    for (const p of scan.removed) {
      const assetId = state.files[p]?.assetId;
      if (trash && assetId && holders.get(assetId) === 1) {
        ops.push({ opId: `trash.${assetId}.${state.files[p].checkpointId ?? 'none'}`, op: { type: 'asset.delete', id: assetId } });
        paths.push(p);
      }
    }
    const results = ops.length > 0 ? await pushOps(http, projectId, ops, options.retry) : [];
    results.forEach((r, i) => {
      // Already gone on the server counts as done; anything else stays tracked for the next run.
      if (r.status !== 'applied' && r.code !== 'not_found') result.failed.push({ path: paths[i], error: new OpRejectedError(r, 'asset.delete') });
    });
    const keep = new Set(result.failed.map((f) => f.path));
    for (const p of scan.removed) {
      if (keep.has(p)) continue;
      delete state.files[p];
      result.removed.push(p);
    }
  }
  lap('removals');
  await saveState(root, state);
  lap('state');
  return result;
}

function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function assetIdOf(state: FolderState, path: string): string {
  const id = state.files[path]?.assetId ?? state.pending.assets[path]?.id;
  if (!id) throw new Error(`no asset for ${path}`);
  return id;
}

/**
 * Makes sure every path has a collection chain and an asset, creating what is missing. New items
 * get client-chosen ids and op ids, journaled in the state before they are sent.
 */
async function ensureAssets(http: HttpClient, projectId: string, root: string, state: FolderState, paths: string[], options: PublishFolderOptions): Promise<void> {
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
  const results = await pushOps(http, projectId, ops, options.retry);
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
      else state.files[key] = { ...(state.files[key] ?? { size: -1, mtimeMs: -1, fileHash: '', chunks: [], chunkSizes: [] }), assetId: entry.id, checkpointId: undefined };
      delete pending[key];
      return;
    }
    const nameTaken = r.status === 'conflict' && r.existingId && r.details?.reason === 'name_taken';
    if (nameTaken && (kind === 'collection' || options.onNameTaken === 'adopt')) {
      // A folder of that name exists: use it. (An asset only when asked to merge.)
      replaced.set(entry.id, r.existingId!);
      if (kind === 'collection') state.collections[key] = r.existingId!;
      else state.files[key] = { ...(state.files[key] ?? { size: -1, mtimeMs: -1, fileHash: '', chunks: [], chunkSizes: [] }), assetId: r.existingId!, checkpointId: undefined };
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
    return ensureAssets(http, projectId, root, state, paths, options);
  }
  if (failures.length > 0) throw new Error(`could not create items on the server:\n  ${failures.join('\n  ')}`);
}

// ---- restoring ---------------------------------------------------------------------------------

export interface RestoreFolderOptions extends RestoreFilesOptions {
  /** Write a state into DEST/.backlot so the restored folder is a working folder (default true). */
  writeState?: boolean;
  /**
   * Where chunk lists come from: 'state' (default: the ones recorded in `state`) or 'server'
   * (each file's checkpoint manifest is fetched, as a fresh machine would; needs checkpointId).
   */
  manifests?: 'state' | 'server';
  /** Manifest requests in flight with manifests: 'server' (default 8). */
  manifestConcurrency?: number;
}

/**
 * Restores the files described by `state` (e.g. a working folder's state, or one built from the
 * server's checkpoints) into `dest`, verified chunk by chunk and file by file.
 */
export async function restoreFolder(
  http: HttpClient,
  projectId: string,
  state: FolderState,
  dest: string,
  options: RestoreFolderOptions = {},
): Promise<{ files: number; bytes: number; fetch: FetchStats }> {
  // Files whose asset exists but whose first checkpoint never got through have nothing to restore.
  const paths = Object.keys(state.files).filter((p) => state.files[p].checkpointId && /^[0-9a-f]{64}$/.test(state.files[p].fileHash)).sort();
  const tracked: Record<string, TrackedFile> = { ...state.files };
  if (options.manifests === 'server') {
    let next = 0;
    const worker = async () => {
      while (next < paths.length) {
        const p = paths[next++];
        const t = tracked[p];
        if (!t.checkpointId) throw new Error(`${p}: no checkpoint recorded; cannot restore it from the server`);
        const m = await fetchCheckpointManifest(http, projectId, t.checkpointId, options.retry);
        tracked[p] = { ...t, fileHash: m.fileHash, size: m.size, chunks: m.chunks, chunkSizes: m.chunkSizes };
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.manifestConcurrency ?? 8) }, worker));
  }
  const files: FileToRestore[] = paths.map((p) => {
    const t = tracked[p];
    return { path: join(dest, ...p.split('/')), fileHash: t.fileHash, size: t.size, chunks: t.chunks, chunkSizes: t.chunkSizes };
  });
  const r = await restoreFiles(http, projectId, files, options);
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
