// backlot add, backlot checkpoint: making changes in the working folder (kept here until a sync).
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { GlobalOptions } from '../../context.js';
import { CliError, EXIT, usageError } from '../../output/exit-codes.js';
import { formatBytes, printJson, say, sayEach } from '../../output/print.js';
import { progress } from '../../output/progress.js';
import { runSync } from './sync.js';
import { openWorkingFolder } from './working-folder.js';

export function changeCommands(program: Command): void {
  program
    .command('add')
    .argument('<paths...>', 'files or folders (folders are added with everything in them that is not ignored)')
    .addOption(new Option('--task', 'add the files as tasks assigned to you (one assignee, soft lock) instead of resources'))
    .option('--unassigned', 'with --task: leave the new tasks unassigned')
    .description('Make files part of the project; their folders become collections')
    .addHelpText('after', '\nExamples:\n  backlot add shots/sh010/anim.blend --task\n  backlot add textures/')
    .action(async (paths: string[], o: { task?: boolean; unassigned?: boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const { db, root, rel } = await openWorkingFolder(process.cwd(), true);
      try {
        const { addPaths, loadIgnoreRules } = await import('@backlot/client');
        const result = await addPaths(db, paths.map(rel), {
          kind: o.task ? 'task' : 'resource', rules: await loadIgnoreRules(root), assigneeId: o.unassigned ? null : db.meta().userId,
        });
        if (opts.json) return printJson(result);
        const more = (n: number, what: string) => `… and ${n.toLocaleString('en-US')} more ${what} (--json lists them all)`;
        sayEach(result.added.map((p) => `added      ${p}`), (n) => more(n, 'added'));
        sayEach(result.alreadyTracked.map((p) => `tracked    ${p} (already part of the project)`), (n) => more(n, 'already part of the project'));
        sayEach(result.ignored.map((p) => `ignored    ${p} (matches an ignore rule; see .backlotignore)`), (n) => more(n, 'ignored'));
        if (result.added.length > 0) say(`Next: backlot checkpoint ${result.added.length === 1 ? result.added[0] : 'PATH...'} -m MESSAGE`);
      } finally {
        db.close();
      }
    });

  program
    .command('checkpoint')
    .argument('<paths...>', 'files, or folders (their files changed here; "." for the whole folder)')
    .requiredOption('-m, --message <text>', 'what changed')
    .option('--status <status>', 'set the task status with this checkpoint (key, name or short label, e.g. wfa)')
    .option('--preview <image>', 'a preview image (.png, .jpg, .webp) shown with the checkpoint')
    .option('--sync', 'sync right after (push the checkpoint to the server)')
    .description('Record new versions of files (kept here; backlot sync sends them). Only a task\'s assignee may checkpoint it.')
    .addHelpText('after', '\nExamples:\n  backlot checkpoint shots/sh010/anim.blend -m "blocking pass"\n  backlot checkpoint anim.blend -m "ready for review" --status wfa --sync\n  backlot checkpoint shots/sh010 -m "lighting pass"   (every file changed in that folder)')
    .action(async (paths: string[], o: { message: string; status?: string; preview?: string; sync?: boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      void import('@backlot/client').then((c) => c.sharedWorkerPool()).catch(() => {}); // boots while the folder opens
      const { db, root, rel } = await openWorkingFolder(process.cwd(), true);
      try {
        const { checkpointPaths, checkpointTargets, CheckpointRefused, PreviewError, listItems, loadIgnoreRules, localStore } = await import('@backlot/client');
        let statusId: string | undefined;
        if (o.status) {
          const want = o.status.toLowerCase();
          const s = listItems(db, 'status').find((x) => [x.key, x.name, x.shortLabel, x.id].some((v) => v?.toLowerCase() === want));
          if (!s) throw usageError(`no status "${o.status}" in this project`, `use one of: ${listItems(db, 'status').map((x) => x.key ?? x.name).join(', ')}`);
          statusId = s.id;
        }
        const targets = await checkpointTargets(db, paths.map(rel), await loadIgnoreRules(root));
        if (!opts.json) {
          sayEach(targets.skipped.map((s) => `skipped    ${s.path} (${s.reason}; only its assignee may checkpoint it)`));
          sayEach(targets.unchangedFolders.map((f) => `unchanged  ${f || '.'} (nothing changed in it since its checkpoints)`));
        }
        if (targets.files.length === 0) {
          if (opts.json) return printJson({ made: [], unchanged: [], skipped: targets.skipped, unchangedFolders: targets.unchangedFolders });
          return;
        }
        const bar = await progress(opts.json);
        let current = '';
        let result;
        try {
          if (o.preview) o.preview = resolve(o.preview);
          result = await checkpointPaths(db, localStore(db), targets.files, {
            comment: o.message, statusId, preview: o.preview,
            onProgress: (path, read, size) => {
              if (size < 32 * 1024 * 1024) return; // small files are done before a bar would help
              if (path !== current) {
                bar.stop();
                bar.start(`Reading ${path}`, size);
                current = path;
              }
              bar.update(read);
            },
          });
        } catch (err) {
          if (err instanceof PreviewError) throw usageError(err.message);
          if (err instanceof CheckpointRefused)
            throw new CliError(err.message, err.reason === 'soft_lock' ? EXIT.forbidden : err.reason === 'changed_while_read' ? EXIT.error : EXIT.usage);
          throw err;
        } finally {
          bar.stop();
        }
        if (!o.sync && opts.json) return printJson({ ...result, skipped: targets.skipped, unchangedFolders: targets.unchangedFolders });
        // Per version: its size, and what it added to the folder's store (new chunks or patches, compressed).
        const total = (key: 'size' | 'newBytes') => formatBytes(result.made.reduce((n, m) => n + m[key], 0));
        sayEach(
          result.made.map((m) => `checkpoint ${m.number} of ${m.path}: ${formatBytes(m.size)}, ${formatBytes(m.newBytes)} stored`),
          (n) => `… and ${n.toLocaleString('en-US')} more; ${result.made.length.toLocaleString('en-US')} checkpoints in all: ${total('size')}, ${total('newBytes')} stored (--json lists them all)`,
        );
        sayEach(result.unchanged.map((p) => `unchanged  ${p} (same as its latest checkpoint)`), (n) => `… and ${n.toLocaleString('en-US')} more unchanged`);
        if (o.sync) {
          db.close();
          return runSync(opts, {});
        }
        if (result.made.length > 0 && !db.meta().personal) say('Kept here; send with: backlot sync');
      } finally {
        if (db.sql.open) db.close();
      }
    });
}
