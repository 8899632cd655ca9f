// End-to-end fixture: a real `backlot serve` on 127.0.0.1 (its own data folder and port) and the
// real built CLI, run as a child process per call with its own config folder per user, so each
// user has their own sign-in as on their own machine. Accounts and the studio are made through
// the API (as an admin would); everything the tests check goes through the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BacklotApi } from '@backlot/api';

export const BIN = fileURLToPath(new URL('../../bin/backlot.js', import.meta.url));
const PASSWORD = 'correct horse battery staple';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliUser {
  key: string;
  id: string;
  email: string;
  name: string;
  api: BacklotApi;
  /** Its BACKLOT_CONFIG_DIR (credentials live there). */
  configDir: string;
  /** Runs `backlot ARGS` as this user. */
  run(args: string[], opts?: { cwd?: string; input?: string; env?: Record<string, string> }): Promise<RunResult>;
  /** Like run, but fails the test with the output unless the exit code is `code` (default 0). */
  ok(args: string[], opts?: { cwd?: string; input?: string; code?: number; env?: Record<string, string> }): Promise<RunResult>;
}

/** Runs the built CLI. */
export function runCli(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * A long-running command (`backlot watch`) started with its output followed: `seen` waits until
 * `pred` holds of what it printed so far (failing after 10 s, or when the command exits);
 * `stop` ends it.
 */
export function startFollowed(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const seen = (pred: (o: typeof out) => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.stderr.off('data', check);
        child.off('exit', exited);
        if (err) reject(err);
        else resolve();
      };
      const check = () => {
        if (pred(out)) done();
      };
      const exited = (code: number | null) => done(new Error(`${args[0]} exited ${code}\n${out.stderr}`));
      const timer = setTimeout(() => done(new Error(`no ${what} within 10 s\n--- stdout\n${out.stdout}\n--- stderr\n${out.stderr}`)), 10_000);
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.on('exit', exited);
      check();
    });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  };
  return { out, seen, stop };
}

export class CliWorld {
  readonly users: Record<string, CliUser> = {};
  studioId = '';

  private constructor(readonly url: string, readonly dir: string, private readonly server: ChildProcess, readonly owner: BacklotApi) {}

  /** Starts a server and makes the studio "Studio" with an owner and the given members. */
  static async start(memberKeys: readonly string[] = []): Promise<CliWorld> {
    const dir = await mkdtemp(join(tmpdir(), 'backlot-e2e-'));
    const server = spawn(process.execPath, [BIN, 'serve', '--data', join(dir, 'server'), '--port', '0', '--log-level', 'warn', '--log-format', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const { url, token } = await new Promise<{ url: string; token: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
      const onData = (d: Buffer) => {
        out += d;
        const u = /listening on (http:\/\/[^\s]+)/.exec(out);
        const t = /setup token: (\S+)/.exec(out);
        if (u && t) {
          clearTimeout(timer);
          resolve({ url: u[1], token: t[1] });
        }
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
      server.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
    });
    const owner = new BacklotApi({ baseUrl: url });
    const me = await owner.auth.setup({ token, email: 'owner@studio.test', name: 'Olivia Owner', password: PASSWORD });
    const world = new CliWorld(url, dir, server, owner);
    const studio = await owner.studios.create({ name: 'Studio' });
    world.studioId = studio.id;
    world.users.owner = world.makeUser('owner', me.userId, 'owner@studio.test', 'Olivia Owner', owner);
    for (const key of memberKeys) {
      const email = `${key}@studio.test`;
      const name = key[0].toUpperCase() + key.slice(1);
      const { results } = await owner.invitations.invite(studio.id, { emails: [email], role: 'member' });
      const api = new BacklotApi({ baseUrl: url });
      const link = results[0].link!;
      const accepted = await api.invitations.accept({ token: link.split('#token=')[1], name, password: PASSWORD });
      world.users[key] = world.makeUser(key, accepted.userId, email, name, api);
    }
    return world;
  }

  private makeUser(key: string, id: string, email: string, name: string, api: BacklotApi): CliUser {
    const configDir = join(this.dir, 'config', key);
    const run = (args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}) =>
      runCli(args, { ...opts, env: { BACKLOT_CONFIG_DIR: configDir, ...opts.env } });
    return {
      key, id, email, name, api, configDir, run,
      async ok(args, opts = {}) {
        const r = await run(args, opts);
        const want = opts.code ?? 0;
        if (r.code !== want) throw new Error(`backlot ${args.join(' ')} exited ${r.code} (wanted ${want})\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
        return r;
      },
    };
  }

  /** Signs a user in through the CLI (password on stdin). */
  async login(key: string): Promise<void> {
    const u = this.users[key];
    await u.ok(['login', this.url, '--email', u.email, '--password-stdin'], { input: `${PASSWORD}\n` });
  }

  /** A project made by the owner, with members in the given preset roles (by role key). */
  async project(name: string, members: Record<string, string> = {}): Promise<string> {
    const p = await this.owner.projects.create(this.studioId, { name });
    const { roles } = await this.owner.roles.list(p.id);
    for (const [key, roleKey] of Object.entries(members)) {
      const role = roles.find((r) => r.key === roleKey);
      if (!role) throw new Error(`no role ${roleKey} (have ${roles.map((r) => r.key).join(', ')})`);
      await this.owner.projectMembers.add(p.id, { userIds: [this.users[key].id], roleId: role.id });
    }
    return p.id;
  }

  /** A config folder where `user` is signed in to `url` (a proxy) with their sign-in to this server. */
  async signedInThrough(user: CliUser, url: string, name: string): Promise<string> {
    const saved = JSON.parse(await readFile(join(user.configDir, 'credentials.json'), 'utf8'));
    const configDir = join(this.dir, 'config', name);
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'credentials.json'), JSON.stringify({ current: url, servers: { [url]: saved.servers[this.url] } }), { mode: 0o600 });
    return configDir;
  }

  /** A fresh empty folder under the world's temp folder. */
  async folder(name: string): Promise<string> {
    return mkdtemp(join(this.dir, `${name}-`));
  }

  async stop(): Promise<void> {
    this.server.kill('SIGTERM');
    await new Promise((r) => this.server.once('exit', r));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A proxy to `target` on a loopback port, for a server that misbehaves on cue: requests ("METHOD
 * /path") that `holds` picks are read and never answered, the rest pass through.
 */
export async function startProxy(target: string, holds: (request: string) => boolean = () => false): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const skip = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
  const server = createServer(async (req, res) => {
    const body = req.method === 'GET' ? undefined : new Uint8Array(await readAll(req));
    if (holds(`${req.method} ${req.url}`)) return;
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !skip.has(k))) as Record<string, string>;
    try {
      const answer = await fetch(target + req.url, { method: req.method, headers, body });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

async function readAll(req: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p);
  return Buffer.concat(parts);
}
