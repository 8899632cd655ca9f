// 004: content: stored chunk records, checkpoint chunk lists, share links, storage quotas.
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
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
