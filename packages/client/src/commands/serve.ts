import { Command, InvalidArgumentError } from 'commander';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run a studio server (embedded SQLite + files by default, PostgreSQL with --database)')
    .option('--data <dir>', 'data folder (env BACKLOT_DATA, default ./data)')
    .option('--port <n>', 'port to listen on (env BACKLOT_PORT, default 8080)', parsePort)
    .option('--host <addr>', 'address to bind (env BACKLOT_HOST, default 127.0.0.1)')
    .option('--database <url>', 'postgres://… to use PostgreSQL (env BACKLOT_DATABASE_URL)')
    .option('--config <file>', 'JSON config file (env BACKLOT_CONFIG, default DATA/backlot.config.json)')
    .action(async (opts: { data?: string; port?: number; host?: string; database?: string; config?: string }) => {
      const { loadConfig, startServer } = await import('@backlot/server');
      const config = loadConfig({ dataDir: opts.data, port: opts.port, host: opts.host, databaseUrl: opts.database, configFile: opts.config });
      const server = await startServer(config, { logger: false });
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
