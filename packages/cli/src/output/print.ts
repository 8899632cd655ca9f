// How commands print: JSON for scripts (--json: one document, stable shapes listed in
// docs/cli.md), aligned columns for people. Results go to stdout, messages and progress to stderr.

export const isTerminal = (): boolean => Boolean(process.stdout.isTTY);

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Prints rows as left-aligned columns (the last column is not padded). */
export function printTable(rows: readonly (readonly string[])[], header?: readonly string[]): void {
  const all = header ? [header, ...rows] : rows;
  if (all.length === 0) return;
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  for (const r of all) process.stdout.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd() + '\n');
}

export function say(line: string): void {
  process.stderr.write(line + '\n');
}

/** Lines of one kind shown before the rest are only counted (`add .` on 10,000 files). */
export const LISTED = 20;

/**
 * The lines, or, past LISTED of them, the first ones and then `rest(how many were left)`:
 * a person reads a summary, a script reads --json (which lists every one).
 */
export function boundedLines(lines: readonly string[], rest: (left: number) => string = (n) => `… and ${n.toLocaleString('en-US')} more (--json lists them all)`): string[] {
  const shown = lines.length > LISTED ? LISTED - 1 : lines.length;
  return shown < lines.length ? [...lines.slice(0, shown), rest(lines.length - shown)] : [...lines];
}

/** Says boundedLines(lines, rest), a line each. */
export function sayEach(lines: readonly string[], rest?: (left: number) => string): void {
  for (const line of boundedLines(lines, rest)) say(line);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** A short local time for listings ("2026-12-03 14:05"). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
