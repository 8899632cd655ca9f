// 010: patch chunks (storage's encoding 2) name the chunks they were compressed against. Those
// bases must outlive every patch built on them (garbage collection asks this table), and a
// download sends a patch only to a caller who may also receive its bases.
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('chunk_bases')
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
      .addColumn('chunk_id', 'text', (c) => c.notNull())
      .addColumn('base_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('chunk_bases_pk', ['project_id', 'chunk_id', 'base_id'])
      .execute();
    await db.schema.createIndex('chunk_bases_base').on('chunk_bases').columns(['project_id', 'base_id']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('chunk_bases').execute();
  },
};
