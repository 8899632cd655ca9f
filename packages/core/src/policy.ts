// The one place that decides who may do what. Pure: callers load the facts (memberships, role
// permissions, counts) and ask; nothing here touches I/O. Routes never compare roles themselves.
import { forbidden, notFound, BacklotError } from './errors.js';
import type { Permission, PermissionSet } from './permissions.js';
import { accessNeededFor, scopeAllows, scopeIsStudioWide, scopeRefusal, type TokenAccess, type TokenScope } from './token-scope.js';

export type StudioRole = 'owner' | 'admin' | 'member';
export const STUDIO_ROLES: readonly StudioRole[] = ['owner', 'admin', 'member'];

/** Who is asking, as far as one studio is concerned. `role` is null for non-members. */
export interface StudioActor {
  userId: string;
  role: StudioRole | null;
  suspended: boolean;
  /** Set when the caller came with an access token: what the token narrows them to. */
  scope?: TokenScope | null;
}

/** Who is asking about one project: their studio seat plus their project membership, if any. */
export interface ProjectActor extends StudioActor {
  /** `assignedOnly`: the role works only on what is explicitly assigned (and its dependencies). */
  projectRole: { id: string; fixed: boolean; permissions: PermissionSet; assignedOnly?: boolean } | null;
}

export type Decision = { allowed: true } | { allowed: false; error: BacklotError };
const allow: Decision = { allowed: true };
const deny = (error: BacklotError): Decision => ({ allowed: false, error });

/** Throws the refusal carried by a decision; returns normally when allowed. */
export function enforce(decision: Decision): void {
  if (!decision.allowed) throw decision.error;
}

const isStudioManager = (a: StudioActor) => a.role === 'owner' || a.role === 'admin';
const activeMember = (a: StudioActor) => a.role !== null && !a.suspended;

// ---- studio ------------------------------------------------------------------------------------

export type StudioAction =
  | 'studio.view'
  | 'studio.update'
  | 'studio.delete'
  | 'studio.members.view'
  | 'studio.invite'
  | 'studio.audit.view'
  | 'studio.projects.create'
  | 'studio.projects.view_all'
  | 'studio.usage.view'
  | 'studio.quota.set'
  /** The studio's identity provider, break-glass list, SSO session age. */
  | 'studio.sso.manage'
  /** IdP group to role mappings (each one also checked against the configuring user's rights). */
  | 'studio.sso.mappings'
  | 'studio.service_accounts.manage'
  /** Dormant seats: listing idle seats and suspending them in one step. */
  | 'studio.seats.manage'
  /** The studio's SCIM provisioning token (create, rotate, revoke). */
  | 'studio.scim.manage';

/** Studio actions that only read; every other one needs an admin-level token. */
const STUDIO_READS = new Set<StudioAction>(['studio.view', 'studio.members.view', 'studio.audit.view', 'studio.usage.view', 'studio.projects.view_all']);
/** What a project-limited token may do at studio level: see the studio it works in, nothing studio-wide. */
const PROJECT_TOKEN_STUDIO_ACTIONS = new Set<StudioAction>(['studio.view', 'studio.members.view']);

function studioScopeDecision(actor: StudioActor, action: StudioAction): Decision | null {
  const scope = actor.scope;
  if (!scope) return null;
  if (!scopeIsStudioWide(scope) && !PROJECT_TOKEN_STUDIO_ACTIONS.has(action))
    return deny(forbidden('this access token is limited to some projects; studio-wide actions need another token', { reason: 'token_scope' }));
  const needed: TokenAccess = STUDIO_READS.has(action) ? 'read' : 'admin';
  return scopeAllows(scope, needed) ? null : deny(scopeRefusal(scope, needed));
}

/** Refuses what the caller's token (if any) does not reach; null when the scope is no obstacle. */
export function tokenScopeDecision(actor: StudioActor, needed: TokenAccess): Decision | null {
  return actor.scope && !scopeAllows(actor.scope, needed) ? deny(scopeRefusal(actor.scope, needed)) : null;
}

/**
 * Studio-level actions. Non-members (and suspended members) get "not found": a studio's
 * existence is not disclosed to outsiders.
 */
export function authorizeStudio(actor: StudioActor, action: StudioAction): Decision {
  if (!activeMember(actor)) return deny(notFound('studio'));
  const scoped = studioScopeDecision(actor, action);
  if (scoped) return scoped;
  switch (action) {
    case 'studio.view':
    case 'studio.members.view':
      return allow;
    case 'studio.update':
    case 'studio.delete':
    case 'studio.sso.manage':
    case 'studio.seats.manage':
    case 'studio.scim.manage':
      return actor.role === 'owner' ? allow : deny(forbidden('only a studio owner may do this'));
    case 'studio.sso.mappings':
    case 'studio.service_accounts.manage':
    case 'studio.invite':
    case 'studio.audit.view':
    case 'studio.projects.create':
    case 'studio.projects.view_all':
    case 'studio.usage.view':
    case 'studio.quota.set':
      return isStudioManager(actor) ? allow : deny(forbidden('only studio owners and admins may do this'));
  }
}

/** Granting a studio role (by invitation or role change): only owners hand out ownership. */
export function authorizeGrantStudioRole(actor: StudioActor, role: StudioRole): Decision {
  const base = authorizeStudio(actor, 'studio.invite');
  if (!base.allowed) return base;
  if (role === 'owner' && actor.role !== 'owner') return deny(forbidden('only an owner may make someone an owner'));
  return allow;
}

export type MemberChange =
  | { kind: 'change_role'; to: StudioRole }
  | { kind: 'suspend' }
  | { kind: 'reactivate' }
  | { kind: 'remove' };

/**
 * Changing another member's seat. Admins manage members but never owners; a studio never loses
 * its last active owner (`activeOwners` counts owners that are not suspended, target included).
 */
export function authorizeStudioMemberChange(
  actor: StudioActor,
  target: { userId: string; role: StudioRole; suspended: boolean },
  change: MemberChange,
  activeOwners: number,
): Decision {
  const self = actor.userId === target.userId;
  // Anyone may leave a studio (subject to the last-owner guard below).
  if (!(self && change.kind === 'remove')) {
    const base = authorizeStudio(actor, 'studio.invite');
    if (!base.allowed) return base;
    if (target.role === 'owner' && actor.role !== 'owner') return deny(forbidden('admins cannot change owners'));
    if (change.kind === 'change_role' && change.to === 'owner' && actor.role !== 'owner')
      return deny(forbidden('only an owner may make someone an owner'));
  } else if (!activeMember(actor)) return deny(notFound('studio'));
  else {
    const scoped = tokenScopeDecision(actor, 'admin');
    if (scoped) return scoped;
  }
  const losesOwnership =
    target.role === 'owner' &&
    !target.suspended &&
    (change.kind === 'remove' || change.kind === 'suspend' || (change.kind === 'change_role' && change.to !== 'owner'));
  if (losesOwnership && activeOwners <= 1)
    return deny(new BacklotError('conflict', 'a studio must keep at least one owner', { reason: 'last_owner' }));
  return allow;
}

// ---- project -----------------------------------------------------------------------------------

/**
 * Project administration that studio owners and admins may do without a project seat
 * (PRODUCT.md: admins "add anyone to any project", create/archive projects). Everything else
 * (content, tasks) needs a project role: a studio seat grants no project access.
 */
const STUDIO_MANAGER_PROJECT_ACTIONS = new Set<ProjectAction>([
  'project.view',
  'project.rename',
  'project.archive',
  'project.delete',
  'members.view',
  'members.add',
  'members.remove',
  'members.change_role',
  'roles.view',
  'roles.manage',
  'audit.view',
]);

export type ProjectAction =
  | 'project.view'
  | 'project.rename'
  | 'project.archive'
  | 'project.delete'
  | 'members.view'
  | 'roles.view'
  | Permission;

const ACTION_PERMISSION: Partial<Record<ProjectAction, Permission>> = {
  'project.rename': 'project.settings',
  'project.archive': 'project.delete',
};

/** Is this actor a member of the project (or a studio manager) at all? */
/** An archived project is read-only: every write (operations, uploads, previews) is refused alike. */
export function assertProjectWritable(project: { status: string }): void {
  if (project.status === 'archived') throw new BacklotError('conflict', 'the project is archived; unarchive it to make changes', { reason: 'archived' });
}

/** Holds a role in the project, as an active studio member: who may read and write its content. */
export function isProjectMember(actor: ProjectActor): boolean {
  return actor.projectRole !== null && activeMember(actor);
}

export function canSeeProject(actor: ProjectActor): boolean {
  if (!activeMember(actor)) return false;
  return actor.projectRole !== null || isStudioManager(actor);
}

/**
 * Project-level actions. Outsiders get "not found" (the project's existence is not disclosed);
 * members lacking the permission get "forbidden".
 */
export function authorizeProject(actor: ProjectActor, action: ProjectAction): Decision {
  if (!canSeeProject(actor)) return deny(notFound('project'));
  const scoped = tokenScopeDecision(actor, accessNeededFor(action));
  if (scoped) return scoped;
  if (isStudioManager(actor) && STUDIO_MANAGER_PROJECT_ACTIONS.has(action)) return allow;
  const role = actor.projectRole;
  if (!role) return deny(forbidden('studio owners and admins need a project role for this'));
  if (action === 'project.view' || action === 'members.view' || action === 'roles.view') return allow;
  const needed = ACTION_PERMISSION[action] ?? (action as Permission);
  return role.permissions.has(needed) ? allow : deny(forbidden(`missing permission ${needed}`, { permission: needed }));
}

/**
 * Editing or deleting a role: the fixed role (Admin, or Owner in the simple preset) is never
 * changed, so a project can always be administered. The caller's roles.manage is checked apart.
 */
export function authorizeRoleChange(role: { fixed: boolean; name: string }, change: 'edit' | 'delete'): Decision {
  if (!role.fixed) return allow;
  return deny(forbidden(`the ${role.name} role cannot be ${change === 'edit' ? 'edited' : 'deleted'}`, { reason: 'fixed_role' }));
}

/**
 * Removing a member or changing their role must leave the project at least one member holding
 * the fixed (Admin) role.
 */
export function guardLastProjectAdmin(targetIsAdmin: boolean, staysAdmin: boolean, adminCount: number): Decision {
  if (targetIsAdmin && !staysAdmin && adminCount <= 1)
    return deny(new BacklotError('conflict', 'a project must keep at least one Admin', { reason: 'last_admin' }));
  return allow;
}

/**
 * Permissions that govern the project itself. Granting one is a step towards controlling the
 * project, so only someone who holds it may hand it out.
 */
const ADMINISTRATIVE: readonly Permission[] = [
  'project.settings', 'project.delete', 'members.add', 'members.remove', 'members.change_role', 'roles.manage',
];

/**
 * Handing out a project role (adding a member, changing a role, editing a role's permissions).
 * Studio owners/admins and project Admins may grant anything. Others never grant the fixed Admin
 * role, nor a role carrying an administrative permission they do not hold themselves; working
 * permissions (checkpoint, download, ...) they may grant, so a Production Manager can staff a
 * project with Artists.
 */
export function authorizeGrantProjectRole(
  actor: ProjectActor,
  role: { fixed: boolean; permissions: PermissionSet },
): Decision {
  if (isStudioManager(actor) || actor.projectRole?.fixed) return allow;
  if (role.fixed) return deny(forbidden('only Admins may grant the Admin role'));
  const mine = actor.projectRole?.permissions;
  const escalates = ADMINISTRATIVE.filter((p) => role.permissions.has(p) && !mine?.has(p));
  if (!mine || escalates.length) return deny(forbidden('you cannot grant administrative permissions you do not hold', { permissions: escalates }));
  return allow;
}
