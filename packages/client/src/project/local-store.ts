// The folder's own chunk store: the chunk files of .backlot/chunks, and the chunks inside its
// pristine files (pristine-files.ts), read as one store.
//   .backlot/chunks holds the chunks of checkpoints made here (until the server has them, in a
//   studio project; for good, in a Personal one, where they are the history) and stays the
//   recorded version of a file checkpointed here.
//   .backlot/pristine holds downloaded and checkpointed versions whole (links to the files).
// Together they keep each working file's recorded version (its "pristine" copy, for files this
// member may checkpoint: soft-lock.ts), which the next checkpoint of that file is stored against
// as patches (storage's store-against.ts). A patch's bases are recorded in project.db
// (chunk_bases) and kept while the patch is. Writes go to .backlot/chunks.
import { FsChunkStore, type ChunkStore, type VerifiedChunk } from '@backlot/storage';
import { PROJECT_DIR, CHUNKS_DIR, type ProjectDb } from './project-db.js';
import { join } from 'node:path';
import { PristineFiles } from './pristine-files.js';

export class LocalStore implements ChunkStore {
  readonly namespace = CHUNKS_DIR;
  readonly files: FsChunkStore;
  readonly pristine: PristineFiles;

  constructor(db: ProjectDb) {
    this.files = new FsChunkStore({ dir: join(db.root, PROJECT_DIR), namespace: CHUNKS_DIR });
    this.pristine = new PristineFiles(db);
  }

  async has(ids: readonly string[]): Promise<Set<string>> {
    const found = await this.files.has(ids);
    for (const id of await this.pristine.holding(ids.filter((id) => !found.has(id)))) found.add(id);
    return found;
  }

  /**
   * The chunk for reading its content: from a private pristine file first (whole, so nothing to
   * decode; a chunk file may be a patch at the end of a chain), else as its chunk file stores it.
   */
  async get(id: string): Promise<Buffer | null> {
    return (await this.pristine.read(id)) ?? (await this.files.get(id));
  }

  /** The chunk for sending: as its chunk file stores it (compressed, or a patch), else whole from a pristine file. */
  async stored(id: string): Promise<Buffer | null> {
    return (await this.files.get(id)) ?? (await this.pristine.read(id));
  }

  put(id: string, encoded: Buffer): Promise<void> {
    return this.files.put(id, encoded);
  }

  putVerified(chunk: VerifiedChunk): Promise<void> {
    return this.files.putVerified(chunk);
  }

  putVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void> {
    return this.files.putVerifiedMany(chunks);
  }

  replaceVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void> {
    return this.files.replaceVerifiedMany(chunks);
  }

  async delete(ids: readonly string[]): Promise<void> {
    await this.files.delete(ids);
    await this.pristine.forget(ids);
  }

  /** Both stores' ids, merged in ascending order (an id in both once). */
  async *list(): AsyncIterable<string> {
    const pristine = this.pristine.ids();
    let k = 0;
    for await (const id of this.files.list()) {
      while (k < pristine.length && pristine[k] < id) yield pristine[k++];
      if (pristine[k] === id) k++;
      yield id;
    }
    while (k < pristine.length) yield pristine[k++];
  }

  async cleanTemp(options: { olderThanMs: number; deadWriters?: boolean }): Promise<number> {
    return (await this.files.cleanTemp(options)) + (await this.pristine.clean(options));
  }
}

export function localStore(db: ProjectDb): LocalStore {
  return new LocalStore(db);
}

/** Remembers that stored chunks are patches against their bases (call before anything names them). */
export function recordLocalBases(db: ProjectDb, patches: readonly { id: string; bases: readonly string[] }[]): void {
  db.tx(() => {
    for (const { id, bases } of patches) for (const base of bases) db.stmt('INSERT OR IGNORE INTO chunk_bases (chunk_id, base_id) VALUES (?, ?)').run(id, base);
  });
}
