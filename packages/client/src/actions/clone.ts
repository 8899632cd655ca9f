// `backlot clone` and `backlot init`: a new working folder with its project database. A clone
// pulls the project as the member may see it and writes the files; if it is cut off, `backlot
// sync` in the folder finishes it (everything done so far is kept).
import { randomUUID } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { BacklotApi } from '@backlot/api';
import { localStore } from '../project/local-store.js';
import { ProjectDb } from '../project/project-db.js';
import { materialize, type MaterializeProgress, type MaterializeResult } from '../sync/materialize.js';
import { pullChanges } from '../sync/pull.js';

export interface CloneTarget {
  server: string;
  studioId: string;
  projectId: string;
  projectName: string;
  userId: string;
  userName?: string;
}

/** Makes DIR (which must be absent or empty) a working folder of the project and fills it. */
export async function cloneProject(api: BacklotApi, dir: string, target: CloneTarget, progress: MaterializeProgress = {}): Promise<MaterializeResult> {
  await ensureEmptyFolder(dir);
  const db = ProjectDb.create(dir, { ...target, personal: false });
  try {
    await pullChanges(api, db, { full: true });
    return await materialize(api, db, localStore(db), progress);
  } finally {
    db.close();
  }
}

/** Makes DIR a Personal project: no server, the same commands, its history kept here. */
export async function initPersonal(dir: string, name: string): Promise<ProjectDb> {
  await mkdir(dir, { recursive: true });
  const user = safeUserName();
  return ProjectDb.create(dir, { projectId: randomUUID(), projectName: name, personal: true, userId: randomUUID(), userName: user });
}

async function ensureEmptyFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries = await readdir(dir);
  if (entries.length > 0) throw new Error(`${dir} is not empty; clone into a new or empty folder`);
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'me';
  }
}
