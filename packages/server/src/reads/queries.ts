// Read side of production tracking, item by item: one asset, the collection tree, pending control
// requests, statuses and settings. Each answer passes through the caller's MemberView: what is
// invisible does not appear, and collections seen only as parents show only their names.
import { notFound } from '@backlot/core';
import type { Reader } from '../projection/read-context.js';
import { loadCards } from './cards.js';
import { chainsOf, folderPaths } from '../projection/folder-paths.js';
import { collectionNameView, collectionView, statusView } from '../db/views.js';
import type { CollectionsTable } from '../db/schema.js';

type CollectionOut = ReturnType<typeof collectionView> & { assigneeName: string | null } | ReturnType<typeof collectionNameView>;

function showCollection(r: Reader, row: CollectionsTable & { assignee_name?: string | null }): CollectionOut | null {
  const access = r.view.collectionAccess(row.id);
  if (access === 'full') return { ...collectionView(row), assigneeName: row.assignee_name ?? null };
  if (access === 'name') return collectionNameView({ id: row.id, parentId: row.parent_id, name: row.name });
  return null;
}

/** The chain of collections above an item, top first; each at least visible by name. */
async function pathOf(r: Reader, collectionId: string | null) {
  return collectionId ? (await chainsOf(r, [collectionId])).get(collectionId) ?? [] : [];
}

// ---- collections -------------------------------------------------------------------------------

/** The collections directly inside `parentId` (null: the top level), as the member may see them. */
export async function listCollections(r: Reader, parentId: string | null) {
  let parent: CollectionOut | null = null;
  if (parentId !== null) parent = (await getCollectionRow(r, parentId)).shown;
  const rows = await r.ctx.db
    .selectFrom('collections as c')
    .leftJoin('users as u', 'u.id', 'c.assignee_id')
    .selectAll('c').select('u.name as assignee_name')
    .where('c.project_id', '=', r.project.id)
    .where('c.parent_id', parentId === null ? 'is' : '=', parentId)
    .where('c.deleted_at', 'is', null)
    .orderBy('c.name').orderBy('c.id')
    .execute();
  return {
    parent,
    path: parentId === null ? [] : await pathOf(r, parentId),
    collections: rows.map((row) => showCollection(r, row)).filter((c): c is CollectionOut => c !== null),
  };
}

async function getCollectionRow(r: Reader, id: string) {
  if (!r.view.collectionAccess(id)) throw notFound('collection');
  const row = await r.ctx.db
    .selectFrom('collections as c')
    .leftJoin('users as u', 'u.id', 'c.assignee_id')
    .selectAll('c').select('u.name as assignee_name')
    .where('c.id', '=', id).where('c.project_id', '=', r.project.id).where('c.deleted_at', 'is', null)
    .executeTakeFirst();
  const shown = row ? showCollection(r, row) : null;
  if (!shown) throw notFound('collection');
  return { row: row!, shown };
}

export async function getCollection(r: Reader, id: string) {
  const { shown } = await getCollectionRow(r, id);
  return { ...shown, path: await pathOf(r, r.graph.collections.get(id)?.parentId ?? null) };
}

// ---- one asset ---------------------------------------------------------------------------------

export async function getAsset(r: Reader, assetId: string) {
  if (!r.view.canSeeAsset(assetId)) throw notFound('asset');
  const [card] = await loadCards(r, [assetId]);
  if (!card) throw notFound('asset');
  const db = r.ctx.db;
  const [outgoing, incoming, requests, path] = await Promise.all([
    db.selectFrom('dependencies as d')
      .leftJoin('assets as ta', 'ta.id', 'd.target_asset_id')
      .leftJoin('collections as tc', 'tc.id', 'd.target_collection_id')
      .select(['d.id', 'd.type', 'd.target_asset_id', 'd.target_collection_id', 'd.created_at', 'ta.name as asset_name', 'ta.extension as asset_extension', 'tc.name as collection_name'])
      .where('d.asset_id', '=', assetId).where('d.project_id', '=', r.project.id)
      .orderBy('d.created_at').orderBy('d.id').execute(),
    db.selectFrom('dependencies as d')
      .innerJoin('assets as sa', 'sa.id', 'd.asset_id')
      .select(['d.id', 'd.type', 'd.asset_id', 'd.created_at', 'sa.name as asset_name', 'sa.extension as asset_extension'])
      .where('d.target_asset_id', '=', assetId)
      .orderBy('d.created_at').orderBy('d.id').execute(),
    db.selectFrom('control_requests as cr')
      .leftJoin('users as u', 'u.id', 'cr.requester_id')
      .select(['cr.id', 'cr.requester_id', 'u.name as requester_name', 'cr.message', 'cr.created_at'])
      .where('cr.asset_id', '=', assetId).where('cr.status', '=', 'pending')
      .orderBy('cr.created_at').orderBy('cr.id').execute(),
    pathOf(r, card.collectionId),
  ]);
  return {
    ...card,
    path,
    canDownload: r.view.canDownload(assetId),
    // Targets of a visible asset's dependencies are visible (closure); checked all the same.
    dependencies: outgoing.flatMap((d): object[] => {
      if (d.target_asset_id) return r.view.canSeeAsset(d.target_asset_id)
        ? [{ id: d.id, type: d.type, createdAt: d.created_at, target: { kind: 'asset' as const, id: d.target_asset_id, name: d.asset_name, extension: d.asset_extension } }] : [];
      const access = d.target_collection_id ? r.view.collectionAccess(d.target_collection_id) : null;
      return access ? [{ id: d.id, type: d.type, createdAt: d.created_at, target: { kind: 'collection' as const, id: d.target_collection_id!, name: d.collection_name } }] : [];
    }),
    dependents: incoming.filter((d) => r.view.canSeeAsset(d.asset_id))
      .map((d) => ({ id: d.id, type: d.type, createdAt: d.created_at, source: { id: d.asset_id, name: d.asset_name, extension: d.asset_extension } })),
    pendingRequests: requests.map((q) => ({ id: q.id, requester: { id: q.requester_id, name: q.requester_name }, message: q.message, createdAt: q.created_at })),
  };
}

// ---- control requests --------------------------------------------------------------------------

export type RequestScope = 'mine' | 'to-me' | 'task';

/** Pending control requests: made by me, addressed to me (as assignee), or on one task. */
export async function listControlRequests(r: Reader, scope: RequestScope, assetId: string | undefined) {
  const me = r.actor.userId;
  if (scope === 'task' && !r.view.canSeeAsset(assetId!)) throw notFound('asset');
  const rows = await r.ctx.db
    .selectFrom('control_requests as cr')
    .innerJoin('assets as a', 'a.id', 'cr.asset_id')
    .leftJoin('users as u', 'u.id', 'cr.requester_id')
    .leftJoin('users as au', 'au.id', 'a.assignee_id')
    .select([
      'cr.id', 'cr.status', 'cr.message', 'cr.created_at', 'cr.requester_id', 'u.name as requester_name',
      'a.id as asset_id', 'a.collection_id as asset_collection_id', 'a.name as asset_name', 'a.extension as asset_extension',
      'a.status_id as asset_status_id', 'a.assignee_id', 'au.name as assignee_name',
    ])
    .where('cr.project_id', '=', r.project.id)
    .where('cr.status', '=', 'pending')
    .where('a.deleted_at', 'is', null)
    .$if(scope === 'mine', (q) => q.where('cr.requester_id', '=', me))
    .$if(scope === 'to-me', (q) => q.where('a.project_id', '=', r.project.id).where('a.assignee_id', '=', me))
    .$if(scope === 'task', (q) => q.where('cr.asset_id', '=', assetId!))
    .orderBy('cr.created_at').orderBy('cr.id')
    .execute();
  const visible = rows.filter((q) => r.view.canSeeAsset(q.asset_id));
  const folderOf = await folderPaths(r, visible.map((q) => q.asset_collection_id));
  return {
    scope,
    requests: visible.map((q) => ({
      id: q.id, status: q.status, message: q.message, createdAt: q.created_at,
      requester: { id: q.requester_id, name: q.requester_name },
      asset: { id: q.asset_id, collectionId: q.asset_collection_id, folder: folderOf(q.asset_collection_id), name: q.asset_name, extension: q.asset_extension, statusId: q.asset_status_id, assigneeId: q.assignee_id, assigneeName: q.assignee_name },
    })),
  };
}

// ---- statuses and settings ---------------------------------------------------------------------

export async function listStatuses(r: Reader) {
  const rows = await r.ctx.db.selectFrom('statuses').selectAll().where('project_id', '=', r.project.id).where('deleted_at', 'is', null)
    .orderBy('sort_order').orderBy('id').execute();
  return { statuses: rows.map(statusView) };
}

export function projectSettings(r: Reader) {
  return { settings: JSON.parse(r.project.settings) as Record<string, unknown> };
}

