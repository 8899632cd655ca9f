// A short fingerprint of what a member may see, carried in their sync cursor. When it changes
// between two pulls (assignment, role, share flag, dependency, removal), the pull answers with a
// fresh snapshot instead of a diff, so what became visible arrives and what no longer is goes.
import { createHash } from 'node:crypto';
import type { MemberView, ProjectActor, ProjectGraph } from '@backlot/core';

/**
 * Order-independent sum of the ids of items created at or before `upTo` that the member sees by
 * the visibility rules. Items created later arrive as ordinary changes, so they do not count.
 * Kinds the member sees wholesale (view_all) do not depend on the rules and are left out.
 */
export function visibilityDigest(graph: ProjectGraph, actor: ProjectActor, view: MemberView, upTo: number): string {
  // Views are memoised per graph revision and member (read-context.ts), and a view's sets never
  // change: a pull's two digests, and every later pull at the same revision, reuse the answer.
  let byRev = memo.get(view);
  if (!byRev) memo.set(view, (byRev = new Map()));
  let digest = byRev.get(upTo);
  if (digest === undefined) {
    digest = compute(graph, actor, view, upTo);
    if (byRev.size >= 16) byRev.clear();
    byRev.set(upTo, digest);
  }
  return digest;
}

const memo = new WeakMap<MemberView, Map<number, string>>();

function compute(graph: ProjectGraph, actor: ProjectActor, view: MemberView, upTo: number): string {
  const lanes = new Uint32Array(4);
  let count = 0;
  const mix = (id: string) => {
    // Ids are UUIDs: their hex digits are already well spread, four 32-bit lanes of them suffice.
    const hex = id.replace(/-/g, '');
    for (let i = 0; i < 4; i++) lanes[i] = (lanes[i] + parseInt(hex.slice(i * 8, i * 8 + 8), 16)) >>> 0;
    count++;
  };
  if (!view.allAssets)
    for (const id of view.visibility.assets) if ((graph.assets.get(id)?.createdRev ?? 0) <= upTo) mix(id);
  if (!view.allCollections) {
    for (const id of view.visibility.collections) if ((graph.collections.get(id)?.createdRev ?? 0) <= upTo) mix(id);
    // Counted twice, so a collection turning from name-only to fully visible changes the sum.
    for (const id of view.visibility.namesOnly) if ((graph.collections.get(id)?.createdRev ?? 0) <= upTo) { mix(id); mix(id); }
  }
  const role = actor.projectRole ? `${actor.projectRole.id}:${actor.projectRole.assignedOnly ? 'assigned' : 'all'}:${actor.projectRole.permissions.list().join(',')}` : '-';
  return createHash('sha256').update(`${role}|${count}|${lanes.join('.')}`).digest('base64url').slice(0, 16);
}
