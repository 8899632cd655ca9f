// The working folder around a directory, and what its project database says about it. The client
// library is loaded only when a folder is found (it brings SQLite and the chunk store along).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ProjectMeta } from '@backlot/client';

export function findWorkingFolder(dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.backlot', 'project.db'))) return d;
    if (dirname(d) === d) return null;
  }
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
