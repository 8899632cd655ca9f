// Secrets the server must use again (an OIDC client secret is sent to the IdP), so they cannot be
// hashed like tokens: sealed with AES-256-GCM under the server's secret key. The key comes from
// the configuration (BACKLOT_SECRET_KEY) or a key file created once in the data folder, never from
// the database, so a leaked database alone does not reveal them.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from '../../config/config.js';

const KEY_FILE = 'secret.key';
const VERSION = 'v1';
const keys = new Map<string, Buffer>();

function keyFor(config: ServerConfig): Buffer {
  const cacheKey = config.secretKey ?? `file:${config.dataDir}`;
  const known = keys.get(cacheKey);
  if (known) return known;
  let key: Buffer;
  if (config.secretKey) {
    key = Buffer.from(config.secretKey, 'base64');
    if (key.length !== 32) throw new Error('the secret key (BACKLOT_SECRET_KEY) must be 32 bytes, base64-encoded');
  } else {
    const file = join(config.dataDir, KEY_FILE);
    if (!existsSync(file)) {
      mkdirSync(config.dataDir, { recursive: true });
      // 'wx': of two processes creating it at once, one wins and the other reads the winner's key.
      try {
        writeFileSync(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
        chmodSync(file, 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }
  keys.set(cacheKey, key);
  return key;
}

export function seal(config: ServerConfig, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(config), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function unseal(config: ServerConfig, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('a stored secret is not in a known format');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(config), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
