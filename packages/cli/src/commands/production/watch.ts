// `backlot watch`: the project's live events (docs/live-events.md), a line per change until
// Ctrl-C. The socket needs the `ws` package (it sends the bearer token as a header, which the
// standard WebSocket cannot); it is loaded only here. After a dropped connection it reconnects
// with the last cursor, so nothing is missed.
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import {
  ApiError, parseLiveMessage, type AssetView, type Change, type CheckpointView, type ControlRequestView, type LiveMessage,
  type LiveSocket, type MemberEntry, type Snapshot, type StatusView,
} from '@backlot/api';
import { CliError, describeError, EXIT } from '../../output/exit-codes.js';
import { say } from '../../output/print.js';
import { examples, fileName, projectOf, shortId } from './shared.js';

/** The part of the `ws` client used here (it ships no types in this repository). */
interface WsClient extends LiveSocket {
  on(event: 'open', fn: () => void): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: (code: number, reason: Buffer) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  terminate(): void;
}
type WsCtor = new (url: string, opts: { headers: Record<string, string>; handshakeTimeout: number }) => WsClient;

const RETRIES = 5;

export function watchCommand(program: Command): void {
  program
    .command('watch')
    .description('Print the project\'s changes as they happen, one line each, until Ctrl-C')
    .addHelpText('after', examples('backlot watch', 'backlot watch --project Forest', 'backlot watch --json | jq -c \'select(.entity == "asset")\''))
    .action(async (_o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const Ws = loadWs();
      const names = new Names(ctx.login.userId);
      const out = (line: string) => process.stdout.write(line + '\n');
      let cursor: string | undefined;
      let first = true;
      let stopping = false;
      let current: WsClient | undefined;

      const onMessage = (message: LiveMessage) => {
        if (message.type === 'pong') return;
        if (message.type === 'presence') {
          if (opts.json) return out(JSON.stringify({ type: 'presence', at: new Date().toISOString(), online: message.online }));
          const line = names.presence(message.online);
          if (line) out(`${clock(new Date())}  presence    ${line}`);
          return;
        }
        cursor = message.cursor;
        if (message.reset) {
          names.load(message.snapshot);
          if (first) {
            first = false;
            const n = names.assetCount();
            say(`Watching ${n.toLocaleString('en-US')} asset${n === 1 ? '' : 's'} (revision ${message.revision}); Ctrl-C to stop`);
          } else if (opts.json) out(JSON.stringify({ type: 'reset', revision: message.revision }));
          else out(`${clock(new Date())}  reset       what you can see changed; reloaded (${names.assetCount()} assets)`);
          return;
        }
        if (first) {
          first = false;
          say(`Watching from revision ${message.revision}; Ctrl-C to stop`);
        }
        for (const change of message.changes) {
          if (opts.json) out(JSON.stringify({ type: 'change', ...change }));
          else out(names.line(change));
          names.apply(change);
        }
      };

      await new Promise<void>((resolve, reject) => {
        const stop = () => {
          stopping = true;
          if (current) current.close(1000);
          else resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const finish = (err?: unknown) => {
          process.removeListener('SIGINT', stop);
          process.removeListener('SIGTERM', stop);
          if (err) reject(err);
          else resolve();
        };

        const open = (attempt: number) => {
          let opened = false;
          let failure: unknown;
          ctx.api.events.open(ctx.projectId, {
            since: cursor,
            connect: (url, headers) => (current = new Ws(url, { headers, handshakeTimeout: 15_000 })),
          });
          const ws = current!;
          ws.on('open', () => {
            opened = true;
            attempt = 0;
          });
          ws.on('message', (data) => {
            try {
              onMessage(parseLiveMessage(data.toString('utf8')));
            } catch (err) {
              say(`backlot: ignored a message: ${describeError(err).message}`);
            }
          });
          ws.on('error', (err) => {
            failure = refusal(err, ctx.server);
          });
          ws.on('close', (code, reason) => {
            current = undefined;
            if (stopping) return finish();
            const ended = closing(code, reason.toString('utf8'));
            if (ended) return finish(ended);
            if (!opened && attempt === 0 && first) {
              // The very first connection failed: say why at once rather than retrying blindly.
              return finish(failure instanceof CliError || failure instanceof ApiError ? failure : new CliError(
                `could not open live events on ${ctx.server}${failure instanceof Error ? ` (${failure.message})` : ''}`,
                EXIT.network, 'check that the server is running and reachable, then run backlot watch again',
              ));
            }
            if (failure instanceof ApiError && failure.status < 500 && failure.status !== 429) return finish(failure);
            if (attempt >= RETRIES) {
              return finish(new CliError(`lost the live connection to ${ctx.server} and could not reconnect`, EXIT.network, 'run backlot watch again once the server is reachable'));
            }
            const wait = Math.min(1000 * 2 ** attempt, 15_000);
            say(`backlot: connection lost (${code}${reason.length ? ` ${reason}` : ''}); reconnecting in ${Math.round(wait / 1000)} s`);
            setTimeout(() => (stopping ? finish() : open(attempt + 1)), wait);
          });
        };
        open(0);
      });
    });
}

function loadWs(): WsCtor {
  try {
    return createRequire(import.meta.url)('ws') as WsCtor;
  } catch {
    throw new CliError('live events need the `ws` package, which is not installed here', EXIT.network, 'reinstall Backlot (npm ci) or run: npm install ws');
  }
}

/** The handshake refusal as an ApiError (so it maps to the usual exit codes), or the network failure. */
function refusal(err: Error, server: string): unknown {
  const status = /Unexpected server response: (\d{3})/.exec(err.message)?.[1];
  if (!status) return err;
  const n = Number(status);
  const message = n === 404 ? 'this project is not there, or you are not a member of it'
    : n === 401 ? 'the server did not accept your sign-in'
    : n === 429 ? 'too many live connections open for your account'
    : `the server refused live events (${n})`;
  if (n === 401) return new CliError(message, EXIT.error, `sign in again: backlot login ${server}`);
  if (n === 429) return new CliError(message, EXIT.network, 'close other `backlot watch` runs or browser tabs, then try again');
  return new ApiError(n, `http_${n}`, message, {}, 'GET', 'events');
}

/** A close that ends watching for good, or null when reconnecting makes sense. */
function closing(code: number, reason: string): CliError | null {
  if (code === 4401) return new CliError('your session ended', EXIT.error, 'sign in again: backlot login SERVER');
  if (code === 4403) return new CliError('you can no longer see this project (removed from it, seat suspended, or the project was deleted)', EXIT.forbidden, 'ask a project admin');
  if (code === 1000) return new CliError(`the server closed the connection${reason ? `: ${reason}` : ''}`, EXIT.network, 'run backlot watch again');
  return null;
}

const clock = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

/** What the lines name: assets, people, statuses, as the snapshot and the changes since tell. */
class Names {
  private assets = new Map<string, AssetView>();
  private people = new Map<string, string>();
  private statuses = new Map<string, StatusView>();
  private collections = new Map<string, { name: string; parentId: string | null }>();
  private online: string[] | null = null;
  /** Assets removed since watching began (a later upsert brings one back). */
  private readonly gone = new Set<string>();

  constructor(private readonly me: string) {}

  assetCount(): number {
    return this.assets.size;
  }

  load(s: Snapshot): void {
    this.assets = new Map(s.assets.map((a) => [a.id, a]));
    this.people = new Map(s.members.map((m) => [m.userId, m.name]));
    this.statuses = new Map(s.statuses.map((x) => [x.id, x]));
    this.collections = new Map(s.collections.map((c) => [c.id, { name: c.name, parentId: c.parentId }]));
  }

  person(id: string | null | undefined): string {
    if (!id) return 'nobody';
    if (id === this.me) return 'you';
    return this.people.get(id) ?? `user ${shortId(id)}`;
  }

  private asset(id: string): string {
    const a = this.assets.get(id);
    return a ? this.path(a) : `asset ${shortId(id)}`;
  }

  /** An asset's path in the project ("shots/sh010/anim.blend"), as far as its folders are known. */
  private path(a: Pick<AssetView, 'collectionId' | 'name' | 'extension'>): string {
    const dir = this.folder(a.collectionId);
    return dir ? `${dir}/${fileName(a)}` : fileName(a);
  }

  private folder(id: string | null): string {
    const names: string[] = [];
    for (let at = id; at && names.length < 64; ) {
      const c = this.collections.get(at);
      if (!c) break;
      names.unshift(c.name);
      at = c.parentId;
    }
    return names.join('/');
  }

  private status(id: string | null): string {
    return id ? this.statuses.get(id)?.name ?? 'a deleted status' : 'no status';
  }

  presence(online: readonly string[]): string | null {
    const before = this.online;
    this.online = [...online];
    if (!before) return `online: ${online.map((id) => this.person(id)).join(', ') || 'nobody'}`;
    const came = online.filter((id) => !before.includes(id)).map((id) => this.person(id));
    const left = before.filter((id) => !online.includes(id)).map((id) => this.person(id));
    const parts = [came.length ? `${came.join(', ')} came online` : '', left.length ? `${left.join(', ')} went offline` : ''].filter(Boolean);
    return parts.length ? parts.join('; ') : null;
  }

  /** "14:05:03  asset       shot010.blend assigned to Ana (by Sam)". */
  line(c: Change): string {
    const at = c.change === 'upsert' ? new Date(c.at) : new Date();
    const self = c.change === 'upsert' && c.entity === 'control_request' && (c.data as ControlRequestView).requesterId === c.actorId && (c.data as ControlRequestView).status === 'pending';
    const by = c.change === 'upsert' && c.actorId && !self ? ` (by ${this.person(c.actorId)})` : '';
    const type = c.entity === 'control_request' ? 'request' : c.entity;
    return `${clock(at)}  ${type.padEnd(10)}  ${this.describe(c)}${by}`;
  }

  private describe(c: Change): string {
    if (c.change === 'remove') {
      switch (c.entity) {
        case 'asset': return `${this.asset(c.id)} removed (trashed, or out of your sight)`;
        case 'collection': return `${this.folder(c.id) || shortId(c.id)}/ removed`;
        case 'member': return `${this.person(c.id)} left the project`;
        case 'checkpoint': return `checkpoint ${shortId(c.id)} removed`;
        default: return `${c.entity.replace('_', ' ')} ${shortId(c.id)} removed`;
      }
    }
    switch (c.entity) {
      case 'asset': {
        const a = c.data as AssetView;
        const prev = this.assets.get(a.id);
        const name = this.path(a);
        if (!prev) return a.createdRev === c.revision ? `${name} created` : this.gone.has(a.id) ? `${name} is back (restored, or in your sight again)` : `${name} is visible to you now`;
        const parts: string[] = [];
        if (prev.assigneeId !== a.assigneeId) parts.push(a.assigneeId ? `assigned to ${this.person(a.assigneeId)}` : 'unassigned');
        if (prev.statusId !== a.statusId) parts.push(`now ${this.status(a.statusId)}`);
        if (fileName(prev) !== fileName(a)) parts.push(`renamed from ${fileName(prev)}`);
        if (prev.collectionId !== a.collectionId) parts.push(`moved from ${this.folder(prev.collectionId) || 'the top'}`);
        return `${name} ${parts.join(', ') || 'updated'}`;
      }
      case 'checkpoint': {
        const cp = c.data as CheckpointView;
        return `${this.asset(cp.assetId)} checkpoint ${cp.number}${cp.comment ? `: ${cp.comment}` : ''}`;
      }
      case 'control_request': {
        const r = c.data as ControlRequestView;
        const task = this.asset(r.assetId);
        const who = this.person(r.requesterId);
        switch (r.status) {
          case 'pending': return `${who} asked for ${task}${r.message ? `: "${r.message}"` : ''}`;
          case 'accepted': return `${who} got ${task} (request accepted)`;
          case 'declined': return `${who}'s request for ${task} declined`;
          case 'cancelled': return `${who} withdrew their request for ${task}`;
          case 'superseded': return `${who}'s request for ${task} lapsed (the task changed hands)`;
        }
        return `request for ${task}: ${r.status}`;
      }
      case 'collection': {
        const col = c.data as { name: string; parentId: string | null };
        const known = this.collections.has(c.id);
        const parent = this.folder(col.parentId);
        return `${parent ? `${parent}/` : ''}${col.name}/ ${known ? 'updated' : 'created'}`;
      }
      case 'member': {
        const m = c.data as MemberEntry;
        return `${m.name} ${this.people.has(m.userId) ? 'changed role' : 'joined the project'}`;
      }
      case 'status': return `status ${(c.data as StatusView).name} ${this.statuses.has(c.id) ? 'changed' : 'added'}`;
      case 'role': return `role ${(c.data as { name?: string }).name ?? shortId(c.id)} changed`;
      case 'settings': return 'project settings changed';
      case 'dependency': return 'dependency added';
    }
    return `${c.entity} ${shortId(c.id)} changed`;
  }

  apply(c: Change): void {
    if (c.change === 'remove') {
      if (c.entity === 'asset') {
        this.assets.delete(c.id);
        this.gone.add(c.id);
      }
      else if (c.entity === 'member') this.people.delete(c.id);
      else if (c.entity === 'collection') this.collections.delete(c.id);
      else if (c.entity === 'status') this.statuses.delete(c.id);
      return;
    }
    if (c.entity === 'asset') this.assets.set(c.id, c.data as AssetView);
    else if (c.entity === 'member') this.people.set(c.id, (c.data as MemberEntry).name);
    else if (c.entity === 'collection') {
      const col = c.data as { name: string; parentId: string | null };
      this.collections.set(c.id, { name: col.name, parentId: col.parentId });
    }
    else if (c.entity === 'status') this.statuses.set(c.id, c.data as StatusView);
  }
}
