// The sync cursor's visibility digest (production/digest.ts): a pull computes the digests at its
// cursor's revision and at the head in one pass over the member's visible items. On random
// projects, members and revisions, each digest must equal the one-revision-at-a-time computation
// written here the way the server used to compute it (so existing cursors stay valid).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  memberView, PermissionSet, ProjectGraph,
  type AssetNode, type CollectionNode, type DependencyEdge, type MemberView, type Permission, type ProjectActor,
} from '@backlot/core';
import { visibilityDigest, visibilityDigests } from '../src/sync/digest.js';
import { seededRng, type Rng } from '@backlot/test-kit/random';


const BASE_SEED = process.env.BACKLOT_DIGEST_SEED ? Number(process.env.BACKLOT_DIGEST_SEED) : Math.floor(Math.random() * 2 ** 31);

/** One revision at a time, as the server computed it before digests were computed together. */
function reference(graph: ProjectGraph, actor: ProjectActor, view: MemberView, upTo: number): string {
  const lanes = new Uint32Array(4);
  let count = 0;
  const mix = (id: string) => {
    const hex = id.replace(/-/g, '');
    for (let i = 0; i < 4; i++) lanes[i] = (lanes[i] + parseInt(hex.slice(i * 8, i * 8 + 8), 16)) >>> 0;
    count++;
  };
  if (!view.allAssets)
    for (const id of view.visibility.assets) if ((graph.assets.get(id)?.createdRev ?? 0) <= upTo) mix(id);
  if (!view.allCollections) {
    for (const id of view.visibility.collections) if ((graph.collections.get(id)?.createdRev ?? 0) <= upTo) mix(id);
    for (const id of view.visibility.namesOnly) if ((graph.collections.get(id)?.createdRev ?? 0) <= upTo) { mix(id); mix(id); }
  }
  const role = actor.projectRole ? `${actor.projectRole.id}:${actor.projectRole.assignedOnly ? 'assigned' : 'all'}:${actor.projectRole.permissions.list().join(',')}` : '-';
  return createHash('sha256').update(`${role}|${count}|${lanes.join('.')}`).digest('base64url').slice(0, 16);
}

const USERS = ['u0', 'u1', 'u2'];

function randomId(rng: Rng, plainIds: boolean, n: number): string {
  if (plainIds) return `x${n}`;
  const hex = (len: number) => Array.from({ length: len }, () => rng.pick('0123456789abcdefABCDEF'.split(''))).join('');
  return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
}

function randomGraph(rng: Rng, plainIds: boolean) {
  let n = 0;
  const id = () => randomId(rng, plainIds, ++n);
  const maxRev = 1 + rng.int(30);
  const rev = () => (rng.chance(0.05) ? undefined : 1 + rng.int(maxRev));
  const collections: CollectionNode[] = [];
  for (let i = rng.int(30); i > 0; i--) {
    const parent = collections.length && rng.chance(0.8) ? rng.pick(collections).id : null;
    collections.push({ id: id(), createdRev: rev(), parentId: parent, shared: rng.chance(0.15), assigneeId: rng.chance(0.15) ? rng.pick(USERS) : null });
  }
  const assets: AssetNode[] = [];
  for (let i = rng.int(150); i > 0; i--)
    assets.push({ id: id(), createdRev: rev(), collectionId: collections.length && rng.chance(0.9) ? rng.pick(collections).id : null, assigneeId: rng.chance(0.3) ? rng.pick(USERS) : null });
  const deps: (DependencyEdge & { id: string })[] = [];
  if (assets.length)
    for (let i = rng.int(200); i > 0; i--) {
      const toCollection = collections.length && rng.chance(0.2);
      deps.push({ id: id(), assetId: rng.pick(assets).id, targetAssetId: toCollection ? null : rng.pick(assets).id, targetCollectionId: toCollection ? rng.pick(collections).id : null });
    }
  return { graph: new ProjectGraph(collections, assets, deps), maxRev };
}

const PERMS: Permission[] = ['asset.view_all', 'collection.view_all', 'content.download', 'content.download_all', 'checkpoint.view'];

function randomActor(rng: Rng): ProjectActor {
  return {
    userId: rng.pick([...USERS, 'nobody']), role: 'member', suspended: rng.chance(0.05),
    projectRole: rng.chance(0.05) ? null : { id: rng.pick(['r1', 'r2']), fixed: false, assignedOnly: rng.chance(0.3), permissions: PermissionSet.of(PERMS.filter(() => rng.chance(0.3))) },
  };
}

describe('visibility digests computed together equal one-at-a-time digests', () => {
  test(`random projects, members and revisions (base seed ${BASE_SEED})`, () => {
    let differentPairs = 0;
    for (let i = 0; i < 400; i++) {
      const seed = (BASE_SEED + i) >>> 0;
      const rng = seededRng(seed);
      // Most ids are UUIDs (as the server makes them); some are not, where parseInt's NaN zeroes a lane.
      const { graph, maxRev } = randomGraph(rng, rng.chance(0.1));
      for (let k = 0; k < 4; k++) {
        const actor = randomActor(rng);
        const revs = Array.from({ length: 1 + rng.int(3) }, () => rng.int(maxRev + 2));
        const where = `seed ${seed} (BACKLOT_DIGEST_SEED=${seed}), actor ${JSON.stringify({ ...actor, projectRole: actor.projectRole && { ...actor.projectRole, permissions: actor.projectRole.permissions.list() } })}, revisions ${revs}`;
        // Fresh views: the memo per view must not hide a difference.
        const together = visibilityDigests(graph, actor, memberView(graph, actor), revs);
        const expected = revs.map((r) => reference(graph, actor, memberView(graph, actor), r));
        assert.deepEqual(together, expected, where);
        assert.deepEqual(revs.map((r) => visibilityDigest(graph, actor, memberView(graph, actor), r)), expected, `${where}: one at a time`);
        // The memo: asking again, in another order and with repeats, gives the same answers.
        const view = memberView(graph, actor);
        visibilityDigests(graph, actor, view, revs.slice(0, 1));
        assert.deepEqual(visibilityDigests(graph, actor, view, [...revs].reverse()), [...expected].reverse(), `${where}: memoised`);
        if (new Set(expected).size > 1) differentPairs++;
      }
    }
    assert.ok(differentPairs > 50, `revisions should often change the digest (${differentPairs} cases)`);
  });
});
