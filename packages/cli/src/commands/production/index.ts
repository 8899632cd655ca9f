// Production tracking from the command line: tasks and the board, assignment and status,
// control requests, members and roles, invitations, the audit log, share links, the trash and
// live events. Each area is its own module; none loads the client library until a command runs.
import type { Command } from 'commander';
import { assignCommands } from './assign.js';
import { auditCommands } from './audit.js';
import { controlCommands } from './control.js';
import { peopleCommands } from './people.js';
import { shareCommands } from './shares.js';
import { taskCommands } from './tasks.js';
import { trashCommands } from './trash.js';
import { watchCommand } from './watch.js';

export function productionCommands(program: Command): void {
  taskCommands(program);
  assignCommands(program);
  controlCommands(program);
  peopleCommands(program);
  auditCommands(program);
  shareCommands(program);
  trashCommands(program);
  watchCommand(program);
}
