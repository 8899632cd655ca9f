// Answers of the project role routes.
import type { Permission } from '../../permissions.js';

export interface RoleView {
  id: string;
  /** The preset role it came from (null for custom roles). */
  key: string | null;
  name: string;
  /** Seniority: lower is more senior. */
  rank: number;
  /** The Admin role: never edited or deleted. */
  fixed: boolean;
  /** Works only on what is explicitly assigned (and its dependencies). */
  assignedOnly: boolean;
  permissions: Permission[];
  createdAt: string;
  updatedAt: string;
  /** In lists and on creation. */
  memberCount?: number;
}

/** GET /projects/:projectId/roles, by rank. */
export interface RoleList {
  roles: RoleView[];
}

/** DELETE /projects/:projectId/roles/:roleId: its members moved to the replacement. */
export interface RoleDeleted {
  deleted: string;
  movedMembers: number;
}
