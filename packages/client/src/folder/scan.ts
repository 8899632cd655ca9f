// Which files of a working folder changed since they were last checkpointed. A file whose size and
// mtime match its state is not read at all (as git's index does).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_DIR, type FolderState } from './state.js';

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
