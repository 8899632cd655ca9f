// The project's trash: what was deleted (collections, assets, checkpoints) and putting it back.
import type { Command } from 'commander';
import type { TrashItem } from '@backlot/api';
import { CliError, EXIT } from '../../output/exit-codes.js';
import { formatTime, printJson, printTable, say } from '../../output/print.js';
import { examples, fileName, isId, positiveInt, projectOf, shortId, type ProjectContext } from './shared.js';

export function trashCommands(program: Command): void {
  program
    .command('trash')
    .description('What was deleted in the project, newest first (needs trash.restore or trash.purge)')
    .option('--limit <n>', 'at most this many items', positiveInt('--limit'), 200)
    .addHelpText('after', examples('backlot trash', 'backlot trash --json --project Forest'))
    .action(async (o: { limit: number }, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const { items, more } = await trashItems(ctx, o.limit);
      if (opts.json) return printJson({ projectId: ctx.projectId, items });
      if (items.length === 0) return say('The trash is empty.');
      printTable(
        items.map((t) => [t.kind, describe(t), formatTime(t.deletedAt), t.deletedBy.name ?? '(gone)', shortId(t.id)]),
        ['KIND', 'NAME', 'DELETED', 'BY', 'ID'],
      );
      if (more) say(`(newest ${items.length}; raise --limit for more)`);
      say('Put one back with: backlot restore ID');
    });

  program
    .command('restore')
    .argument('<item>', 'a trashed item\'s id (or the start of it, or its name, as `backlot trash` shows)')
    .description('Put a trashed collection, asset or checkpoint back where it was')
    .addHelpText('after', examples('backlot restore 3f2a9c1e', 'backlot restore shot010.blend'))
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      let item: TrashItem | undefined;
      let id = ref;
      if (!isId(ref)) {
        item = pick((await trashItems(ctx, 1000)).items, ref);
        id = item.id;
      }
      const restored = await ctx.api.production.restore(ctx.projectId, id);
      if (opts.json) return printJson(restored);
      say(`Restored ${restored.kind} ${item ? describe(item) : restored.restored}`);
    });
}

async function trashItems(ctx: ProjectContext, limit: number): Promise<{ items: TrashItem[]; more: boolean }> {
  const items: TrashItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.api.browse.trash(ctx.projectId, { cursor, limit: Math.min(200, limit - items.length) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < limit);
  return { items, more: Boolean(cursor) };
}

function describe(t: TrashItem): string {
  switch (t.kind) {
    case 'collection':
      return `${t.name}/ (${t.items.collections + t.items.assets} inside)`;
    case 'asset':
      return fileName(t);
    case 'checkpoint':
      return `${fileName({ name: t.assetName, extension: t.assetExtension })} #${t.number}`;
  }
}

function pick(items: readonly TrashItem[], ref: string): TrashItem {
  const r = ref.toLowerCase();
  const byId = r.length >= 4 ? items.filter((t) => t.id.toLowerCase().startsWith(r)) : [];
  const byName = items.filter((t) => (t.kind === 'checkpoint' ? false : t.name.toLowerCase() === r || (t.kind === 'asset' && fileName(t).toLowerCase() === r)));
  const hits = byId.length ? byId : byName;
  if (hits.length === 1) return hits[0];
  if (hits.length === 0) throw new CliError(`nothing called "${ref}" in the trash`, EXIT.error, 'list it with: backlot trash');
  const lines = hits.slice(0, 20).map((t) => `  ${shortId(t.id)}  ${t.kind.padEnd(10)} ${describe(t)}  ${formatTime(t.deletedAt)}`);
  throw new CliError(`"${ref}" matches ${hits.length} trashed items:\n${lines.join('\n')}`, EXIT.usage, 'give its id: backlot restore ID');
}
