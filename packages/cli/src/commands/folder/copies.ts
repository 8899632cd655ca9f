// backlot free, rebuild, mv, rm: local copies and the project's shape.
import type { Command } from 'commander';
import type { GlobalOptions } from '../../context.js';
import { CliError, EXIT } from '../../output/exit-codes.js';
import { printJson, say, sayEach } from '../../output/print.js';
import { apiOf, withFolderWrite } from './history.js';

type Client = typeof import('@backlot/client');

/** Refusals of these commands are the user's to fix (exit 1 with the reason). */
function refusal(client: Client, err: unknown): unknown {
  if (err instanceof client.LocalCopyError || err instanceof client.ReorganizeError) return new CliError(err.message, EXIT.error);
  return err;
}

export function copyCommands(program: Command): void {
  program
    .command('free')
    .argument('<paths...>', 'files whose local copy to drop')
    .description('Drop local copies to save disk space; history stays and sync leaves them away (backlot rebuild brings them back)')
    .addHelpText('after', '\nExamples:\n  backlot free renders/final.exr')
    .action(async (paths: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      await withFolderWrite(async (f, client) => {
        const freed = await client.freeFiles(f.db, paths.map(f.rel)).catch((e) => Promise.reject(refusal(client, e)));
        if (opts.json) return printJson({ freed });
        sayEach(freed.map((p) => `freed      ${p}`));
      });
    });

  program
    .command('rebuild')
    .argument('<paths...>', 'files to bring back (freed, deleted, or not fetched yet)')
    .description('Write the newest version of files that are not in the folder')
    .addHelpText('after', '\nExamples:\n  backlot rebuild renders/final.exr')
    .action(async (paths: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      await withFolderWrite(async (f, client) => {
        const r = await client.rebuildFiles(apiOf(f, opts), f.db, paths.map(f.rel)).catch((e) => Promise.reject(refusal(client, e)));
        if (opts.json) return printJson(r);
        sayEach(r.written.map((p) => `rebuilt    ${p}`));
        sayEach(r.present.map((p) => `present    ${p} (already in the folder)`));
      });
    });

  program
    .command('mv')
    .argument('<from>', 'a file of the project')
    .argument('<to>', 'its new path (folders are made as needed)')
    .description('Rename or move a file of the project (kept here until backlot sync)')
    .addHelpText('after', '\nExamples:\n  backlot mv shots/sh010/anim.blend shots/sh020/anim.blend')
    .action(async (from: string, to: string) => {
      await withFolderWrite(async (f, client) => {
        await client.moveFile(f.db, f.rel(from), f.rel(to)).catch((e) => Promise.reject(refusal(client, e)));
        say(`moved      ${f.rel(from)} -> ${f.rel(to)}`);
      });
    });

  program
    .command('rm')
    .argument('<paths...>', 'files of the project')
    .description('Send files to the project\'s trash (restorable); a changed file stays in the folder, untracked')
    .addHelpText('after', '\nExamples:\n  backlot rm refs/old_mood.png')
    .action(async (paths: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      await withFolderWrite(async (f, client) => {
        const r = await client.removeFiles(f.db, paths.map(f.rel)).catch((e) => Promise.reject(refusal(client, e)));
        if (opts.json) return printJson(r);
        sayEach(r.removed.map((p) => `removed    ${p}`));
        for (const p of r.kept) say(`kept       ${p} (it holds changes: left in the folder, untracked)`);
      });
    });
}
