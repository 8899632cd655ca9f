import { ALL_PERMISSIONS, type Permission } from './permissions.js';

/** A role as shipped with a new project. `fixed` marks the all-powerful role nobody may edit. */
export interface RoleTemplate {
  key: string;
  name: string;
  /** Lower rank = more senior; decides who inherits a departing assignee's tasks. */
  rank: number;
  fixed: boolean;
  /** Works only on what is explicitly assigned (and its dependencies); shared collections do not count. */
  assignedOnly?: boolean;
  permissions: readonly Permission[];
}

const everything = ALL_PERMISSIONS;

const productionManager: Permission[] = [
  'project.settings',
  'members.add', 'members.remove', 'members.change_role',
  'collection.view_all', 'collection.create', 'collection.update',
  'asset.view_all', 'asset.create', 'asset.update', 'dependency.manage',
  'template.create', 'template.update', 'workflow.manage',
  'checkpoint.view',
  // Producers review and hand on work they do not make: they download every file (docs/roles.md).
  'content.download_all',
  'assignment.assign', 'assignment.unassign', 'assignment.take_over',
  'status.change', 'status.change_any', 'status.approve', 'status.retake',
  'share.manage', 'trash.restore', 'audit.view',
];

const supervisor: Permission[] = [
  'collection.view_all', 'asset.view_all',
  'checkpoint.view', 'checkpoint.create', 'checkpoint.delete', 'checkpoint.revert',
  // Reviewers pull the work they approve, visible to them or not (docs/roles.md).
  'content.download', 'content.download_all',
  'assignment.assign', 'assignment.unassign', 'assignment.take_over',
  'status.change', 'status.change_any', 'status.approve', 'status.retake',
  'share.manage',
];

const assistantSupervisor: Permission[] = [
  // "view all assets" (PRODUCT.md), unlike the Supervisor's "view all": no collection.view_all.
  'asset.view_all',
  'checkpoint.view', 'checkpoint.create', 'content.download',
  'status.change', 'status.change_any', 'status.approve', 'status.retake',
];

const artist: Permission[] = [
  'checkpoint.view', 'checkpoint.create', 'content.download',
  'status.change', 'assignment.self_assign',
];

const vendor: Permission[] = ['checkpoint.view', 'checkpoint.create', 'content.download', 'status.change'];

/** The six default roles every project starts with (PRODUCT.md). */
export const DEFAULT_ROLES: readonly RoleTemplate[] = [
  { key: 'admin', name: 'Admin', rank: 0, fixed: true, permissions: everything },
  { key: 'production_manager', name: 'Production Manager', rank: 1, fixed: false, permissions: productionManager },
  { key: 'supervisor', name: 'Supervisor', rank: 2, fixed: false, permissions: supervisor },
  { key: 'assistant_supervisor', name: 'Assistant Supervisor', rank: 3, fixed: false, permissions: assistantSupervisor },
  { key: 'artist', name: 'Artist', rank: 4, fixed: false, permissions: artist },
  { key: 'vendor', name: 'Vendor', rank: 5, fixed: false, assignedOnly: true, permissions: vendor },
];

/** The simpler preset: Owner (fixed, everything) / Admin / Editor / Viewer (read only). */
export const SIMPLE_ROLES: readonly RoleTemplate[] = [
  { key: 'owner', name: 'Owner', rank: 0, fixed: true, permissions: everything },
  {
    key: 'admin', name: 'Admin', rank: 1, fixed: false,
    permissions: everything.filter((p) => p !== 'project.delete' && p !== 'roles.manage'),
  },
  {
    key: 'editor', name: 'Editor', rank: 2, fixed: false,
    permissions: [
      'collection.view_all', 'collection.create', 'collection.update',
      'asset.view_all', 'asset.create', 'asset.update', 'dependency.manage',
      'checkpoint.view', 'checkpoint.create', 'checkpoint.revert', 'content.download', 'content.download_all',
      'assignment.self_assign', 'status.change',
    ],
  },
  {
    key: 'viewer', name: 'Viewer', rank: 3, fixed: false,
    permissions: ['collection.view_all', 'asset.view_all', 'checkpoint.view', 'content.download', 'content.download_all'],
  },
];

export const ROLE_PRESETS = { default: DEFAULT_ROLES, simple: SIMPLE_ROLES } as const;
export type RolePreset = keyof typeof ROLE_PRESETS;
