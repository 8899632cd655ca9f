// nginx as a benchmark peer: its own prefix, config and loopback port under a temp folder, started
// as a child process and stopped with it. Callers give what goes inside `http { }` besides the
// basics, and the `server { }` body (the port's `listen` is added here).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const PATH_WITH_SBIN = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;

export const nginxBin = (): string =>
  spawnSync('/bin/bash', ['-c', 'command -v nginx'], { encoding: 'utf8', env: { ...process.env, PATH: PATH_WITH_SBIN } }).stdout.trim();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Nginx {
  url: string;
  version: string;
  stop(): Promise<void>;
}

export interface NginxSite {
  /** Directives for `http { }` beyond logging off, sendfile and the temp paths. */
  http?: string;
  /** The `server { }` body, without `listen`. */
  server: string;
  /** A path answered 200 once nginx is up (HEAD). */
  probe: string;
}

export async function runNginx(dir: string, site: NginxSite): Promise<Nginx> {
  const bin = nginxBin();
  if (!bin) throw new Error('nginx is not installed');
  const prefix = join(dir, 'nginx');
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${prefix}/tmp/${t.replace('client_', '')};`).join('\n');
  // As root, nginx's workers would drop to `nobody`, who cannot read the 0700 temp folders.
  writeFileSync(conf, `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes auto;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
${temp}
${site.http ?? ''}
  server {
    listen 127.0.0.1:${port};
${site.server}
  }
}
`);
  const child: ChildProcess = spawn(bin, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${url}/${site.probe}`, { method: 'HEAD' });
      if (res.ok) break;
      throw new Error(`HEAD /${site.probe}: ${res.status}`);
    } catch (err) {
      if (i >= 100) {
        await stop();
        throw err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const version = spawnSync('/bin/bash', ['-c', `${bin} -v 2>&1`], { encoding: 'utf8' }).stdout.trim().replace(/^nginx version: nginx\//, '');
  return { url, version, stop };
}
