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
  return visibilityDigests(graph, actor, view, [upTo])[0];
}

/**
 * The digests at several revisions (a pull needs its cursor's and the head's), from one pass over
 * the member's visible items; each equals `visibilityDigest` at that revision.
 */
export function visibilityDigests(graph: ProjectGraph, actor: ProjectActor, view: MemberView, upTos: readonly number[]): string[] {
  // Views are memoised per graph revision and member (read-context.ts), and a view's sets never
  // change: a pull's digests, and every later pull at the same revision, reuse the answer.
  let byRev = memo.get(view);
  if (!byRev) memo.set(view, (byRev = new Map()));
  const missing = [...new Set(upTos.filter((r) => !byRev!.has(r)))];
  if (missing.length) {
    const digests = compute(graph, actor, view, missing);
    if (byRev.size + missing.length > 16) byRev.clear();
    missing.forEach((r, i) => byRev!.set(r, digests[i]));
  }
  return upTos.map((r) => byRev!.get(r)!);
}

const memo = new WeakMap<MemberView, Map<number, string>>();

function compute(graph: ProjectGraph, actor: ProjectActor, view: MemberView, upTos: readonly number[]): string[] {
  const k = upTos.length;
  // Four 32-bit lanes and a count per revision.
  const lanes = new Uint32Array(4 * k);
  const counts = new Array<number>(k).fill(0);
  const parts = [0, 0, 0, 0];
  const mix = (id: string, rev: number, times: number) => {
    let j = 0;
    while (j < k && rev > upTos[j]) j++;
    if (j === k) return; // created after every revision asked for (the common case: check first)
    parse(id, parts);
    for (; j < k; j++) {
      if (rev > upTos[j]) continue;
      for (let t = 0; t < times; t++) {
        // NaN (an id that is no UUID) zeroes its lane, as `(lane + NaN) >>> 0` always did.
        for (let i = 0; i < 4; i++) lanes[4 * j + i] = (lanes[4 * j + i] + parts[i]) >>> 0;
        counts[j]++;
      }
    }
  };
  if (!view.allAssets)
    for (const id of view.visibility.assets) mix(id, graph.assets.get(id)?.createdRev ?? 0, 1);
  if (!view.allCollections) {
    for (const id of view.visibility.collections) mix(id, graph.collections.get(id)?.createdRev ?? 0, 1);
    // Counted twice, so a collection turning from name-only to fully visible changes the sum.
    for (const id of view.visibility.namesOnly) mix(id, graph.collections.get(id)?.createdRev ?? 0, 2);
  }
  const role = actor.projectRole ? `${actor.projectRole.id}:${actor.projectRole.assignedOnly ? 'assigned' : 'all'}:${actor.projectRole.permissions.list().join(',')}` : '-';
  return upTos.map((_, j) =>
    createHash('sha256').update(`${role}|${counts[j]}|${lanes.subarray(4 * j, 4 * j + 4).join('.')}`).digest('base64url').slice(0, 16));
}

/**
 * The id's hex digits (dashes dropped) as four 8-digit numbers. Ids are UUIDs: their hex digits
 * are already well spread, four 32-bit lanes of them suffice. A canonical UUID is read straight
 * from its characters; anything else the slow way, with parseInt's answers (NaN included).
 */
function parse(id: string, out: number[]): void {
  if (id.length === 36) {
    let lane = 0;
    let digits = 0;
    let v = 0;
    let i = 0;
    for (; i < 36; i++) {
      const ch = id.charCodeAt(i);
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (ch !== 45 /* - */) break;
        continue;
      }
      const d = ch >= 48 && ch <= 57 ? ch - 48 : ch >= 97 && ch <= 102 ? ch - 87 : ch >= 65 && ch <= 70 ? ch - 55 : -1;
      if (d < 0) break;
      v = v * 16 + d;
      if (++digits === 8) {
        out[lane++] = v;
        digits = 0;
        v = 0;
      }
    }
    if (i === 36) return;
  }
  const hex = id.replace(/-/g, '');
  for (let i = 0; i < 4; i++) out[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
}
