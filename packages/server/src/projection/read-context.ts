// What every read of a project's production data starts from: the caller's project seat (members
// only: everyone else gets the same 404 as an unknown project), the project's visibility graph at
// its committed revision, and the caller's MemberView from core. Reads never decide visibility
// themselves; they ask the view.
import { memberView, type MemberView, type ProjectActor, type ProjectGraph } from '@backlot/core';
import type { Ctx } from '../context.js';
import type { ProjectsTable } from '../db/schema.js';
import { loadMemberAccess } from '../access/access.js';
import { stateAt } from './graph-cache.js';
import type { AssetIndex, IndexedAsset } from './asset-index.js';

export interface Reader {
  ctx: Ctx;
  project: ProjectsTable;
  actor: ProjectActor;
  revision: number;
  graph: ProjectGraph<IndexedAsset>;
  /** Searchable asset fields at the same revision as `graph`. */
  index: AssetIndex;
  view: MemberView;
}

/**
 * Views are memoised per graph and revision: computing a member's visibility walks the whole
 * project, and a board, a list page and a trail in a row should not pay for it three times. The
 * key holds everything memberView reads from the actor, so a role change is seen at once.
 */
const memo = new WeakMap<ProjectGraph, { revision: number; views: Map<string, MemberView> }>();
const MAX_VIEWS_PER_GRAPH = 256;

export function viewOf(graph: ProjectGraph, revision: number, actor: ProjectActor): MemberView {
  const role = actor.projectRole;
  const key = JSON.stringify([actor.userId, actor.role, actor.suspended, role && { ...role, permissions: role.permissions.list() }]);
  let entry = memo.get(graph);
  if (!entry || entry.revision !== revision) {
    entry = { revision, views: new Map() };
    memo.set(graph, entry);
  }
  const hit = entry.views.get(key);
  if (hit) return hit;
  const view = memberView(graph, actor);
  if (entry.views.size >= MAX_VIEWS_PER_GRAPH) entry.views.delete(entry.views.keys().next().value!);
  entry.views.set(key, view);
  return view;
}

export async function openReader(ctx: Ctx, projectId: string): Promise<Reader> {
  const { project, actor } = await loadMemberAccess(ctx, projectId);
  const revision = Number(project.revision);
  const { graph, index } = await stateAt(ctx.db, projectId, revision);
  const view = viewOf(graph, revision, actor);
  return { ctx, project, actor, revision, graph, index, view };
}
