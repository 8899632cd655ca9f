// Per-process cache of each project's visibility graph and asset index, keyed by project
// revision. It is only a cache: any process rebuilds it from the database, and moves it forward
// by replaying the change log, so it never holds state another process needs.
import { ProjectGraph } from '@backlot/core';
import type { Db } from '../db/connect.js';
import type { Trx } from '../context.js';
import { AssetIndex, indexed, type IndexedAsset } from './asset-index.js';

/** A project's in-memory read state at one revision. */
export interface ProjectState {
  graph: ProjectGraph<IndexedAsset>;
  index: AssetIndex;
}

interface Cached extends ProjectState {
  revision: number;
}

const cache = new Map<string, Cached>();
/** Replaying more entries than this costs more than a rebuild. */
const MAX_REPLAY = 5000;

async function build(exec: Db | Trx, projectId: string): Promise<ProjectState> {
  const [collections, assets, deps] = await Promise.all([
    exec.selectFrom('collections').select(['id', 'parent_id', 'shared', 'assignee_id', 'created_rev']).where('project_id', '=', projectId).where('deleted_at', 'is', null).execute(),
    exec.selectFrom('assets')
      .select(['id', 'collection_id', 'assignee_id', 'created_rev', 'kind', 'status_id', 'name', 'type', 'extension', 'tags', 'created_at', 'updated_at'])
      .where('project_id', '=', projectId).where('deleted_at', 'is', null).execute(),
    exec.selectFrom('dependencies').select(['id', 'asset_id', 'target_asset_id', 'target_collection_id']).where('project_id', '=', projectId).execute(),
  ]);
  const rows = assets.map((a) => indexed({
    id: a.id, createdRev: Number(a.created_rev), kind: a.kind, statusId: a.status_id, assigneeId: a.assignee_id, collectionId: a.collection_id,
    name: a.name, type: a.type, extension: a.extension, tags: JSON.parse(a.tags) as string[], createdAt: a.created_at, updatedAt: a.updated_at,
  }));
  const graph = new ProjectGraph<IndexedAsset>(
    collections.map((c) => ({ id: c.id, createdRev: Number(c.created_rev), parentId: c.parent_id, shared: c.shared === 1, assigneeId: c.assignee_id })),
    rows,
    deps.map((d) => ({ id: d.id, assetId: d.asset_id, targetAssetId: d.target_asset_id, targetCollectionId: d.target_collection_id })),
  );
  return { graph, index: new AssetIndex(rows) };
}

/**
 * Applies change-log entries (carrying the entity views of views.ts) to a graph and, when given,
 * the asset index kept with it.
 */
export function applyToGraph(graph: ProjectGraph<IndexedAsset>, entries: { entity: string; entity_id: string; change: string; data: string | null }[], index?: AssetIndex) {
  for (const e of entries) {
    const d = e.data ? JSON.parse(e.data) : null;
    if (e.entity === 'collection') {
      if (e.change === 'remove') graph.removeCollection(e.entity_id);
      else graph.upsertCollection({ id: d.id, createdRev: d.createdRev, parentId: d.parentId, shared: d.shared, assigneeId: d.assigneeId });
    } else if (e.entity === 'asset') {
      if (e.change === 'remove') {
        graph.removeAsset(e.entity_id);
        index?.remove(e.entity_id);
      } else {
        const row = indexed(d);
        graph.upsertAsset(row);
        index?.put(row);
      }
    } else if (e.entity === 'dependency') {
      if (e.change === 'remove') graph.removeDependency(e.entity_id);
      else graph.upsertDependency({ id: d.id, assetId: d.assetId, targetAssetId: d.targetAssetId, targetCollectionId: d.targetCollectionId });
    }
  }
}

/** The graph and asset index as of `revision` (the project's committed revision as seen by `exec`). */
export async function stateAt(exec: Db | Trx, projectId: string, revision: number): Promise<ProjectState> {
  const hit = cache.get(projectId);
  if (hit && hit.revision === revision) return hit;
  if (hit && hit.revision < revision && revision - hit.revision <= MAX_REPLAY) {
    const base = hit.revision;
    const entries = await exec
      .selectFrom('change_log')
      .select(['entity', 'entity_id', 'change', 'data'])
      .where('project_id', '=', projectId)
      .where('revision', '>', base)
      .where('revision', '<=', revision)
      .where('entity', 'in', ['collection', 'asset', 'dependency'])
      .orderBy('revision')
      .orderBy('seq')
      .execute();
    // Another request may have moved the cache on while we waited; only a state still at our
    // base revision may be patched.
    const now = cache.get(projectId);
    if (now === hit && now.revision === base) {
      applyToGraph(hit.graph, entries, hit.index);
      hit.revision = revision;
      return hit;
    }
    if (now && now.revision === revision) return now;
  }
  const state = await build(exec, projectId);
  const current = cache.get(projectId);
  if (!current || current.revision <= revision) cache.set(projectId, { revision, ...state });
  return state;
}

/** The visibility graph alone, for callers that do not search assets. */
export async function graphAt(exec: Db | Trx, projectId: string, revision: number): Promise<ProjectGraph<IndexedAsset>> {
  return (await stateAt(exec, projectId, revision)).graph;
}

export function forgetGraph(projectId: string): void {
  cache.delete(projectId);
}
