import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { LogFormat, LogLevel } from '@backlot/server';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

/**
 * The built web app (packages/web/dist), found from this file: the bundle in packages/cli/dist,
 * or the source in packages/cli/src/commands when run through tsx. Undefined when not built.
 */
export function builtWebRoot(): string | undefined {
  for (const rel of ['../../web/dist/', '../../../web/dist/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run a studio server (embedded SQLite + files by default, PostgreSQL with --database)')
    .option('--data <dir>', 'data folder (env BACKLOT_DATA, default ./data)')
    .option('--port <n>', 'port to listen on (env BACKLOT_PORT, default 8080)', parsePort)
    .option('--host <addr>', 'address to bind (env BACKLOT_HOST, default 127.0.0.1)')
    .option('--database <url>', 'postgres://… to use PostgreSQL (env BACKLOT_DATABASE_URL)')
    .option('--config <file>', 'JSON config file (env BACKLOT_CONFIG, default DATA/backlot.config.json)')
    .addOption(new Option('--log-level <level>', 'least severe log level written (env BACKLOT_LOG_LEVEL, default info)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .addOption(new Option('--log-format <format>', 'json lines or pretty (env BACKLOT_LOG_FORMAT, default pretty on a terminal, json otherwise)').choices(['json', 'pretty']))
    .action(async (opts: { data?: string; port?: number; host?: string; database?: string; config?: string; logLevel?: LogLevel; logFormat?: LogFormat }) => {
      const { loadConfig, startServer } = await import('@backlot/server');
      const config = loadConfig({
        dataDir: opts.data, port: opts.port, host: opts.host, databaseUrl: opts.database, configFile: opts.config, logLevel: opts.logLevel, logFormat: opts.logFormat,
      });
      // A web root from the config file or BACKLOT_WEB_ROOT wins; else this checkout's build.
      config.webRoot ??= builtWebRoot();
      const server = await startServer(config);
      // Runs until a signal asks it to stop; then requests in flight finish and the command ends.
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve, resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
