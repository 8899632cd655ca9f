// Progress on long work: a bar (bytes, rate, ETA) when stderr is a terminal, a few plain lines
// otherwise (logs of scripts stay readable).
import type { SingleBar } from 'cli-progress';
import { formatBytes, say } from './print.js';

export interface Progress {
  /** `unit` 'bytes' shows sizes and a rate; 'chunks' counts, and with `bytes` given to update, shows those bytes and their rate. */
  start(label: string, total: number, unit?: 'bytes' | 'chunks'): void;
  update(done: number, bytes?: number): void;
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
  let counting = false;
  let started = 0;
  return {
    start(label, total, unit = 'bytes') {
      counting = unit === 'chunks';
      started = Date.now();
      const size = counting ? `${total.toLocaleString('en-US')} chunks` : formatBytes(total);
      bar = new SingleBar(
        { format: `${label} [{bar}] {percentage}% {done}/${size}{speed} ETA {eta_formatted}`, hideCursor: true, stream: process.stderr, clearOnComplete: false },
        Presets.shades_classic,
      );
      bar.start(total, 0, { done: counting ? '0' : formatBytes(0), speed: '' });
    },
    update(done, bytes) {
      const secs = (Date.now() - started) / 1000;
      // Chunks are counted for the bar (their sizes are not known ahead), bytes are what people read.
      const moved = counting ? bytes : done;
      const rate = secs > 0.5 && moved !== undefined ? `${formatBytes(Math.round(moved / secs))}/s` : '';
      const speed = counting && bytes !== undefined ? `, ${formatBytes(bytes)}${rate ? ` at ${rate}` : ''}` : rate ? ` ${rate}` : '';
      bar?.update(done, { done: counting ? done.toLocaleString('en-US') : formatBytes(done), speed });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
