// Shared helpers for the benchmark scripts: the machine line, number formatting, markdown
// tables, and updating one owned section of BENCHMARKS.md without touching the others.
//
// Sections are delimited by `<!-- bench:NAME -->` … `<!-- /bench:NAME -->`. A script replaces
// only the sections it owns; a section not yet in the file is appended at the end.
import { readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BENCHMARKS_FILE = join(REPO_ROOT, 'BENCHMARKS.md');

const FILE_HEADER = `# Benchmarks

Written by the benchmark scripts (\`npm run bench\`, \`npm run bench:storage\`, …). Every number is
measured next to a peer in the same run on the same machine, and reported as a ratio against it.
Each script owns the sections between its \`<!-- bench:NAME -->\` markers and rewrites only those;
edit text outside the markers freely.
`;

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /^model name\s*:\s*(.+)$/m.exec(info);
    if (m) return m[1].trim();
  } catch {
    // not Linux: fall back to what node reports
  }
  return cpus()[0]?.model.trim() ?? 'unknown CPU';
}

/**
 * One line naming the machine and the moment: CPU model, cores, RAM, node version, date, and the
 * load average (other work on the box depresses absolute numbers; ratios suffer less).
 */
export function machineLine(now = new Date(), loadBefore?: number[]): string {
  const ramGiB = (totalmem() / 2 ** 30).toFixed(1);
  const date = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  const load = loadBefore ? `load average ${la(loadBefore)} before, ${la(loadavg())} after` : `load average ${la(loadavg())}`;
  return `Machine: ${cpuModel()}, ${cpus().length} cores, ${ramGiB} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}; measured ${date}; ${load} (1/5/15 min).`;
}

/** Significant-digit formatting that stays readable for ns and for millions. */
export function fmt(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs === 0) return '0';
  return Number(n.toPrecision(digits)).toString();
}

export function ratio(ours: number, peer: number): string {
  if (!peer) return 'n/a';
  return `${(ours / peer).toFixed(2)}×`;
}

/** A markdown table; columns whose cells are all numbers (or ratios, or "n/a") are right-aligned. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  const numeric = (i: number) => rows.length > 0 && rows.every((r) => /^(-?[\d,.]+\s*(×|%|ms|ns|µs)?|n\/a)$/.test(String(r[i]).trim()));
  return [line(header), line(header.map((_, i) => (numeric(i) ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Returns `doc` with section `name` replaced by `body` (or appended when absent). Pure. */
export function replaceSection(doc: string, name: string, body: string): string {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${body.trim()}\n${close}`;
  const re = new RegExp(`${escapeRe(open)}[\\s\\S]*?${escapeRe(close)}`);
  if (re.test(doc)) return doc.replace(re, () => block);
  const base = doc.trim().length ? doc.replace(/\s*$/, '\n\n') : FILE_HEADER + '\n';
  return `${base}${block}\n`;
}

/**
 * Rewrites the named sections of BENCHMARKS.md. Reads the file right before writing and renames
 * a temporary file into place, so a concurrent script's sections are kept and never half-written.
 */
export function updateSections(sections: Record<string, string>, file = BENCHMARKS_FILE): void {
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  for (const [name, body] of Object.entries(sections)) doc = replaceSection(doc, name, body);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, doc);
  renameSync(tmp, file);
}

/** The p-th percentile (nearest rank, from below) of `xs`. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** CPU seconds (user + system, all threads) a process has used, from /proc (Linux; USER_HZ is 100). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
