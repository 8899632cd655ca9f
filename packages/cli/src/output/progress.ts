// Progress on long work: a bar (bytes, rate, ETA) when stderr is a terminal, a few plain lines
// otherwise (logs of scripts stay readable).
import type { SingleBar } from 'cli-progress';
import { formatBytes, say } from './print.js';

export interface Progress {
  start(label: string, total: number): void;
  update(done: number): void;
  stop(): void;
}

export async function progress(quiet = false): Promise<Progress> {
  if (quiet) return { start() {}, update() {}, stop() {} };
  if (!process.stderr.isTTY) {
    let label = '';
    let total = 0;
    return {
      start(l, t) {
        label = l;
        total = t;
        say(`${label}: ${formatBytes(total)}`);
      },
      update() {},
      stop() {
        if (label) say(`${label}: done`);
        label = '';
      },
    };
  }
  const { SingleBar, Presets } = await import('cli-progress');
  let bar: SingleBar | null = null;
  return {
    start(label, total) {
      bar = new SingleBar(
        { format: `${label} [{bar}] {percentage}% {done}/{size} {speed} ETA {eta_formatted}`, hideCursor: true, stream: process.stderr, clearOnComplete: false },
        Presets.shades_classic,
      );
      const started = Date.now();
      bar.start(total, 0, { done: formatBytes(0), size: formatBytes(total), speed: '' });
      (bar as SingleBar & { started: number }).started = started;
    },
    update(done) {
      if (!bar) return;
      const started = (bar as SingleBar & { started: number }).started;
      const secs = (Date.now() - started) / 1000;
      bar.update(done, { done: formatBytes(done), speed: secs > 0.5 ? `${formatBytes(done / secs)}/s` : '' });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
