import { Command } from 'commander';

/** Server-side maintenance that works on the data folder / database directly. */
export function adminCommand(): Command {
  const admin = new Command('admin').description('Maintenance commands run on the server machine');
  admin
    .command('verify-audit')
    .description('Verify every audit-log hash chain; reports the first broken link of each')
    .option('--data <dir>', 'data folder (env BACKLOT_DATA)')
    .option('--database <url>', 'postgres://… (env BACKLOT_DATABASE_URL)')
    .option('--json', 'print the reports as JSON')
    .action(async (opts: { data?: string; database?: string; json?: boolean }) => {
      const { loadConfig, openDatabase, migrateToLatest, verifyAllChains } = await import('@backlot/server');
      const config = loadConfig({ dataDir: opts.data, databaseUrl: opts.database });
      const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrateToLatest(database.db);
        const reports = await verifyAllChains(database.db);
        if (opts.json) console.log(JSON.stringify(reports, null, 2));
        else
          for (const r of reports)
            console.log(r.ok ? `ok      ${r.scope}: ${r.entries} entries` : `BROKEN  ${r.scope}: first broken link at entry ${r.broken!.seq} (${r.broken!.reason})`);
        process.exitCode = reports.every((r) => r.ok) ? 0 : 3;
      } finally {
        await database.close();
      }
    });
  return admin;
}
