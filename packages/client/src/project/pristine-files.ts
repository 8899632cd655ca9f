// Pristine files: a version of a working file this member may checkpoint, kept whole in
// .backlot/pristine/<file hash> as a second name of the file (a hard link: no bytes written), or a
// copy where the file system has no links (a reflink where it can). Made when a download writes
// the file, and when a checkpoint has read it.
// DCC tools save by writing a new file and renaming it over the old one (Blender, Krita, GIMP and
// most others), which leaves the pristine file with the version the tool replaced: the next
// checkpoint of that file is patched against it. A tool that writes into the file in place changes
// both names; so only a private pristine file (one name) is used, which an in-place save never
// leaves (after a download, that file's next checkpoint is stored whole, as without a copy; after
// a checkpoint, its patches are read from .backlot/chunks as before).
// project.db's pristine_chunks says where each chunk of a pristine file sits, so they count as
// chunks of the folder's store (local-store.ts); every read is checked against the chunk's id, and
// a file that cannot be read is only a miss.
// Why whole files: one file per downloaded chunk made a first clone create thousands of small
// files (docs/chunking.md).
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ENCODING_RAW, fdClose, fdOpen, fdRead, processIsAlive } from '@backlot/storage';
import { PROJECT_DIR, type ProjectDb } from './project-db.js';

export const PRISTINE_DIR = 'pristine';
const FILE_NAME = /^[0-9a-f]{64}$/;

export class PristineFiles {
  readonly dir: string;
  /** The folder, made once (and tried again after a failure). */
  private made: Promise<unknown> | undefined;

  constructor(private readonly db: ProjectDb) {
    this.dir = join(db.root, PROJECT_DIR, PRISTINE_DIR);
  }

  pathOf(fileHash: string): string {
    if (!FILE_NAME.test(fileHash)) throw new Error(`not a file hash: ${fileHash.slice(0, 80)}`);
    return join(this.dir, fileHash);
  }

  /**
   * Makes `file`, just written and verified as version `fileHash`, its pristine file (a link, else
   * a copy unless `linkOnly`). A cache entry: false when none could be made. Its chunks count once
   * `record`ed.
   */
  async add(file: string, fileHash: string, options: { linkOnly?: boolean } = {}): Promise<boolean> {
    const final = this.pathOf(fileHash);
    if (this.db.stmt('SELECT 1 FROM pristine_chunks WHERE file_hash = ? LIMIT 1').get(fileHash) && (await stat(final).catch(() => null))) return true;
    const temp = join(this.dir, `${fileHash}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await (this.made ??= mkdir(this.dir, { recursive: true }).catch((err: unknown) => {
        this.made = undefined;
        throw err;
      }));
      await link(file, temp).catch((err: unknown) => {
        if (options.linkOnly) throw err;
        return copyFile(file, temp, constants.COPYFILE_FICLONE);
      });
      await rename(temp, final);
      return true;
    } catch {
      await rm(temp, { force: true }).catch(() => {});
      return false;
    }
  }

  /**
   * Records where the chunks of added versions sit (`chunks`: [id, size] in file order), in one
   * transaction. A kill before it leaves files no row names, which `clean` removes.
   */
  record(versions: readonly { fileHash: string; chunks: readonly (readonly [string, number])[] }[]): void {
    if (versions.length === 0) return;
    this.db.tx(() => {
      const put = this.db.stmt('INSERT OR IGNORE INTO pristine_chunks (chunk_id, file_hash, start, size) VALUES (?, ?, ?, ?)');
      for (const { fileHash, chunks } of versions) {
        let start = 0;
        for (const [id, size] of chunks) {
          put.run(id, fileHash, start, size);
          start += size;
        }
      }
    });
  }

  /** Which of `ids` a private pristine file holds, by the index (reads check the bytes). */
  async holding(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const id of ids) {
      for (const at of this.placesOf(id)) {
        if (!(await this.isPrivate(at.file_hash))) continue;
        found.add(id);
        break;
      }
    }
    return found;
  }

  /**
   * Whether the pristine file has no other name. One that still is the working file (not saved
   * since, or saved in place) is not the store's: a save in place would change it. Looked at
   * once per file for this object's life (one command).
   */
  private async isPrivate(fileHash: string): Promise<boolean> {
    let known = this.privacy.get(fileHash);
    if (known === undefined) {
      known = stat(this.pathOf(fileHash)).then((st) => st.nlink === 1, () => false);
      this.privacy.set(fileHash, known);
    }
    return known;
  }

  private readonly privacy = new Map<string, Promise<boolean>>();

  private placesOf(id: string): { file_hash: string; start: number; size: number }[] {
    return this.db.stmt('SELECT file_hash, start, size FROM pristine_chunks WHERE chunk_id = ?').all(id) as { file_hash: string; start: number; size: number }[];
  }

  /** Chunk `id` as a raw-encoded chunk, read from a private pristine file and checked; null when none holds it intact. */
  async read(id: string): Promise<Buffer | null> {
    for (const at of this.placesOf(id)) {
      if (!(await this.isPrivate(at.file_hash))) continue;
      // A plain descriptor (storage's fd-io.ts): bases of a re-saved scene are read by the hundred.
      const fd = await fdOpen(this.pathOf(at.file_hash), 'r').catch(() => null);
      if (fd === null) continue;
      try {
        const out = Buffer.allocUnsafeSlow(at.size + 1);
        out[0] = ENCODING_RAW;
        const bytesRead = await fdRead(fd, out, 1, at.size, at.start);
        if (bytesRead === at.size && createHash('sha256').update(out.subarray(1)).digest('hex') === id) return out;
      } finally {
        await fdClose(fd);
      }
    }
    return null;
  }

  /** Every chunk id the index names, in ascending order. */
  ids(): string[] {
    return (this.db.stmt('SELECT DISTINCT chunk_id FROM pristine_chunks ORDER BY chunk_id').all() as { chunk_id: string }[]).map((r) => r.chunk_id);
  }

  /** Forgets `ids`; a file left holding none of the folder's chunks is deleted. */
  async forget(ids: readonly string[]): Promise<void> {
    const files = new Set<string>();
    const filesOf = this.db.stmt('SELECT file_hash FROM pristine_chunks WHERE chunk_id = ?');
    this.db.tx(() => {
      for (const id of ids) {
        for (const r of filesOf.all(id) as { file_hash: string }[]) files.add(r.file_hash);
        this.db.stmt('DELETE FROM pristine_chunks WHERE chunk_id = ?').run(id);
      }
    });
    const left = this.db.stmt('SELECT 1 FROM pristine_chunks WHERE file_hash = ? LIMIT 1');
    for (const f of files) if (!left.get(f)) await unlink(this.pathOf(f)).catch(() => {});
  }

  /**
   * Removes what killed commands left: temp copies (of writers that are gone, or older than
   * `olderThanMs`) and files no row names (a kill between copying and recording). Returns how many.
   */
  async clean(options: { olderThanMs: number }): Promise<number> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const named = new Set((this.db.stmt('SELECT DISTINCT file_hash FROM pristine_chunks').all() as { file_hash: string }[]).map((r) => r.file_hash));
    const cutoff = Date.now() - options.olderThanMs;
    let removed = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      const temp = name.endsWith('.tmp');
      if (!temp && !(FILE_NAME.test(name) && !named.has(name))) continue;
      const writer = Number(name.split('.')[1]);
      const deadWriter = temp && Number.isInteger(writer) && !processIsAlive(writer);
      const st = await stat(path).catch(() => null);
      if (!st || (!deadWriter && st.mtimeMs > cutoff)) continue;
      await unlink(path).catch(() => {});
      removed++;
    }
    return removed;
  }
}
