// A dedicated PostgreSQL connection that LISTENs on the live-event channels. Pooled connections
// cannot receive notifications reliably (a pooled client is handed around and released), so each
// server process keeps one of these open. When the connection is lost (database restart,
// terminated backend) it reconnects with backoff and reports the reconnection, because
// notifications sent while it was away are gone: the hub then makes every local socket pull again.
import pg from 'pg';

export interface PgListenerOptions {
  connectionString: string;
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  /** Called after every successful (re)connection, once LISTEN is in place. */
  onListening(): void;
  log: { warn(msg: string): void };
}

const MAX_BACKOFF_MS = 30_000;

export class PgListener {
  private client: pg.Client | null = null;
  private started = false;
  private closed = false;
  private listening = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private waiters: (() => void)[] = [];

  constructor(private readonly opts: PgListenerOptions) {
    for (const c of opts.channels) if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new Error(`bad channel name ${c}`);
  }

  /** Starts connecting (idempotent); never throws, failures are retried. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.connect();
  }

  /** Resolves once LISTEN is in place, or after `timeoutMs` (the caller then catches up on reconnect). */
  ready(timeoutMs = 5_000): Promise<void> {
    this.start();
    if (this.listening || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.opts.connectionString, keepAlive: true });
    this.client = client;
    // Without an error listener, pg re-emits connection errors as uncaught exceptions.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (msg) => {
      if (client !== this.client || msg.payload === undefined) return;
      try {
        this.opts.onNotification(msg.channel, msg.payload);
      } catch (err) {
        this.opts.log.warn(`live events: a notification handler failed: ${(err as Error).message}`);
      }
    });
    try {
      await client.connect();
      // Channel names are fixed identifiers checked above; LISTEN takes no parameters.
      for (const channel of this.opts.channels) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    if (client !== this.client || this.closed) return;
    this.listening = true;
    this.failures = 0;
    for (const w of this.waiters.splice(0)) w();
    this.opts.onListening();
  }

  private lost(client: pg.Client, err?: Error): void {
    if (client !== this.client) return;
    this.client = null;
    this.listening = false;
    client.removeAllListeners('notification');
    client.end().catch(() => {});
    if (this.closed) return;
    this.failures++;
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.failures - 1, 7));
    this.opts.log.warn(`live events: LISTEN connection lost${err ? ` (${err.message})` : ''}; reconnecting in ${delay} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const w of this.waiters.splice(0)) w();
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('notification');
      await client.end().catch(() => {});
    }
  }
}
