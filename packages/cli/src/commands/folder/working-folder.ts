// Opening the working folder a command runs in (the one around the current directory) and
// turning the paths a user typed into the folder's own paths.
import type { ProjectDb } from '@backlot/client';
import { findWorkingFolder } from '../../folder-meta.js';
import { usageError } from '../../output/exit-codes.js';

export interface OpenFolder {
  db: ProjectDb;
  root: string;
  /** A typed path as the folder's relative posix path (refused when outside). */
  rel(path: string): string;
}

export async function openWorkingFolder(cwd = process.cwd()): Promise<OpenFolder> {
  const root = findWorkingFolder(cwd);
  if (!root) throw usageError('this is not a Backlot working folder', 'clone a project (backlot clone PROJECT) or start one (backlot init), then run the command inside it');
  const { ProjectDb, folderPath, PathOutsideError } = await import('@backlot/client');
  const db = ProjectDb.open(root);
  return {
    db, root,
    rel(path: string) {
      try {
        return folderPath(root, cwd, path);
      } catch (err) {
        if (err instanceof PathOutsideError) throw usageError(err.message, 'give paths inside the working folder');
        throw err;
      }
    },
  };
}
