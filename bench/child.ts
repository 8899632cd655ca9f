// Bench servers run in child processes (`node --import tsx SCRIPT`), so the load generator and the
// server do not share an event loop. A child prints one JSON line when it is ready (its URL and
// fixture); everything else it writes goes to stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './report.js';

export interface ReadyChild<T> {
  /** What the child printed when ready. */
  info: T;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after 15 s; resolves once the child has exited. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Node options before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** How long the child may take to be ready (default 120 s; seeding large fixtures takes longer). */
  readyTimeoutMs?: number;
}

/** Spawns `node --import tsx SCRIPT ARGS` and waits for the JSON line it prints when ready. */
export async function spawnReady<T>(script: string, args: string[], options: SpawnOptions = {}): Promise<ReadyChild<T>> {
  const name = script.split('/').pop();
  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready after ${timeoutMs / 1000} s`)), timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${name} printed ${line.slice(0, 300)}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready`));
    });
  });
  let info: T;
  try {
    info = await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    info,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
