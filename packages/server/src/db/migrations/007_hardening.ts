// 007: op fingerprints (op ids reused for another op are refused); default roles that review
// download every file.
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
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
