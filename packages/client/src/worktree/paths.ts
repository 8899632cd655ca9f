// Paths as users type them (relative to where they are, or absolute) turned into the folder's own
// form: relative to the working folder's root, with forward slashes. Anything outside is refused.
import { isAbsolute, relative, resolve, sep } from 'node:path';

export class PathOutsideError extends Error {
  constructor(readonly given: string, root: string) {
    super(`${given} is outside the working folder ${root}`);
  }
}

export function folderPath(root: string, cwd: string, given: string): string {
  const abs = isAbsolute(given) ? resolve(given) : resolve(cwd, given);
  const rel = relative(root, abs);
  if (rel === '') return '';
  if (rel.startsWith('..') || isAbsolute(rel)) throw new PathOutsideError(given, root);
  const posix = rel.split(sep).join('/');
  if (posix === '.backlot' || posix.startsWith('.backlot/')) throw new PathOutsideError(given, root);
  return posix;
}

/** `PATH@N`: a path and a checkpoint number (null without `@N`). */
export function splitVersion(given: string): { path: string; number: number | null } {
  const m = /^(.*)@(\d+)$/.exec(given);
  return m ? { path: m[1], number: Number(m[2]) } : { path: given, number: null };
}
