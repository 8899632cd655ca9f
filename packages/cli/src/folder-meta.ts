// The working folder around a directory, and what its project database says about it, through
// the client's light entry (the database and tree, without the sync and chunk code).
import type { ProjectMeta } from '@backlot/client';

export async function findWorkingFolder(dir: string): Promise<string | null> {
  const { ProjectDb } = await import('@backlot/client/working-folder');
  return ProjectDb.find(dir);
}

export async function readFolderMeta(folder: string): Promise<ProjectMeta> {
  const { ProjectDb } = await import('@backlot/client/working-folder');
  const db = ProjectDb.open(folder);
  try {
    return db.meta();
  } finally {
    db.close();
  }
}
