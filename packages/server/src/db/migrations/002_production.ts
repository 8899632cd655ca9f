// 002: production tracking: collections, assets, dependencies, statuses, checkpoints, control
// requests, the change log and applied op ids.
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('projects').addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}')).execute();

    await db.schema
      .createTable('collections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('parent_id', 'text', (c) => c.references('collections.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('type', 'text')
      .addColumn('description', 'text')
      .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('assignee_id', 'text', (c) => c.references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_rev', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .addColumn('deleted_by', 'text')
      .addColumn('trash_root', 'text')
      .execute();
    await db.schema.createIndex('collections_parent').on('collections').columns(['project_id', 'parent_id']).execute();

    await db.schema
      .createTable('assets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('collection_id', 'text', (c) => c.references('collections.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('extension', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('type', 'text')
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('description', 'text')
      .addColumn('url', 'text')
      .addColumn('assignee_id', 'text', (c) => c.references('users.id'))
      .addColumn('status_id', 'text')
      .addColumn('cover_checkpoint_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_rev', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .addColumn('deleted_by', 'text')
      .addColumn('trash_root', 'text')
      .execute();
    await db.schema.createIndex('assets_collection').on('assets').columns(['project_id', 'collection_id']).execute();
    await db.schema.createIndex('assets_assignee').on('assets').columns(['project_id', 'assignee_id']).execute();
    await db.schema.createIndex('assets_status').on('assets').columns(['project_id', 'status_id']).execute();

    await db.schema
      .createTable('dependencies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id'))
      .addColumn('target_asset_id', 'text', (c) => c.references('assets.id'))
      .addColumn('target_collection_id', 'text', (c) => c.references('collections.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('dependencies_asset').on('dependencies').columns(['project_id', 'asset_id']).execute();

    await db.schema
      .createTable('statuses')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('key', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('short_label', 'text', (c) => c.notNull())
      .addColumn('color', 'text', (c) => c.notNull())
      .addColumn('sort_order', 'integer', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .execute();
    await db.schema.createIndex('statuses_project').on('statuses').column('project_id').execute();

    await db.schema
      .createTable('status_changes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id'))
      .addColumn('from_status_id', 'text')
      .addColumn('to_status_id', 'text', (c) => c.notNull())
      .addColumn('checkpoint_id', 'text')
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('status_changes_asset').on('status_changes').columns(['asset_id', 'created_at']).execute();

    await db.schema
      .createTable('checkpoints')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id'))
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('file_hash', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('chunks', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('status_id', 'text')
      .addColumn('preview_hash', 'text')
      .addColumn('reverted_from', 'text')
      .addColumn('author_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .addColumn('deleted_by', 'text')
      .addUniqueConstraint('checkpoints_asset_number', ['asset_id', 'number'])
      .execute();

    await db.schema
      .createTable('control_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id'))
      .addColumn('requester_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addColumn('resolved_by', 'text')
      .execute();
    await db.schema.createIndex('control_requests_asset').on('control_requests').columns(['asset_id', 'status']).execute();
    await db.schema.createIndex('control_requests_requester').on('control_requests').columns(['requester_id', 'status']).execute();

    await db.schema
      .createTable('change_log')
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('op_id', 'text')
      .addColumn('actor_id', 'text')
      .addColumn('entity', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('change', 'text', (c) => c.notNull())
      .addColumn('data', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('change_log_revision').on('change_log').columns(['project_id', 'revision']).execute();

    await db.schema
      .createTable('applied_ops')
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('op_id', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer')
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('applied_ops_pk', ['project_id', 'actor_id', 'op_id'])
      .execute();
  },
};
