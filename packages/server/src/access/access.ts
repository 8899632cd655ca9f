// Loads the facts core/policy needs (who the caller is in a studio or project, right now, from
// the database; inside a transaction, pass it as `exec`) and turns a refusal into an error that the HTTP layer records in the audit log.
import {
  authorizeAccount, authorizeProject, authorizeStudio, BacklotError, isProjectMember, limitActorToProject, notFound, PermissionSet,
  type AccountAction, type Decision, type ProjectAction, type ProjectActor, type StudioAction, type StudioActor,
} from '@backlot/core';
import type { AuthUser, Ctx, Trx } from '../context.js';
import type { Db } from '../db/connect.js';
import { requireUser } from '../auth/sessions.js';
import type { ProjectsTable, StudiosTable } from '../db/schema.js';

/** What the HTTP layer needs to audit a refused request. */
export interface Refusal {
  studioId: string;
  projectId?: string;
  action: string;
}

export class RefusedError extends BacklotError {
  constructor(inner: BacklotError, readonly refusal: Refusal) {
    super(inner.code, inner.message, inner.details);
  }
}

export function check(decision: Decision, refusal: Refusal): void {
  if (!decision.allowed) throw new RefusedError(decision.error, refusal);
}

export interface StudioAccess {
  studio: StudiosTable;
  actor: StudioActor;
}

export async function loadStudioAccess(ctx: Ctx, studioId: string, exec: Db | Trx = ctx.db): Promise<StudioAccess> {
  const user = requireUser(ctx.user);
  const row = await exec
    .selectFrom('studios as s')
    .leftJoin('studio_members as m', (j) => j.onRef('m.studio_id', '=', 's.id').on('m.user_id', '=', user.id))
    .selectAll('s')
    .select(['m.role as member_role', 'm.suspended_at as member_suspended_at'])
    .where('s.id', '=', studioId)
    .where('s.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound('studio');
  const { member_role, member_suspended_at, ...studio } = row;
  return { studio, actor: { userId: user.id, role: member_role ?? null, suspended: member_suspended_at !== null, scope: user.scope ?? null } };
}

export async function studioAccess(ctx: Ctx, studioId: string, action: StudioAction): Promise<StudioAccess> {
  const access = await loadStudioAccess(ctx, studioId);
  check(authorizeStudio(access.actor, action), { studioId, action });
  return access;
}

export interface ProjectAccess {
  project: ProjectsTable;
  actor: ProjectActor;
}

/** One query: the project, the caller's studio seat and project role with its permissions. */
export async function loadProjectAccess(ctx: Ctx, projectId: string, exec: Db | Trx = ctx.db): Promise<ProjectAccess> {
  const user = requireUser(ctx.user);
  const row = await exec
    .selectFrom('projects as p')
    .innerJoin('studios as s', 's.id', 'p.studio_id')
    .leftJoin('studio_members as sm', (j) => j.onRef('sm.studio_id', '=', 'p.studio_id').on('sm.user_id', '=', user.id))
    .leftJoin('project_members as pm', (j) => j.onRef('pm.project_id', '=', 'p.id').on('pm.user_id', '=', user.id))
    .leftJoin('roles as r', 'r.id', 'pm.role_id')
    .selectAll('p')
    .select([
      'sm.role as studio_role', 'sm.suspended_at', 'r.id as role_id', 'r.fixed as role_fixed', 'r.assigned_only as role_assigned_only', 'r.permissions as role_permissions',
    ])
    .where('p.id', '=', projectId)
    .where('p.deleted_at', 'is', null)
    .where('s.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound('project');
  const { studio_role, suspended_at, role_id, role_fixed, role_assigned_only, role_permissions, ...project } = row;
  const actor: ProjectActor = limitActorToProject({
    scope: user.scope ?? null,
    userId: user.id,
    role: studio_role ?? null,
    suspended: suspended_at !== null,
    // A project seat only counts while the studio seat exists.
    projectRole:
      role_id && studio_role
        ? { id: role_id, fixed: role_fixed === 1, assignedOnly: role_assigned_only === 1, permissions: PermissionSet.of(JSON.parse(role_permissions ?? '[]')) }
        : null,
  }, projectId);
  return { project, actor };
}

/** The caller's project access, or the same 404 as an unknown project unless they are a member. */
export async function loadMemberAccess(ctx: Ctx, projectId: string, exec: Db | Trx = ctx.db): Promise<ProjectAccess> {
  const access = await loadProjectAccess(ctx, projectId, exec);
  if (!isProjectMember(access.actor)) throw new BacklotError('not_found', 'project not found');
  return access;
}

/**
 * Account-level actions (password, sessions, tokens, new studios, instance administration) need
 * a real sign-in; an access token is refused (core/token-scope.ts).
 */
export function requireAccountAction(ctx: Ctx, action: AccountAction): AuthUser {
  const user = requireUser(ctx.user);
  const d = authorizeAccount(user.scope, action);
  if (!d.allowed) throw d.error;
  return user;
}

export async function projectAccess(ctx: Ctx, projectId: string, action: ProjectAction): Promise<ProjectAccess> {
  const access = await loadProjectAccess(ctx, projectId);
  check(authorizeProject(access.actor, action), { studioId: access.project.studio_id, projectId, action });
  return access;
}
