// One `backlot sync`: push this folder's operations (and the chunks they need), pull what changed
// on the server, bring the working files in line, drop local chunks no longer needed. Each step
// commits as it goes, so a sync that was killed or cut off simply runs again from where it was.
import type { BacklotApi } from '@backlot/api';
import { localStore } from '../project/local-store.js';
import { pruneLocalStore } from './prune.js';
import { leftoversChecked, leftoversDue } from '../project/leftovers.js';
import type { ProjectDb } from '../project/project-db.js';
import { removeTempFiles } from '../worktree/walk.js';
import { uploadPreviews } from '../project/previews.js';
import { materialize, type MaterializeProgress, type MaterializeResult } from './materialize.js';
import { pullChanges, type PullResult } from './pull.js';
import { pushOutbox, type NameConflict, type PushProgress, type PushResult } from './push.js';

export interface SyncOptions {
  /** Ask for a whole snapshot instead of the changes after the cursor. */
  full?: boolean;
  progress?: PushProgress & MaterializeProgress;
}

export interface SyncResult {
  push: PushResult;
  pull: PullResult;
  files: MaterializeResult;
  chunksPruned: number;
}

/** Items made here whose names are taken on the server: the sync stops until each is resolved. */
export class SyncConflictError extends Error {
  constructor(readonly conflicts: NameConflict[], readonly push: PushResult) {
    super(`${conflicts.length} item${conflicts.length === 1 ? '' : 's'} made here ha${conflicts.length === 1 ? 's' : 've'} a name the server already uses`);
  }
}

export async function syncProject(api: BacklotApi, db: ProjectDb, options: SyncOptions = {}): Promise<SyncResult> {
  if (db.meta().personal) throw new Error('a Personal project has no server to sync with (backlot publish makes it a studio project)');
  const store = localStore(db);
  // Temp files of a killed command: looked for after one (leftovers.ts).
  const lookForLeftovers = leftoversDue(db.root);
  if (lookForLeftovers) await removeTempFiles(db.root);
  const push = await pushOutbox(api, db, store, options.progress);
  if (push.conflicts.length > 0) throw new SyncConflictError(push.conflicts, push);
  // A refused op means this folder believed something the server does not (another member acted
  // first, or the local database was edited): take the server's whole truth again.
  const pull = await pullChanges(api, db, { full: options.full || push.refused.length > 0 });
  const files = await materialize(api, db, store, options.progress);
  await uploadPreviews(api, db);
  const chunksPruned = await pruneLocalStore(db, store, { cleanTemp: lookForLeftovers });
  if (lookForLeftovers) leftoversChecked(db.root);
  return { push, pull, files, chunksPruned };
}
