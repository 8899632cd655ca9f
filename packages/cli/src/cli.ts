// `backlot` command line. Each area's commands live in commands/; this file wires them up and
// turns any error into one message, a hint and a documented exit code (output/exit-codes.ts).
// Commands load the client library and the server only when they run, so starting is cheap.
import { Command, CommanderError } from 'commander';
import { accountCommands } from './commands/account.js';
import { adminCommand } from './commands/admin.js';
import { tokensCommand } from './commands/tokens.js';
import { serveCommand } from './commands/serve.js';
import { productionCommands } from './commands/production/index.js';
import { changeCommands } from './commands/folder/changes.js';
import { copyCommands } from './commands/folder/copies.js';
import { historyCommands } from './commands/folder/history.js';
import { publishCommand } from './commands/folder/publish.js';
import { cloneCommands } from './commands/folder/clone.js';
import { statusCommand } from './commands/folder/status.js';
import { syncCommand } from './commands/folder/sync.js';
import { describeError, EXIT } from './output/exit-codes.js';

const program = new Command()
  .name('backlot')
  .description('Version control, access control and production tracking for creative studios')
  .version('0.1.0')
  .option('--server <url>', 'act on this server instead of the current one')
  .option('--studio <studio>', 'act in this studio (name or id) instead of the current one')
  .option('--project <project>', 'act on this project (name or id) instead of the working folder\'s')
  .option('--json', 'print results as JSON (read commands; shapes in docs/cli.md)')
  .showHelpAfterError('(run backlot help COMMAND for its options and examples)')
  .addHelpText('after', `
A day's work:
  backlot login http://studio-server:8080     sign in (several servers may be signed in at once)
  backlot clone Forest && cd Forest           a working folder with what you may see
  backlot status                              what changed here; your tasks
  backlot checkpoint shots/sh010/anim.blend -m "blocking" --status wip
  backlot sync                                send yours, receive everyone else's

Exit codes: 0 ok, 1 error, 2 usage, 3 conflict, 4 refused by permission, 5 network.
Run backlot help COMMAND for a command's options and examples; docs/cli.md has the JSON shapes.`)
  .exitOverride();

// In the order --help lists them: signing in, the working folder, production, running a server.
accountCommands(program);
cloneCommands(program);
statusCommand(program);
changeCommands(program);
syncCommand(program);
historyCommands(program);
copyCommands(program);
publishCommand(program);
productionCommands(program);
program.addCommand(tokensCommand());
program.addCommand(serveCommand());
program.addCommand(adminCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and --version end here too; usage mistakes were already described by commander.
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    const { message, hint, exitCode } = describeError(err);
    process.stderr.write(`backlot: ${message}\n${hint ? `  ${hint}\n` : ''}`);
    // For bug reports: where it failed.
    if (process.env.BACKLOT_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = exitCode;
  }
}
// Every command has finished its work here (long-running ones, serve and watch, return only when
// they stop). Idle worker threads or keep-alive connections must not hold the command open; what
// was printed must not be cut short: a pipe takes 64 KiB and node queues the rest, which an exit
// would drop (a `status --json | jq` of a large folder read half a document).
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit();

/** Resolves once everything written to the stream was handed to the OS, or the reader went away. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('error', () => resolve()); // EPIPE: the reader stopped reading (`| head`)
    stream.write('', () => resolve());
  });
}
