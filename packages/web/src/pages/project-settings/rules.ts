// What the caller may do in a project's settings, asked of core's policy with the permissions
// the server reported for them (GET /projects/:id). The server decides each change anyway.
import {
  authorizeGrantProjectRole, authorizeOp, BacklotError, authorizeProject, authorizeRoleChange, authorizeStudio, PermissionSet,
  type Decision, type Permission, type ProjectAction, type ProjectActor,
} from '@backlot/core';
import type { RoleView } from '@backlot/api';
import { SHOWN_BY_SERVER } from '../../app/actor.ts';

export interface SettingsRules {
  addMembers: boolean;
  removeMembers: boolean;
  changeRoles: boolean;
  manageRoles: boolean;
  editSettings: boolean;
  /** Invite people who are not in the studio yet (with this project's role). */
  inviteToStudio: boolean;
  /** May hand out this role (adding or changing a member). */
  grant(role: RoleView): boolean;
  /** May put this permission into a role. */
  grantPermission(p: Permission): Decision;
  editRole(role: RoleView): Decision;
  deleteRole(role: RoleView): Decision;
}

const NO: Decision = { allowed: false, error: new BacklotError('forbidden', 'you have no role in this project') };

export function settingsRules(actor: ProjectActor | null, archived: boolean): SettingsRules {
  const can = (a: ProjectAction) => !!actor && !archived && authorizeProject(actor, a).allowed;
  return {
    addMembers: can('members.add'),
    removeMembers: can('members.remove'),
    changeRoles: can('members.change_role'),
    manageRoles: can('roles.manage'),
    editSettings: !!actor && !archived && authorizeOp(actor, SHOWN_BY_SERVER, { kind: 'settings.update' }).allowed,
    inviteToStudio: !!actor && !archived && can('members.add') && authorizeStudio(actor, 'studio.invite').allowed,
    grant: (role) => !!actor && authorizeGrantProjectRole(actor, { fixed: role.fixed, permissions: PermissionSet.of(role.permissions) }).allowed,
    grantPermission: (p) => (actor ? authorizeGrantProjectRole(actor, { fixed: false, permissions: PermissionSet.of([p]) }) : NO),
    editRole: (role) => authorizeRoleChange(role, 'edit'),
    deleteRole: (role) => authorizeRoleChange(role, 'delete'),
  };
}
