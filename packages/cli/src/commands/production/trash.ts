// The project's trash: what was deleted (collections, assets, checkpoints) and putting it back.
import type { Command } from 'commander';
import type { TrashItem } from '@backlot/api';
import { CliError, EXIT } from '../../output/exit-codes.js';
import { formatTime, printJson, printTable, say } from '../../output/print.js';
import { examples, fileName, isId, positiveInt, projectOf, shortId, type ProjectContext } from './shared.js';
import { Refs } from './task-ref.js';

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
      const where = await placesOf(ctx);
      printTable(
        items.map((t) => [t.kind, describe(t, where), formatTime(t.deletedAt), t.deletedBy.name ?? '(gone)', shortId(t.id)]),
        ['KIND', where ? 'PATH' : 'NAME', 'DELETED', 'BY', 'ID'],
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
      const where = await placesOf(ctx);
      if (!isId(ref)) {
        item = pick((await trashItems(ctx, 1000)).items, ref, where);
        id = item.id;
      }
      const restored = await ctx.api.production.restore(ctx.projectId, id);
      if (opts.json) return printJson(restored);
      say(`Restored ${restored.kind} ${item ? describe(item, where) : restored.restored}`);
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

/** Where things are in the working folder, to show a trashed item where it was (null outside one). */
interface Places {
  folders: ReadonlyMap<string, string>;
  assets: ReadonlyMap<string, string>;
}

async function placesOf(ctx: ProjectContext): Promise<Places | null> {
  const refs = new Refs(ctx);
  const [folders, assets] = await Promise.all([refs.folderPaths(), refs.pathsById()]);
  return folders && assets ? { folders, assets } : null;
}

/** NAME inside the folder `parentId` names, as a path when that folder is known here. */
function placed(where: Places | null, parentId: string | null, name: string): string {
  const dir = parentId === null ? '' : where?.folders.get(parentId);
  return dir ? `${dir}/${name}` : name;
}

function describe(t: TrashItem, where: Places | null = null): string {
  switch (t.kind) {
    case 'collection':
      return `${placed(where, t.parentId, t.name)}/ (${t.items.collections + t.items.assets} inside)`;
    case 'asset':
      return placed(where, t.collectionId, fileName(t));
    case 'checkpoint':
      return `${where?.assets.get(t.assetId) ?? fileName({ name: t.assetName, extension: t.assetExtension })} #${t.number}`;
  }
}

/** A trashed item by id prefix, name, or path in the working folder. */
function pick(items: readonly TrashItem[], ref: string, where: Places | null): TrashItem {
  const r = ref.toLowerCase().replace(/\/+$/, '');
  const byId = r.length >= 4 ? items.filter((t) => t.id.toLowerCase().startsWith(r)) : [];
  const names = (t: TrashItem): string[] => {
    if (t.kind === 'checkpoint') return [];
    const name = t.kind === 'asset' ? fileName(t) : t.name;
    return [t.name, name, placed(where, t.kind === 'asset' ? t.collectionId : t.parentId, name)].map((n) => n.toLowerCase());
  };
  const byName = items.filter((t) => names(t).includes(r));
  const hits = byId.length ? byId : byName;
  if (hits.length === 1) return hits[0];
  if (hits.length === 0) throw new CliError(`nothing called "${ref}" in the trash`, EXIT.error, 'list it with: backlot trash');
  const lines = hits.slice(0, 20).map((t) => `  ${shortId(t.id)}  ${t.kind.padEnd(10)} ${describe(t, where)}  ${formatTime(t.deletedAt)}`);
  throw new CliError(`"${ref}" matches ${hits.length} trashed items:\n${lines.join('\n')}`, EXIT.usage, 'give its id: backlot restore ID');
}
