// Projects of a studio: create (with a role preset), list, rename, archive, soft delete.
import { authorizeStudio, BacklotError, scopeReachesProject, BUILTIN_STATUSES, DEFAULT_DEPENDENCY_TYPES, ROLE_PRESETS, type RolePreset } from '@backlot/core';
import { inTransaction, nowIso, type Ctx, type Trx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { newId } from '../auth/tokens.js';
import { projectAccess, studioAccess } from '../access/access.js';
import { validName } from './accounts.js';
import type { ProjectsTable } from '../db/schema.js';

type ProjectFields = Pick<ProjectsTable, 'id' | 'studio_id' | 'name' | 'status' | 'preset' | 'revision' | 'created_at' | 'updated_at'>;

export function projectView(p: ProjectFields, extra: Record<string, unknown> = {}) {
  return {
    id: p.id, studioId: p.studio_id, name: p.name, status: p.status, preset: p.preset,
    revision: Number(p.revision), createdAt: p.created_at, updatedAt: p.updated_at, ...extra,
  };
}

/** Vocabularies a new project starts with; editable with project.settings. */
export const DEFAULT_SETTINGS = {
  collectionTypes: ['Folder', 'Character', 'Prop', 'Environment', 'Sequence', 'Shot'],
  assetTypes: ['Model', 'Rig', 'Texture', 'Animation', 'Layout', 'Lighting', 'Compositing', 'Concept', 'Edit', 'Script'],
  dependencyTypes: [...DEFAULT_DEPENDENCY_TYPES],
  tags: [] as string[],
};

async function assertNameFree(trx: Trx, studioId: string, name: string, exceptId?: string) {
  let q = trx.selectFrom('projects').select('id').where('studio_id', '=', studioId).where('name', '=', name).where('deleted_at', 'is', null);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const existing = await q.executeTakeFirst();
  if (existing) throw new BacklotError('conflict', 'a project with this name already exists in the studio', { existingId: existing.id });
}

/** Creates the roles of a preset; returns the id of its fixed (Admin/Owner) role. */
async function seedRoles(trx: Trx, projectId: string, preset: RolePreset, at: string): Promise<string> {
  let fixedId = '';
  const rows = ROLE_PRESETS[preset].map((r) => {
    const id = newId();
    if (r.fixed) fixedId = id;
    return { id, project_id: projectId, key: r.key, name: r.name, rank: r.rank, fixed: r.fixed ? 1 : 0, assigned_only: r.assignedOnly ? 1 : 0, permissions: JSON.stringify(r.permissions), created_at: at, updated_at: at };
  });
  await trx.insertInto('roles').values(rows).execute();
  return fixedId;
}

export async function createProject(ctx: Ctx, studioId: string, input: { name: string; preset?: RolePreset }) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.projects.create');
  const name = validName(input.name);
  const preset = input.preset ?? 'default';
  return inTransaction(ctx, async (trx) => {
    await assertNameFree(trx, studioId, name);
    const at = nowIso(ctx);
    const row: ProjectsTable = {
      id: newId(), studio_id: studioId, name, status: 'active', preset, revision: 0,
      created_at: at, created_by: actor.userId, updated_at: at, deleted_at: null, settings: JSON.stringify(DEFAULT_SETTINGS), quota_bytes: null,
    };
    await trx.insertInto('projects').values(row).execute();
    await trx.insertInto('statuses').values(BUILTIN_STATUSES.map((st, i) => ({
      id: newId(), project_id: row.id, key: st.key, name: st.name, short_label: st.shortLabel, color: st.color, sort_order: i, category: st.category, deleted_at: null,
    }))).execute();
    // The creator becomes the project's first Admin, so no project starts without one.
    const adminRole = await seedRoles(trx, row.id, preset, at);
    await trx.insertInto('project_members').values({ project_id: row.id, user_id: actor.userId, role_id: adminRole, added_at: at, added_by: actor.userId }).execute();
    await appendAudit(trx, { studioId, projectId: row.id, actorId: actor.userId, action: 'project.created', targetType: 'project', targetId: row.id, after: { name, preset }, ip: ctx.ip }, at);
    return projectView(row, { myRoleId: adminRole });
  });
}

export async function listProjects(ctx: Ctx, studioId: string, status: 'active' | 'archived' | 'all' = 'active') {
  const { actor } = await studioAccess(ctx, studioId, 'studio.view');
  const seesAll = authorizeStudio(actor, 'studio.projects.view_all').allowed;
  let q = ctx.db
    .selectFrom('projects as p')
    .leftJoin('project_members as pm', (j) => j.onRef('pm.project_id', '=', 'p.id').on('pm.user_id', '=', actor.userId))
    // Only what projectView shows: the settings JSON would be read for nothing.
    .select(['p.id', 'p.studio_id', 'p.name', 'p.status', 'p.preset', 'p.revision', 'p.created_at', 'p.updated_at', 'pm.role_id as my_role_id'])
    .where('p.studio_id', '=', studioId)
    .where('p.deleted_at', 'is', null);
  if (!seesAll) q = q.where('pm.user_id', 'is not', null);
  if (status !== 'all') q = q.where('p.status', '=', status);
  const rows = await q.orderBy('p.name').orderBy('p.id').execute();
  // A project-limited access token lists only its projects.
  return rows.filter((p) => scopeReachesProject(actor.scope, p.id)).map(({ my_role_id, ...p }) => projectView(p, { myRoleId: my_role_id }));
}

export async function getProject(ctx: Ctx, projectId: string) {
  const { project, actor } = await projectAccess(ctx, projectId, 'project.view');
  return projectView(project, {
    myRoleId: actor.projectRole?.id ?? null,
    myPermissions: actor.projectRole ? actor.projectRole.permissions.list() : [],
  });
}

export async function renameProject(ctx: Ctx, projectId: string, rawName: string) {
  const { project, actor } = await projectAccess(ctx, projectId, 'project.rename');
  const name = validName(rawName);
  return inTransaction(ctx, async (trx) => {
    await assertNameFree(trx, project.studio_id, name, projectId);
    const at = nowIso(ctx);
    await trx.updateTable('projects').set({ name, updated_at: at }).where('id', '=', projectId).execute();
    await appendAudit(trx, { studioId: project.studio_id, projectId, actorId: actor.userId, action: 'project.renamed', targetType: 'project', targetId: projectId, before: { name: project.name }, after: { name }, ip: ctx.ip }, at);
    return projectView({ ...project, name, updated_at: at });
  });
}

export async function setProjectArchived(ctx: Ctx, projectId: string, archived: boolean) {
  const { project, actor } = await projectAccess(ctx, projectId, 'project.archive');
  const status = archived ? 'archived' : 'active';
  if (project.status === status) return projectView(project);
  return inTransaction(ctx, async (trx) => {
    const at = nowIso(ctx);
    await trx.updateTable('projects').set({ status, updated_at: at }).where('id', '=', projectId).execute();
    await appendAudit(trx, { studioId: project.studio_id, projectId, actorId: actor.userId, action: archived ? 'project.archived' : 'project.unarchived', targetType: 'project', targetId: projectId, before: { status: project.status }, after: { status }, ip: ctx.ip }, at);
    return projectView({ ...project, status, updated_at: at });
  });
}

/** Soft delete: members lose it at once; rows stay for the audit trail and a later restore. */
export async function deleteProject(ctx: Ctx, projectId: string) {
  const { project, actor } = await projectAccess(ctx, projectId, 'project.delete');
  await inTransaction(ctx, async (trx) => {
    const at = nowIso(ctx);
    await trx.updateTable('projects').set({ deleted_at: at, updated_at: at }).where('id', '=', projectId).execute();
    await appendAudit(trx, { studioId: project.studio_id, projectId, actorId: actor.userId, action: 'project.deleted', targetType: 'project', targetId: projectId, before: { name: project.name }, ip: ctx.ip }, at);
  });
}

