// A working folder's local state, in ROOT/.backlot/state.json: per file its size, mtime, content
// hash, asset, latest checkpoint and chunk list, plus the journal of creations sent to the server
// whose answers were not recorded yet (client-chosen ids and op ids, so a run that crashed after
// the server applied them replays the same op ids and gets the recorded results back). Written
// atomically (temp + rename).
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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
