import type { AssetNode, ProjectGraph } from '@backlot/core';

/**
 * A structural change and its undo. `ProjectGraph.visibleTo` keeps its answers until the graph's
 * structure changes; a benchmark of the closure calls this outside the timed region so every
 * timed call walks the graph.
 */
export function forgetAnswers<A extends AssetNode>(graph: ProjectGraph<A>): void {
  graph.upsertDependency({ id: 'bench:forget', assetId: 'bench:none', targetAssetId: null, targetCollectionId: null });
  graph.removeDependency('bench:forget');
}
