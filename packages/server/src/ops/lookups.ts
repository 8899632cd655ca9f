// Row lookups and checks that several handlers share.
import { BacklotError, nameProblem, notFound } from '@backlot/core';
import type { Trx } from '../context.js';
import type { OpEnv } from './env.js';

export function validItemName(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new BacklotError('validation_failed', `name ${problem}`, { field: 'name' });
  return name;
}

export interface ProjectSettings {
  collectionTypes: string[];
  assetTypes: string[];
  dependencyTypes: string[];
  tags: string[];
}

export const settingsOf = (env: OpEnv): ProjectSettings => JSON.parse(env.project.settings);

export function checkVocabulary(value: string | null | undefined, allowed: string[], field: string): void {
  if (value === null || value === undefined) return;
  if (!allowed.includes(value)) throw new BacklotError('validation_failed', `${field} "${value}" is not one of this project's ${field}s`, { field, allowed });
}

/** A live collection of this project; unknown and invisible answer alike (callers authorize first). */
export async function liveCollection(trx: Trx, projectId: string, id: string) {
  const row = await trx.selectFrom('collections').selectAll().where('id', '=', id).where('project_id', '=', projectId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!row) throw notFound('collection');
  return row;
}

export async function liveAsset(trx: Trx, projectId: string, id: string) {
  const row = await trx.selectFrom('assets').selectAll().where('id', '=', id).where('project_id', '=', projectId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!row) throw notFound('asset');
  return row;
}

/** A live checkpoint of an asset the caller may see; otherwise the same 404 as an unknown one. */
export async function liveCheckpoint(env: OpEnv, id: string) {
  const cp = await env.trx.selectFrom('checkpoints').selectAll().where('id', '=', id).where('project_id', '=', env.project.id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!cp || !env.view.canSeeAsset(cp.asset_id)) throw notFound('checkpoint');
  return cp;
}

/**
 * Two live collections, or two live assets with the same name and extension, may not share a
 * place. The conflict names the item in the way only when the caller may see it: an id is a
 * handle on content, and a vendor must not learn the ids of what they cannot see.
 */
export async function assertFreeName(
  env: OpEnv, table: 'collections' | 'assets', parentId: string | null, name: string, extension: string | null, exceptId?: string,
): Promise<void> {
  const { trx } = env;
  const projectId = env.project.id;
  const sameParent = parentId === null ? ('is' as const) : ('=' as const);
  const existing =
    table === 'collections'
      ? await trx.selectFrom('collections').select('id').where('project_id', '=', projectId).where('parent_id', sameParent, parentId)
          .where('name', '=', name).where('deleted_at', 'is', null).$if(!!exceptId, (q) => q.where('id', '!=', exceptId!)).executeTakeFirst()
      : await trx.selectFrom('assets').select('id').where('project_id', '=', projectId).where('collection_id', sameParent, parentId)
          .where('extension', '=', extension ?? '').where('name', '=', name).where('deleted_at', 'is', null)
          .$if(!!exceptId, (q) => q.where('id', '!=', exceptId!)).executeTakeFirst();
  if (!existing) return;
  const visible = table === 'assets' ? env.view.canSeeAsset(existing.id) : env.view.collectionAccess(existing.id) !== null;
  throw new BacklotError('conflict', `an item named "${name}${extension ? `.${extension}` : ''}" already exists here`, { reason: 'name_taken', ...(visible && { existingId: existing.id }) });
}

/** Client-chosen ids let offline clients refer to what they created; a taken id is a conflict. */
export async function freshId(trx: Trx, table: 'collections' | 'assets' | 'dependencies' | 'checkpoints' | 'control_requests' | 'statuses', id: string | undefined): Promise<string> {
  if (!id) return crypto.randomUUID();
  const taken = await trx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
  if (taken) throw new BacklotError('conflict', 'that id is already in use', { reason: 'id_taken', existingId: id });
  return id;
}

/** The assignee of a task or collection must hold a seat in the project (and the studio). */
export async function assertProjectMember(trx: Trx, env: OpEnv, userId: string): Promise<void> {
  const m = await trx
    .selectFrom('project_members as pm')
    .innerJoin('studio_members as sm', (j) => j.onRef('sm.user_id', '=', 'pm.user_id').on('sm.studio_id', '=', env.project.studio_id))
    .select('pm.user_id')
    .where('pm.project_id', '=', env.project.id)
    .where('pm.user_id', '=', userId)
    .where('sm.suspended_at', 'is', null)
    .executeTakeFirst();
  if (!m) throw new BacklotError('validation_failed', 'the assignee must be a member of the project', { field: 'assigneeId', value: userId });
}

export async function liveStatus(trx: Trx, projectId: string, id: string) {
  const s = await trx.selectFrom('statuses').selectAll().where('id', '=', id).where('project_id', '=', projectId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!s) throw new BacklotError('validation_failed', 'no such status in this project', { field: 'statusId', value: id });
  return s;
}

export async function defaultTaskStatus(trx: Trx, projectId: string): Promise<string | null> {
  const s = await trx.selectFrom('statuses').select('id').where('project_id', '=', projectId).where('category', '=', 'todo').where('deleted_at', 'is', null).orderBy('sort_order').limit(1).executeTakeFirst();
  return s?.id ?? null;
}
