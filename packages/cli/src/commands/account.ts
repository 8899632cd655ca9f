// Signing in and choosing where to work: login, logout, whoami, studios, projects.
import { Command, Option } from 'commander';
import { ApiError, NetworkError } from '@backlot/api';
import { apiFor, connect, studioOf, type GlobalOptions } from '../context.js';
import { CliError, EXIT, networkCode, networkHint, usageError } from '../output/exit-codes.js';
import { formatTime, printJson, printTable, say } from '../output/print.js';
import { normaliseServer, readCredentials, writeCredentials } from '../settings/credentials.js';

export function accountCommands(program: Command): void {
  program
    .command('login')
    .argument('<server>', 'server address, e.g. http://studio-server:8080')
    .description('Sign in to a server (it becomes the current one); asks for email and password, or takes --token or --sso')
    .option('--email <email>', 'account email (asked when missing)')
    .option('--token <token>', 'a personal access token or session token instead of a password (for scripts)')
    .option('--password-stdin', 'read the password from standard input (for scripts)')
    .option('--sso <studio>', 'sign in through the studio\'s identity provider (its id, or your email to find it); opens a browser')
    .option('--no-browser', 'with --sso: only print the address to open')
    .addHelpText('after', '\nExamples:\n  backlot login http://127.0.0.1:8080\n  echo "$PASS" | backlot login https://backlot.studio.com --email me@studio.com --password-stdin\n  backlot login https://backlot.studio.com --token "$BACKLOT_TOKEN"\n  backlot login https://backlot.studio.com --sso me@studio.com')
    .action(async (serverArg: string, opts: { email?: string; token?: string; passwordStdin?: boolean; sso?: string; browser: boolean }) => {
      const server = normaliseServer(serverArg);
      const api = apiFor(server, opts.token);
      if (opts.sso && (opts.token || opts.email || opts.passwordStdin)) throw usageError('--sso signs in through the identity provider: leave out --token, --email and --password-stdin');
      let ssoStudio: string | undefined;
      if (opts.sso) {
        const { resolveSsoStudio, ssoLogin } = await import('./sso-login.js');
        ssoStudio = await resolveSsoStudio(api, opts.sso);
        await ssoLogin(api, ssoStudio, { openBrowser: opts.browser });
      } else if (!opts.token) {
        const email = opts.email ?? (await ask('Email'));
        const password = opts.passwordStdin ? await readStdin() : await ask('Password', true);
        if (!password) throw usageError('no password given');
        await api.auth.login({ email, password }).catch(refusedAs(`the server did not accept the email and password for ${email}`,
          `check them and run: backlot login ${server} (if your studio signs in through its identity provider: --sso ${email})`, server));
      }
      const me = await (opts.token
        ? api.auth.me().catch(refusedAs('the server did not accept this token (wrong, revoked or expired)', 'make a new one (backlot tokens create) or sign in with your password', server))
        : api.auth.me());
      const { studios } = await api.studios.list();
      const creds = readCredentials();
      const previous = creds.servers[server];
      creds.servers[server] = {
        token: api.session.token!, userId: me.id, email: me.email, name: me.name,
        studioId: studios.length === 1 ? studios[0].id : studios.some((s) => s.id === ssoStudio) ? ssoStudio : previous?.userId === me.id ? previous.studioId : undefined,
      };
      creds.current = server;
      writeCredentials(creds);
      const studio = studios.find((s) => s.id === creds.servers[server].studioId);
      say(`Signed in to ${server} as ${me.name} <${me.email}>${studio ? `, studio ${studio.name}` : ''}`);
      if (!studio && studios.length > 1) say('Choose a studio: backlot studios --use NAME');
    });

  program
    .command('logout')
    .description('Sign out of the current server (or --server); its session ends on the server too')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const conn = connect(opts);
      try {
        await conn.api.auth.logout();
      } catch {
        // the session may be gone already; forgetting it here is what matters
      }
      const creds = readCredentials();
      delete creds.servers[conn.server];
      if (creds.current === conn.server) creds.current = Object.keys(creds.servers)[0];
      writeCredentials(creds);
      say(`Signed out of ${conn.server}`);
    });

  program
    .command('whoami')
    .description('Who you are on the current server, and every server you are signed in to')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const creds = readCredentials();
      const conn = connect(opts);
      const me = await conn.api.auth.me();
      const others = Object.entries(creds.servers).filter(([s]) => s !== conn.server).map(([server, l]) => ({ server, email: l.email }));
      if (opts.json) return printJson({ server: conn.server, user: me, studioId: conn.login.studioId ?? null, otherServers: others });
      process.stdout.write(`${me.name} <${me.email}> on ${conn.server}${me.isInstanceAdmin ? ' (instance administrator)' : ''}\n`);
      for (const o of others) process.stdout.write(`also signed in to ${o.server} as ${o.email}\n`);
    });

  program
    .command('studios')
    .description('The studios you belong to on the current server (* marks the current one)')
    .option('--use <studio>', 'make this studio (name or id) the current one')
    .action(async (o: { use?: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const conn = connect(opts);
      const { studios } = await conn.api.studios.list();
      if (o.use) {
        const s = studios.find((x) => x.id === o.use || x.name.toLowerCase() === o.use!.toLowerCase());
        if (!s) throw new CliError(`no studio "${o.use}" among yours`, EXIT.error, 'list them with: backlot studios');
        const creds = readCredentials();
        creds.servers[conn.server].studioId = s.id;
        writeCredentials(creds);
        conn.login.studioId = s.id;
        say(`Current studio: ${s.name}`);
      }
      if (opts.json) return printJson({ current: conn.login.studioId ?? null, studios });
      if (studios.length === 0) return say(`You belong to no studio on ${conn.server} yet: create one in the web app (${conn.server}/studios/new), or ask a studio owner to invite you.`);
      printTable(studios.map((s) => [s.id === conn.login.studioId ? '*' : ' ', s.name, s.myRole ?? '', s.id]), [' ', 'STUDIO', 'ROLE', 'ID']);
    });

  program
    .command('projects')
    .description('Projects of the current studio you can see')
    .addOption(new Option('--status <status>', 'active, archived or all').choices(['active', 'archived', 'all']).default('active'))
    .action(async (o: { status: 'active' | 'archived' | 'all' }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const conn = connect(opts);
      const studioId = await studioOf(conn, opts);
      const { projects } = await conn.api.projects.list(studioId, { status: o.status });
      if (opts.json) return printJson({ studioId, projects });
      if (projects.length === 0) return say('No projects you can see in this studio yet.');
      printTable(projects.map((p) => [p.name, p.status, formatTime(p.updatedAt), p.id]), ['PROJECT', 'STATUS', 'UPDATED', 'ID']);
    });
}

/** Asks on the terminal; refuses to wait for input that cannot come. */
async function ask(label: string, secret = false): Promise<string> {
  if (!process.stdin.isTTY) throw usageError(`${label.toLowerCase()} needed and no terminal to ask on`, 'pass --email and --password-stdin, or --token');
  const { input, password } = await import('@inquirer/prompts');
  return secret ? password({ message: label, mask: '*' }) : input({ message: label });
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const part of process.stdin) text += part;
  return text.replace(/\r?\n$/, '');
}

/**
 * A 401 during sign-in is about what was typed, not a session that ended; an unanswered request,
 * about the address just typed: say so.
 */
function refusedAs(message: string, hint: string, server: string) {
  return (err: unknown): never => {
    if (err instanceof ApiError && err.status === 401) throw new CliError(message, EXIT.error, hint);
    if (err instanceof NetworkError) throw new CliError(err.message, EXIT.network, networkHint(networkCode(err), server));
    throw err;
  };
}
