// 005: roles that work only on what is assigned (Vendor).
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<any>) {
    // Roles that work only on what is explicitly assigned (Vendor): shared collections do not count.
    await db.schema.alterTable('roles').addColumn('assigned_only', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.updateTable('roles').set({ assigned_only: 1 }).where('key', '=', 'vendor').execute();
  },
};
