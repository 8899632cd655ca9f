// 009: SCIM 2.0 provisioning: each studio's provisioning token (hashed), the users and groups its
// identity provider pushes, and which seat suspensions SCIM made (so only SCIM lifts them).
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('scim_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('studio_id', 'text', (c) => c.notNull().references('studios.id'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('scim_tokens_studio').on('scim_tokens').column('studio_id').execute();

    // The IdP's view of a person in one studio; the account and seat are the ordinary ones.
    await db.schema
      .createTable('scim_users')
      .addColumn('studio_id', 'text', (c) => c.notNull().references('studios.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('user_name', 'text', (c) => c.notNull())
      // userName is case-insensitive (RFC 7643): unique and looked up by its lower case.
      .addColumn('user_name_key', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('active', 'integer', (c) => c.notNull())
      // The other attributes the IdP sent (name, emails, title, enterprise extension, ...), as JSON.
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('scim_users_pk', ['studio_id', 'user_id'])
      .execute();
    await db.schema.createIndex('scim_users_name').on('scim_users').columns(['studio_id', 'user_name_key']).unique().execute();
    await db.schema.createIndex('scim_users_external').on('scim_users').columns(['studio_id', 'external_id']).execute();

    await db.schema
      .createTable('scim_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('studio_id', 'text', (c) => c.notNull().references('studios.id'))
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('display_name_key', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('scim_groups_name').on('scim_groups').columns(['studio_id', 'display_name_key']).unique().execute();

    await db.schema
      .createTable('scim_group_members')
      .addColumn('group_id', 'text', (c) => c.notNull().references('scim_groups.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addPrimaryKeyConstraint('scim_group_members_pk', ['group_id', 'user_id'])
      .execute();
    await db.schema.createIndex('scim_group_members_user').on('scim_group_members').column('user_id').execute();

    // 'scim' when SCIM suspended the seat: a SCIM re-activation lifts only its own suspensions.
    await db.schema.alterTable('studio_members').addColumn('suspended_via', 'text').execute();
  },
};
