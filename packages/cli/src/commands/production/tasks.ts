// Reading production: `tasks` (a list with filters) and `board` (status columns).
import { Command, Option } from 'commander';
import type { AssetCard, AssetKind, AssetQuery, Board, BoardView } from '@backlot/api';
import { formatTime, printJson, printTable, say } from '../../output/print.js';
import { Refs } from './task-ref.js';
import { clip, collect, examples, labelOf, positiveInt, projectOf, statusLabel } from './shared.js';

interface FilterOptions {
  mine?: boolean;
  assigned?: boolean;
  unassigned?: boolean;
  status?: string[];
  assignee?: string[];
  type?: string;
  tag?: string;
  search?: string;
  kind: AssetKind | 'all';
}

/** The filters `tasks` and `board` share (docs/browse.md). */
function withFilters(cmd: Command): Command {
  return cmd
    .addOption(new Option('--mine', 'only tasks assigned to me').conflicts(['assigned', 'unassigned']))
    .addOption(new Option('--assigned', 'only tasks someone holds').conflicts(['mine', 'unassigned']))
    .addOption(new Option('--unassigned', 'only tasks nobody holds').conflicts(['mine', 'assigned']))
    .option('--status <status>', 'by status key, name or short label (repeat or comma-separate; "none": no status)', collect)
    .option('--assignee <user>', 'by assignee: name, email, id or "me" (repeat or comma-separate)', collect)
    .option('--type <type>', 'by asset type (exact)')
    .option('--tag <tag>', 'by tag (exact, case-sensitive)')
    .option('--search <text>', 'text in the name, type or tags (case-insensitive)')
    .addOption(new Option('--kind <kind>', 'tasks, resources or both').choices(['task', 'resource', 'all']).default('task'));
}

async function queryOf(refs: Refs, o: FilterOptions): Promise<AssetQuery> {
  const view: BoardView = o.mine ? 'my' : o.assigned ? 'assigned' : o.unassigned ? 'unassigned' : 'default';
  const q: AssetQuery = { view };
  if (o.kind !== 'all') q.kind = o.kind;
  if (o.status?.length) q.status = await Promise.all(o.status.map(async (s) => (s.toLowerCase() === 'none' ? 'none' : (await refs.status(s)).id)));
  if (o.assignee?.length) q.assignee = await Promise.all(o.assignee.map(async (u) => (await refs.user(u)).userId));
  if (o.type) q.type = o.type;
  if (o.tag) q.tag = o.tag;
  if (o.search) q.text = o.search;
  return q;
}

export function taskCommands(program: Command): void {
  withFilters(
    program
      .command('tasks')
      .description('List the project\'s tasks (or assets) with their status and assignee'),
  )
    .option('--limit <n>', 'at most this many rows', positiveInt('--limit'), 200)
    .addOption(new Option('--sort <key>', 'order of the rows').choices(['name', 'updated', 'created', 'status']).default('name'))
    .addHelpText('after', examples(
      'backlot tasks --mine',
      'backlot tasks --status wfa --project Forest',
      'backlot tasks --assignee artist@studio.com --search shot01',
      'backlot tasks --kind all --json | jq \'.assets[].name\'',
    ))
    .action(async (o: FilterOptions & { limit: number; sort: string }, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const refs = new Refs(ctx);
      const query = await queryOf(refs, o);
      query.sort = o.sort as AssetQuery['sort'];
      const assets: AssetCard[] = [];
      let cursor: string | undefined;
      let more = false;
      do {
        const page = await ctx.api.browse.assets(ctx.projectId, { ...query, cursor, limit: Math.min(200, o.limit - assets.length) });
        assets.push(...page.items);
        cursor = page.nextCursor ?? undefined;
        more = Boolean(cursor) && assets.length >= o.limit;
      } while (cursor && assets.length < o.limit);
      if (opts.json) return printJson({ projectId: ctx.projectId, assets });
      if (assets.length === 0) return say(o.kind === 'task' ? 'No tasks match.' : 'Nothing matches.');
      const [statuses, paths] = await Promise.all([refs.statusList(), refs.pathsOf(assets)]);
      printTable(
        assets.map((a) => [labelOf(a, paths), statusLabel(statuses, a.statusId), a.assigneeId ? a.assigneeName ?? '(gone)' : '-', a.type ?? '', formatTime(a.updatedAt)]),
        ['PATH', 'STATUS', 'ASSIGNEE', 'TYPE', 'UPDATED'],
      );
      if (more) say(`(first ${assets.length}; raise --limit for more)`);
    });

  withFilters(
    program
      .command('board')
      .description('The project board: a column per status with its count and cards'),
  )
    .option('--cards <n>', 'cards shown per column (the counts are always whole)', positiveInt('--cards'), 20)
    .addHelpText('after', examples('backlot board', 'backlot board --mine', 'backlot board --assignee Artist --project Forest', 'backlot board --json'))
    .action(async (o: FilterOptions & { cards: number }, cmd: Command) => {
      const { opts, ctx } = await projectOf(cmd);
      const refs = new Refs(ctx);
      const query = await queryOf(refs, o);
      const board = await ctx.api.browse.board(ctx.projectId, { ...query, limit: Math.min(200, o.cards) });
      if (opts.json) return printJson(board);
      printBoard(board, await refs.pathsOf(board.columns.flatMap((c) => c.cards.slice(0, o.cards))), o.cards);
    });
}

/** Columns one under another: they stay readable in any terminal width. */
function printBoard(board: Board, paths: ReadonlyMap<string, string>, perColumn: number): void {
  const width = Math.max(60, Math.min(process.stdout.columns || 80, 120));
  const out: string[] = [];
  for (const col of board.columns) {
    const s = col.status;
    const title = s ? `${s.name}${s.shortLabel && s.shortLabel.toLowerCase() !== s.name.toLowerCase() ? ` (${s.shortLabel})` : ''}` : 'No status';
    out.push(`${title} · ${col.count}`);
    const cards = col.cards.slice(0, perColumn);
    const nameWidth = Math.min(Math.max(10, ...cards.map((c) => labelOf(c, paths).length)), width - 28);
    for (const c of cards) {
      const who = c.assigneeId ? c.assigneeName ?? '(gone)' : '-';
      out.push(`  ${clip(labelOf(c, paths), nameWidth).padEnd(nameWidth)}  ${clip(who, width - nameWidth - 6)}`);
    }
    if (col.count > cards.length) out.push(`  … ${col.count - cards.length} more`);
    out.push('');
  }
  process.stdout.write(out.join('\n'));
}
