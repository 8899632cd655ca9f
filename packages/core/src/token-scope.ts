// What an access token (personal access token or service-account token) may do. A token never
// adds rights: its scope narrows what its owner's studio and project roles already allow. The
// policy functions consult the scope the actor carries, so every route, sync push and download
// is narrowed in the same place the roles are checked.
import { forbidden } from './errors.js';
import type { Permission } from './permissions.js';

/**
 * `read`: look and download only. `content`: read plus production work (checkpoints, assets,
 * statuses, assignments, uploads). `admin`: everything the owner may do, studio and project
 * administration included.
 */
export type TokenAccess = 'read' | 'content' | 'admin';
export const TOKEN_ACCESS: readonly TokenAccess[] = ['read', 'content', 'admin'];

export interface TokenScope {
  access: TokenAccess;
  /** Project-limited tokens reach only these projects (null: every project of the owner). */
  projects: readonly string[] | null;
}

const RANK: Record<TokenAccess, number> = { read: 0, content: 1, admin: 2 };

/** Reading: project metadata, members, roles, history, file content, the audit trail. */
const READ_PERMISSIONS = new Set<string>([
  'collection.view_all', 'asset.view_all', 'checkpoint.view', 'content.download', 'content.download_all', 'audit.view',
]);
/**
 * Governing the project or letting content out of it: settings, deletion, people and roles,
 * public share links, irreversible purges. Everything else is production work (`content`).
 */
const ADMIN_PERMISSIONS = new Set<string>([
  'project.settings', 'project.delete', 'members.add', 'members.remove', 'members.change_role', 'roles.manage',
  'share.manage', 'trash.purge',
]);

/** The access level a project action or permission needs. */
export function accessNeededFor(action: Permission | 'project.view' | 'project.rename' | 'project.archive' | 'members.view' | 'roles.view'): TokenAccess {
  if (action === 'project.view' || action === 'members.view' || action === 'roles.view') return 'read';
  if (action === 'project.rename' || action === 'project.archive') return 'admin';
  if (READ_PERMISSIONS.has(action)) return 'read';
  if (ADMIN_PERMISSIONS.has(action)) return 'admin';
  return 'content';
}

/** Whether a scope (null: a signed-in session, unrestricted) allows work at `needed` level. */
export function scopeAllows(scope: TokenScope | null | undefined, needed: TokenAccess): boolean {
  return !scope || RANK[scope.access] >= RANK[needed];
}

export function scopeRefusal(scope: TokenScope, needed: TokenAccess) {
  return forbidden(`this access token is limited to ${scope.access} access; ${needed} access is needed`, { reason: 'token_scope', tokenAccess: scope.access, needed });
}

/** Whether a token reaches this project at all (project-limited tokens name theirs). */
export function scopeReachesProject(scope: TokenScope | null | undefined, projectId: string): boolean {
  return !scope?.projects || scope.projects.includes(projectId);
}

/** A project-limited token works only inside its projects: studio-wide work needs another. */
export function scopeIsStudioWide(scope: TokenScope | null | undefined): boolean {
  return !scope?.projects;
}

/**
 * Narrows an actor to what the token reaches: outside a project-limited token's projects the
 * caller is an outsider (the same "not found" as a project they are not in).
 */
export function limitActorToProject<A extends { role: unknown; projectRole: unknown; scope?: TokenScope | null }>(actor: A, projectId: string): A {
  if (scopeReachesProject(actor.scope, projectId)) return actor;
  return { ...actor, role: null, projectRole: null };
}

/**
 * Account-level actions (password, sessions, tokens, creating studios, instance administration,
 * accepting invitations) need a real sign-in: a leaked token must not mint more tokens, change
 * the password or take the account elsewhere. Reading who one is stays open.
 */
export type AccountAction = 'account.view' | 'account.manage';

export function authorizeAccount(scope: TokenScope | null | undefined, action: AccountAction) {
  if (!scope || action === 'account.view') return { allowed: true as const };
  return { allowed: false as const, error: forbidden('an access token cannot do this; sign in with your password or SSO', { reason: 'token_scope' }) };
}
