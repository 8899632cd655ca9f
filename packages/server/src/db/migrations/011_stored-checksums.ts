// 011: each stored chunk's CRC-32 of its encoded bytes, recorded when those bytes were verified
// (upload, rebase). A download whose bytes read back with the same checksum sends them without
// decoding and hashing them again (content/stream.ts). Null for rows written before: those are
// verified in full, as before.
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('project_chunks').addColumn('stored_crc', 'integer').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('project_chunks').dropColumn('stored_crc').execute();
  },
};
