// Processes and peers for bench/cli.ts: timed commands, git/git-lfs/nginx/curl from apt when
// missing, a static file server (nginx, else a Node `http` server in a child process), parallel
// curl downloads, and dropping the page cache for cold runs.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnReady } from './child.js';
import { runNginx } from './nginx.js';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  seconds: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Reject unless the exit code is 0 (default true). */
  check?: boolean;
}

/** Runs a program and times it (wall clock, spawn to exit). Keeps stdout and the tail of stderr. */
export function run(file: string, args: string[], opts: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const r: Ran = { code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: err, seconds: Number(process.hrtime.bigint() - t) / 1e9 };
      if (opts.check !== false && r.code !== 0) {
        reject(new Error(`\`${[file, ...args].join(' ').slice(0, 300)}\` exited ${code ?? signal}\n--- stdout\n${r.stdout.slice(-2000)}\n--- stderr\n${r.stderr.slice(-3000)}`));
      } else resolve(r);
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // a program that exits without reading its input
      child.stdin.end(opts.input);
    }
  });
}

export const bash = (cmd: string, opts: RunOptions = {}): Promise<Ran> => run('/bin/bash', ['-c', cmd], opts);

const PATH_WITH_SBIN = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
export const have = (bin: string): boolean => spawnSync('/bin/bash', ['-c', `command -v ${bin}`], { stdio: 'ignore', env: { ...process.env, PATH: PATH_WITH_SBIN } }).status === 0;

/**
 * Installs the peers that are missing with apt-get (not under CI, where what is missing is
 * skipped). RUNLEVEL=1 keeps the nginx package from starting its system service on port 80: the
 * bench runs its own nginx on a free loopback port.
 */
export function ensurePeers(log: (s: string) => void): void {
  const packages: Record<string, string> = { git: 'git', 'git-lfs': 'git-lfs', nginx: 'nginx', curl: 'curl' };
  const missing = Object.keys(packages).filter((b) => !have(b));
  if (missing.length === 0) return;
  if (process.env.CI) {
    log(`CI: not installing peers (${missing.join(', ')} missing)`);
    return;
  }
  const pkgs = [...new Set(missing.map((b) => packages[b]))].join(' ');
  log(`installing peers: apt-get install -y ${pkgs} …`);
  const r = spawnSync('/bin/bash', ['-c', `apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkgs}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) log('apt-get failed; the bench uses what is installed');
}

export function versionOf(cmd: string): string {
  const r = spawnSync('/bin/bash', ['-c', `${cmd} 2>&1`], { encoding: 'utf8', env: { ...process.env, PATH: PATH_WITH_SBIN } });
  return (r.stdout ?? '').trim().split('\n')[0];
}

export interface StaticServer {
  url: string;
  /** What serves the files, for the report. */
  what: string;
  stop(): Promise<void>;
}

/** nginx serving `root` on a loopback port (its own config and prefix under `dir`), else the Node fallback. */
export async function startStaticServer(root: string, dir: string, probe: string, log: (s: string) => void): Promise<StaticServer> {
  if (have('nginx')) {
    try {
      return await startNginx(root, dir, probe);
    } catch (err) {
      log(`nginx did not start (${(err as Error).message.split('\n')[0]}); using the Node static server instead`);
    }
  } else log('nginx is not installed; using the Node static server instead');
  const child = await spawnReady<{ url: string }>(fileURLToPath(new URL('./cli-static-server.ts', import.meta.url)), [root]);
  return { url: child.info.url, what: `a Node \`http\` static server (\`fs.createReadStream\`, bench/cli-static-server.ts; nginx could not be used)`, stop: () => child.stop() };
}

async function startNginx(root: string, dir: string, probe: string): Promise<StaticServer> {
  const n = await runNginx(dir, { http: '  default_type application/octet-stream;', server: `    root ${root};`, probe });
  return { url: n.url, what: `nginx ${n.version} (sendfile, access log off, its own config on a loopback port)`, stop: n.stop };
}

/** Downloads `paths` from `base` into `dest` with one curl, 4 transfers at a time (`--parallel`). */
export function curlParallel(base: string, paths: string[], dest: string, listFile: string, concurrency = 4): Promise<Ran> {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  writeFileSync(listFile, paths.map((p) => `url = ${q(`${base}/${encodeURI(p)}`)}\noutput = ${q(join(dest, p))}\n`).join(''));
  return run('curl', ['--parallel', '--parallel-max', String(concurrency), '--create-dirs', '--fail', '--silent', '--show-error', '--config', listFile]);
}

/** Drops the page cache (root only). Returns false when the kernel does not allow it. */
export function dropCaches(): boolean {
  return spawnSync('/bin/bash', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' }).status === 0;
}

/** Writes dirty pages out, so one measured run's writes are not flushed during the next. */
export function flush(): void {
  spawnSync('sync');
}
