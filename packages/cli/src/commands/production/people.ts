// Who works on the project: members, roles, and inviting people to the studio (and the project).
import { Command, Option } from 'commander';
import type { InviteResult, RoleView, StudioRole } from '@backlot/api';
import { connect, projectContext, studioOf } from '../../context.js';
import { CliError, EXIT } from '../../output/exit-codes.js';
import { printJson, printTable, say } from '../../output/print.js';
import { examples, projectOf, type GlobalOptions } from './shared.js';

export function peopleCommands(program: Command): void {
  program
    .command('members')
    .description('Members of the project with their role (emails where you may see them)')
    .addHelpText('after', examples('backlot members', 'backlot members --project Forest --json'))
    .action(async (_o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const { members, warnings } = await ctx.api.projectMembers.list(ctx.projectId);
      if (opts.json) return printJson({ projectId: ctx.projectId, members, warnings });
      printTable(members.map((m) => [m.name, m.email ?? '', m.roleName]), ['NAME', 'EMAIL', 'ROLE']);
      for (const w of warnings) say(`warning: ${w.message}`);
    });

  program
    .command('roles')
    .description('The project\'s roles, most senior first')
    .option('--permissions', 'also list what each role may do')
    .addHelpText('after', examples('backlot roles', 'backlot roles --permissions', 'backlot roles --json'))
    .action(async (o: { permissions?: boolean }, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const { roles } = await ctx.api.roles.list(ctx.projectId);
      if (opts.json) return printJson({ projectId: ctx.projectId, roles });
      if (!o.permissions) {
        printTable(roles.map((r) => [r.name, String(r.rank), String(r.memberCount ?? ''), flags(r), r.key ?? '(custom)']), ['ROLE', 'RANK', 'MEMBERS', 'NOTES', 'KEY']);
        return;
      }
      const width = Math.max(60, Math.min(process.stdout.columns || 80, 120));
      for (const r of roles) {
        process.stdout.write(`${r.name} (rank ${r.rank}${r.memberCount !== undefined ? `, ${r.memberCount} member${r.memberCount === 1 ? '' : 's'}` : ''}${flags(r) ? `, ${flags(r)}` : ''})\n`);
        process.stdout.write(wrap(r.permissions, width - 4).map((l) => `    ${l}\n`).join('') + '\n');
      }
    });

  program
    .command('invite')
    .argument('<emails...>', 'one or more email addresses')
    .addOption(new Option('--role <role>', 'their role in the studio').choices(['member', 'admin']).default('member'))
    .option('--project-role <role>', 'also add them to the current project (--project or the working folder) with this role (key, name or id)')
    .description('Invite people to the studio; accounts that exist join at once, others get a link')
    .addHelpText('after', examples(
      'backlot invite ana@studio.com ben@studio.com',
      'backlot invite vendor@fx.com --project Forest --project-role vendor',
      'backlot invite lead@studio.com --role admin',
    ))
    .action(async (emails: string[], o: { role: StudioRole; projectRole?: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      let studioId: string;
      let projects: { projectId: string; roleId: string }[] | undefined;
      const conn = connect(opts);
      if (o.projectRole) {
        const ctx = await projectContext(opts);
        studioId = ctx.studioId ?? (await studioOf(ctx, opts));
        const { roles } = await ctx.api.roles.list(ctx.projectId);
        const r = o.projectRole.toLowerCase();
        const role = roles.find((x) => x.id === o.projectRole || x.key === r || x.name.toLowerCase() === r);
        if (!role) throw new CliError(`no role "${o.projectRole}" in this project`, EXIT.error, `use one of: ${roles.map((x) => x.key ?? x.name).join(', ')}`);
        projects = [{ projectId: ctx.projectId, roleId: role.id }];
      } else {
        studioId = await studioOf(conn, opts);
      }
      const { results } = await conn.api.invitations.invite(studioId, { emails, role: o.role, ...(projects ? { projects } : {}) });
      if (opts.json) printJson({ studioId, results });
      else for (const r of results) process.stdout.write(describeInvite(r));
      const rejected = results.filter((r) => r.outcome === 'rejected');
      if (rejected.length) {
        throw new CliError(`${rejected.length} of ${results.length} invitation${results.length === 1 ? ' was' : 's were'} not sent`, EXIT.error, 'check the addresses and the reasons above, then invite those again');
      }
      if (!opts.json && results.some((r) => r.link)) say('Pass each link on yourself: this server sends no email.');
    });
}

function describeInvite(r: InviteResult): string {
  switch (r.outcome) {
    case 'added':
      return `${r.email}: added (they already had an account)\n`;
    case 'already_member':
      return `${r.email}: already a member of the studio\n`;
    case 'rejected':
      return `${r.email}: not invited${r.reason ? ` (${r.reason})` : ''}\n`;
    case 'invited':
      return r.link ? `${r.email}: invited; send them this link:\n  ${r.link}\n` : `${r.email}: invited (the link went out by email)\n`;
  }
}

function flags(r: RoleView): string {
  return [r.fixed ? 'fixed' : '', r.assignedOnly ? 'assigned work only' : ''].filter(Boolean).join(', ');
}

function wrap(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.length ? lines : ['(none)'];
}
