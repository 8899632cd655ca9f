// Chunks that need not cross the network: those in the local chunk store (this folder's own
// checkpoints) and those inside working files that are still exactly as recorded (a new version of
// a file mostly repeats the old one's chunks). Every chunk read from a working file is checked
// against its id; one that no longer matches (the file changed meanwhile) is fetched instead.
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readChunk, type ChunkStore } from '@backlot/storage';
import type { ProjectDb } from '../project/project-db.js';
import { workingFiles } from '../worktree/working-files.js';

interface InFile {
  path: string;
  offset: number;
  size: number;
}

export class LocalChunks {
  private readonly inFiles = new Map<string, InFile>();
  private readonly inStore = new Set<string>();
  bytesRead = 0;

  private constructor(private readonly db: ProjectDb, private readonly store: ChunkStore) {}

  /** Indexes where each of `ids` can be read locally. */
  static async index(db: ProjectDb, store: ChunkStore, ids: Iterable<string>): Promise<LocalChunks> {
    const local = new LocalChunks(db, store);
    const wanted = new Set(ids);
    for (const id of await store.has([...wanted])) local.inStore.add(id);
    for (const rec of workingFiles.all(db)) {
      if (!rec.chunks.some(([id]) => wanted.has(id) && !local.inStore.has(id))) continue;
      const st = await stat(join(db.root, rec.path)).catch(() => null);
      if (!st || st.size !== rec.size || st.mtimeMs !== rec.mtimeMs) continue; // changed: its chunks are not what we recorded
      let offset = 0;
      for (const [id, size] of rec.chunks) {
        if (wanted.has(id) && !local.inFiles.has(id)) local.inFiles.set(id, { path: rec.path, offset, size });
        offset += size;
      }
    }
    return local;
  }

  has(id: string): boolean {
    return this.inStore.has(id) || this.inFiles.has(id);
  }

  /** The chunk's raw bytes, verified, or null when it cannot be read here after all. */
  async read(id: string): Promise<Buffer | null> {
    if (this.inStore.has(id)) {
      const raw = await readChunk(this.store, id).catch(() => null);
      if (raw) {
        this.bytesRead += raw.length;
        return raw;
      }
    }
    const at = this.inFiles.get(id);
    if (!at) return null;
    const raw = Buffer.allocUnsafe(at.size);
    const fh = await open(join(this.db.root, at.path), 'r').catch(() => null);
    if (!fh) return null;
    try {
      const { bytesRead } = await fh.read(raw, 0, at.size, at.offset);
      if (bytesRead !== at.size || createHash('sha256').update(raw).digest('hex') !== id) return null;
    } finally {
      await fh.close();
    }
    this.bytesRead += raw.length;
    return raw;
  }
}
