// Opening the working folder a command runs in (the one around the current directory) and
// turning the paths a user typed into the folder's own paths.
import type { ProjectDb } from '@backlot/client';
import { findWorkingFolder } from '../../folder-meta.js';
import { CliError, EXIT, usageError } from '../../output/exit-codes.js';

export interface OpenFolder {
  db: ProjectDb;
  root: string;
  /** A typed path as the folder's relative posix path (refused when outside). */
  rel(path: string): string;
}

/** Opens the folder; with `write`, also takes its lock (released when the command ends). */
export async function openWorkingFolder(cwd = process.cwd(), write = false): Promise<OpenFolder> {
  const root = await findWorkingFolder(cwd);
  if (!root) throw usageError('this is not a Backlot working folder', 'clone a project (backlot clone PROJECT) or start one (backlot init), then run the command inside it');
  const { ProjectDb, folderPath, PathOutsideError, lockFolder, FolderBusyError } = await import('@backlot/client/working-folder');
  if (write) {
    try {
      const lock = lockFolder(root);
      process.once('exit', () => lock.release());
    } catch (err) {
      if (err instanceof FolderBusyError) throw new CliError(err.message, EXIT.error, 'wait for it to finish, then run this command again');
      throw err;
    }
  }
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
