// Which paths of a working folder are not content: the built-in presets, the project's server-side
// list and the folder's .backlotignore, in gitignore syntax (matched by the `ignore` package, the
// gitignore implementation eslint and others use). Later lines win, as in git, so a `!pattern` in
// the folder's file re-includes what a preset ignores; as in git, a file inside an ignored folder
// cannot be re-included without re-including the folder itself.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore from 'ignore';
import { PROJECT_DIR as STATE_DIR } from '../project/project-db.js';
import { PRESETS, type PresetName } from './ignore-presets.js';

export const IGNORE_FILE = '.backlotignore';

export const PRESET_NAMES = Object.keys(PRESETS) as readonly PresetName[];

export interface IgnoreRules {
  /** `relPath` is posix and relative to the folder root; directories end with '/'. */
  ignores(relPath: string): boolean;
}

/** `#preset NAME [NAME...]` in a .backlotignore; any other `#` line stays a comment. */
const PRESET_DIRECTIVE = /^#preset(?:\s+(.*))?$/;

/** The client's own state folder, at any depth (a nested working folder's state is not content). */
const STATE_PATH = new RegExp(`(^|/)${STATE_DIR.replace(/\./g, '\\.')}(/|$)`);

function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

function unknownPreset(name: string, where = ''): Error {
  return new Error(`${where}unknown ignore preset "${name}" (known presets: ${PRESET_NAMES.join(', ')})`);
}

/**
 * The rules of `presets` (applied first, in order) then `lines`. Throws on an unknown preset.
 * Only what is asked for: `os` is added by loadIgnoreRules, not here.
 */
export function ignoreRules(lines: readonly string[], presets: readonly string[]): IgnoreRules {
  // Case-insensitive everywhere, as Windows and macOS file systems are: the same rules then give
  // the same result on every artist's machine, Linux ones included.
  const matcher = ignore({ ignorecase: true });
  for (const name of new Set(presets)) {
    if (!isPresetName(name)) throw unknownPreset(name);
    matcher.add(PRESETS[name]);
  }
  matcher.add(lines);
  return { ignores: (relPath) => STATE_PATH.test(relPath) || matcher.ignores(relPath) };
}

/** The lines of ROOT/.backlotignore (none when it is missing), without a BOM or line-end '\r'. */
async function readIgnoreFile(root: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(root, IGNORE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  // Windows editors may write a BOM, which would hide a `#preset` directive on the first line.
  return text.replace(/^\uFEFF/, '').split(/\r?\n/);
}

/**
 * The ignore rules of the working folder at `root`: the `os` preset, `options.presets`, the presets
 * the folder's .backlotignore selects, then `options.extraLines` (the project's server-side list),
 * then the file's own lines.
 */
export async function loadIgnoreRules(
  root: string,
  options: { presets?: readonly string[]; extraLines?: readonly string[] } = {},
): Promise<IgnoreRules> {
  const lines = await readIgnoreFile(root);
  const filePresets: string[] = [];
  for (const line of lines) {
    const m = PRESET_DIRECTIVE.exec(line);
    if (m?.[1]) filePresets.push(...m[1].split(/\s+/).filter(Boolean));
  }
  // Name the file when it asks for an unknown preset, so the artist knows what to fix.
  const unknown = filePresets.find((name) => !isPresetName(name));
  if (unknown !== undefined) throw unknownPreset(unknown, `${join(root, IGNORE_FILE)}: `);
  return ignoreRules([...(options.extraLines ?? []), ...lines], ['os', ...(options.presets ?? []), ...filePresets]);
}
