// The sync pull: the changes after a cursor, filtered by what the caller may see now, or a
// snapshot of everything they may see when their visibility changed (docs/design.md).
import {
  authorizeRead, BacklotError, canSeeControlRequest, canSeeMemberEmails, canSeeRemoval, MAX_PULL, parseCursor,
  type Change, type CollectionNameView, type CollectionView, type Cursor, type Entity, type MemberView, type ProjectActor, type PullAnswer,
} from '@backlot/core';
import type { Ctx } from '../context.js';
import { loadMemberAccess } from '../access/access.js';
import { graphAt } from '../projection/graph-cache.js';
import { viewOf } from '../projection/read-context.js';
import { assetView, checkpointView, collectionNameView, collectionView, controlRequestView, dependencyView, statusView } from '../db/views.js';
import { visibilityDigest, visibilityDigests } from './digest.js';

function cursorOf(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  const cursor = parseCursor(raw);
  if (!cursor) throw new BacklotError('validation_failed', 'invalid cursor', { field: 'since' });
  return cursor;
}

/**
 * What one change-log entry looks like to this member, or null when they may not see it.
 * Removals carry the entity and id alone, to those core's canSeeRemoval lets hear of them.
 */
function filterEntry(view: MemberView, canViewCheckpoints: boolean, e: { revision: number; at: string; actorId: string | null; entity: Entity; entity_id: string; change: string; data: string | null }): Change | null {
  const data = e.data ? JSON.parse(e.data) : null;
  if (e.change === 'remove')
    return canSeeRemoval(view, { entity: e.entity, assetId: data?.assetId }, canViewCheckpoints) ? { revision: e.revision, entity: e.entity, id: e.entity_id, change: 'remove' } : null;
  let shown: unknown = null;
  switch (e.entity) {
    case 'collection': {
      const access = view.collectionAccess(e.entity_id);
      shown = access === 'full' ? data : access === 'name' ? collectionNameView(data) : null;
      break;
    }
    case 'asset':
      shown = view.canSeeAsset(e.entity_id) ? data : null;
      break;
    case 'dependency':
      shown = view.canSeeAsset(data.assetId) ? data : null;
      break;
    case 'checkpoint':
      shown = canViewCheckpoints && view.canSeeAsset(data.assetId) ? data : null;
      break;
    case 'control_request':
      shown = canSeeControlRequest(view, data) ? data : null;
      break;
    default:
      shown = data; // statuses, settings, members: every member sees them
  }
  return shown === null ? null : { revision: e.revision, at: e.at, actorId: e.actorId, entity: e.entity, id: e.entity_id, change: 'upsert', data: shown };
}

export async function pullChanges(ctx: Ctx, projectId: string, since: string | undefined, limit = MAX_PULL): Promise<PullAnswer> {
  const { project, actor } = await loadMemberAccess(ctx, projectId);
  const revision = Number(project.revision);
  const graph = await graphAt(ctx.db, projectId, revision);
  // The memoised view (read-context.ts): a board, a list and a pull at one revision share it.
  const view = viewOf(graph, revision, actor);
  const cursor = cursorOf(since);
  if (cursor && cursor.revision > revision) throw new BacklotError('validation_failed', 'the cursor is ahead of the server', { field: 'since' });
  const canViewCheckpoints = authorizeRead(actor, 'checkpoint.view').allowed;
  const pageSize = Math.min(Math.max(limit, 1), MAX_PULL);

  // The cursor's digest and the head's, from one pass over the visible items: a pull ends at the
  // head unless it has more to page through.
  const [atCursor, atHead] = visibilityDigests(graph, actor, view, cursor ? [cursor.revision, revision] : [revision, revision]);
  if (!cursor || atCursor !== cursor.digest)
    return { ...(await snapshot(ctx, projectId, revision, actor, view, canViewCheckpoints)), cursor: `${revision}.${atHead}` };

  const rows = await ctx.db
    .selectFrom('change_log')
    .select(['revision', 'entity', 'entity_id', 'change', 'data', 'actor_id', 'created_at'])
    .where('project_id', '=', projectId)
    .where('revision', '>', cursor.revision)
    .where('revision', '<=', revision)
    .orderBy('revision')
    .orderBy('seq')
    .limit(pageSize + 1)
    .execute();
  let upTo = revision;
  let page = rows;
  if (rows.length > pageSize) {
    // Stop before the last revision, which may be cut: a pull never ends inside a revision.
    upTo = Number(rows[rows.length - 1].revision) - 1;
    page = rows.filter((r) => Number(r.revision) <= upTo);
    if (!page.length) {
      // One revision larger than a page: it goes whole (the fetched rows may hold only its start).
      upTo = Number(rows[0].revision);
      page = await ctx.db
        .selectFrom('change_log')
        .select(['revision', 'entity', 'entity_id', 'change', 'data', 'actor_id', 'created_at'])
        .where('project_id', '=', projectId)
        .where('revision', '=', upTo)
        .orderBy('seq')
        .execute();
    }
  }
  const changes: Change[] = [];
  for (const r of page) {
    const shown = filterEntry(view, canViewCheckpoints, { ...r, revision: Number(r.revision), at: r.created_at, actorId: r.actor_id });
    if (shown) changes.push(shown);
  }
  return {
    reset: false as const, revision: upTo, cursor: `${upTo}.${upTo === revision ? atHead : visibilityDigest(graph, actor, view, upTo)}`,
    hasMore: upTo < revision, changes,
  };
}

const IN_CHUNK = 500;

async function byIds<T>(ids: string[], load: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) out.push(...(await load(ids.slice(i, i + IN_CHUNK))));
  return out;
}

/** Everything the member may see now, as of one revision. */
async function snapshot(ctx: Ctx, projectId: string, revision: number, actor: ProjectActor, view: MemberView, canViewCheckpoints: boolean) {
  const db = ctx.db;
  const [collections, assets, statuses, project, members] = await Promise.all([
    db.selectFrom('collections').selectAll().where('project_id', '=', projectId).where('deleted_at', 'is', null).execute(),
    view.allAssets
      ? db.selectFrom('assets').selectAll().where('project_id', '=', projectId).where('deleted_at', 'is', null).execute()
      : byIds([...view.visibility.assets], (part) => db.selectFrom('assets').selectAll().where('id', 'in', part).execute()),
    db.selectFrom('statuses').selectAll().where('project_id', '=', projectId).where('deleted_at', 'is', null).orderBy('sort_order').execute(),
    db.selectFrom('projects').select('settings').where('id', '=', projectId).executeTakeFirstOrThrow(),
    db.selectFrom('project_members as pm').innerJoin('users as u', 'u.id', 'pm.user_id').select(['u.id', 'u.name', 'u.email', 'pm.role_id']).where('pm.project_id', '=', projectId).execute(),
  ]);
  const assetIds = assets.filter((a) => view.canSeeAsset(a.id)).map((a) => a.id);
  const dependencies = await byIds(assetIds, (part) => db.selectFrom('dependencies').selectAll().where('asset_id', 'in', part).execute());
  const checkpoints = canViewCheckpoints
    ? await byIds(assetIds, (part) => db.selectFrom('checkpoints').selectAll().where('asset_id', 'in', part).where('deleted_at', 'is', null).execute())
    : [];
  const emails = canSeeMemberEmails(actor);
  const requests = await db.selectFrom('control_requests').selectAll().where('project_id', '=', projectId).where('status', '=', 'pending').execute();
  return {
    reset: true as const, revision, hasMore: false as const,
    snapshot: {
      collections: collections.flatMap((c): (CollectionView | CollectionNameView)[] => {
        const access = view.collectionAccess(c.id);
        return access === 'full' ? [collectionView(c)] : access === 'name' ? [collectionNameView(collectionView(c))] : [];
      }),
      assets: assets.filter((a) => view.canSeeAsset(a.id)).map(assetView),
      dependencies: dependencies.map(dependencyView), // sources are visible, hence so are targets
      checkpoints: checkpoints.map((c) => checkpointView(c)),
      controlRequests: requests.filter((r) => canSeeControlRequest(view, { requesterId: r.requester_id, assetId: r.asset_id })).map(controlRequestView),
      statuses: statuses.map(statusView),
      settings: JSON.parse(project.settings),
      members: members.map((m) => (emails ? { userId: m.id, name: m.name, email: m.email, roleId: m.role_id } : { userId: m.id, name: m.name, roleId: m.role_id })),
    },
  };
}
