// What the production commands share: the project a command acts on, --json or a table, names
// for people and statuses, and small parsing helpers. Nothing here loads the client library.
import type { Command } from 'commander';
import type { AssetView, StatusView } from '@backlot/api';
import { projectContext, type GlobalOptions, type ProjectContext } from '../../context.js';
import { usageError } from '../../output/exit-codes.js';

export type { GlobalOptions, ProjectContext };

/** The global options and the project of a command's run. */
export async function projectOf(cmd: Command): Promise<{ opts: GlobalOptions; ctx: ProjectContext }> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  return { opts, ctx: await projectContext(opts) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isId = (s: string): boolean => UUID.test(s);

/** "shot010.blend" (or the bare name when it has no extension). */
export const fileName = (a: { name: string; extension: string | null }): string => (a.extension ? `${a.name}.${a.extension}` : a.name);

/** A short id for tables (the first block of a UUID); commands accept it back as a prefix where they list. */
export const shortId = (id: string | null | undefined): string => (id ? id.slice(0, 8) : '');

export function statusLabel(statuses: readonly StatusView[], id: string | null): string {
  if (!id) return '';
  const s = statuses.find((x) => x.id === id);
  return s ? s.shortLabel || s.name : '(deleted)';
}

/** A positive whole number from an option. */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw usageError(`${name} must be a whole number of at least 1 (got "${value}")`);
    return n;
  };
}

/**
 * A point in time from an option: an ISO 8601 date or date-time, or a span from now ("7d", "12h",
 * "30m") for expiries. Returns ISO text.
 */
export function timeOption(name: string, { future }: { future: boolean }) {
  return (value: string): string => {
    const span = /^(\d+)\s*([mhdw])$/i.exec(value.trim());
    if (span) {
      const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[span[2].toLowerCase() as 'm' | 'h' | 'd' | 'w'];
      const ms = Number(span[1]) * unit;
      return new Date(Date.now() + (future ? ms : -ms)).toISOString();
    }
    if (Number.isNaN(Date.parse(value))) {
      throw usageError(`${name}: "${value}" is not a date`, 'give an ISO date or time (2026-05-01, 2026-05-01T14:00:00Z) or a span such as 7d or 12h');
    }
    return value;
  };
}

/** Collects a repeatable option's values ("--status wip --status wfa", or "--status wip,wfa"). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** Trims a text cell to a width (tables stay readable with long names and messages). */
export function clip(text: string | null | undefined, width: number): string {
  const t = (text ?? '').replace(/\s+/g, ' ');
  return t.length > width ? `${t.slice(0, width - 1)}…` : t;
}

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** An asset as the commands name it in messages: its path in the working folder, else its file name. */
export function labelOf(asset: Pick<AssetView, 'id' | 'name' | 'extension'>, paths?: ReadonlyMap<string, string> | null): string {
  return paths?.get(asset.id) ?? fileName(asset);
}
