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

/** Each area's name for people (the roles editor's group headings). */
export const AREA_LABELS: Record<PermissionArea, string> = {
  project: 'Project',
  members: 'Members and roles',
  collections: 'Collections',
  assets: 'Assets',
  templates: 'Templates and workflows',
  checkpoints: 'Checkpoints',
  content: 'File content',
  assignment: 'Assignment',
  status: 'Status',
  sharing: 'Sharing, trash and audit',
};

/** One line per permission saying what it allows, for the roles editor and `backlot roles`. */
export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  'project.settings': 'Rename the project and edit its types, tags, statuses and ignore list.',
  'project.delete': 'Archive or delete the project.',
  'members.add': 'Add studio members to the project.',
  'members.remove': 'Remove members from the project.',
  'members.change_role': "Change a member's project role.",
  'roles.manage': 'Create, edit and delete project roles.',
  'collection.view_all': 'See every collection, not only shared or assigned ones.',
  'collection.create': 'Create collections.',
  'collection.update': 'Rename, move and edit collections.',
  'collection.delete': 'Move collections to the trash.',
  'asset.view_all': 'See the details of every asset (names, statuses, history, previews).',
  'asset.create': 'Create assets and tasks.',
  'asset.update': 'Rename, move and edit assets.',
  'asset.delete': 'Move assets to the trash.',
  'dependency.manage': 'Add and remove dependencies between assets.',
  'template.create': 'Create templates.',
  'template.update': 'Edit templates.',
  'template.delete': 'Delete templates.',
  'workflow.manage': 'Set up workflows.',
  'checkpoint.view': 'See the checkpoint history of visible assets.',
  'checkpoint.create': 'Create checkpoints (on tasks: only the assignee).',
  'checkpoint.delete': 'Move checkpoints to the trash.',
  'checkpoint.revert': 'Revert an asset to an earlier checkpoint.',
  'content.download': 'Download the files of assets visible to them.',
  'content.download_all': 'Download the files of any asset, visible or not.',
  'assignment.assign': 'Assign tasks and collections to members.',
  'assignment.unassign': 'Take the assignee off tasks and collections.',
  'assignment.self_assign': 'Assign unassigned tasks they can see to themselves.',
  'assignment.take_over': 'Take a task over from its assignee at once.',
  'status.change': 'Change the status of their own tasks.',
  'status.change_any': "Change the status of anyone's tasks.",
  'status.approve': 'Move tasks into a done status (approve).',
  'status.retake': 'Move tasks into a retake status.',
  'share.manage': 'Create and revoke share links.',
  'trash.restore': 'Restore items from the trash.',
  'trash.purge': 'Delete items from the trash for good.',
  'audit.view': "Read the project's audit log.",
};

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
