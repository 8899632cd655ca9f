// The permission catalog of PRODUCT.md. Names are stable identifiers shared by the API, the CLI
// and the roles editor: renaming one breaks stored roles, so only ever add.
export const PERMISSION_AREAS = {
  project: ['project.settings', 'project.delete'],
  members: ['members.add', 'members.remove', 'members.change_role', 'roles.manage'],
  collections: ['collection.view_all', 'collection.create', 'collection.update', 'collection.delete'],
  assets: ['asset.view_all', 'asset.create', 'asset.update', 'asset.delete', 'dependency.manage'],
  templates: ['template.create', 'template.update', 'template.delete', 'workflow.manage'],
  checkpoints: ['checkpoint.view', 'checkpoint.create', 'checkpoint.delete', 'checkpoint.revert'],
  content: ['content.download', 'content.download_all'],
  assignment: ['assignment.assign', 'assignment.unassign', 'assignment.self_assign', 'assignment.take_over'],
  status: ['status.change', 'status.change_any', 'status.approve', 'status.retake'],
  sharing: ['share.manage', 'trash.restore', 'trash.purge', 'audit.view'],
} as const;

export type PermissionArea = keyof typeof PERMISSION_AREAS;
export type Permission = (typeof PERMISSION_AREAS)[PermissionArea][number];

export const ALL_PERMISSIONS: readonly Permission[] = Object.values(PERMISSION_AREAS).flat();

const known = new Set<string>(ALL_PERMISSIONS);
export function isPermission(name: string): name is Permission {
  return known.has(name);
}

/** Each permission's bit, precomputed, so a role's permissions fit in one integer mask. */
const bitOf = new Map<Permission, bigint>(ALL_PERMISSIONS.map((p, i) => [p, 1n << BigInt(i)]));

/** A compact, immutable permission set: checks are a single bitwise AND. */
export class PermissionSet {
  private constructor(private readonly mask: bigint) {}

  static of(perms: Iterable<string>): PermissionSet {
    let mask = 0n;
    for (const p of perms) {
      const bit = bitOf.get(p as Permission);
      if (bit !== undefined) mask |= bit;
    }
    return new PermissionSet(mask);
  }

  static all(): PermissionSet {
    return PermissionSet.of(ALL_PERMISSIONS);
  }

  has(p: Permission): boolean {
    return (this.mask & bitOf.get(p)!) !== 0n;
  }

  /** True when every permission here is also in `other`. */
  isSubsetOf(other: PermissionSet): boolean {
    return (this.mask & ~other.mask) === 0n;
  }

  list(): Permission[] {
    return ALL_PERMISSIONS.filter((p) => this.has(p));
  }
}
