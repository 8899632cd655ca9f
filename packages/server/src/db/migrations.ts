// Schema history. Migrations are code (not files on disk) so the server runs from any folder;
// each one only adds, and uses column types both SQLite and PostgreSQL understand.
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const m001_foundation: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('is_instance_admin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('deactivated_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_active_at', 'text')
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('csrf_hash', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .execute();
    await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

    await db.schema
      .createTable('setup_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .execute();

    await db.schema
      .createTable('login_failures')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('login_failures_email').on('login_failures').columns(['email', 'created_at']).execute();
    await db.schema.createIndex('login_failures_ip').on('login_failures').columns(['ip', 'created_at']).execute();

    await db.schema
      .createTable('studios')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('allowed_domains', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('deleted_at', 'text')
      .execute();

    await db.schema
      .createTable('studio_members')
      .addColumn('studio_id', 'text', (c) => c.notNull().references('studios.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('suspended_at', 'text')
      .addColumn('joined_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('studio_members_pk', ['studio_id', 'user_id'])
      .execute();
    await db.schema.createIndex('studio_members_user').on('studio_members').column('user_id').execute();

    await db.schema
      .createTable('projects')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('studio_id', 'text', (c) => c.notNull().references('studios.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('preset', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .execute();
    // Names are unique among a studio's live projects; deleted ones free their name.
    await db.schema
      .createIndex('projects_live_name')
      .on('projects')
      .columns(['studio_id', 'name'])
      .unique()
      .where(sql.ref('deleted_at'), 'is', null)
      .execute();

    await db.schema
      .createTable('roles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('key', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('rank', 'integer', (c) => c.notNull())
      .addColumn('fixed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('roles_project_name', ['project_id', 'name'])
      .execute();

    await db.schema
      .createTable('project_members')
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
      .addColumn('added_at', 'text', (c) => c.notNull())
      .addColumn('added_by', 'text')
      .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'user_id'])
      .execute();
    await db.schema.createIndex('project_members_user').on('project_members').column('user_id').execute();
    await db.schema.createIndex('project_members_role').on('project_members').column('role_id').execute();

    await db.schema
      .createTable('invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('studio_id', 'text', (c) => c.notNull().references('studios.id').onDelete('cascade'))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('studio_role', 'text', (c) => c.notNull())
      .addColumn('projects', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('token_hash', 'text', (c) => c.unique())
      .addColumn('invited_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('accepted_at', 'text')
      .addColumn('accepted_by', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('sent_count', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex('invitations_studio').on('invitations').columns(['studio_id', 'created_at']).execute();

    await db.schema
      .createTable('audit_heads')
      .addColumn('scope', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('studio_id', 'text')
      .addColumn('project_id', 'text')
      .addColumn('actor_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .addColumn('ip', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_log_pk', ['scope', 'seq'])
      .execute();
    await db.schema.createIndex('audit_log_project').on('audit_log').columns(['project_id', 'seq']).execute();
  },
};


const m002_production: Migration = {
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

const m004_content: Migration = {
  async up(db: Kysely<any>) {
    // Chunks stored for a project (bytes live in the chunk store): sizes for usage and quotas,
    // created_at so garbage collection spares chunks of uploads still in flight.
    await db.schema
      .createTable('project_chunks')
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('chunk_id', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('stored_size', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addPrimaryKeyConstraint('project_chunks_pk', ['project_id', 'chunk_id'])
      .execute();

    // The ordered chunk list of each checkpoint, so downloads and GC can ask "who references this chunk".
    await db.schema
      .createTable('checkpoint_chunks')
      .addColumn('checkpoint_id', 'text', (c) => c.notNull().references('checkpoints.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('chunk_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('checkpoint_chunks_pk', ['checkpoint_id', 'seq'])
      .execute();
    await db.schema.createIndex('checkpoint_chunks_chunk').on('checkpoint_chunks').columns(['project_id', 'chunk_id']).execute();

    await db.schema
      .createTable('share_links')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('checkpoint_id', 'text', (c) => c.notNull().references('checkpoints.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('download_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_access_at', 'text')
      .execute();
    await db.schema.createIndex('share_links_project').on('share_links').columns(['project_id', 'created_at']).execute();

    // Storage quotas in bytes (stored, compressed, unique); null means no limit.
    await db.schema.alterTable('studios').addColumn('quota_bytes', 'bigint').execute();
    await db.schema.alterTable('projects').addColumn('quota_bytes', 'bigint').execute();
  },
};

/** Indexes of the read side: board and list sort keys (live assets), trash roots, reverse dependencies. */
const m003_browse: Migration = {
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

const m005_assigned_only_roles: Migration = {
  async up(db: Kysely<any>) {
    // Roles that work only on what is explicitly assigned (Vendor): shared collections do not count.
    await db.schema.alterTable('roles').addColumn('assigned_only', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.updateTable('roles').set({ assigned_only: 1 }).where('key', '=', 'vendor').execute();
  },
};

const m006_change_log_order: Migration = {
  async up(db: Kysely<any>) {
    // An operation's entries keep their order inside its revision: replaying them (caches, pulls)
    // must apply them as written, which neither database promises without a key to sort on.
    await db.schema.alterTable('change_log').addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.dropIndex('change_log_revision').execute();
    await db.schema.createIndex('change_log_revision').on('change_log').columns(['project_id', 'revision', 'seq']).execute();
  },
};

const m007_hardening: Migration = {
  async up(db: Kysely<any>) {
    // A fingerprint of each applied op, so an op id sent again with a different op is refused
    // instead of answered with the first op's result. Null for ops applied before this column.
    await db.schema.alterTable('applied_ops').addColumn('op_hash', 'text').execute();

    // Production Manager and Supervisor now download every file by default (docs/roles.md).
    // Only roles still exactly as shipped are upgraded: a studio's own edits are its choice.
    const shipped: Record<string, string[]> = {
      production_manager: [
        'project.settings', 'members.add', 'members.remove', 'members.change_role', 'collection.view_all', 'collection.create',
        'collection.update', 'asset.view_all', 'asset.create', 'asset.update', 'dependency.manage', 'template.create',
        'template.update', 'workflow.manage', 'checkpoint.view', 'assignment.assign', 'assignment.unassign',
        'assignment.take_over', 'status.change', 'status.change_any', 'status.approve', 'status.retake', 'share.manage',
        'trash.restore', 'audit.view',
      ],
      supervisor: [
        'collection.view_all', 'asset.view_all', 'checkpoint.view', 'checkpoint.create', 'checkpoint.delete', 'checkpoint.revert',
        'content.download', 'assignment.assign', 'assignment.unassign', 'assignment.take_over', 'status.change',
        'status.change_any', 'status.approve', 'status.retake', 'share.manage',
      ],
    };
    const roles = await db.selectFrom('roles').select(['id', 'key', 'permissions']).where('key', 'in', Object.keys(shipped)).execute();
    for (const role of roles as { id: string; key: string; permissions: string }[]) {
      const had = (JSON.parse(role.permissions) as string[]).slice().sort();
      const original = shipped[role.key].slice().sort();
      if (had.length !== original.length || had.some((p, i) => p !== original[i])) continue;
      await db.updateTable('roles').set({ permissions: JSON.stringify([...shipped[role.key], 'content.download_all']) }).where('id', '=', role.id).execute();
    }
  },
};

export const migrations: Record<string, Migration> = {
  '001_foundation': m001_foundation,
  '002_production': m002_production,
  '003_browse': m003_browse,
  '004_content': m004_content,
  '005_assigned_only_roles': m005_assigned_only_roles,
  '006_change_log_order': m006_change_log_order,
  '007_hardening': m007_hardening,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
