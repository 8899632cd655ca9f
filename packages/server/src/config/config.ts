// Server settings from, in rising priority: defaults, a JSON config file, environment variables,
// command-line flags. One resolved object is passed down; nothing else reads process.env.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../logging.js';
import { DEFAULT_CHUNK_STORE, resolveChunkStoreConfig, type ChunkStoreConfig } from './chunk-store.js';

export interface ServerConfig {
  dataDir: string;
  databaseUrl?: string;
  host: string;
  port: number;
  /** Base URL used in links sent by email; defaults to http://host:port. */
  publicUrl?: string;
  allowSignup: boolean;
  /** Whether any signed-in account may create a studio (else only instance administrators). */
  allowStudioCreation: boolean;
  /** Trust X-Forwarded-For from a reverse proxy for client addresses (rate limits, audit). */
  trustProxy: boolean;
  smtpUrl?: string;
  mailFrom: string;
  sessionDays: number;
  cookieSecure: boolean;
  /** Where chunk bytes live: fs (default, DATA/chunks), sqlite or s3 (content/store-config.ts). */
  chunkStore: ChunkStoreConfig;
  /** Least severe log level written (info: one line per request; error: 5xx only). */
  logLevel: LogLevel;
  /** json lines, or pretty for a terminal; unset: pretty on a terminal, json otherwise. */
  logFormat?: LogFormat;
  /**
   * Key (32 bytes, base64) that encrypts stored SSO client secrets. Unset: a key file made in the
   * data folder (several server processes must share one: set it, or share the folder).
   */
  secretKey?: string;
  /** The built web app served at `/` (a folder with index.html); `backlot serve` names packages/web/dist. Unset: API only. */
  webRoot?: string;
}

export type ConfigInput = Partial<ServerConfig> & { configFile?: string };

const DEFAULTS: ServerConfig = {
  dataDir: './data',
  host: '127.0.0.1',
  port: 8080,
  allowSignup: false,
  allowStudioCreation: true,
  trustProxy: false,
  mailFrom: 'Backlot <no-reply@localhost>',
  sessionDays: 30,
  cookieSecure: false,
  chunkStore: DEFAULT_CHUNK_STORE,
  logLevel: 'info',
};

const bool = (v: string | undefined) => (v === undefined ? undefined : /^(1|true|yes|on)$/i.test(v));
const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

function fromEnv(env: NodeJS.ProcessEnv): Partial<ServerConfig> {
  return {
    dataDir: env.BACKLOT_DATA,
    databaseUrl: env.BACKLOT_DATABASE_URL,
    host: env.BACKLOT_HOST,
    port: num(env.BACKLOT_PORT),
    publicUrl: env.BACKLOT_PUBLIC_URL,
    allowSignup: bool(env.BACKLOT_ALLOW_SIGNUP),
    allowStudioCreation: bool(env.BACKLOT_ALLOW_STUDIO_CREATION),
    trustProxy: bool(env.BACKLOT_TRUST_PROXY),
    smtpUrl: env.BACKLOT_SMTP_URL,
    mailFrom: env.BACKLOT_MAIL_FROM,
    sessionDays: num(env.BACKLOT_SESSION_DAYS),
    cookieSecure: bool(env.BACKLOT_COOKIE_SECURE),
    logLevel: env.BACKLOT_LOG_LEVEL as LogLevel | undefined,
    logFormat: env.BACKLOT_LOG_FORMAT as LogFormat | undefined,
    secretKey: env.BACKLOT_SECRET_KEY,
    webRoot: env.BACKLOT_WEB_ROOT,
  };
}

const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function loadConfig(flags: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const envPart = defined(fromEnv(env));
  const dataDir = flags.dataDir ?? envPart.dataDir ?? DEFAULTS.dataDir;
  const file = flags.configFile ?? env.BACKLOT_CONFIG ?? join(dataDir, 'backlot.config.json');
  let filePart: Partial<ServerConfig> = {};
  if (existsSync(file)) {
    try {
      filePart = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read config file ${file}: ${(err as Error).message}`);
    }
  } else if (flags.configFile ?? env.BACKLOT_CONFIG) {
    throw new Error(`config file ${file} does not exist`);
  }
  const { configFile: _ignored, ...flagPart } = flags;
  const merged: ServerConfig = { ...DEFAULTS, ...defined(filePart), ...envPart, ...defined(flagPart) };
  merged.dataDir = resolve(merged.dataDir);
  if (merged.webRoot) merged.webRoot = resolve(merged.webRoot);
  merged.chunkStore = resolveChunkStoreConfig(filePart.chunkStore, env, flagPart.chunkStore);
  if (!Number.isInteger(merged.port) || merged.port < 0 || merged.port > 65535) throw new Error(`invalid port ${merged.port}`);
  if (!LOG_LEVELS.includes(merged.logLevel)) throw new Error(`invalid log level ${merged.logLevel} (one of ${LOG_LEVELS.join(', ')})`);
  if (merged.logFormat !== undefined && !LOG_FORMATS.includes(merged.logFormat)) throw new Error(`invalid log format ${merged.logFormat} (json or pretty)`);
  return merged;
}

export function publicBaseUrl(config: ServerConfig, boundPort?: number): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${boundPort ?? config.port}`;
}
