// Control of a task between members: ask its assignee for it (request), the assignee's answer
// (accept, decline), the list of pending requests, and handing a task on directly (handoff).
import type { Command } from 'commander';
import type { PendingControlRequest } from '@backlot/api';
import { CliError, EXIT } from '../../output/exit-codes.js';
import { formatTime, printJson, printTable, say } from '../../output/print.js';
import { Refs } from './task-ref.js';
import { clip, examples, labelOf, projectOf, shortId, type ProjectContext } from './shared.js';

export function controlCommands(program: Command): void {
  program
    .command('request')
    .argument('<task>', 'path in the working folder, name or id')
    .option('-m, --message <text>', 'a note for the assignee')
    .description('Ask a task\'s assignee to hand it to you')
    .addHelpText('after', examples('backlot request shot010 -m "I can fix the rig today"', 'backlot request shots/shot010.blend --project Forest'))
    .action(async (taskRef: string, o: { message?: string }, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const refs = new Refs(ctx);
      const task = await refs.task(taskRef);
      const req = await ctx.api.production.requestControl(ctx.projectId, task.id, o.message ? { message: o.message } : {});
      if (opts.json) return printJson(req);
      const named = 'assigneeName' in task.asset ? task.asset.assigneeName : (await refs.memberList()).find((m) => m.userId === task.asset.assigneeId)?.name;
      const holder = named ?? 'the assignee';
      say(`Asked ${holder} for ${task.label} (request ${shortId(req.id)}); they answer with backlot accept or backlot decline`);
    });

  for (const verb of ['accept', 'decline'] as const) {
    program
      .command(verb)
      .argument('[request-or-task]', 'a request id, or a task (its pending request); none: the one request addressed to you')
      .description(verb === 'accept' ? 'Hand a task you hold to the member who asked for it' : 'Turn down a request for a task you hold')
      .addHelpText('after', examples(`backlot ${verb}`, `backlot ${verb} shot010`, `backlot ${verb} 3f2a9c1e`))
      .action(async (ref: string | undefined, _o: unknown, cmd: Command) => {
        const { opts, ctx } = await projectOf(cmd);
        const refs = new Refs(ctx);
        const req = await pickRequest(ctx, refs, ref, verb);
        const answer = verb === 'accept'
          ? await ctx.api.production.acceptControl(ctx.projectId, req.id)
          : await ctx.api.production.declineControl(ctx.projectId, req.id);
        if (opts.json) return printJson(answer);
        const who = req.requester.name ?? 'a former member';
        const label = await refs.label(req.asset);
        say(verb === 'accept' ? `Handed ${label} to ${who}` : `Declined ${who}'s request for ${label}`);
      });
  }

  program
    .command('requests')
    .description('Pending control requests: addressed to you, and yours')
    .addHelpText('after', examples('backlot requests', 'backlot requests --json --project Forest'))
    .action(async (_o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const [toMe, mine] = await Promise.all([
        ctx.api.browse.controlRequests(ctx.projectId, { scope: 'to-me' }),
        ctx.api.browse.controlRequests(ctx.projectId, { scope: 'mine' }),
      ]);
      if (opts.json) return printJson({ projectId: ctx.projectId, toMe: toMe.requests, mine: mine.requests });
      if (toMe.requests.length + mine.requests.length === 0) return say('No pending requests.');
      const paths = await new Refs(ctx).pathsOf([...toMe.requests, ...mine.requests].map((r) => r.asset));
      const rows = [
        ...toMe.requests.map((r) => ['to you', labelOf(r.asset, paths), `from ${r.requester.name ?? '(gone)'}`, clip(r.message, 40), formatTime(r.createdAt), shortId(r.id)]),
        ...mine.requests.map((r) => ['yours', labelOf(r.asset, paths), `held by ${r.asset.assigneeName ?? 'nobody'}`, clip(r.message, 40), formatTime(r.createdAt), shortId(r.id)]),
      ];
      printTable(rows, ['', 'TASK', 'WHO', 'MESSAGE', 'ASKED', 'ID']);
      if (toMe.requests.length) say('Answer with: backlot accept [TASK|ID] or backlot decline [TASK|ID]');
    });

  program
    .command('handoff')
    .argument('<task>', 'a task you hold: path in the working folder, name or id')
    .argument('<user>', 'member: name, email or id')
    .description('Hand a task you hold to another member')
    .addHelpText('after', examples('backlot handoff shot010 "Sam Supervisor"', 'backlot handoff shots/shot010.blend sam@studio.com'))
    .action(async (taskRef: string, userRef: string, _o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const refs = new Refs(ctx);
      const [task, user] = await Promise.all([refs.task(taskRef), refs.user(userRef)]);
      const view = await ctx.api.production.handOff(ctx.projectId, task.id, { toUserId: user.userId });
      if (opts.json) return printJson(view);
      say(`Handed ${task.label} to ${user.name}`);
    });
}

/** The request to answer: by id (or id prefix), by task, or the only one addressed to me. */
async function pickRequest(ctx: ProjectContext, refs: Refs, ref: string | undefined, verb: string): Promise<PendingControlRequest> {
  const { requests: toMe } = await ctx.api.browse.controlRequests(ctx.projectId, { scope: 'to-me' });
  const listing = async (list: readonly PendingControlRequest[]) => {
    const paths = await refs.pathsOf(list.map((r) => r.asset));
    return list.map((r) => `  ${shortId(r.id)}  ${labelOf(r.asset, paths).padEnd(24)} from ${r.requester.name ?? '(gone)'}${r.message ? `: ${clip(r.message, 40)}` : ''}`).join('\n');
  };
  if (!ref) {
    if (toMe.length === 1) return toMe[0];
    if (toMe.length === 0) throw new CliError('no control requests are waiting for you', EXIT.error, 'see all pending requests with: backlot requests');
    throw new CliError(`${toMe.length} requests are waiting for you:\n${await listing(toMe)}`, EXIT.usage, `name one: backlot ${verb} ID (or TASK)`);
  }
  if (/^[0-9a-f-]{6,36}$/i.test(ref)) {
    const byId = toMe.filter((r) => r.id.toLowerCase().startsWith(ref.toLowerCase()));
    if (byId.length === 1) return byId[0];
  }
  const task = await refs.task(ref);
  const { requests } = await ctx.api.browse.controlRequests(ctx.projectId, { scope: 'task', assetId: task.id });
  if (requests.length === 1) return requests[0];
  if (requests.length === 0) throw new CliError(`no pending request for ${task.label}`, EXIT.error, 'see pending requests with: backlot requests');
  throw new CliError(`${requests.length} requests are pending for ${task.label}:\n${await listing(requests)}`, EXIT.usage, `name one: backlot ${verb} ID`);
}
