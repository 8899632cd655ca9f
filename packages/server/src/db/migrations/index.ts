// Schema history, one file per migration. Migrations are code (not files read at run time) so the
// server runs from any folder; each one only adds, with column types both SQLite and PostgreSQL
// understand. The names are what the databases record: never rename one.
import type { Migration, MigrationProvider } from 'kysely';
import { migration as m001 } from './001_foundation.js';
import { migration as m002 } from './002_production.js';
import { migration as m003 } from './003_browse.js';
import { migration as m004 } from './004_content.js';
import { migration as m005 } from './005_assigned-only-roles.js';
import { migration as m006 } from './006_change-log-order.js';
import { migration as m007 } from './007_hardening.js';
import { migration as m008 } from './008_identity.js';
import { migration as m009 } from './009_scim.js';
import { migration as m010 } from './010_patch-bases.js';
import { migration as m011 } from './011_stored-checksums.js';

export const migrations: Record<string, Migration> = {
  '001_foundation': m001,
  '002_production': m002,
  '003_browse': m003,
  '004_content': m004,
  '005_assigned_only_roles': m005,
  '006_change_log_order': m006,
  '007_hardening': m007,
  '008_identity': m008,
  '009_scim': m009,
  '010_patch_bases': m010,
  '011_stored_checksums': m011,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
