// Share links: one checkpoint's file for someone without an account (share.manage).
import type { Command } from 'commander';
import type { CheckpointHistoryEntry, ShareView } from '@backlot/api';
import { CliError, EXIT } from '../../output/exit-codes.js';
import { formatTime, printJson, printTable, say } from '../../output/print.js';
import { Refs } from './task-ref.js';
import { examples, positiveInt, projectOf, shortId, timeOption, type ProjectContext } from './shared.js';

export function shareCommands(program: Command): void {
  program
    .command('share')
    .argument('<asset>', 'a task or asset: path in the working folder, name or id')
    .option('--checkpoint <n>', 'this checkpoint number (default: the latest)', positiveInt('--checkpoint'))
    .option('--expires <time>', 'when the link stops working: ISO date or time, or a span (7d, 12h); default never', timeOption('--expires', { future: true }))
    .description('Make a link to download one checkpoint\'s file without an account, and print it')
    .addHelpText('after', examples('backlot share shot010', 'backlot share shots/shot010.blend --checkpoint 3 --expires 7d', 'backlot share shot010 --expires 2026-06-30T18:00:00Z --json'))
    .action(async (ref: string, o: { checkpoint?: number; expires?: string }, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const asset = await new Refs(ctx).task(ref);
      const checkpoint = await checkpointOf(ctx, asset.id, asset.label, o.checkpoint);
      const share = await ctx.api.content.createShare(ctx.projectId, checkpoint.id, o.expires ? { expiresAt: o.expires } : {});
      if (opts.json) return printJson(share);
      process.stdout.write(`${share.url}\n`);
      say(`Share link for ${asset.label} checkpoint ${checkpoint.number}${share.expiresAt ? `, until ${formatTime(share.expiresAt)}` : ', no expiry'} (id ${shortId(share.id)}; revoke with backlot unshare ${shortId(share.id)})`);
      say('The link is shown only now: keep it.');
    });

  program
    .command('shares')
    .description('The project\'s share links, newest first (links themselves are not shown again)')
    .addHelpText('after', examples('backlot shares', 'backlot shares --json'))
    .action(async (_o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const { shares } = await ctx.api.content.listShares(ctx.projectId);
      if (opts.json) return printJson({ projectId: ctx.projectId, shares });
      if (shares.length === 0) return say('No share links in this project.');
      const paths = await pathsOf(ctx, shares);
      printTable(
        shares.map((s) => [shortId(s.id), paths.get(s.assetId)!, `#${s.checkpointNumber}`, s.state, s.expiresAt ? formatTime(s.expiresAt) : 'never', String(s.downloadCount), formatTime(s.createdAt)]),
        ['ID', 'PATH', 'VERSION', 'STATE', 'EXPIRES', 'DOWNLOADS', 'CREATED'],
      );
    });

  program
    .command('unshare')
    .argument('<share-id>', 'the share\'s id (or the start of it, as `backlot shares` shows)')
    .description('Revoke a share link: it stops working at once')
    .addHelpText('after', examples('backlot unshare 3f2a9c1e', 'backlot unshare 3f2a9c1e-0d7b-4c55-9a51-1e2f3a4b5c6d'))
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const { shares } = await ctx.api.content.listShares(ctx.projectId);
      const share = pickShare(shares, ref);
      const revoked = await ctx.api.content.revokeShare(ctx.projectId, share.id);
      if (opts.json) return printJson(revoked);
      const path = (await pathsOf(ctx, [share])).get(share.assetId)!;
      say(`Revoked the share link of ${path} #${share.checkpointNumber} (${shortId(share.id)})`);
    });
}

/** Shared files' paths (fileName is the whole "name.ext": it stands for the name, with no extension to add). */
function pathsOf(ctx: ProjectContext, shares: readonly ShareView[]): Promise<ReadonlyMap<string, string>> {
  return new Refs(ctx).pathsOf(shares.map((s) => ({ id: s.assetId, name: s.fileName, extension: '', folder: s.folder })));
}

function pickShare(shares: readonly ShareView[], ref: string): ShareView {
  const r = ref.toLowerCase();
  const hits = shares.filter((s) => s.id.toLowerCase().startsWith(r));
  if (hits.length === 1 && r.length >= 4) return hits[0];
  if (hits.length > 1 && r.length >= 4) throw new CliError(`"${ref}" starts ${hits.length} share ids`, EXIT.usage, 'give more of the id (backlot shares)');
  throw new CliError(`no share link "${ref}" in this project`, EXIT.error, 'list them with: backlot shares');
}

/** The given checkpoint number of an asset, or its latest. */
async function checkpointOf(ctx: ProjectContext, assetId: string, label: string, number: number | undefined): Promise<CheckpointHistoryEntry> {
  let cursor: string | undefined;
  do {
    const page = await ctx.api.browse.checkpoints(ctx.projectId, assetId, { cursor, limit: number === undefined ? 1 : 200 });
    if (number === undefined) {
      if (page.checkpoints[0]) return page.checkpoints[0];
      break;
    }
    const hit = page.checkpoints.find((c) => c.number === number);
    if (hit) return hit;
    // Newest first: once past the number, it is not there (deleted or never made).
    if (page.checkpoints.some((c) => c.number < number)) break;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (number === undefined) throw new CliError(`${label} has no checkpoints yet: there is nothing to share`, EXIT.error, 'publish a version of it first');
  throw new CliError(`${label} has no checkpoint ${number}`, EXIT.error, 'leave out --checkpoint to share the latest one');
}
