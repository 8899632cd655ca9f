// Progress on long work: a bar (bytes, rate, ETA) when stderr is a terminal, a few plain lines
// otherwise (logs of scripts stay readable).
import type { SingleBar } from 'cli-progress';
import { formatBytes, say } from './print.js';

export interface Progress {
  /** `unit` 'bytes' shows sizes and a rate; 'chunks' counts. */
  start(label: string, total: number, unit?: 'bytes' | 'chunks'): void;
  update(done: number): void;
  stop(): void;
}

export async function progress(quiet = false): Promise<Progress> {
  if (quiet) return { start() {}, update() {}, stop() {} };
  if (!process.stderr.isTTY) {
    let label = '';
    return {
      start(l, total, unit = 'bytes') {
        label = l;
        say(`${label}: ${unit === 'bytes' ? formatBytes(total) : `${total} ${total === 1 ? 'chunk' : 'chunks'}`}`);
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
  let show = formatBytes;
  let started = 0;
  return {
    start(label, total, unit = 'bytes') {
      show = unit === 'bytes' ? formatBytes : (n: number) => `${n}`;
      started = Date.now();
      bar = new SingleBar(
        { format: `${label} [{bar}] {percentage}% {done}/{size} {speed} ETA {eta_formatted}`, hideCursor: true, stream: process.stderr, clearOnComplete: false },
        Presets.shades_classic,
      );
      bar.start(total, 0, { done: show(0), size: show(total), speed: '' });
    },
    update(done) {
      const secs = (Date.now() - started) / 1000;
      bar?.update(done, { done: show(done), speed: secs > 0.5 ? `${show(Math.round(done / secs))}/s` : '' });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
