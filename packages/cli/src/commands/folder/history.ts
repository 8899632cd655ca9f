// backlot log, show, open, revert: a file's history and its past versions.
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { BacklotApi } from '@backlot/api';
import { connect, type GlobalOptions } from '../../context.js';
import { CliError, EXIT, usageError } from '../../output/exit-codes.js';
import { formatBytes, formatTime, isTerminal, printJson, printTable, say } from '../../output/print.js';
import { openWorkingFolder, type OpenFolder } from './working-folder.js';

export function historyCommands(program: Command): void {
  program
    .command('log')
    .argument('<path>', 'a file of the project')
    .description('A file\'s history: checkpoints and status changes, with authors and times from the server')
    .addHelpText('after', '\nExamples:\n  backlot log shots/sh010/anim.blend\n  backlot log anim.blend --json')
    .action(async (path: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      await withFolder(async (f, client) => {
        const { asset, history } = wrap(client, () => client.findVersion(f.db, f.rel(path), null));
        const meta = f.db.meta();
        const unsynced = history.filter((c) => c.pending);
        if (!meta.personal) {
          const conn = connect(opts, meta.server);
          const api = conn.api;
          const trail = await api.browse.trail(meta.projectId, asset.id);
          if (opts.json) return printJson({ assetId: asset.id, entries: trail.entries, unsynced });
          // Newest first, one line each: a checkpoint (with the status it was made in) or a status change.
          // Checkpoints not synced yet go on top of the server's newest when they are sent, which
          // may have moved on meanwhile: numbered from there (a sync says if they were stacked).
          const serverNewest = Math.max(0, ...trail.entries.map((e) => (e.type === 'checkpoint' ? e.checkpoint.number : 0)));
          const rows = [...unsynced]
            .sort((a, b) => a.number - b.number)
            .map((c, i) => [`#${Math.max(c.number, serverNewest + i + 1)}`, '(not synced yet)', conn.login.name, formatBytes(c.size), '', c.comment])
            .reverse();
          for (const e of [...trail.entries].reverse()) {
            const who = e.actor.name ?? 'someone';
            if (e.type === 'checkpoint') {
              const c = e.checkpoint;
              const reverted = c.revertedFrom ? `(revert to #${c.revertedFrom.number}) ` : '';
              rows.push([`#${c.number}`, formatTime(e.at), who, formatBytes(c.size), c.status?.name ?? '', `${reverted}${c.comment}`]);
            } else rows.push(['', formatTime(e.at), who, '', `${e.from?.name ?? 'none'} -> ${e.to?.name ?? 'none'}`, '']);
          }
          return printTable(rows, ['#', 'WHEN', 'WHO', 'SIZE', 'STATUS', 'COMMENT']);
        }
        if (opts.json) return printJson({ assetId: asset.id, checkpoints: history });
        printTable([...history].reverse().map((c) => [`#${c.number}`, formatTime(c.createdAt), formatBytes(c.size), c.comment]), ['#', 'WHEN', 'SIZE', 'COMMENT']);
      });
    });

  program
    .command('show')
    .argument('<path@n>', 'a file and a checkpoint number (the newest without @N)')
    .option('-o, --output <file>', 'write it to this file instead of standard output')
    .description('A past version of a file, to standard output or a file')
    .addHelpText('after', '\nExamples:\n  backlot show notes.txt@2\n  backlot show shots/sh010/anim.blend@3 -o /tmp/anim-v3.blend')
    .action(async (given: string, o: { output?: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      await withFolder(async (f, client) => {
        const { path, number } = client.splitVersion(given);
        const found = wrap(client, () => client.findVersion(f.db, f.rel(path), number));
        if (!o.output && isTerminal()) throw usageError('that would print a file to the terminal', 'write it to a file with -o FILE, or pipe it (backlot show PATH@N | ...)');
        if (o.output) {
          await client.writeVersion(apiOf(f, opts), f.db, found.checkpoint, o.output);
          return say(`wrote ${found.path}@${found.checkpoint.number} to ${o.output}`);
        }
        const dir = await mkTemp();
        try {
          const dest = join(dir, 'version');
          await client.writeVersion(apiOf(f, opts), f.db, found.checkpoint, dest);
          const { createReadStream } = await import('node:fs');
          // stdout is never ended (the command may print more), so it is fed chunk by chunk.
          for await (const part of createReadStream(dest)) if (!process.stdout.write(part)) await once(process.stdout, 'drain');
        } finally {
          const { rm } = await import('node:fs/promises');
          await rm(dir, { recursive: true, force: true });
        }
      });
    });

  program
    .command('open')
    .argument('<path@n>', 'a file and a checkpoint number')
    .description('Write a past version to a temp file (named after it) and print where, to open in your tool')
    .addHelpText('after', '\nExamples:\n  blender "$(backlot open shots/sh010/anim.blend@3)"')
    .action(async (given: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      await withFolder(async (f, client) => {
        const { path, number } = client.splitVersion(given);
        const found = wrap(client, () => client.findVersion(f.db, f.rel(path), number));
        const file = found.path.split('/').pop()!;
        const dot = file.lastIndexOf('.');
        const name = dot > 0 ? `${file.slice(0, dot)}@${found.checkpoint.number}${file.slice(dot)}` : `${file}@${found.checkpoint.number}`;
        const dest = join(await mkTemp(), name);
        await client.writeVersion(apiOf(f, opts), f.db, found.checkpoint, dest);
        if (opts.json) return printJson({ path: dest, checkpoint: found.checkpoint.number });
        process.stdout.write(dest + '\n');
      });
    });

  program
    .command('revert')
    .argument('<path@n>', 'a file and the checkpoint number to go back to')
    .option('-m, --message <text>', 'why (default: "revert to N")')
    .description('Make a past version the newest again (a new checkpoint; history stays), and put it in the working file')
    .addHelpText('after', '\nExamples:\n  backlot revert shots/sh010/anim.blend@3 -m "back to the approved pose"\n  backlot revert anim.blend@3 && backlot sync')
    .action(async (given: string, o: { message?: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      await withFolderWrite(async (f, client) => {
        const { path, number } = client.splitVersion(given);
        if (number === null) throw usageError('say which version: PATH@N', 'see the numbers with: backlot log PATH');
        const view = await wrapAsync(client, () => client.revertTo(apiOf(f, opts), f.db, f.rel(path), number, o.message));
        if (opts.json) return printJson(view);
        say(`${path} is version ${number} again (checkpoint ${view.number}${view.pending ? '; send it with: backlot sync' : ''})`);
      });
    });
}

type Client = typeof import('@backlot/client');

/** Runs `fn` on the working folder; `write` commands hold its lock meanwhile. */
export async function withFolder(fn: (f: OpenFolder, client: Client) => Promise<void>, write = false): Promise<void> {
  const f = await openWorkingFolder(process.cwd(), write);
  try {
    await fn(f, await import('@backlot/client'));
  } finally {
    f.db.close();
  }
}

/** The server of a studio folder (content may have to come from it), none for a Personal one. */
export function apiOf(f: OpenFolder, opts: GlobalOptions): BacklotApi | null {
  const meta = f.db.meta();
  return meta.personal ? null : connect(opts, meta.server).api;
}

function wrap<T>(client: Client, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw asCliError(client, err);
  }
}

/** withFolder for commands that change the folder. */
export const withFolderWrite = (fn: (f: OpenFolder, client: Client) => Promise<void>) => withFolder(fn, true);

async function wrapAsync<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asCliError(client, err);
  }
}

function asCliError(client: Client, err: unknown): unknown {
  if (err instanceof client.VersionError) {
    const code = err.reason === 'soft_lock' ? EXIT.forbidden : err.reason === 'modified' ? EXIT.conflict : EXIT.usage;
    return new CliError(err.message, code, err.reason === 'untracked' ? 'see the project\'s files with: backlot status --all' : undefined);
  }
  return err;
}

/**
 * A new folder only this user can enter (mkdtemp makes it 0700): a shared folder under /tmp would
 * let other accounts on the machine read unreleased versions, or squat its name.
 */
function mkTemp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'backlot-version-'));
}
