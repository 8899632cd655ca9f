// The trash as its keepers see it: every trash root (a trashed collection with its item counts,
// a trashed asset, a trashed checkpoint) with who trashed it and when, newest first. Only for
// members who may restore or purge (core's read policy).
// Which roots a member sees is core's `canSeeTrashed`.
import { authorizeRead, BacklotError, canSeeTrashed } from '@backlot/core';
import { sql } from 'kysely';
import { check } from '../access/access.js';
import type { Reader } from '../projection/read-context.js';

type Kind = 'collection' | 'asset' | 'checkpoint';
interface Root {
  kind: Kind;
  id: string;
  deletedAt: string;
}

const IN_CHUNK = 500;

function parseCursor(raw: string | undefined): { at: string; id: string } | null {
  if (raw === undefined) return null;
  const m = /^([0-9TZ:.+-]{10,40})~([0-9a-f-]{36})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) throw new BacklotError('validation_failed', 'invalid cursor', { field: 'cursor' });
  return { at: m[1], id: m[2] };
}

export async function listTrash(r: Reader, cursor: string | undefined, limit: number) {
  check(authorizeRead(r.actor, 'trash.view'), { studioId: r.project.studio_id, projectId: r.project.id, action: 'trash.view' });
  const after = parseCursor(cursor);
  const db = r.ctx.db;
  const pid = r.project.id;
  const [collections, assets, checkpoints] = await Promise.all([
    db.selectFrom('collections').select(['id', 'parent_id', 'deleted_at'])
      .where('project_id', '=', pid).where(sql.ref('trash_root'), '=', sql.ref('id')).execute(),
    db.selectFrom('assets').select(['id', 'collection_id', 'deleted_at'])
      .where('project_id', '=', pid).where(sql.ref('trash_root'), '=', sql.ref('id')).execute(),
    db.selectFrom('checkpoints as c').innerJoin('assets as a', 'a.id', 'c.asset_id')
      .select(['c.id', 'c.asset_id', 'c.deleted_at', 'a.collection_id', 'a.deleted_at as asset_deleted_at'])
      .where('c.project_id', '=', pid).where('c.deleted_at', 'is not', null).execute(),
  ]);
  const v = r.view;
  const roots: Root[] = [
    ...collections.filter((c) => canSeeTrashed(v, { kind: 'collection', placeId: c.parent_id })).map((c) => ({ kind: 'collection' as const, id: c.id, deletedAt: c.deleted_at! })),
    ...assets.filter((a) => canSeeTrashed(v, { kind: 'asset', placeId: a.collection_id })).map((a) => ({ kind: 'asset' as const, id: a.id, deletedAt: a.deleted_at! })),
    ...checkpoints
      .filter((c) => canSeeTrashed(v, { kind: 'checkpoint', placeId: c.collection_id, liveAssetId: c.asset_deleted_at === null ? c.asset_id : null }))
      .map((c) => ({ kind: 'checkpoint' as const, id: c.id, deletedAt: c.deleted_at! })),
  ];
  // Newest first; ids (unique across tables) break ties.
  roots.sort((a, b) => (a.deletedAt > b.deletedAt ? -1 : a.deletedAt < b.deletedAt ? 1 : a.id > b.id ? -1 : a.id < b.id ? 1 : 0));
  const start = after ? roots.findIndex((x) => x.deletedAt < after.at || (x.deletedAt === after.at && x.id < after.id)) : 0;
  const page = start < 0 ? [] : roots.slice(start, start + limit);
  const more = start >= 0 && roots.length > start + limit;
  return { items: await describe(r, page), nextCursor: more ? Buffer.from(`${page[page.length - 1].deletedAt}~${page[page.length - 1].id}`).toString('base64url') : null };
}

async function byIds<T>(ids: string[], load: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) out.push(...(await load(ids.slice(i, i + IN_CHUNK))));
  return out;
}

async function describe(r: Reader, page: Root[]) {
  const db = r.ctx.db;
  const pid = r.project.id;
  const ids = (k: Kind) => page.filter((x) => x.kind === k).map((x) => x.id);
  const [cRows, aRows, kRows, cCounts, aCounts] = await Promise.all([
    byIds(ids('collection'), (part) => db.selectFrom('collections as c').leftJoin('users as u', 'u.id', 'c.deleted_by')
      .select(['c.id', 'c.name', 'c.parent_id', 'c.type', 'c.deleted_at', 'c.deleted_by', 'u.name as deleted_by_name']).where('c.id', 'in', part).execute()),
    byIds(ids('asset'), (part) => db.selectFrom('assets as a').leftJoin('users as u', 'u.id', 'a.deleted_by')
      .select(['a.id', 'a.name', 'a.extension', 'a.kind', 'a.collection_id', 'a.deleted_at', 'a.deleted_by', 'u.name as deleted_by_name']).where('a.id', 'in', part).execute()),
    byIds(ids('checkpoint'), (part) => db.selectFrom('checkpoints as c').innerJoin('assets as a', 'a.id', 'c.asset_id').leftJoin('users as u', 'u.id', 'c.deleted_by')
      .select(['c.id', 'c.asset_id', 'c.number', 'c.preview_hash', 'c.deleted_at', 'c.deleted_by', 'u.name as deleted_by_name', 'a.name as asset_name', 'a.extension as asset_extension'])
      .where('c.id', 'in', part).execute()),
    // Items trashed with a collection: everything that carries its id as trash root.
    byIds(ids('collection'), (part) => db.selectFrom('collections').select(['trash_root', sql<number>`count(*)`.as('n')])
      .where('project_id', '=', pid).where('trash_root', 'in', part).groupBy('trash_root').execute()),
    byIds(ids('collection'), (part) => db.selectFrom('assets').select(['trash_root', sql<number>`count(*)`.as('n')])
      .where('project_id', '=', pid).where('trash_root', 'in', part).groupBy('trash_root').execute()),
  ]);
  const cMap = new Map(cRows.map((x) => [x.id, x]));
  const aMap = new Map(aRows.map((x) => [x.id, x]));
  const kMap = new Map(kRows.map((x) => [x.id, x]));
  const nCollections = new Map(cCounts.map((x) => [x.trash_root, Number(x.n)]));
  const nAssets = new Map(aCounts.map((x) => [x.trash_root, Number(x.n)]));
  return page.flatMap((root): object[] => {
    if (root.kind === 'collection') {
      const c = cMap.get(root.id);
      return c ? [{
        kind: root.kind, id: c.id, name: c.name, parentId: c.parent_id, collectionType: c.type,
        deletedAt: c.deleted_at, deletedBy: { id: c.deleted_by, name: c.deleted_by_name },
        // The root itself not counted among its items.
        items: { collections: Math.max(0, (nCollections.get(c.id) ?? 1) - 1), assets: nAssets.get(c.id) ?? 0 },
      }] : [];
    }
    if (root.kind === 'asset') {
      const a = aMap.get(root.id);
      return a ? [{
        kind: root.kind, id: a.id, name: a.name, extension: a.extension, assetKind: a.kind, collectionId: a.collection_id,
        deletedAt: a.deleted_at, deletedBy: { id: a.deleted_by, name: a.deleted_by_name },
      }] : [];
    }
    const k = kMap.get(root.id);
    return k ? [{
      kind: root.kind, id: k.id, assetId: k.asset_id, assetName: k.asset_name, assetExtension: k.asset_extension, number: Number(k.number), previewHash: k.preview_hash,
      deletedAt: k.deleted_at, deletedBy: { id: k.deleted_by, name: k.deleted_by_name },
    }] : [];
  });
}
