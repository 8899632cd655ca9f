// Sign-ins the CLI keeps: one per server (its bearer token and who it is), one of them current,
// each with a current studio. The file holds secrets, so it is written with mode 0600 (by a temp
// file renamed into place, so a crash never leaves half a file) and its tokens are never printed.
import { mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from './config-dir.js';

export interface Login {
  token: string;
  userId: string;
  email: string;
  name: string;
  /** The studio commands use when none is named. */
  studioId?: string;
}

export interface Credentials {
  current?: string;
  /** Server URL (normalised: no trailing slash) -> sign-in. */
  servers: Record<string, Login>;
}

const FILE = 'credentials.json';

export function credentialsPath(): string {
  return join(configDir(), FILE);
}

export function normaliseServer(url: string): string {
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
  } catch {
    throw new Error(`"${url}" is not a server address (try http://host:8080)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`"${url}": only http:// and https:// servers are supported`);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

export function readCredentials(): Credentials {
  let text: string;
  try {
    text = readFileSync(credentialsPath(), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {} };
    throw err;
  }
  try {
    const c = JSON.parse(text) as Credentials;
    return { current: c.current, servers: c.servers ?? {} };
  } catch {
    throw new Error(`${credentialsPath()} is not valid JSON; remove it and sign in again (backlot login URL)`);
  }
}

export function writeCredentials(c: Credentials): void {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600); // an existing temp file keeps its mode otherwise
  renameSync(tmp, join(dir, FILE));
}
