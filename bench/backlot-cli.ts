// The built Backlot CLI as benchmarks run it: built from the current sources, copied aside so a
// rebuild in this checkout during a run cannot switch builds halfway, run as a given user (their
// sign-in in its own config folder), and `backlot serve` on a free loopback port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { run, type Ran } from './cli-peers.js';
import { REPO_ROOT } from './report.js';

/** Runs the CLI at `bin` as the user whose sign-in lives in `configDir`. */
export function runBacklot(bin: string, args: string[], configDir: string, opts: { cwd?: string; input?: string; check?: boolean } = {}): Promise<Ran> {
  return run(process.execPath, [...profiling(), bin, ...args], { cwd: opts.cwd, input: opts.input, check: opts.check, env: { ...process.env, BACKLOT_CONFIG_DIR: configDir, NO_COLOR: '1' } });
}

/** With BACKLOT_BENCH_PROFILE=DIR, every CLI and server process writes a V8 CPU profile there (where a run's time goes). */
function profiling(): string[] {
  const dir = process.env.BACKLOT_BENCH_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Builds the CLI from the current sources, as `npm test` does; keeps the existing build if that fails. */
export function buildCli(log: (s: string) => void): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'packages'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim();
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const what = `commit ${head}${dirty ? ' plus uncommitted changes under packages/' : ''}`;
  if (r.status === 0) return `built from ${what} by \`node scripts/build.mjs\``;
  if (!existsSync(join(REPO_ROOT, 'packages', 'cli', 'dist', 'backlot.js'))) throw new Error(`the CLI does not build and there is no earlier build:\n${r.stderr}`);
  log(`warning: node scripts/build.mjs failed; measuring the existing build\n${r.stderr.slice(-1500)}`);
  return `the existing build in packages/cli/dist (\`node scripts/build.mjs\` failed on ${what})`;
}

/**
 * Copies the fresh build (bin/backlot.js + dist/) into the temp folder and runs that copy for the
 * whole run: other work in this checkout rebuilds packages/cli/dist meanwhile (\`npm test\` does),
 * and a run that switched builds halfway measured two CLIs (and a project database made by one was
 * refused by the other). The copy's node_modules is a symlink to the checkout's, so its npm
 * packages resolve exactly as they do from packages/cli.
 */
export function snapshotCli(base: string): string {
  const dir = join(base, 'cli');
  for (let attempt = 0; ; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'bin'), { recursive: true });
      cpSync(join(REPO_ROOT, 'packages', 'cli', 'bin', 'backlot.js'), join(dir, 'bin', 'backlot.js'));
      cpSync(join(REPO_ROOT, 'packages', 'cli', 'dist'), join(dir, 'dist'), { recursive: true });
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      return join(dir, 'bin', 'backlot.js');
    } catch (err) {
      // A rebuild swapped dist while it was being copied: copy the new one.
      if (attempt >= 3) throw err;
    }
  }
}

export interface ServerProcess {
  url: string;
  token: string;
  /**
   * Resolves once the server has used (almost) no CPU for `quietMs` (Linux: /proc; elsewhere at
   * once): background work a request left behind (a rebase) is over, so it does not compete with
   * what is timed next.
   */
  idle(quietMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** `backlot serve` on a free loopback port with its own data folder (as packages/cli/test/e2e/world.ts starts it). */
export async function startServer(bin: string, dataDir: string): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...profiling(), bin, 'serve', '--data', dataDir, '--port', '0', '--log-level', 'warn', '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let out = '';
  const { url, token } = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backlot serve did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
      const u = /listening on (http:\/\/[^\s]+)/.exec(out);
      const t = /setup token: (\S+)/.exec(out);
      if (u && t) {
        clearTimeout(timer);
        resolve({ url: u[1], token: t[1] });
      }
    };
    // Keep reading after start-up so the server never blocks on a full pipe.
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backlot serve exited (${code}):\n${out}`));
    });
  });
  return {
    url, token,
    idle: (quietMs = 500) => cpuQuiet(child.pid, quietMs),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** CPU time of process `pid` in clock ticks (user + system), or null where /proc is not there. */
function cpuTicks(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  } catch {
    return null;
  }
}

/** Waits (up to two minutes) until `pid` used at most one clock tick (10 ms) of CPU over `quietMs`. */
async function cpuQuiet(pid: number | undefined, quietMs: number): Promise<void> {
  if (pid === undefined || cpuTicks(pid) === null) return;
  const step = 100;
  const samples: number[] = [];
  const started = Date.now();
  while (Date.now() - started < 120_000) {
    samples.push(cpuTicks(pid) ?? 0);
    const window = Math.ceil(quietMs / step) + 1;
    if (samples.length >= window && samples[samples.length - 1] - samples[samples.length - window] <= 1) return;
    await new Promise((r) => setTimeout(r, step));
  }
}
