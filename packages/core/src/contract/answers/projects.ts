// Answers of the project routes: projects of a studio and the permission catalog.
import type { Permission, PermissionArea } from '../../permissions.js';
import type { RolePreset } from '../../roles.js';

export type ProjectStatus = 'active' | 'archived';

export interface ProjectView {
  id: string;
  studioId: string;
  name: string;
  status: ProjectStatus;
  preset: RolePreset;
  /** The project's sync revision (moves with every applied change). */
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** A project as a list or its creation shows it: with the caller's role there, if any. */
export interface ProjectEntry extends ProjectView {
  myRoleId: string | null;
}

/** GET /studios/:studioId/projects (owners and admins see every project, others theirs). */
export interface ProjectList {
  projects: ProjectEntry[];
}

/** GET /projects/:projectId: with what the caller may do there. */
export interface ProjectDetail extends ProjectEntry {
  myPermissions: Permission[];
}

/** GET /permissions. */
export interface PermissionCatalog {
  permissions: Permission[];
  /** In catalog order, each with its name for people. */
  areas: { area: PermissionArea; label: string; permissions: Permission[] }[];
  /** What each permission allows, in one line. */
  descriptions: Record<Permission, string>;
}
