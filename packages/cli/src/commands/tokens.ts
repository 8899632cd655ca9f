// Personal access tokens for scripts and pipelines: create (the secret is printed once), list,
// revoke. Creating and revoking need a password or SSO sign-in (`backlot login`), not a token.
import { Command, Option } from 'commander';
import { connect, studioOf, type GlobalOptions } from '../context.js';
import { CliError, EXIT } from '../output/exit-codes.js';
import { formatTime, printJson, printTable, say } from '../output/print.js';

export function tokensCommand(): Command {
  const tokens = new Command('tokens').description('Personal access tokens for scripts and pipelines (create, list, revoke)');

  tokens
    .command('create')
    .argument('<name>', 'what the token is for, e.g. "render farm"')
    .description('Create a token; its secret is printed once (use it with backlot login URL --token, or as a Bearer token)')
    .addOption(new Option('--access <level>', 'read: look and download; content: also production work; admin: everything you may do').choices(['read', 'content', 'admin']).default('read'))
    .option('--only <project...>', 'limit the token to these projects (names or ids in the current studio)')
    .option('--days <n>', 'days until it expires (1 to 730)', (v) => Number(v), 90)
    .addHelpText('after', '\nExamples:\n  backlot tokens create "CI checks" --access read\n  backlot tokens create "farm" --access content --only "Show A" --days 30')
    .action(async (name: string, o: { access: 'read' | 'content' | 'admin'; only?: string[]; days: number }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const conn = connect(opts);
      let projects: string[] | undefined;
      if (o.only?.length) {
        const studioId = await studioOf(conn, opts);
        const { projects: all } = await conn.api.projects.list(studioId, { status: 'all' });
        projects = o.only.map((want) => {
          const p = all.find((x) => x.id === want || x.name.toLowerCase() === want.toLowerCase());
          if (!p) throw new CliError(`no project "${want}" in this studio that you can see`, EXIT.error, 'list them with: backlot projects');
          return p.id;
        });
      }
      const made = await conn.api.tokens.create({ name, access: o.access, projects, expiresInDays: o.days });
      if (opts.json) return printJson(made);
      process.stdout.write(`${made.token}\n`);
      say(`Token "${made.name}" (${made.access}${made.projects ? `, ${made.projects.length} project(s)` : ''}) expires ${formatTime(made.expiresAt)}. It is shown only now; store it safely.`);
    });

  tokens
    .command('list')
    .description('Your tokens (never their secrets), with last use')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const { tokens: list } = await connect(opts).api.tokens.list();
      if (opts.json) return printJson({ tokens: list });
      if (!list.length) return say('No tokens yet: backlot tokens create NAME');
      printTable(list.map((t) => [
        t.name, t.access, t.projects ? `${t.projects.length} project(s)` : 'all projects', t.revokedAt ? 'revoked' : formatTime(t.expiresAt),
        formatTime(t.lastUsedAt) || 'never', t.id,
      ]), ['NAME', 'ACCESS', 'REACH', 'EXPIRES', 'LAST USED', 'ID']);
    });

  tokens
    .command('revoke')
    .argument('<token>', 'the token\'s id or name')
    .description('Revoke a token: it stops working at once')
    .action(async (which: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const conn = connect(opts);
      const { tokens: list } = await conn.api.tokens.list();
      const live = list.filter((t) => !t.revokedAt && (t.id === which || t.name === which));
      if (live.length !== 1) throw new CliError(live.length ? `several tokens are named "${which}"; give its id` : `no live token "${which}"`, EXIT.error, 'list them with: backlot tokens list');
      await conn.api.tokens.revoke(live[0].id);
      say(`Revoked token "${live[0].name}"`);
    });

  return tokens;
}
