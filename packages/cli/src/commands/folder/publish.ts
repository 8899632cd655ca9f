// backlot publish: a Personal project becomes a project of a studio, its history kept.
import type { Command } from 'commander';
import { connect, studioOf, type GlobalOptions } from '../../context.js';
import { usageError } from '../../output/exit-codes.js';
import { formatBytes, printJson, say } from '../../output/print.js';
import { withFolderWrite } from './history.js';

export function publishCommand(program: Command): void {
  program
    .command('publish')
    .description('Turn this Personal project into a project of a studio (current one, or --studio), keeping its history')
    .option('--name <name>', 'project name on the server (default: the Personal project\'s name)')
    .addHelpText('after', '\nExamples:\n  backlot publish\n  backlot publish --server https://backlot.studio.com --studio "Blue Fox" --name Sketches')
    .action(async (o: { name?: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      await withFolderWrite(async (f, client) => {
        const meta = f.db.meta();
        if (!meta.personal) throw usageError('this folder already belongs to a studio project', 'backlot sync sends its changes');
        const conn = connect(opts);
        const studioId = await studioOf(conn, opts);
        const r = await client.publishPersonal(conn.api, f.db, {
          server: conn.server, studioId, projectName: o.name ?? meta.projectName, userId: conn.login.userId, userName: conn.login.name,
        });
        if (opts.json) return printJson({ projectId: r.projectId, pushed: r.sync.push.applied, uploadedBytes: r.sync.push.bytesUploaded, refused: r.sync.push.refused });
        say(`Published ${o.name ?? meta.projectName} to ${conn.server}: ${r.sync.push.applied} items and checkpoints, ${formatBytes(r.sync.push.bytesUploaded)} uploaded`);
        for (const x of r.sync.push.refused.filter((f) => !f.follows)) say(`refused    ${x.opType}: ${x.message}`);
      });
    });
}
