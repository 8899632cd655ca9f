// Past versions of a file: find one (`PATH@N`), write it somewhere (`show`, `open`), make it the
// newest again (`revert`, a new checkpoint with the old content, so history stays linear).
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BacklotApi } from '@backlot/api';
import { checkpointLock } from '../project/soft-lock.js';
import { checkpointsOf, type LocalCheckpointView } from '../project/items.js';
import { localStore } from '../project/local-store.js';
import { commitOp } from '../project/outbox.js';
import type { ProjectDb } from '../project/project-db.js';
import { ProjectTree, type AssetSummary } from '../project/tree.js';
import { writeVersions } from '../sync/write-versions.js';
import { currentHash, workingFiles } from '../worktree/working-files.js';

export class VersionError extends Error {
  constructor(message: string, readonly reason: 'untracked' | 'no_version' | 'soft_lock' | 'modified') {
    super(message);
  }
}

export interface FoundVersion {
  asset: AssetSummary;
  path: string;
  checkpoint: LocalCheckpointView;
  history: LocalCheckpointView[];
}

/** Checkpoint `number` of the file at `path` (the newest without a number). */
export function findVersion(db: ProjectDb, path: string, number: number | null): FoundVersion {
  const asset = new ProjectTree(db).assetByPath.get(path);
  if (!asset) throw new VersionError(`${path} is not part of the project`, 'untracked');
  const history = checkpointsOf(db, asset.id);
  const checkpoint = number === null ? history[history.length - 1] : history.find((c) => c.number === number);
  if (!checkpoint)
    throw new VersionError(
      history.length === 0 ? `${path} has no checkpoint yet` : `${path} has no checkpoint ${number} (it has 1 to ${history[history.length - 1].number})`,
      'no_version',
    );
  return { asset, path, checkpoint, history };
}

/** Writes a version's content to `dest` (verified, via a temp file). */
export async function writeVersion(api: BacklotApi | null, db: ProjectDb, checkpoint: LocalCheckpointView, dest: string): Promise<void> {
  await writeVersions(api, db, localStore(db), [{ dest, checkpoint }]);
}

/**
 * Makes version `number` the newest: a revert checkpoint is recorded (queued for the server, or
 * made here in a Personal project) and the working file gets that content. Refused when the
 * working file holds changes that no checkpoint has (checkpoint them first).
 */
export async function revertTo(api: BacklotApi | null, db: ProjectDb, path: string, number: number, comment?: string): Promise<LocalCheckpointView> {
  const meta = db.meta();
  const { asset, checkpoint, history } = findVersion(db, path, number);
  if (!checkpointLock(db, asset).allowed)
    throw new VersionError(`${path} is a task held by someone else; only its assignee may revert it`, 'soft_lock');
  const abs = join(db.root, path);
  const st = await stat(abs).catch(() => null);
  if (st) {
    const hash = await currentHash(db, abs, workingFiles.byPath(db, path), st);
    if (!history.some((c) => c.fileHash === hash))
      throw new VersionError(`${path} has changes no checkpoint holds; checkpoint them first (or move the file away)`, 'modified');
  }
  await writeVersion(api, db, checkpoint, abs);
  const after = await stat(abs);
  const latest = history[history.length - 1];
  const op = { type: 'checkpoint.revert' as const, id: checkpoint.id, ...(comment !== undefined && { comment }) };
  const view: LocalCheckpointView = {
    ...checkpoint, id: randomUUID(), number: latest.number + 1, comment: comment ?? `revert to ${checkpoint.number}`, revertedFrom: checkpoint.id,
    authorId: meta.userId, createdAt: new Date().toISOString(), pending: !meta.personal,
  };
  db.tx(() => {
    commitOp(db, op, [{ entity: 'checkpoint', id: view.id, data: view }]);
    workingFiles.put(db, {
      path, assetId: asset.id, checkpointId: meta.personal ? view.id : checkpoint.id, fileHash: checkpoint.fileHash, size: after.size, mtimeMs: after.mtimeMs,
      chunks: checkpoint.chunks && checkpoint.chunkSizes ? checkpoint.chunks.map((id, i) => [id, checkpoint.chunkSizes![i]]) : [],
      onServer: !checkpoint.pending,
    });
  });
  return view;
}
