// 006: the order of entries inside a revision.
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<any>) {
    // An operation's entries keep their order inside its revision: replaying them (caches, pulls)
    // must apply them as written, which neither database promises without a key to sort on.
    await db.schema.alterTable('change_log').addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.dropIndex('change_log_revision').execute();
    await db.schema.createIndex('change_log_revision').on('change_log').columns(['project_id', 'revision', 'seq']).execute();
  },
};
