// Trash: deleting moves an item (a collection with its whole subtree, an asset, a checkpoint)
// to the trash; restore puts it back in its old place; purge removes it for good.
import { BacklotError, notFound } from '@backlot/core';
import type { Handler, OpEnv } from './env.js';
import { assertFreeName } from './lookups.js';
import { assetView, checkpointView, collectionView } from '../db/views.js';
import { cancelPendingRequests } from './request-states.js';
import type { AssetsTable } from '../db/schema.js';

/** Every live collection below (and including) a root, from the graph of the current revision. */
function subtree(env: OpEnv, rootId: string): { collections: string[]; assets: string[] } {
  const collections: string[] = [];
  const assets: string[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    collections.push(id);
    for (const a of env.graph.assetsIn(id)) assets.push(a);
    for (const c of env.graph.childrenOf(id)) stack.push(c);
  }
  return { collections, assets };
}

const CHUNK = 500; // keeps IN lists within every database's parameter limit

async function inChunks(ids: string[], fn: (part: string[]) => Promise<unknown>) {
  for (let i = 0; i < ids.length; i += CHUNK) await fn(ids.slice(i, i + CHUNK));
}

export async function trashCollection(env: OpEnv, rootId: string) {
  const { collections, assets } = subtree(env, rootId);
  const set = { deleted_at: env.at, deleted_by: env.actor.userId, trash_root: rootId };
  await inChunks(collections, (part) => env.trx.updateTable('collections').set(set).where('id', 'in', part).where('deleted_at', 'is', null).execute());
  await inChunks(assets, (part) => env.trx.updateTable('assets').set(set).where('id', 'in', part).where('deleted_at', 'is', null).execute());
  for (const a of assets) await cancelPendingRequests(env, a, 'cancelled');
  for (const id of collections) await env.remove('collection', id, { id });
  for (const id of assets) await env.remove('asset', id, { id });
  return { collections: collections.length, assets: assets.length };
}

export async function trashAsset(env: OpEnv, asset: AssetsTable) {
  await env.trx.updateTable('assets').set({ deleted_at: env.at, deleted_by: env.actor.userId, trash_root: asset.id }).where('id', '=', asset.id).execute();
  await cancelPendingRequests(env, asset.id, 'cancelled');
  await env.remove('asset', asset.id, { id: asset.id });
}

/** Collections ordered so that each comes after its parent when both are in the list. */
function parentsFirst<T extends { id: string; parent_id: string | null }>(rows: T[]): T[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const depth = (r: T) => { let d = 0; for (let p = r.parent_id; p && byId.has(p); p = byId.get(p)!.parent_id) d++; return d; };
  return rows.map((r) => ({ r, d: depth(r) })).sort((a, b) => a.d - b.d).map((x) => x.r);
}

type TrashRoot =
  | { kind: 'collection'; id: string; parentId: string | null; name: string }
  | { kind: 'asset'; id: string; parentId: string | null; name: string; extension: string }
  | { kind: 'checkpoint'; id: string; assetId: string };

async function findTrashRoot(env: OpEnv, id: string): Promise<TrashRoot> {
  const c = await env.trx.selectFrom('collections').select(['id', 'parent_id', 'name', 'trash_root']).where('id', '=', id).where('project_id', '=', env.project.id).executeTakeFirst();
  if (c?.trash_root === id) return { kind: 'collection', id, parentId: c.parent_id, name: c.name };
  const a = await env.trx.selectFrom('assets').select(['id', 'collection_id', 'name', 'extension', 'trash_root']).where('id', '=', id).where('project_id', '=', env.project.id).executeTakeFirst();
  if (a?.trash_root === id) return { kind: 'asset', id, parentId: a.collection_id, name: a.name, extension: a.extension };
  const cp = await env.trx.selectFrom('checkpoints').select(['id', 'asset_id', 'deleted_at']).where('id', '=', id).where('project_id', '=', env.project.id).executeTakeFirst();
  if (cp?.deleted_at) return { kind: 'checkpoint', id, assetId: cp.asset_id };
  throw notFound('trashed item');
}

async function assertPlaceLive(env: OpEnv, parentId: string | null) {
  if (!parentId) return;
  const parent = await env.trx.selectFrom('collections').select('deleted_at').where('id', '=', parentId).executeTakeFirst();
  if (!parent || parent.deleted_at) throw new BacklotError('conflict', 'its old place is in the trash too; restore that first', { reason: 'parent_trashed', parentId });
}

export const restoreFromTrash: Handler<'trash.restore'> = async (env, op) => {
  env.authorize({ kind: 'trash.restore' });
  const root = await findTrashRoot(env, op.id);
  const clear = { deleted_at: null, deleted_by: null, trash_root: null };
  if (root.kind === 'checkpoint') {
    const asset = await env.trx.selectFrom('assets').select('deleted_at').where('id', '=', root.assetId).executeTakeFirstOrThrow();
    if (asset.deleted_at) throw new BacklotError('conflict', 'its asset is in the trash; restore that first', { reason: 'parent_trashed', parentId: root.assetId });
    await env.trx.updateTable('checkpoints').set({ deleted_at: null, deleted_by: null }).where('id', '=', root.id).execute();
    const cp = await env.trx.selectFrom('checkpoints').selectAll().where('id', '=', root.id).executeTakeFirstOrThrow();
    await env.upsert('checkpoint', root.id, checkpointView(cp));
  } else {
    await assertPlaceLive(env, root.parentId);
    await assertFreeName(env, root.kind === 'collection' ? 'collections' : 'assets', root.parentId, root.name, root.kind === 'asset' ? root.extension : null);
    const collections = parentsFirst(await env.trx.selectFrom('collections').selectAll().where('project_id', '=', env.project.id).where('trash_root', '=', root.id).execute());
    const assets = await env.trx.selectFrom('assets').selectAll().where('project_id', '=', env.project.id).where('trash_root', '=', root.id).execute();
    await env.trx.updateTable('collections').set(clear).where('project_id', '=', env.project.id).where('trash_root', '=', root.id).execute();
    await env.trx.updateTable('assets').set(clear).where('project_id', '=', env.project.id).where('trash_root', '=', root.id).execute();
    // Parents before children, so a replayed graph never sees an orphan.
    for (const c of collections) await env.upsert('collection', c.id, collectionView({ ...c, ...clear }));
    for (const a of assets) await env.upsert('asset', a.id, assetView({ ...a, ...clear }));
  }
  await env.audit('trash.restored', { type: root.kind, id: root.id }, null, null);
  return { restored: root.id, kind: root.kind };
};

export const purgeFromTrash: Handler<'trash.purge'> = async (env, op) => {
  env.authorize({ kind: 'trash.purge' });
  const root = await findTrashRoot(env, op.id);
  const pid = env.project.id;
  if (root.kind === 'checkpoint') {
    await env.trx.updateTable('status_changes').set({ checkpoint_id: null }).where('checkpoint_id', '=', root.id).execute();
    const uncovered = await env.trx.updateTable('assets').set({ cover_checkpoint_id: null }).where('cover_checkpoint_id', '=', root.id).returningAll().execute();
    // Live assets that lost their cover change for clients; trashed ones are not theirs to see.
    for (const a of uncovered) if (a.deleted_at === null) await env.upsert('asset', a.id, assetView(a));
    await env.trx.deleteFrom('checkpoints').where('id', '=', root.id).execute();
  } else {
    // Everything below a purged collection goes with it, including items trashed on their own
    // before it (they cannot outlive their parent's row). Walked parents first.
    const collectionIds = root.kind === 'collection' ? [root.id] : [];
    if (collectionIds.length) {
      // The trashed tree in one query, walked in memory (a query per collection costs thousands).
      const children = new Map<string, string[]>();
      const trashed = await env.trx.selectFrom('collections').select(['id', 'parent_id']).where('project_id', '=', pid).where('deleted_at', 'is not', null).execute();
      for (const c of trashed) {
        if (!c.parent_id) continue;
        const list = children.get(c.parent_id);
        if (list) list.push(c.id);
        else children.set(c.parent_id, [c.id]);
      }
      for (let i = 0; i < collectionIds.length; i++) collectionIds.push(...(children.get(collectionIds[i]) ?? []));
    }
    const assetIds = root.kind === 'asset' ? [root.id] : [];
    await inChunks(collectionIds, async (part) => {
      assetIds.push(...(await env.trx.selectFrom('assets').select('id').where('project_id', '=', pid).where('collection_id', 'in', part).where('deleted_at', 'is not', null).execute()).map((r) => r.id));
    });
    // Dependencies on purged items go with them (from either end).
    // Each removal keeps its source asset, so pulls tell exactly those who could see it.
    const removedDeps: { id: string; asset_id: string }[] = [];
    await inChunks(assetIds, async (part) => {
      removedDeps.push(...await env.trx.deleteFrom('dependencies').where((eb) => eb.or([eb('asset_id', 'in', part), eb('target_asset_id', 'in', part)])).returning(['id', 'asset_id']).execute());
      await env.trx.deleteFrom('checkpoints').where('asset_id', 'in', part).execute();
      await env.trx.deleteFrom('status_changes').where('asset_id', 'in', part).execute();
      await env.trx.deleteFrom('control_requests').where('asset_id', 'in', part).execute();
    });
    await inChunks(collectionIds, async (part) => {
      removedDeps.push(...await env.trx.deleteFrom('dependencies').where('target_collection_id', 'in', part).returning(['id', 'asset_id']).execute());
    });
    await inChunks(assetIds, (part) => env.trx.deleteFrom('assets').where('id', 'in', part).execute());
    // Children before parents (parent_id references): the walk above went parents first.
    const ordered = [...collectionIds].reverse();
    for (const id of ordered) await env.trx.deleteFrom('collections').where('id', '=', id).execute();
    for (const d of removedDeps) await env.remove('dependency', d.id, { id: d.id, assetId: d.asset_id });
  }
  await env.audit('trash.purged', { type: root.kind, id: root.id }, null, null);
  return { purged: root.id, kind: root.kind };
};
