// Words for a session: which browser on which system (from its user agent), and dates.
import type { SessionInfo } from '@backlot/api';

const BROWSERS: [RegExp, string][] = [[/Edg\//, 'Edge'], [/OPR\//, 'Opera'], [/Firefox\//, 'Firefox'], [/Chrom(e|ium)\//, 'Chrome'], [/Safari\//, 'Safari']];
const SYSTEMS: [RegExp, string][] = [[/Windows/, 'Windows'], [/Android/, 'Android'], [/iPhone|iPad/, 'iOS'], [/Mac OS X|Macintosh/, 'macOS'], [/Linux/, 'Linux']];

export function describeDevice(s: SessionInfo): string {
  const ua = s.userAgent ?? '';
  if (!ua) return s.kind === 'cookie' ? 'A browser' : 'A client';
  if (/^backlot\b/i.test(ua)) return 'Backlot command line';
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  if (browser || system) return [browser ?? 'Browser', system].filter(Boolean).join(' on ');
  return `Other client (${ua.length > 30 ? `${ua.slice(0, 30)}…` : ua})`;
}

export function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
