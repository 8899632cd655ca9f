// `backlot` command line. Each command lives in commands/; this file only wires them up.
import { Command } from 'commander';
import { serveCommand } from './commands/serve.js';
import { adminCommand } from './commands/admin.js';

const program = new Command()
  .name('backlot')
  .description('Version control, access control and production tracking for creative studios')
  .version('0.1.0');

program.addCommand(serveCommand());
program.addCommand(adminCommand());

await program.parseAsync(process.argv).catch((err: Error) => {
  console.error(`backlot: ${err.message}`);
  process.exit(1);
});
