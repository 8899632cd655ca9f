// Who holds a task and where it stands: assign, unassign, take-over, set-status; and whether an
// asset is a task at all (set-kind).
import type { Command } from 'commander';
import { usageError } from '../../output/exit-codes.js';
import { printJson, say } from '../../output/print.js';
import { Refs } from './task-ref.js';
import { examples, projectOf } from './shared.js';

export function assignCommands(program: Command): void {
  program
    .command('assign')
    .argument('<task>', 'path in the working folder, name or id')
    .argument('<user>', 'member: name, email, id or "me"')
    .description('Assign a task to a member (they alone may checkpoint it)')
    .addHelpText('after', examples('backlot assign shot010 artist@studio.com', 'backlot assign shots/shot010.blend "Ana Artist"', 'backlot assign shot010 me --project Forest'))
    .action(async (taskRef: string, userRef: string, _o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const refs = new Refs(ctx);
      const [task, user] = await Promise.all([refs.task(taskRef), refs.user(userRef)]);
      const view = await ctx.api.production.assignTask(ctx.projectId, task.id, { assigneeId: user.userId });
      if (opts.json) return printJson(view);
      say(`Assigned ${task.label} to ${user.name}`);
    });

  program
    .command('unassign')
    .argument('<task>', 'path in the working folder, name or id')
    .description('Take a task away from its assignee (yours: give it up)')
    .addHelpText('after', examples('backlot unassign shot010', 'backlot unassign shots/shot010.blend'))
    .action(async (taskRef: string, _o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const task = await new Refs(ctx).task(taskRef);
      const view = await ctx.api.production.assignTask(ctx.projectId, task.id, { assigneeId: null });
      if (opts.json) return printJson(view);
      say(`${task.label} is unassigned`);
    });

  program
    .command('take-over')
    .argument('<task>', 'path in the working folder, name or id')
    .description('Assign a task to yourself, even while someone else holds it (needs assignment.take_over)')
    .addHelpText('after', examples('backlot take-over shot010', 'backlot take-over shots/shot010.blend --project Forest'))
    .action(async (taskRef: string, _o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const task = await new Refs(ctx).task(taskRef);
      const before = 'assigneeName' in task.asset ? task.asset.assigneeName : null;
      const view = await ctx.api.production.assignTask(ctx.projectId, task.id, { assigneeId: ctx.login.userId });
      if (opts.json) return printJson(view);
      say(`You hold ${task.label} now${before ? ` (it was ${before}'s)` : ''}`);
    });

  program
    .command('set-status')
    .argument('<task>', 'path in the working folder, name or id')
    .argument('<status>', 'status key, name or short label (e.g. wip, wfa, done)')
    .description('Move a task to another status')
    .addHelpText('after', examples('backlot set-status shot010 wfa', 'backlot set-status shots/shot010.blend "In review"', 'backlot set-status shot010 done --project Forest'))
    .action(async (taskRef: string, statusRef: string, _o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const refs = new Refs(ctx);
      const [task, status] = await Promise.all([refs.task(taskRef), refs.status(statusRef)]);
      const view = await ctx.api.production.setStatus(ctx.projectId, task.id, { statusId: status.id });
      if (opts.json) return printJson(view);
      say(`${task.label} is ${status.name} now`);
    });

  program
    .command('set-kind')
    .argument('<asset>', 'path in the working folder, name or id')
    .argument('<kind>', 'task (an assignee, a status, only its assignee checkpoints) or resource')
    .description('Make an asset a task or a resource (needs asset.update); a task made a resource loses its assignee, status and pending requests')
    .addHelpText('after', examples('backlot set-kind shots/sh010/layout.ma task', 'backlot set-kind refs/palette.png resource'))
    .action(async (assetRef: string, kind: string, _o: unknown, cmd: Command) => {
      if (kind !== 'task' && kind !== 'resource') throw usageError(`the kind is task or resource (got "${kind}")`);
      const { opts, ctx } = await projectOf(cmd);
      const refs = new Refs(ctx);
      const target = await refs.task(assetRef);
      const view = await ctx.api.production.updateAsset(ctx.projectId, target.id, { kind });
      if (opts.json) return printJson(view);
      if (kind === 'resource') return say(`${target.label} is a resource now: no assignee or status, and anyone whose role may checkpoint can`);
      const status = (await refs.statusList()).find((s) => s.id === view.statusId);
      say(`${target.label} is a task now${status ? ` (${status.name})` : ''}: only its assignee may checkpoint it`);
      if (!view.assigneeId) say(`Next: backlot assign ${assetRef} USER`);
    });
}
