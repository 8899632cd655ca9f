// 003: indexes of the read side.
import { sql, type Kysely, type Migration } from 'kysely';

/** Indexes of the read side: board and list sort keys (live assets), trash roots, reverse dependencies. */
export const migration: Migration = {
  async up(db: Kysely<any>) {
    const live = (name: string, table: string, columns: string[]) =>
      db.schema.createIndex(name).on(table).columns(columns).where(sql.ref('deleted_at'), 'is', null).execute();
    await live('assets_live_name', 'assets', ['project_id', 'name', 'id']);
    await live('assets_live_updated', 'assets', ['project_id', 'updated_at', 'id']);
    await live('assets_live_created', 'assets', ['project_id', 'created_at', 'id']);
    await live('assets_live_status_updated', 'assets', ['project_id', 'status_id', 'updated_at', 'id']);
    // Board counts per status (and per collection, for members who see much but not all) read
    // this index alone.
    await live('assets_live_board', 'assets', ['project_id', 'kind', 'status_id', 'assignee_id', 'collection_id']);
    const present = (name: string, table: string, columns: string[], column: string) =>
      db.schema.createIndex(name).on(table).columns(columns).where(sql.ref(column), 'is not', null).execute();
    await present('assets_trash', 'assets', ['project_id', 'trash_root'], 'trash_root');
    await present('collections_trash', 'collections', ['project_id', 'trash_root'], 'trash_root');
    await present('checkpoints_trash', 'checkpoints', ['project_id', 'deleted_at'], 'deleted_at');
    await present('dependencies_target_asset', 'dependencies', ['target_asset_id'], 'target_asset_id');
    await present('dependencies_target_collection', 'dependencies', ['target_collection_id'], 'target_collection_id');
  },
};
