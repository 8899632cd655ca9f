// What a command acts on: which server and sign-in (--server, else the working folder's server,
// else the current one), and which project (--project, else the working folder around the current
// directory). Commands get a signed-in BacklotApi and ids; they never read credentials themselves.
import { BacklotApi } from '@backlot/api';
import { nodeHttpClient } from '@backlot/client/node-http';
import { CliError, EXIT, usageError } from './output/exit-codes.js';
import { normaliseServer, readCredentials, type Login } from './settings/credentials.js';
import { findWorkingFolder, readFolderMeta } from './folder-meta.js';

export interface GlobalOptions {
  server?: string;
  studio?: string;
  project?: string;
  json?: boolean;
}

export interface Connection {
  api: BacklotApi;
  server: string;
  login: Login;
}

export interface ProjectContext extends Connection {
  projectId: string;
  studioId: string | undefined;
  /** The working folder the project was found through, if any. */
  folder?: string;
}

export function apiFor(server: string, token?: string): BacklotApi {
  const api = new BacklotApi({ baseUrl: server, http: nodeHttpClient() });
  if (token) api.session.useBearer(token);
  return api;
}

/** The sign-in to use: for `server` when given, else the current one. */
export function connect(opts: GlobalOptions, serverHint?: string): Connection {
  const creds = readCredentials();
  const wanted = opts.server ? normaliseServer(opts.server) : serverHint ?? creds.current;
  if (!wanted) throw new CliError('you are not signed in to any server', EXIT.error, 'sign in first: backlot login http://your-server:8080');
  const login = creds.servers[wanted];
  if (!login) throw new CliError(`you are not signed in to ${wanted}`, EXIT.error, `sign in first: backlot login ${wanted}`);
  return { api: apiFor(wanted, login.token), server: wanted, login };
}

/** The studio to use: --studio (a name or id), else the sign-in's current one. */
export async function studioOf(conn: Connection, opts: GlobalOptions): Promise<string> {
  if (opts.studio) {
    const { studios } = await conn.api.studios.list();
    const s = studios.find((x) => x.id === opts.studio || x.name.toLowerCase() === opts.studio!.toLowerCase());
    if (!s) throw new CliError(`no studio "${opts.studio}" on ${conn.server}`, EXIT.error, 'list them with: backlot studios');
    return s.id;
  }
  if (conn.login.studioId) return conn.login.studioId;
  throw usageError('no studio chosen', 'name one with --studio NAME, or choose one: backlot studios --use NAME');
}

/** The project a command acts on, from --project or from the working folder around `cwd`. */
export async function projectContext(opts: GlobalOptions, cwd = process.cwd()): Promise<ProjectContext> {
  if (opts.project) {
    const conn = connect(opts);
    const studioId = await studioOf(conn, opts);
    const { projects } = await conn.api.projects.list(studioId);
    const p = projects.find((x) => x.id === opts.project || x.name.toLowerCase() === opts.project!.toLowerCase());
    if (!p) throw new CliError(`no project "${opts.project}" in this studio that you can see`, EXIT.error, 'list them with: backlot projects');
    return { ...conn, projectId: p.id, studioId };
  }
  const folder = await findWorkingFolder(cwd);
  if (!folder) throw usageError('this is not a Backlot working folder', 'run the command inside a cloned project, or name one with --project NAME');
  const meta = await readFolderMeta(folder);
  if (meta.personal) throw usageError('this is a Personal project: it has no server', 'publish it first: backlot publish SERVER --studio NAME');
  const conn = connect(opts, meta.server);
  return { ...conn, projectId: meta.projectId, studioId: meta.studioId, folder };
}
