// Studio identity rules: which studio and project roles an SSO user gets from their IdP groups,
// who may define such a mapping, and when a password sign-in is allowed for an account the
// studio's identity provider manages. Pure: the server gathers groups, mappings and role ranks.
import { BacklotError, forbidden } from './errors.js';
import type { PermissionSet } from './permissions.js';
import { authorizeGrantProjectRole, authorizeGrantStudioRole, type Decision, type ProjectActor, type StudioActor, type StudioRole } from './policy.js';

/** One owner-defined rule: members of `group` get this studio role and these project roles. */
export interface GroupMapping {
  group: string;
  studioRole: StudioRole;
  projectRoles: readonly { projectId: string; roleId: string }[];
}

export interface MappedAccess {
  /** The studio role the groups give (member when no mapping matches). */
  studioRole: StudioRole;
  /** projectId -> roleId: the most senior role any of the user's groups maps to. */
  projectRoles: Map<string, string>;
  /** The mappings that matched, for the audit trail. */
  matchedGroups: string[];
}

const STUDIO_SENIORITY: Record<StudioRole, number> = { owner: 0, admin: 1, member: 2 };

/**
 * The access a set of IdP groups gives. Group names compare exactly (IdPs send ids or names as
 * configured). Where several groups name one project, the most senior role (lowest rank) wins;
 * `rankOf` answers a role's rank, or undefined for a role that no longer exists (ignored).
 */
export function resolveMappedAccess(
  mappings: readonly GroupMapping[],
  groups: readonly string[],
  rankOf: (projectId: string, roleId: string) => number | undefined,
): MappedAccess {
  const mine = new Set(groups);
  let studioRole: StudioRole = 'member';
  const projectRoles = new Map<string, string>();
  const matchedGroups: string[] = [];
  for (const m of mappings) {
    if (!mine.has(m.group)) continue;
    matchedGroups.push(m.group);
    if (STUDIO_SENIORITY[m.studioRole] < STUDIO_SENIORITY[studioRole]) studioRole = m.studioRole;
    for (const { projectId, roleId } of m.projectRoles) {
      const rank = rankOf(projectId, roleId);
      if (rank === undefined) continue;
      const held = projectRoles.get(projectId);
      const heldRank = held === undefined ? undefined : rankOf(projectId, held);
      if (heldRank === undefined || rank < heldRank) projectRoles.set(projectId, roleId);
    }
  }
  return { studioRole, projectRoles, matchedGroups };
}

/**
 * The studio role to apply at sign-in. An owner's seat is never taken by a
 * mapping (owners are changed by hand, so the last-owner rule is never at the IdP's mercy), and
 * ownership comes from a mapping only when a mapping says `owner`, which only an owner can write.
 */
export function studioRoleToApply(current: StudioRole | null, mapped: StudioRole): StudioRole {
  if (current === 'owner') return 'owner';
  return mapped;
}

/**
 * Whether `actor` may define a mapping: it may hand out nothing they could not grant by hand
 * (the studio role by invitation rules, each project role by the project's grant rules).
 * `projects` holds, for each project the mapping names, the actor's access there and the role's
 * grant facts, or null when the project or role does not exist or is not visible to them.
 */
export function authorizeGroupMapping(
  actor: StudioActor,
  mapping: GroupMapping,
  projects: ReadonlyMap<string, { actor: ProjectActor; role: { fixed: boolean; permissions: PermissionSet } | null } | null>,
): Decision {
  const studio = authorizeGrantStudioRole(actor, mapping.studioRole);
  if (!studio.allowed) return { allowed: false, error: withReason(studio.error, 'escalation') };
  for (const { projectId, roleId } of mapping.projectRoles) {
    const facts = projects.get(projectId);
    if (!facts) return { allowed: false, error: new BacklotError('validation_failed', 'no such project', { field: 'projectRoles', projectId }) };
    if (!facts.role) return { allowed: false, error: new BacklotError('validation_failed', 'no such role in this project', { field: 'projectRoles', projectId, roleId }) };
    const grant = authorizeGrantProjectRole(facts.actor, facts.role);
    if (!grant.allowed) return { allowed: false, error: withReason(grant.error, 'escalation') };
  }
  return { allowed: true };
}

/** Removing a mapping: whoever could have written it (an owner mapping is an owner's to remove). */
export function authorizeGroupMappingRemoval(actor: StudioActor, mapping: { studioRole: StudioRole }): Decision {
  return authorizeGrantStudioRole(actor, mapping.studioRole);
}

const withReason = (err: BacklotError, reason: string) =>
  new BacklotError(err.code, `the mapping would grant more than you may: ${err.message}`, { ...err.details, reason });

/** How a studio's SSO relates to one account, for the password sign-in decision. */
export interface SsoManagedSeat {
  studioId: string;
  /** The studio requires SSO for the accounts its IdP manages. */
  enforced: boolean;
  /** The account is on that studio's break-glass allowlist. */
  breakGlass: boolean;
}

export type PasswordLoginDecision =
  | { allowed: true; breakGlassStudios: string[] }
  | { allowed: false; error: BacklotError };

/**
 * Password sign-in for an account that studios manage through SSO: refused while any studio that
 * manages it enforces SSO, unless the account is on that studio's break-glass list. Allowed
 * break-glass sign-ins name the studios whose audit log must record them.
 */
export function authorizePasswordLogin(seats: readonly SsoManagedSeat[]): PasswordLoginDecision {
  const enforcing = seats.filter((s) => s.enforced);
  const blocked = enforcing.filter((s) => !s.breakGlass);
  if (blocked.length)
    return { allowed: false, error: forbidden('this account signs in through its studio\'s identity provider (SSO); password sign-in is disabled', { reason: 'sso_required', studioIds: blocked.map((s) => s.studioId) }) };
  return { allowed: true, breakGlassStudios: enforcing.map((s) => s.studioId) };
}
