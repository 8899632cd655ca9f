// Reading the project's items: the server's mirror with this folder's unanswered operations laid
// over it (an overlay row replaces the mirror's row of the same id; a `removed` overlay hides it).
import type { AssetView, CheckpointView, CollectionNameView, CollectionView, ControlRequestView, MemberEntry, StatusView } from '@backlot/core';
import type { Field, ProjectDb } from './project-db.js';

export interface EntityViews {
  collection: CollectionView | CollectionNameView;
  asset: AssetView;
  checkpoint: LocalCheckpointView;
  status: StatusView;
  member: MemberEntry;
  control_request: ControlRequestView;
  dependency: unknown;
  role: unknown;
}
export type EntityName = keyof EntityViews;

/** A checkpoint as kept here: the server's view, plus its chunks and sizes once known. */
export type LocalCheckpointView = CheckpointView & { chunkSizes?: number[]; pending?: boolean };

interface Removed {
  removed: true;
}

export function listItems<E extends EntityName>(db: ProjectDb, entity: E): EntityViews[E][] {
  // Without queued changes (the usual case after a sync) the mirror is read as it is.
  const plain = db.stmt('SELECT 1 FROM overlay WHERE entity = ? LIMIT 1').get(entity) === undefined;
  if (plain) return (db.stmt('SELECT data FROM items WHERE entity = ?').all(entity) as { data: string }[]).map((r) => JSON.parse(r.data) as EntityViews[E]);
  const rows = db
    .stmt(
      `SELECT coalesce(o.data, i.data) AS data FROM items i LEFT JOIN overlay o ON o.entity = i.entity AND o.id = i.id WHERE i.entity = ?
       UNION ALL SELECT o.data FROM overlay o WHERE o.entity = ? AND NOT EXISTS (SELECT 1 FROM items i WHERE i.entity = o.entity AND i.id = o.id)`,
    )
    .all(entity, entity) as { data: string }[];
  const out: EntityViews[E][] = [];
  for (const r of rows) {
    const v = JSON.parse(r.data) as EntityViews[E] | Removed;
    if (!(v as Removed).removed) out.push(v as EntityViews[E]);
  }
  return out;
}

export function getItem<E extends EntityName>(db: ProjectDb, entity: E, id: string): EntityViews[E] | undefined {
  const row = (db.stmt('SELECT data FROM overlay WHERE entity = ? AND id = ?').get(entity, id) ??
    db.stmt('SELECT data FROM items WHERE entity = ? AND id = ?').get(entity, id)) as { data: string } | undefined;
  if (!row) return undefined;
  const v = JSON.parse(row.data) as EntityViews[E] | Removed;
  return (v as Removed).removed ? undefined : (v as EntityViews[E]);
}

/** An asset's checkpoints, oldest first (server ones by number, then this folder's pending ones). */
export function checkpointsOf(db: ProjectDb, assetId: string): LocalCheckpointView[] {
  const rows = db
    .stmt(
      `SELECT coalesce(o.data, i.data) AS data FROM items i LEFT JOIN overlay o ON o.entity = i.entity AND o.id = i.id
        WHERE i.entity = 'checkpoint' AND i.f_assetId = ?
       UNION ALL SELECT o.data FROM overlay o WHERE o.entity = 'checkpoint' AND o.f_assetId = ?
        AND NOT EXISTS (SELECT 1 FROM items i WHERE i.entity = 'checkpoint' AND i.id = o.id)`,
    )
    .all(assetId, assetId) as { data: string }[];
  return rows
    .map((r) => JSON.parse(r.data) as LocalCheckpointView | Removed)
    .filter((v): v is LocalCheckpointView => !(v as Removed).removed)
    .sort((a, b) => a.number - b.number);
}

/**
 * Some fields of every item of one kind, from the field columns (no JSON parsed): commands that
 * look at a whole folder (status on 100,000 files) need a few fields of each item, not its view.
 */
export function itemFields<T>(db: ProjectDb, entity: EntityName, fields: readonly ('id' | Field)[], { mirrorOnly = false } = {}): T[] {
  return db.stmt(itemFieldsSql(db, entity, fields, { mirrorOnly })).all() as T[];
}

/** The tasks assigned to a member (status lists them), filtered by SQLite. */
export function assignedTasks(db: ProjectDb, userId: string): { id: string; name: string; statusId: string | null }[] {
  return db.stmt(`SELECT id, name, statusId FROM (${itemFieldsSql(db, 'asset', ['id', 'name', 'kind', 'assigneeId', 'statusId'])}) WHERE kind = 'task' AND assigneeId = ?`).all(userId) as never;
}

/** The query of itemFields, for queries that join it with more (status). */
export function itemFieldsSql(db: ProjectDb, entity: EntityName, fields: readonly ('id' | Field)[], { mirrorOnly = false } = {}): string {
  if (!/^[a-z_]+$/.test(entity)) throw new Error(`not an entity: ${entity}`);
  const col = (f: string, t: string) => (f === 'id' ? `${t}.id AS "id"` : `${t}.f_${f} AS "${f}"`);
  // mirrorOnly: the items as the server last sent them, without this folder's changes.
  const plain = mirrorOnly || db.stmt('SELECT 1 FROM overlay WHERE entity = ? LIMIT 1').get(entity) === undefined;
  if (plain) return `SELECT ${fields.map((f) => col(f, 'i')).join(', ')} FROM items i WHERE i.entity = '${entity}'`;
  // An overlay row replaces the mirror's row of the same id; a removed one hides it.
  const merged = fields.map((f) => (f === 'id' ? 'i.id AS "id"' : `CASE WHEN o.id IS NULL THEN i.f_${f} ELSE o.f_${f} END AS "${f}"`)).join(', ');
  return `SELECT ${merged} FROM items i LEFT JOIN overlay o ON o.entity = i.entity AND o.id = i.id WHERE i.entity = '${entity}' AND o.f_removed IS NULL
       UNION ALL SELECT ${fields.map((f) => col(f, 'o')).join(', ')} FROM overlay o WHERE o.entity = '${entity}' AND o.f_removed IS NULL
         AND NOT EXISTS (SELECT 1 FROM items i WHERE i.entity = o.entity AND i.id = o.id)`;
}

/** Ids of items made in this folder that the server has not seen yet (their ops are queued). */
export function notOnServer(db: ProjectDb, entity: EntityName): Set<string> {
  const rows = db
    .stmt('SELECT id FROM overlay o WHERE o.entity = ? AND o.f_removed IS NULL AND NOT EXISTS (SELECT 1 FROM items i WHERE i.entity = o.entity AND i.id = o.id)')
    .all(entity) as { id: string }[];
  return new Set(rows.map((r) => r.id));
}

/** An asset's newest checkpoint as a whole-folder look needs it, with how many are not synced. */
export interface LatestCheckpoint {
  assetId: string;
  id: string;
  number: number;
  fileHash: string;
  /** Checkpoints of the asset made here that the server has not acknowledged. */
  unsynced: number;
}

/** Every asset's newest checkpoint, computed by SQLite (one row per asset, whatever the history). */
export function latestCheckpoints(db: ProjectDb): Map<string, LatestCheckpoint> {
  const latest = db.stmt(latestCheckpointsSql(db)).all() as LatestCheckpoint[];
  return new Map(latest.map((c) => [c.assetId, c]));
}

/** The query of latestCheckpoints (columns as LatestCheckpoint's fields), for joins. */
export function latestCheckpointsSql(db: ProjectDb): string {
  const plain = db.stmt("SELECT 1 FROM overlay WHERE entity = 'checkpoint' LIMIT 1").get() === undefined;
  const rows = plain
    ? "SELECT id, f_assetId AS assetId, f_number AS number, f_fileHash AS fileHash, f_pending AS pending FROM items WHERE entity = 'checkpoint'"
    : `SELECT i.id, coalesce(o.f_assetId, i.f_assetId) AS assetId, coalesce(o.f_number, i.f_number) AS number, coalesce(o.f_fileHash, i.f_fileHash) AS fileHash,
         o.f_pending AS pending FROM items i LEFT JOIN overlay o ON o.entity = i.entity AND o.id = i.id WHERE i.entity = 'checkpoint' AND o.f_removed IS NULL
       UNION ALL SELECT id, f_assetId, f_number, f_fileHash, f_pending FROM overlay o WHERE o.entity = 'checkpoint' AND o.f_removed IS NULL
         AND NOT EXISTS (SELECT 1 FROM items i WHERE i.entity = 'checkpoint' AND i.id = o.id)`;
  // With a single max(), SQLite takes the other bare columns from the row that holds it.
  return `SELECT assetId, id, max(number) AS number, fileHash, total(pending) AS unsynced FROM (${rows}) GROUP BY assetId`;
}

/** The newest checkpoint of an asset (pending ones count: they are the newest here). */
export function latestCheckpoint(db: ProjectDb, assetId: string): LocalCheckpointView | undefined {
  const all = checkpointsOf(db, assetId);
  return all[all.length - 1];
}

/** Mirror writes, used when applying the server's answers. */
export const mirror = {
  put(db: ProjectDb, entity: string, id: string, data: unknown): void {
    db.stmt('INSERT INTO items (entity, id, data) VALUES (?, ?, ?) ON CONFLICT (entity, id) DO UPDATE SET data = excluded.data').run(entity, id, JSON.stringify(data));
  },
  remove(db: ProjectDb, entity: string, id: string): void {
    db.stmt('DELETE FROM items WHERE entity = ? AND id = ?').run(entity, id);
  },
  clear(db: ProjectDb): void {
    db.stmt('DELETE FROM items').run();
  },
};
