// Local copies of files: `free` drops one (history stays, sync leaves it away), `rebuild` brings
// it back (the newest version, from this folder or the server).
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BacklotApi } from '@backlot/api';
import { latestCheckpoint } from '../project/items.js';
import { localStore } from '../project/local-store.js';
import type { ProjectDb } from '../project/project-db.js';
import { ProjectTree } from '../project/tree.js';
import { writeVersions, type VersionToWrite } from '../sync/write-versions.js';
import { setFreed } from '../worktree/freed.js';
import { currentHash, workingFiles } from '../worktree/working-files.js';

export class LocalCopyError extends Error {}

/** Removes the local copies of `paths`; refused for a file whose content only exists here. */
export async function freeFiles(db: ProjectDb, paths: readonly string[]): Promise<string[]> {
  const tree = new ProjectTree(db);
  const personal = db.meta().personal;
  const freed: string[] = [];
  for (const path of paths) {
    const asset = tree.assetByPath.get(path);
    if (!asset) throw new LocalCopyError(`${path} is not part of the project`);
    const abs = join(db.root, path);
    const st = await stat(abs).catch(() => null);
    if (st) {
      const rec = workingFiles.byPath(db, path);
      const latest = latestCheckpoint(db, asset.id);
      const hash = await currentHash(db, abs, rec, st);
      if (!latest || hash !== latest.fileHash) throw new LocalCopyError(`${path} has changes no checkpoint holds; checkpoint it before freeing it`);
      if (latest.pending && !personal) throw new LocalCopyError(`${path}: its newest checkpoint is not on the server yet; sync before freeing it`);
    }
    await rm(abs, { force: true });
    db.tx(() => {
      workingFiles.remove(db, path);
      setFreed(db, asset.id, true);
    });
    freed.push(path);
  }
  return freed;
}

/** Writes the newest version of each of `paths` whose file is absent (freed, deleted, never fetched). */
export async function rebuildFiles(api: BacklotApi | null, db: ProjectDb, paths: readonly string[]): Promise<{ written: string[]; present: string[] }> {
  const tree = new ProjectTree(db);
  const plan: (VersionToWrite & { path: string; assetId: string })[] = [];
  const present: string[] = [];
  for (const path of paths) {
    const asset = tree.assetByPath.get(path);
    if (!asset) throw new LocalCopyError(`${path} is not part of the project`);
    const latest = latestCheckpoint(db, asset.id);
    if (!latest) throw new LocalCopyError(`${path} has no checkpoint to rebuild from`);
    if (await stat(join(db.root, path)).catch(() => null)) {
      present.push(path);
      continue;
    }
    plan.push({ path, assetId: asset.id, dest: join(db.root, path), checkpoint: latest });
  }
  const written: string[] = [];
  await writeVersions(api, db, localStore(db), plan, {
    keepPristine: true,
    onWritten: (i, m, st) => {
      const p = plan[i];
      db.tx(() => {
        setFreed(db, p.assetId, false);
        workingFiles.put(db, {
          path: p.path, assetId: p.assetId, checkpointId: p.checkpoint.id, fileHash: m.fileHash, size: st.size, mtimeMs: st.mtimeMs,
          chunks: m.chunks.map((id, k) => [id, m.chunkSizes[k]]), onServer: !p.checkpoint.pending,
        });
      });
      written.push(p.path);
    },
  });
  return { written, present };
}
