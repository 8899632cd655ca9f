// backlot clone PROJECT [DIR] and backlot init [DIR]: new working folders.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { connect, studioOf, type GlobalOptions } from '../../context.js';
import { CliError, describeError, EXIT } from '../../output/exit-codes.js';
import { formatBytes, printJson, say } from '../../output/print.js';
import { progress } from '../../output/progress.js';

export function cloneCommands(program: Command): void {
  program
    .command('clone')
    .argument('<project>', 'project name or id (in the current studio, or --studio)')
    .argument('[dir]', 'folder to make (default: the project name)')
    .description('Make a working folder of a project: what you may see comes down, nothing else')
    .addHelpText('after', '\nExamples:\n  backlot clone Forest\n  backlot clone Forest ~/work/forest --studio "Blue Fox"')
    .action(async (project: string, dir: string | undefined, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      void import('@backlot/client').then((c) => c.sharedWorkerPool()).catch(() => {}); // boots while the project is looked up and pulled
      const conn = connect(opts);
      const studioId = await studioOf(conn, opts);
      const { projects } = await conn.api.projects.list(studioId);
      const p = projects.find((x) => x.id === project || x.name.toLowerCase() === project.toLowerCase());
      if (!p) throw new CliError(`no project "${project}" in this studio that you can see`, EXIT.error, 'list them with: backlot projects');
      const target = resolve(dir ?? safeFolderName(p.name));
      const { cloneProject } = await import('@backlot/client');
      const bar = await progress(opts.json);
      let done = 0;
      const result = await cloneProject(conn.api, target, {
        server: conn.server, studioId, projectId: p.id, projectName: p.name, userId: conn.login.userId, userName: conn.login.name,
      }, {
        onPlan: (_files, bytes) => bar.start('Downloading', bytes),
        onFile: (_path, bytes) => bar.update((done += bytes)),
      }).catch((err: unknown) => {
        bar.stop();
        // Stopped after the working folder was made (full disk, lost connection): what is in
        // place stays, and a sync there finishes the clone.
        if (!existsSync(join(target, '.backlot', 'project.db'))) throw err;
        const d = describeError(err);
        throw new CliError(d.message, d.exitCode, `what is in place stays; once that is fixed, finish the clone with: cd ${JSON.stringify(target)} && backlot sync`);
      });
      bar.stop();
      if (opts.json) return printJson({ folder: target, projectId: p.id, files: result.written.length, bytes: result.bytesWritten, notDownloaded: result.notDownloaded });
      const refused = result.notDownloaded.filter((n) => n.code === 'forbidden').length;
      if (refused > 0) say(`${refused} file${refused === 1 ? '' : 's'} visible to you but not downloadable with your role (listed by backlot status as "restricted")`);
      say(`Cloned ${p.name} into ${target}: ${result.written.length} file${result.written.length === 1 ? '' : 's'}, ${formatBytes(result.bytesWritten)}`);
    });

  program
    .command('init')
    .argument('[dir]', 'folder to make a Personal project of (default: the current folder)')
    .option('--name <name>', 'project name (default: the folder name)')
    .description('Start a Personal project: versioned on this machine only, no server (publish it later)')
    .addHelpText('after', '\nExamples:\n  backlot init\n  backlot init ~/sketches --name Sketches')
    .action(async (dir: string | undefined, o: { name?: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const target = resolve(dir ?? '.');
      const { initPersonal } = await import('@backlot/client');
      const db = await initPersonal(target, o.name ?? basename(target));
      const meta = db.meta();
      db.close();
      if (opts.json) return printJson({ folder: target, projectId: meta.projectId, personal: true });
      say(`Personal project ${meta.projectName} in ${target}. Next: backlot add . && backlot checkpoint FILE -m "first version"`);
    });
}

/** A folder name from a project name (no separators or reserved characters). */
function safeFolderName(name: string): string {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim() || 'project';
}
