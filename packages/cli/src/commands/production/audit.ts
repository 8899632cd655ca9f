// The audit log of the project (audit.view) or of the studio (studio owners and admins).
import { Command, Option } from 'commander';
import type { AuditEntry, AuditFilter, AuditPage } from '@backlot/api';
import { connect, studioOf, projectContext } from '../../context.js';
import { CliError, EXIT } from '../../output/exit-codes.js';
import { formatTime, printJson, printTable, say } from '../../output/print.js';
import { examples, isId, positiveInt, shortId, timeOption, type GlobalOptions } from './shared.js';
import { Refs } from './task-ref.js';

interface AuditOptions {
  scope: 'project' | 'studio';
  action?: string;
  actor?: string;
  since?: string;
  until?: string;
  limit: number;
}

export function auditCommands(program: Command): void {
  program
    .command('audit')
    .description('Who did what, newest first: the project\'s log, or the whole studio\'s (--scope studio)')
    .addOption(new Option('--scope <scope>', 'the project\'s log (needs audit.view) or the studio\'s (studio owners and admins)').choices(['project', 'studio']).default('project'))
    .option('--action <action>', 'one action, or a prefix as task.*')
    .option('--actor <user>', 'by who did it: name, email, id or "me"')
    .option('--since <time>', 'from this time on (ISO date or time, or a span back: 7d, 12h)', timeOption('--since', { future: false }))
    .option('--until <time>', 'before this time (ISO date or time, or a span back)', timeOption('--until', { future: false }))
    .option('--limit <n>', 'at most this many entries', positiveInt('--limit'), 100)
    .addHelpText('after', examples(
      'backlot audit',
      'backlot audit --action task.* --since 7d',
      'backlot audit --actor ana@studio.com --project Forest --json',
      'backlot audit --scope studio --since 2026-05-01 --until 2026-06-01',
    ))
    .action(async (o: AuditOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const conn = connect(opts);
      let fetchPage: (f: AuditFilter) => Promise<AuditPage>;
      let people: Map<string, { name: string; email?: string }>;
      let where: { projectId: string } | { studioId: string };
      let refs: Refs | undefined;
      if (o.scope === 'studio') {
        const studioId = await studioOf(conn, opts);
        where = { studioId };
        fetchPage = (f) => conn.api.audit.studio(studioId, f);
        const { members } = await conn.api.studioMembers.list(studioId);
        people = new Map(members.map((m) => [m.userId, m]));
      } else {
        const ctx = await projectContext(opts);
        refs = new Refs(ctx);
        where = { projectId: ctx.projectId };
        fetchPage = (f) => ctx.api.audit.project(ctx.projectId, f);
        const { members } = await ctx.api.projectMembers.list(ctx.projectId);
        people = new Map(members.map((m) => [m.userId, m]));
      }
      const filter: AuditFilter = {};
      if (o.action) filter.action = o.action;
      if (o.since) filter.from = o.since;
      if (o.until) filter.to = o.until;
      if (o.actor) filter.actor = actorId(o.actor, people, conn.login.userId);
      const entries: AuditEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await fetchPage({ ...filter, cursor, limit: Math.min(1000, o.limit - entries.length) });
        entries.push(...page.entries);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && entries.length < o.limit);
      if (opts.json) return printJson({ ...where, entries, nextCursor: cursor ?? null });
      if (entries.length === 0) return say('No audit entries match.');
      const names = refs ? await assetPaths(refs, entries) : new Map<string, string>();
      const target = (e: AuditEntry): string => {
        const checkpoint = checkpointOf(e);
        const asset = checkpoint && names.get(checkpoint.assetId);
        if (asset) return `${asset} #${checkpoint.number}`;
        if (!e.targetId) return '';
        const shared = sharedAssetOf(e);
        if (shared && names.has(shared)) return `${shortId(e.targetId)} of ${names.get(shared)}`;
        // Ids are shortened; other targets (a refused request's route) are shown whole.
        return names.get(e.targetId) ?? people.get(e.targetId)?.name ?? (isId(e.targetId) ? shortId(e.targetId) : e.targetId);
      };
      printTable(
        entries.map((e) => [
          formatTime(e.at),
          e.actorId ? people.get(e.actorId)?.name ?? shortId(e.actorId) : '(anonymous)',
          e.action,
          e.targetType ? `${e.targetType} ${target(e)}` : '',
        ]),
        ['TIME', 'ACTOR', 'ACTION', 'TARGET'],
      );
      if (cursor) say(`(newest ${entries.length}; raise --limit or narrow with --since/--until for more)`);
    });
}

/** Someone who may have left: a current member by name or email, "me", or any user id. */
function actorId(ref: string, people: ReadonlyMap<string, { name: string; email?: string }>, me: string): string {
  if (ref.toLowerCase() === 'me') return me;
  if (/^[0-9a-f-]{36}$/i.test(ref)) return ref;
  const r = ref.toLowerCase();
  const hits = [...people].filter(([, p]) => p.name.toLowerCase() === r || p.email?.toLowerCase() === r);
  if (hits.length === 1) return hits[0][0];
  if (hits.length === 0) throw new CliError(`no member "${ref}" here`, EXIT.error, 'give their name, email or user id (a former member: their id)');
  throw new CliError(`"${ref}" names ${hits.length} members`, EXIT.usage, 'give their email or user id');
}

/** The asset and number of a checkpoint entry, where the entry's record says them. */
function checkpointOf(e: AuditEntry): { assetId: string; number: number } | null {
  if (e.targetType !== 'checkpoint') return null;
  const rec = (e.after ?? e.before) as { assetId?: unknown; number?: unknown } | null;
  return typeof rec?.assetId === 'string' && typeof rec.number === 'number' ? { assetId: rec.assetId, number: rec.number } : null;
}

/** The asset a share link's entry names (its creation records it). */
function sharedAssetOf(e: AuditEntry): string | null {
  if (e.targetType !== 'share_link') return null;
  const rec = (e.after ?? e.before) as { assetId?: unknown } | null;
  return typeof rec?.assetId === 'string' ? rec.assetId : null;
}

/**
 * Paths of the assets the entries are about (their own, their checkpoints', their share links'):
 * from the working folder where it has them, else asked of the server, as far as the caller can
 * still see them (a few lookups at most).
 */
async function assetPaths(refs: Refs, entries: readonly AuditEntry[]): Promise<Map<string, string>> {
  const { api, projectId } = refs.ctx;
  const about = new Set(entries.map((e) => (e.targetType === 'asset' ? e.targetId : checkpointOf(e)?.assetId ?? sharedAssetOf(e))).filter((id): id is string => Boolean(id)));
  const local = await refs.pathsById();
  const names = new Map<string, string>();
  for (const id of about) if (local?.has(id)) names.set(id, local.get(id)!);
  const ids = [...about].filter((id) => !names.has(id)).slice(0, 25);
  const found = await Promise.all(ids.map((id) => api.browse.asset(projectId, id).catch(() => null))); // trashed or not visible: its id will do
  const assets = found.filter((a) => a !== null);
  for (const [id, path] of await refs.pathsOf(assets)) names.set(id, path);
  return names;
}
