// Schema upgrades of existing data, on both databases: a database at an older migration, with
// rows written the old way, migrated to the latest.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator } from 'kysely';
import { createHarness, dbKinds } from '@backlot/test-kit/harness';
import { migrationProvider } from '../src/db/migrations/index.js';
import { migrateToLatest } from '../src/db/connect.js';

for (const kind of dbKinds()) {
  describe(`migrations (${kind})`, () => {
    test('007: unedited Production Manager and Supervisor roles gain content.download_all; edited ones keep their choice', async () => {
      const h = await createHarness(kind);
      try {
        const owner = await h.setupAdmin();
        const studio = (await h.as(owner).post('/studios', { name: 'S' })).body.id;
        const p = (await h.as(owner).post(`/studios/${studio}/projects`, { name: 'Old' })).body.id;
        const db = h.deps.db;
        // Put the project's roles back as migration 006 left them: no download_all for either.
        const roles = await db.selectFrom('roles').select(['id', 'key', 'permissions']).where('project_id', '=', p).execute();
        const without = (r: { permissions: string }) => (JSON.parse(r.permissions) as string[]).filter((x) => x !== 'content.download_all');
        const pm = roles.find((r) => r.key === 'production_manager')!;
        const sup = roles.find((r) => r.key === 'supervisor')!;
        await db.updateTable('roles').set({ permissions: JSON.stringify(without(pm)) }).where('id', '=', pm.id).execute();
        // The studio edited its Supervisor (took away revert): that role is theirs.
        const edited = without(sup).filter((x) => x !== 'checkpoint.revert');
        await db.updateTable('roles').set({ permissions: JSON.stringify(edited) }).where('id', '=', sup.id).execute();
        await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '007_hardening' as never).execute();
        await db.schema.alterTable('applied_ops').dropColumn('op_hash').execute();

        await migrateToLatest(db);
        const after = Object.fromEntries((await db.selectFrom('roles').select(['key', 'permissions']).where('project_id', '=', p).execute())
          .map((r) => [r.key, JSON.parse(r.permissions) as string[]]));
        assert.ok(after.production_manager.includes('content.download_all'), 'the shipped Production Manager is upgraded');
        assert.deepEqual(after.supervisor.sort(), edited.sort(), 'the edited Supervisor is left as the studio made it');
        const names = (await new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true }).getMigrations()).filter((m) => m.executedAt).map((m) => m.name);
        assert.ok(names.includes('007_hardening'));
      } finally {
        await h.close();
      }
    });
  });
}
