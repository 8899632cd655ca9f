// What each working file was when this folder last wrote or checkpointed it (the `files` table):
// its asset, the checkpoint it matches, its hash and chunk list, and size + mtime so that a file
// whose size and mtime did not move is not read again (as git's index does).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ProjectDb } from '../project/project-db.js';
import { downloadRefusals } from '../project/download-refusals.js';

export interface WorkingFile {
  path: string;
  assetId: string;
  /** The checkpoint whose content the file had when recorded (null: not checkpointed yet). */
  checkpointId: string | null;
  fileHash: string;
  size: number;
  mtimeMs: number;
  /** Chunk ids and raw sizes, in file order (lets a newer version reuse unchanged chunks). */
  chunks: [id: string, size: number][];
  /** The server has this content (it came from there, or its checkpoint was acknowledged). */
  onServer: boolean;
}

interface Row {
  path: string;
  asset_id: string;
  checkpoint_id: string | null;
  file_hash: string;
  size: number;
  mtime_ms: number;
  chunks: string;
  on_server: number;
}

const fromRow = (r: Row): WorkingFile => ({
  path: r.path, assetId: r.asset_id, checkpointId: r.checkpoint_id, fileHash: r.file_hash, size: r.size, mtimeMs: r.mtime_ms,
  chunks: JSON.parse(r.chunks) as [string, number][], onServer: r.on_server === 1,
});

/** A record's columns but its chunk list (a JSON text that can be long). */
const SUMMARY = 'path, asset_id, checkpoint_id, file_hash, size, mtime_ms, on_server';
const summaryOf = (r: Row): Omit<WorkingFile, 'chunks'> => ({
  path: r.path, assetId: r.asset_id, checkpointId: r.checkpoint_id, fileHash: r.file_hash, size: r.size, mtimeMs: r.mtime_ms, onServer: r.on_server === 1,
});

export const workingFiles = {
  all(db: ProjectDb): WorkingFile[] {
    return (db.stmt('SELECT * FROM files ORDER BY path').all() as Row[]).map(fromRow);
  },
  /** Every record without its chunk list (what status needs, for many files). */
  summaries(db: ProjectDb): Omit<WorkingFile, 'chunks'>[] {
    return (db.stmt(`SELECT ${SUMMARY} FROM files`).all() as Row[]).map(summaryOf);
  },
  count(db: ProjectDb): number {
    return (db.stmt('SELECT count(*) AS n FROM files').get() as { n: number }).n;
  },
  /** The record of the file at `path`, without its chunk list. */
  summaryByPath(db: ProjectDb, path: string): Omit<WorkingFile, 'chunks'> | undefined {
    const r = db.stmt(`SELECT ${SUMMARY} FROM files WHERE path = ?`).get(path) as Row | undefined;
    return r && summaryOf(r);
  },
  /** The record of the asset's file, without its chunk list. */
  summaryByAsset(db: ProjectDb, assetId: string): Omit<WorkingFile, 'chunks'> | undefined {
    const r = db.stmt(`SELECT ${SUMMARY} FROM files WHERE asset_id = ?`).get(assetId) as Row | undefined;
    return r && summaryOf(r);
  },
  byPath(db: ProjectDb, path: string): WorkingFile | undefined {
    const r = db.stmt('SELECT * FROM files WHERE path = ?').get(path) as Row | undefined;
    return r && fromRow(r);
  },
  byAsset(db: ProjectDb, assetId: string): WorkingFile | undefined {
    const r = db.stmt('SELECT * FROM files WHERE asset_id = ?').get(assetId) as Row | undefined;
    return r && fromRow(r);
  },
  put(db: ProjectDb, f: WorkingFile): void {
    db.tx(() => {
      db.stmt('DELETE FROM files WHERE path = ? OR asset_id = ?').run(f.path, f.assetId);
      db
        .stmt('INSERT INTO files (path, asset_id, checkpoint_id, file_hash, size, mtime_ms, chunks, on_server) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(f.path, f.assetId, f.checkpointId, f.fileHash, f.size, f.mtimeMs, JSON.stringify(f.chunks), f.onServer ? 1 : 0);
      // The asset's file is here now: a refusal to send it is out of date.
      downloadRefusals.clear(db, f.assetId);
    });
  },
  /** The file was read again and found unchanged: remember its new mtime. */
  touch(db: ProjectDb, path: string, mtimeMs: number): void {
    db.stmt('UPDATE files SET mtime_ms = ? WHERE path = ?').run(mtimeMs, path);
  },
  /** The server acknowledged this checkpoint: files recorded as it are now its content. */
  acknowledged(db: ProjectDb, checkpointId: string): void {
    db.stmt('UPDATE files SET on_server = 1 WHERE checkpoint_id = ?').run(checkpointId);
  },
  remove(db: ProjectDb, path: string): void {
    db.stmt('DELETE FROM files WHERE path = ?').run(path);
  },
};

/** SHA-256 of a file, lowercase hex. */
export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const block of createReadStream(path, { highWaterMark: 1024 * 1024 })) h.update(block as Buffer);
  return h.digest('hex');
}

/**
 * The file's current content hash: from the record when size and mtime still match it, else by
 * reading the file (and the record learns the new mtime when the content turned out the same).
 */
export async function currentHash(db: ProjectDb, abs: string, record: Omit<WorkingFile, 'chunks'> | undefined, st?: { size: number; mtimeMs: number }): Promise<string> {
  const s = st ?? (await stat(abs));
  if (record && record.size === s.size && record.mtimeMs === s.mtimeMs) return record.fileHash;
  const hash = await hashFile(abs);
  if (record && hash === record.fileHash && record.size === s.size) workingFiles.touch(db, record.path, s.mtimeMs);
  return hash;
}
