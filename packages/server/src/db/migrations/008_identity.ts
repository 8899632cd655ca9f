// 008: studio identity: access tokens and service accounts, per-studio SSO (OIDC, SAML) with
// group mappings, sign-in states and SAML replay records.
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<any>) {
    // Service accounts are users that belong to one studio and never sign in; accounts made by a
    // studio's IdP (JIT sign-in) name that studio.
    await db.schema.alterTable('users').addColumn('service_studio_id', 'text').execute();
    await db.schema.alterTable('users').addColumn('managed_by_studio', 'text').execute();

    await db.schema
      .createTable('access_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      // Set for service-account tokens: the studio whose owners and admins manage them.
      .addColumn('studio_id', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('access', 'text', (c) => c.notNull())
      .addColumn('projects', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('access_tokens_user').on('access_tokens').column('user_id').execute();

    await db.schema
      .createTable('studio_sso')
      .addColumn('studio_id', 'text', (c) => c.primaryKey().references('studios.id'))
      .addColumn('oidc_issuer', 'text')
      .addColumn('oidc_client_id', 'text')
      // Encrypted with the server's secret key (it must be sent to the IdP, so it cannot be hashed).
      .addColumn('oidc_client_secret', 'text')
      .addColumn('oidc_groups_claim', 'text')
      .addColumn('saml_entry_point', 'text')
      .addColumn('saml_idp_issuer', 'text')
      .addColumn('saml_idp_certs', 'text')
      .addColumn('saml_groups_attribute', 'text')
      .addColumn('enforced', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('break_glass', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('session_max_minutes', 'integer')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();

    await db.schema
      .createTable('sso_mappings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('studio_id', 'text', (c) => c.notNull().references('studios.id'))
      .addColumn('idp_group', 'text', (c) => c.notNull())
      .addColumn('studio_role', 'text', (c) => c.notNull())
      .addColumn('project_roles', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sso_mappings_studio').on('sso_mappings').column('studio_id').execute();

    // One row per (studio, account) the studio's IdP knows: its subjects and last groups.
    await db.schema
      .createTable('sso_identities')
      .addColumn('studio_id', 'text', (c) => c.notNull().references('studios.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('oidc_subject', 'text')
      .addColumn('saml_subject', 'text')
      .addColumn('login_groups', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_login_at', 'text')
      .addPrimaryKeyConstraint('sso_identities_pk', ['studio_id', 'user_id'])
      .execute();
    await db.schema.createIndex('sso_identities_oidc').on('sso_identities').columns(['studio_id', 'oidc_subject']).unique().execute();
    await db.schema.createIndex('sso_identities_saml').on('sso_identities').columns(['studio_id', 'saml_subject']).unique().execute();
    await db.schema.createIndex('sso_identities_user').on('sso_identities').column('user_id').execute();

    // Project seats a mapping granted, so the next sign-in can take back what no group gives any more.
    await db.schema
      .createTable('sso_grants')
      .addColumn('studio_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('sso_grants_pk', ['studio_id', 'user_id', 'project_id'])
      .execute();

    // A sign-in in flight: state (hashed), nonce, PKCE verifier, where it ends; one use.
    await db.schema
      .createTable('sso_states')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('studio_id', 'text', (c) => c.notNull())
      .addColumn('protocol', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text')
      .addColumn('code_verifier', 'text')
      .addColumn('return_to', 'text')
      .addColumn('cli_redirect', 'text')
      .addColumn('cli_challenge', 'text')
      // The IdP's verified answer (subject, email, name, groups), kept until the browser that
      // began completes the sign-in: only then is an account made or changed.
      .addColumn('identity', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('completed_at', 'text')
      .execute();

    // SAML AuthnRequest ids awaiting their answer (InResponseTo), shared by every server process.
    await db.schema
      .createTable('saml_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('saml_seen_assertions')
      .addColumn('studio_id', 'text', (c) => c.notNull())
      .addColumn('assertion_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('saml_seen_assertions_pk', ['studio_id', 'assertion_id'])
      .execute();

    // The CLI's loopback sign-in: a one-time code the browser carries back, redeemed with a verifier.
    await db.schema
      .createTable('sso_handoffs')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('studio_id', 'text', (c) => c.notNull())
      .addColumn('challenge', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .execute();

    // SSO sessions remember their studio, so that studio's maximum session age applies to them.
    await db.schema.alterTable('sessions').addColumn('sso_studio_id', 'text').execute();
  },
};
