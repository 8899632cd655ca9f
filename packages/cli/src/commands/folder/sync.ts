// backlot sync: push what was made here, pull what changed, bring the files in line. Name
// conflicts stop it with a list; each is resolved with --rename PATH=NEWNAME or --merge PATH (or
// by answering on a terminal), then the sync goes on.
import type { Command } from 'commander';
import type { NameConflict, ProjectDb, SyncResult } from '@backlot/client';
import { connect, type GlobalOptions } from '../../context.js';
import { CliError, EXIT, usageError } from '../../output/exit-codes.js';
import { formatBytes, printJson, say } from '../../output/print.js';
import { progress } from '../../output/progress.js';
import { openWorkingFolder } from './working-folder.js';

interface SyncFlags {
  full?: boolean;
  rename?: string[];
  merge?: string[];
}

export function syncCommand(program: Command): void {
  program
    .command('sync')
    .description('Send your checkpoints and changes, receive everyone else\'s (only what you may see)')
    .option('--full', 'ask the server for the whole project again (repairs a damaged local database)')
    .option('--rename <path=name...>', 'resolve a name conflict by renaming your file (keep both)')
    .option('--merge <path...>', 'resolve a name conflict by stacking your checkpoints on the server\'s file')
    .addHelpText('after', '\nExamples:\n  backlot sync\n  backlot sync --rename shots/sh010/anim.blend=anim_v2.blend\n  backlot sync --merge shots/sh010/anim.blend')
    .action(async (o: SyncFlags, cmd: Command) => runSync(cmd.optsWithGlobals<GlobalOptions>(), o));
}

export async function runSync(opts: GlobalOptions, flags: SyncFlags): Promise<void> {
  const { db, rel } = await openWorkingFolder(process.cwd(), true);
  try {
    const meta = db.meta();
    if (meta.personal) throw usageError('a Personal project has nothing to sync with', 'publish it to a studio first: backlot publish --studio NAME');
    const conn = connect(opts, meta.server);
    const client = await import('@backlot/client');
    const renames = new Map((flags.rename ?? []).map((r) => {
      const at = r.lastIndexOf('=');
      if (at <= 0) throw usageError(`--rename ${r}: write it as PATH=NEWNAME`);
      return [rel(r.slice(0, at)), r.slice(at + 1)] as const;
    }));
    const merges = new Set((flags.merge ?? []).map(rel));
    const bar = await progress(opts.json);
    let written = 0;
    let uploading = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await client.syncProject(conn.api, db, {
          full: flags.full,
          progress: {
            onUpload: (sent, missing, bytes) => {
              if (!uploading) bar.start('Uploading', missing, 'chunks');
              uploading = true;
              bar.update(sent, bytes);
              if (sent === missing) {
                bar.stop();
                uploading = false;
              }
            },
            onPlan: (_files, bytes) => bar.start('Updating files', bytes), // what is reused is not downloaded
            onFile: (_path, bytes) => bar.update((written += bytes)),
          },
        });
        bar.stop();
        return report(opts, result);
      } catch (err) {
        bar.stop();
        if (!(err instanceof client.SyncConflictError) || attempt > 3) throw err;
        const resolved = await resolve(db, err.conflicts, renames, merges, client);
        if (!resolved) throw conflictError(db, err.conflicts, client.conflictPath);
      }
    }
  } finally {
    if (db.sql.open) db.close();
  }
}

/** Applies the flags (or asks on a terminal); false when some conflict is left. */
async function resolve(
  db: ProjectDb, conflicts: NameConflict[], renames: Map<string, string>, merges: Set<string>, client: typeof import('@backlot/client'),
): Promise<boolean> {
  let left = false;
  for (const c of conflicts) {
    const path = client.conflictPath(db, c);
    const newName = renames.get(path);
    if (newName) {
      const to = await client.renameConflicted(db, c, newName);
      say(`renamed ${path} -> ${to} (both kept)`);
    } else if (merges.has(path)) {
      client.mergeConflicted(db, c);
      say(`merged ${path}: your checkpoints continue the server's file`);
    } else if (process.stdin.isTTY && process.stderr.isTTY) {
      const { select, input } = await import('@inquirer/prompts');
      const choice = await select({
        message: `${path}: the server already has a file with this name${c.existingId ? '' : ' (one you may not see)'}`,
        choices: [
          { name: 'rename mine (keep both)', value: 'rename' },
          // Merging continues the server's file: only possible when this member can see it.
          ...(c.existingId ? [{ name: 'merge (stack my checkpoints on the server\'s file)', value: 'merge' }] : []),
          { name: 'decide later (stop the sync)', value: 'later' },
        ],
      });
      if (choice === 'rename') {
        const name = await input({ message: 'new file name', default: suggestName(path) });
        say(`renamed ${path} -> ${await client.renameConflicted(db, c, name)}`);
      } else if (choice === 'merge') client.mergeConflicted(db, c);
      else left = true;
    } else left = true;
  }
  return !left;
}

function conflictError(db: ProjectDb, conflicts: NameConflict[], pathOf: (db: ProjectDb, c: NameConflict) => string): CliError {
  const lines = conflicts.map((c) => `  ${pathOf(db, c)}: ${c.message}`);
  const first = pathOf(db, conflicts[0]);
  return new CliError(
    `sync stopped: ${conflicts.length} name conflict${conflicts.length === 1 ? '' : 's'}\n${lines.join('\n')}`,
    EXIT.conflict,
    `resolve each, then the sync goes on: backlot sync --rename ${first}=${suggestName(first).split('/').pop()} (keep both) or backlot sync --merge ${first}`,
  );
}

function suggestName(path: string): string {
  const file = path.split('/').pop()!;
  const dot = file.lastIndexOf('.');
  return dot > 0 ? `${file.slice(0, dot)}_2${file.slice(dot)}` : `${file}_2`;
}

function report(opts: GlobalOptions, r: SyncResult): void {
  // Refused ops fail the command (scripts must notice), though everything else was synced.
  if (r.push.refused.length > 0) process.exitCode = r.push.refused.some((f) => f.code === 'forbidden') ? EXIT.forbidden : EXIT.conflict;
  // So do files another program holds: the folder is consistent, but not up to date.
  else if (r.files.locked.length > 0) process.exitCode = EXIT.error;
  if (opts.json)
    return printJson({
      pushed: r.push.applied, refused: r.push.refused, stacked: r.push.stacked, uploadedBytes: r.push.bytesUploaded, revision: r.pull.revision, reset: r.pull.reset,
      written: r.files.written, moved: r.files.moved, deleted: r.files.deleted, keptChanged: r.files.keptChanged, keptUnsent: r.files.keptUnsent, skippedModified: r.files.skippedModified,
      locked: r.files.locked, notDownloaded: r.files.notDownloaded, fetchedBytes: r.files.bytesFetched, reusedBytes: r.files.bytesReused,
    });
  // An op on a file whose creation was refused goes with it: that file's own line says why.
  const refused = r.push.refused.filter((f) => !f.follows);
  for (const f of refused) say(`refused    ${f.path ? `${f.path} (${f.opType})` : f.opType}: ${f.message} (kept in your folder; nothing was lost)`);
  for (const st of r.push.stacked) {
    const path = st.path ?? `asset ${st.assetId}`;
    const one = st.number - st.madeAs === 1;
    const between = one ? `#${st.madeAs}, which was` : `#${st.madeAs} to #${st.number - 1}, which were`;
    say(`stacked    ${path}: yours is #${st.number}, on top of ${between} checkpointed meanwhile elsewhere and stay${one ? 's' : ''} in its history (backlot log ${path})`);
  }
  for (const m of r.files.moved) say(`moved      ${m.from} -> ${m.to}`);
  for (const p of r.files.deleted) say(`removed    ${p} (deleted on the server, or no longer visible to you)`);
  for (const p of r.files.keptChanged) say(`kept       ${p} (removed on the server, but you changed it: now untracked)`);
  // A file of the user's the server did not take, at a path the server's own file has: one line,
  // which says that the user's file now shows as a change to the server's.
  const taken = new Set(r.files.skippedModified);
  const notTaken = new Set([...r.files.keptUnsent, ...refused.flatMap((f) => (f.opType === 'asset.create' && f.path ? [f.path] : []))]);
  for (const p of r.files.keptUnsent) if (!taken.has(p)) say(`kept       ${p} (the server did not take it: now untracked)`);
  for (const p of r.files.skippedModified) {
    if (notTaken.has(p)) say(`kept       ${p} (the server did not take yours and has its own file here: yours shows as a change to it; checkpoint or revert it)`);
    else say(`not updated ${p} (you changed it; checkpoint or revert it)`);
  }
  for (const l of r.files.locked) say(`not updated ${l.path} (${l.reason}: close the program using it, then backlot sync again)`);
  for (const n of r.files.notDownloaded) say(`not downloaded ${n.path} (${n.code === 'forbidden' ? 'your role may see this file but not download it' : 'no longer on the server: the next sync catches up'})`);
  say(
    `Synced to revision ${r.pull.revision}: sent ${r.push.applied} change${r.push.applied === 1 ? '' : 's'} (${formatBytes(r.push.bytesUploaded)}), ` +
      `received ${r.files.written.length} file${r.files.written.length === 1 ? '' : 's'} (${formatBytes(r.files.bytesFetched)} downloaded, ${formatBytes(r.files.bytesReused)} reused)` +
      (refused.length ? `; ${refused.length} refused` : '') +
      (r.files.locked.length ? `; ${r.files.locked.length} file${r.files.locked.length === 1 ? '' : 's'} held by another program` : ''),
  );
}
