// backlot status: what changed in the working folder, what is waiting to sync, your tasks.
import type { Command } from 'commander';
import { connect, type GlobalOptions } from '../../context.js';
import { boundedLines, printJson } from '../../output/print.js';
import { openWorkingFolder } from './working-folder.js';

const LABEL: Record<string, string> = {
  normal: 'normal', modified: 'modified', outdated: 'outdated', diverged: 'diverged', added: 'added',
  untracked: 'untracked', missing: 'missing', rebuild: 'rebuild', restricted: 'restricted',
  incoming: 'incoming', removed: 'removed', moved: 'moved',
};
const HINT: Record<string, string> = {
  modified: 'checkpoint with: backlot checkpoint PATH -m MESSAGE',
  outdated: 'newer versions are known: backlot sync',
  diverged: 'changed here and on the server: checkpoint yours (it becomes the newest) or backlot revert to take theirs',
  added: 'no checkpoint yet: backlot checkpoint PATH -m MESSAGE (a task: only by its assignee)',
  untracked: 'add with: backlot add PATH',
  missing: 'deleted here: backlot rebuild PATH brings it back, backlot rm PATH trashes it',
  rebuild: 'freed here: backlot rebuild PATH fetches it',
  incoming: 'new on the server, or moved here on it: backlot sync brings it',
  removed: 'deleted on the server, or out of your sight now: backlot sync removes it here (it is unchanged)',
  moved: 'moved on the server: backlot sync moves it, with any change in it',
  restricted: 'your role may see these files but not download them; a sync fetches them once it may',
};

export function statusCommand(program: Command): void {
  program
    .command('status')
    .description('Each changed file (modified, outdated, untracked, missing...), what waits to sync, and your tasks')
    .option('--all', 'list unchanged files too')
    .option('--fetch', 'first ask the server what changed (no file is written), so outdated files show')
    .addHelpText('after', '\nExamples:\n  backlot status\n  backlot status --json | jq \'.files[] | select(.state=="modified")\'')
    .action(async (o: { all?: boolean; fetch?: boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const { db, root } = await openWorkingFolder();
      try {
        const { folderStatus, loadIgnoreRules, queuedOps, pendingChanges, listItems, statusTasks, checkpointLock, UNCHECKPOINTED } = await import('@backlot/client/working-folder');
        const meta = db.meta();
        if (o.fetch && !meta.personal) await (await import('@backlot/client')).pullChanges(connect(opts, meta.server).api, db);
        const files = await folderStatus(db, await loadIgnoreRules(root));
        const queued = queuedOps(db);
        const pending = queued.length;
        const changes = pendingChanges(db, queued);
        const statuses = new Map(listItems(db, 'status').map((s) => [s.id, s]));
        const tasks = statusTasks(db)
          .map((a) => ({ id: a.id, path: a.path ?? a.name, status: a.statusId ? statuses.get(a.statusId)?.name ?? null : null }))
          .sort((a, b) => a.path.localeCompare(b.path));
        if (opts.json)
          return printJson({ root, project: { id: meta.projectId, name: meta.projectName, personal: meta.personal, server: meta.server ?? null }, pendingOps: pending, pendingChanges: changes, files, tasks });
        const out: string[] = [];
        out.push(`${meta.personal ? 'Personal project' : 'Project'} ${meta.projectName}${meta.server ? ` on ${meta.server}` : ''}`);
        if (pending > 0) out.push(`${pending} change${pending === 1 ? '' : 's'} made here wait${pending === 1 ? 's' : ''} to sync (backlot sync)${changes.length === pending ? ':' : changes.length ? ', among them:' : ''}`);
        out.push(...boundedLines(
          changes.map((c) => (c.kind === 'moved' ? `  ${'moving'.padEnd(10)} ${c.from} -> ${c.to}` : `  ${'trashing'.padEnd(10)} ${c.path}`)),
          (n) => `  … and ${n.toLocaleString('en-US')} more moves and trashings (--json lists them all)`,
        ));
        const shown = files.filter((f) => o.all || f.state !== 'normal' || f.unsynced);
        if (shown.length === 0) out.push('Every file is up to date.');
        const seen = new Set<string>();
        let heldByOthers = false;
        for (const f of shown) {
          const meanwhile = f.madeMeanwhile && (f.madeMeanwhile.from === f.madeMeanwhile.to ? `#${f.madeMeanwhile.from}` : `#${f.madeMeanwhile.from} to #${f.madeMeanwhile.to}`);
          let extra = f.unsynced ? ` (${f.unsynced} checkpoint${f.unsynced === 1 ? '' : 's'} to sync${meanwhile ? `, on top of ${meanwhile} made meanwhile elsewhere` : ''})` : '';
          // A changed task someone else holds cannot be checkpointed here: say so where it shows.
          const lock = f.kind && UNCHECKPOINTED.has(f.state) ? checkpointLock(db, { kind: f.kind, assigneeId: f.assigneeId ?? null }, meta) : null;
          if (lock && !lock.allowed) {
            extra += lock.holder ? ` (held by ${lock.holder})` : ' (unassigned)';
            heldByOthers = true;
          } else seen.add(f.state); // its state's hint ("checkpoint with: ...") is not for a held task
          out.push(`  ${LABEL[f.state].padEnd(10)} ${f.path}${f.movedTo ? ` -> ${f.movedTo}` : ''}${extra}`);
        }
        for (const s of seen) if (HINT[s]) out.push(`  (${s}: ${HINT[s]})`);
        if (heldByOthers) out.push('  (held by someone else: only a task\'s holder may checkpoint it; ask for it with backlot request PATH)');
        if (tasks.length > 0) {
          out.push('Your tasks (you hold their lock):');
          for (const t of tasks) out.push(`  ${(t.status ?? '-').padEnd(10)} ${t.path}`);
        }
        process.stdout.write(out.join('\n') + '\n');
      } finally {
        db.close();
      }
    });
}
