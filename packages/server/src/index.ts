export { buildApp, API_PREFIX } from './app.js';
export { startServer, prepareDeps, type StartedServer, type ServerOptions } from './server.js';
export { loadConfig, type ServerConfig, type ConfigInput } from './config/config.js';
export { openDatabase, migrateToLatest, type Db, type OpenedDb } from './db/connect.js';
export { verifyAllChains, verifyChain, type ChainReport } from './audit/verify.js';
export { systemClock, type Clock } from './clock.js';
export type { Mailer, MailMessage } from './mail/mailer.js';
export type { AppDeps } from './context.js';
export type { LogFormat, LogLevel } from './logging.js';
