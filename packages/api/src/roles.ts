// Project roles and the permission catalog.
import type { Permission, PermissionCatalog, RoleDeleted, RoleList, RoleView } from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

export interface RoleFields {
  name: string;
  permissions: Permission[];
  /** Work only on what is explicitly assigned (and its dependencies). */
  assignedOnly?: boolean;
}

export function rolesApi(t: Transport) {
  return {
    /** GET /permissions: every permission, grouped by area. */
    permissions: (): Promise<PermissionCatalog> => t.json(ROUTES['roles.permissions'], {}),
    list: (projectId: string): Promise<RoleList> => t.json(ROUTES['roles.list'], { projectId }),
    create: (projectId: string, body: RoleFields): Promise<RoleView> => t.json(ROUTES['roles.create'], { projectId }, { json: body }),
    update: (projectId: string, roleId: string, body: Partial<RoleFields>): Promise<RoleView> =>
      t.json(ROUTES['roles.update'], { projectId, roleId }, { json: body }),
    /** DELETE /projects/:projectId/roles/:roleId: a role in use needs a replacement for its members. */
    delete: (projectId: string, roleId: string, query: { replacementRoleId?: string } = {}): Promise<RoleDeleted> =>
      t.json(ROUTES['roles.delete'], { projectId, roleId }, { query }),
  };
}
