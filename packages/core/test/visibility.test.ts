// Property tests for the visibility rules (PRODUCT.md "Visibility is not permission"):
// `ProjectGraph.visibleTo` against a brute-force oracle written from the product text, on random
// projects (collection trees, shared flags, assignments, dependency graphs with cycles), and the
// graph patched change by change against one built afresh. Then `memberView` by permission.
//
// Random projects come from a seeded PRNG. The base seed is random per run unless
// BACKLOT_VIS_SEED is set; every failure message names the seed that reproduces it:
//   BACKLOT_VIS_SEED=<seed> node --import tsx --test packages/core/test/visibility.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  memberView, PermissionSet, ProjectGraph,
  type AssetNode, type CollectionNode, type DependencyEdge, type Permission, type ProjectActor, type Visibility,
} from '../src/index.js';
import { seededRng, type Rng } from '@backlot/test-kit/random';


const BASE_SEED = process.env.BACKLOT_VIS_SEED ? Number(process.env.BACKLOT_VIS_SEED) : Math.floor(Math.random() * 2 ** 31);
const reproduce = (seed: number) => `seed ${seed} (reproduce: BACKLOT_VIS_SEED=${seed} node --import tsx --test packages/core/test/visibility.test.ts)`;

/** Runs `body` with a PRNG for `seed`; any failure is re-thrown with the seed in its message. */
function withSeed(seed: number, body: (rng: Rng) => void) {
  try {
    body(seededRng(seed));
  } catch (err) {
    const e = err as Error;
    e.message = `[${reproduce(seed)}] ${e.message}`;
    console.error(`visibility property failed with ${reproduce(seed)}`);
    throw e;
  }
}

// ---- a project as plain data ---------------------------------------------------------------------

type Dep = DependencyEdge & { id: string };
interface Model {
  collections: CollectionNode[];
  assets: AssetNode[];
  deps: Dep[];
}

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4'];

interface Shape {
  collections: number;
  assets: number;
  deps: number;
  shared: number;
  assignedCollection: number;
  assignedAsset: number;
  rootAssets: number;
}

function randomShape(rng: Rng): Shape {
  // Mostly mid-size projects, some tiny (edge cases), some a few hundred items.
  const size = rng.pick([0, 3, 10, 40, 100, 250]);
  const c = rng.int(Math.max(1, Math.floor(size / 3)) + 1);
  return {
    collections: c,
    assets: rng.int(size + 1),
    deps: rng.int(Math.floor(size * rng.pick([0.2, 0.8, 1.5])) + 1),
    shared: rng.pick([0, 0.03, 0.1, 0.3]),
    assignedCollection: rng.pick([0, 0.05, 0.15]),
    assignedAsset: rng.pick([0, 0.05, 0.2, 0.5]),
    rootAssets: rng.pick([0, 0.1, 0.3]),
  };
}

function randomModel(rng: Rng, ids: { n: number }): Model {
  const shape = randomShape(rng);
  const fresh = (p: string) => `${p}${++ids.n}`;
  const collections: CollectionNode[] = [];
  for (let i = 0; i < shape.collections; i++) {
    // Deep chains sometimes (always pick the newest), bushy trees otherwise.
    const parent = collections.length === 0 || rng.chance(0.15) ? null
      : rng.chance(0.3) ? collections[collections.length - 1] : rng.pick(collections);
    collections.push({
      id: fresh('c'), parentId: parent?.id ?? null, shared: rng.chance(shape.shared),
      assigneeId: rng.chance(shape.assignedCollection) ? rng.pick(USERS) : null,
    });
  }
  const assets: AssetNode[] = [];
  for (let i = 0; i < shape.assets; i++)
    assets.push({
      id: fresh('a'), collectionId: collections.length === 0 || rng.chance(shape.rootAssets) ? null : rng.pick(collections).id,
      assigneeId: rng.chance(shape.assignedAsset) ? rng.pick(USERS) : null,
    });
  const deps: Dep[] = [];
  const addDep = (from: AssetNode, to: { asset?: string; collection?: string }) =>
    deps.push({ id: fresh('d'), assetId: from.id, targetAssetId: to.asset ?? null, targetCollectionId: to.collection ?? null });
  if (assets.length) {
    for (let i = 0; i < shape.deps; i++) {
      const from = rng.pick(assets);
      const r = rng.next();
      if (r < 0.65) addDep(from, { asset: rng.pick(assets).id }); // self-loops included
      else if (r < 0.9 && collections.length) addDep(from, { collection: rng.pick(collections).id });
      // Edges stay while an end is trashed: targets that are not (or no longer) in the project.
      else if (r < 0.95) addDep(from, { asset: `gone-a${rng.int(1e6)}` });
      else addDep(from, { collection: `gone-c${rng.int(1e6)}` });
    }
    // Guaranteed cycles: a ring of assets, and an asset depending on a collection that holds it.
    if (assets.length > 2 && rng.chance(0.7)) {
      const ring = Array.from({ length: 2 + rng.int(Math.min(6, assets.length - 1)) }, () => rng.pick(assets));
      ring.forEach((a, i) => addDep(a, { asset: ring[(i + 1) % ring.length].id }));
    }
    const inside = assets.filter((a) => a.collectionId);
    if (inside.length && rng.chance(0.5)) {
      const a = rng.pick(inside);
      const ancestors = ancestorsOf(collections, a.collectionId!);
      addDep(a, { collection: rng.pick(ancestors) });
    }
  }
  return { collections, assets, deps };
}

/** The collection itself and its parents, nearest first (plain walk, stops at a missing parent). */
function ancestorsOf(collections: CollectionNode[], id: string): string[] {
  const out: string[] = [];
  for (let c = collections.find((x) => x.id === id); c; c = collections.find((x) => x.id === c!.parentId)) {
    if (out.includes(c.id)) break;
    out.push(c.id);
  }
  return out;
}

function buildGraph(m: Model): ProjectGraph {
  return new ProjectGraph(m.collections, m.assets, m.deps);
}

// ---- the oracle ----------------------------------------------------------------------------------

interface Plain {
  assets: string[];
  collections: string[];
  namesOnly: string[];
}

/**
 * Brute force, straight from PRODUCT.md: visible are everything in shared collections and their
 * sub-collections, tasks assigned to the member, collections assigned to them (with their
 * contents); then, until nothing changes, whatever a visible asset depends on (an asset, or a
 * whole collection with its contents). Parents of visible items not visible themselves are
 * shown by name only. Only items that exist count.
 * `shared: false` (a Vendor: "only what is explicitly assigned (and its dependencies)"): shared
 * collections are no root; what is assigned, and its dependency closure, still counts, shared or not.
 */
function oracle(m: Model, user: string, opts: { shared?: boolean } = {}): Plain {
  // Each collection's chain of itself + ancestors, computed once with a plain walk.
  const chain = new Map<string, string[]>(m.collections.map((c) => [c.id, ancestorsOf(m.collections, c.id)]));
  const collectionIds = new Set(m.collections.map((c) => c.id));
  const assetIds = new Set(m.assets.map((a) => a.id));
  const full = new Set<string>();
  const seen = new Set<string>();
  // Roots whose subtree is fully visible: shared, assigned, and (below) dependency targets.
  const useShared = opts.shared !== false;
  const roots = new Set<string>(m.collections.filter((c) => (useShared && c.shared) || c.assigneeId === user).map((c) => c.id));
  for (const a of m.assets) if (a.assigneeId === user) seen.add(a.id);
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of m.collections)
      if (!full.has(c.id) && chain.get(c.id)!.some((x) => roots.has(x))) { full.add(c.id); changed = true; }
    for (const a of m.assets)
      if (!seen.has(a.id) && a.collectionId !== null && full.has(a.collectionId)) { seen.add(a.id); changed = true; }
    for (const d of m.deps) {
      if (!seen.has(d.assetId)) continue;
      if (d.targetAssetId && assetIds.has(d.targetAssetId) && !seen.has(d.targetAssetId)) { seen.add(d.targetAssetId); changed = true; }
      if (d.targetCollectionId && collectionIds.has(d.targetCollectionId) && !roots.has(d.targetCollectionId)) { roots.add(d.targetCollectionId); changed = true; }
    }
  }
  const names = new Set<string>();
  const parentOf = (id: string) => m.collections.find((c) => c.id === id)?.parentId ?? null;
  const nameUp = (start: string | null) => {
    for (const id of start ? ancestorsOf(m.collections, start) : []) if (!full.has(id)) names.add(id);
  };
  for (const id of full) nameUp(parentOf(id));
  for (const a of m.assets) if (seen.has(a.id)) nameUp(a.collectionId);
  const sorted = (s: Iterable<string>) => [...s].sort();
  return { assets: sorted(seen), collections: sorted(full), namesOnly: sorted(names) };
}

const plain = (v: Visibility): Plain => ({ assets: [...v.assets].sort(), collections: [...v.collections].sort(), namesOnly: [...v.namesOnly].sort() });

function describeModel(m: Model): string {
  return `${m.collections.length} collections, ${m.assets.length} assets, ${m.deps.length} dependencies`;
}

function assertSameVisibility(actual: Plain, expected: Plain, what: string, m?: Model) {
  const live = (id: string) => !m || m.collections.some((c) => c.id === id) || m.assets.some((a) => a.id === id);
  for (const k of ['assets', 'collections', 'namesOnly'] as const) {
    if (actual[k].length === expected[k].length && actual[k].every((x, i) => x === expected[k][i])) continue;
    const extra = actual[k].filter((x) => !expected[k].includes(x)).map((x) => (live(x) ? x : `${x} (not in the project)`));
    const missing = expected[k].filter((x) => !actual[k].includes(x));
    assert.fail(`${what}: ${k} differ; unexpected ${JSON.stringify(extra.slice(0, 20))}, missing ${JSON.stringify(missing.slice(0, 20))}`);
  }
}

// ---- the properties ------------------------------------------------------------------------------

const PROJECTS = 300;
const INCREMENTAL_PROJECTS = 200;

describe('ProjectGraph.visibleTo matches the PRODUCT.md rules', () => {
  test(`oracle sanity: a hand-made project`, () => {
    // s (shared) > s1 > a1 -> b1 (in hidden h) ; h > h1 > b2 ; a2 (assigned to u1, in h) -> collection h1
    const m: Model = {
      collections: [
        { id: 's', parentId: null, shared: true, assigneeId: null },
        { id: 's1', parentId: 's', shared: false, assigneeId: null },
        { id: 'h', parentId: null, shared: false, assigneeId: null },
        { id: 'h1', parentId: 'h', shared: false, assigneeId: null },
        { id: 'h2', parentId: 'h', shared: false, assigneeId: null },
        { id: 'x', parentId: 'h2', shared: false, assigneeId: 'u2' },
      ],
      assets: [
        { id: 'a1', collectionId: 's1', assigneeId: null },
        { id: 'b1', collectionId: 'h', assigneeId: null },
        { id: 'b2', collectionId: 'h1', assigneeId: null },
        { id: 'a2', collectionId: 'h', assigneeId: 'u1' },
        { id: 'b3', collectionId: 'h2', assigneeId: null },
      ],
      deps: [
        { id: 'd1', assetId: 'a1', targetAssetId: 'b1', targetCollectionId: null },
        { id: 'd2', assetId: 'a2', targetAssetId: null, targetCollectionId: 'h1' },
        { id: 'd3', assetId: 'b2', targetAssetId: 'a2', targetCollectionId: null }, // cycle a2 -> h1 -> b2 -> a2
        { id: 'd4', assetId: 'b3', targetAssetId: 'a1', targetCollectionId: null }, // b3 invisible: no effect
      ],
    };
    const expected: Record<string, Plain> = {
      u0: { assets: ['a1', 'b1'], collections: ['s', 's1'], namesOnly: ['h'] },
      u1: { assets: ['a1', 'a2', 'b1', 'b2'], collections: ['h1', 's', 's1'], namesOnly: ['h'] },
      u2: { assets: ['a1', 'b1'], collections: ['s', 's1', 'x'], namesOnly: ['h', 'h2'] },
    };
    const g = buildGraph(m);
    for (const [u, want] of Object.entries(expected)) {
      assert.deepEqual(oracle(m, u), want, `oracle for ${u}`);
      assert.deepEqual(plain(g.visibleTo(u)), want, `graph for ${u}`);
    }
    // Without shared roots (assigned-only roles): s, s1, a1 and b1 (a1's dependency) are gone for
    // everyone; u1 keeps a2 and its closure (h1, b2), u2 the collection assigned to them.
    const assignedOnly: Record<string, Plain> = {
      u0: { assets: [], collections: [], namesOnly: [] },
      u1: { assets: ['a2', 'b2'], collections: ['h1'], namesOnly: ['h'] },
      u2: { assets: [], collections: ['x'], namesOnly: ['h', 'h2'] },
    };
    for (const [u, want] of Object.entries(assignedOnly)) {
      assert.deepEqual(oracle(m, u, { shared: false }), want, `oracle without shared roots for ${u}`);
      assert.deepEqual(plain(g.visibleTo(u, { shared: false })), want, `graph without shared roots for ${u}`);
    }
    // A dependency of an assigned item is visible even inside a shared collection.
    const m2: Model = { ...m, deps: [...m.deps, { id: 'd5', assetId: 'a2', targetAssetId: 'a1', targetCollectionId: null }] };
    const want = { assets: ['a1', 'a2', 'b1', 'b2'], collections: ['h1'], namesOnly: ['h', 's', 's1'] };
    assert.deepEqual(oracle(m2, 'u1', { shared: false }), want, 'oracle: a shared dependency of an assigned task');
    assert.deepEqual(plain(buildGraph(m2).visibleTo('u1', { shared: false })), want, 'graph: a shared dependency of an assigned task');
  });

  test(`${PROJECTS} random projects (base seed ${BASE_SEED})`, () => {
    let items = 0;
    for (let i = 0; i < PROJECTS; i++) {
      const seed = (BASE_SEED + i) >>> 0;
      withSeed(seed, (rng) => {
        const m = randomModel(rng, { n: 0 });
        items += m.collections.length + m.assets.length;
        const g = buildGraph(m);
        for (const u of [...USERS, 'nobody']) assertSameVisibility(plain(g.visibleTo(u)), oracle(m, u), `project ${i} (${describeModel(m)}), user ${u}`, m);
      });
    }
    assert.ok(items > PROJECTS * 20, `random projects should not all be tiny (${items} items)`);
  });

  test(`${PROJECTS} random projects without shared roots (assigned-only roles; base seed ${BASE_SEED})`, () => {
    let differs = 0;
    for (let i = 0; i < PROJECTS; i++) {
      const seed = (BASE_SEED + 200_000 + i) >>> 0;
      withSeed(seed, (rng) => {
        const m = randomModel(rng, { n: 0 });
        const g = buildGraph(m);
        for (const u of [...USERS, 'nobody']) {
          const where = `project ${i} (${describeModel(m)}), user ${u}, shared: false`;
          const narrow = plain(g.visibleTo(u, { shared: false }));
          assertSameVisibility(narrow, oracle(m, u, { shared: false }), where, m);
          // Leaving roots out only ever hides: never more assets or full collections than with them.
          const wide = plain(g.visibleTo(u));
          for (const k of ['assets', 'collections'] as const)
            assert.deepEqual(narrow[k].filter((x) => !wide[k].includes(x)), [], `${where}: ${k} not visible with shared roots`);
          if (!m.collections.some((c) => c.shared)) assertSameVisibility(narrow, wide, `${where}: nothing is shared, so nothing differs`, m);
          else if (narrow.assets.length !== wide.assets.length) differs++;
        }
      });
    }
    assert.ok(differs > PROJECTS / 10, `shared collections should often make a difference (${differs} cases)`);
  });

  test(`incremental updates on ${INCREMENTAL_PROJECTS} random projects match a fresh build (base seed ${BASE_SEED})`, () => {
    for (let i = 0; i < INCREMENTAL_PROJECTS; i++) {
      const seed = (BASE_SEED + 100_000 + i) >>> 0;
      withSeed(seed, (rng) => runIncremental(rng, i));
    }
  });
});

/**
 * Applies random changes (create, move, share, assign, remove, restore; dependencies added,
 * retargeted, removed) both to a model and to one long-lived graph, and compares the graph with a
 * fresh build and with the oracle along the way.
 */
function runIncremental(rng: Rng, project: number) {
  const ids = { n: 0 };
  const m = randomModel(rng, ids);
  const g = buildGraph(m);
  const removedCollections: CollectionNode[] = [];
  const removedAssets: AssetNode[] = [];
  const steps = 40 + rng.int(160);
  const log: string[] = [];
  const earlier: { v: Visibility; was: Plain }[] = [];

  const descendantsOf = (id: string) => new Set(m.collections.filter((c) => ancestorsOf(m.collections, c.id).includes(id)).map((c) => c.id));
  const upsertC = (c: CollectionNode) => {
    const i = m.collections.findIndex((x) => x.id === c.id);
    if (i >= 0) m.collections[i] = c;
    else m.collections.push(c);
    g.upsertCollection(c);
  };
  const upsertA = (a: AssetNode) => {
    const i = m.assets.findIndex((x) => x.id === a.id);
    if (i >= 0) m.assets[i] = a;
    else m.assets.push(a);
    g.upsertAsset(a);
  };
  const removeC = (id: string) => {
    const i = m.collections.findIndex((x) => x.id === id);
    removedCollections.push(m.collections[i]);
    m.collections.splice(i, 1);
    g.removeCollection(id);
  };
  const removeA = (id: string) => {
    const i = m.assets.findIndex((x) => x.id === id);
    removedAssets.push(m.assets[i]);
    m.assets.splice(i, 1);
    g.removeAsset(id);
  };
  const anyCollectionId = () => (m.collections.length && !rng.chance(0.15) ? rng.pick(m.collections).id : null);

  for (let step = 0; step < steps; step++) {
    const r = rng.int(15);
    if (r === 0) {
      const c = { id: `c${++ids.n}`, parentId: anyCollectionId(), shared: rng.chance(0.2), assigneeId: rng.chance(0.2) ? rng.pick(USERS) : null };
      log.push(`create collection ${c.id}`);
      upsertC(c);
    } else if (r === 1 && m.collections.length) {
      // Move (never below itself), share/unshare, (re)assign.
      const c = rng.pick(m.collections);
      const below = descendantsOf(c.id);
      const places = [null, ...m.collections.map((x) => x.id).filter((x) => !below.has(x))];
      const next = { ...c };
      const what = rng.int(3);
      if (what === 0) next.parentId = rng.pick(places);
      else if (what === 1) next.shared = !c.shared;
      else next.assigneeId = rng.chance(0.3) ? null : rng.pick(USERS);
      log.push(`update collection ${c.id} ${JSON.stringify(next)}`);
      upsertC(next);
    } else if (r === 2 && m.collections.length) {
      // Trash a collection with its subtree, as the server does.
      const root = rng.pick(m.collections).id;
      const below = descendantsOf(root);
      log.push(`remove subtree ${root}`);
      for (const a of m.assets.filter((x) => x.collectionId && below.has(x.collectionId))) removeA(a.id);
      for (const id of below) removeC(id);
    } else if (r === 3 && m.collections.length) {
      // Remove a single collection, leaving orphans behind: the graph is a public API.
      const id = rng.pick(m.collections).id;
      log.push(`remove collection ${id}`);
      removeC(id);
    } else if (r === 4 && removedCollections.length) {
      // Restore a removed collection with its old id (only where its parent is back too, or a root).
      const c = removedCollections.splice(rng.int(removedCollections.length), 1)[0];
      if (!m.collections.some((x) => x.id === c.id) && (c.parentId === null || m.collections.some((x) => x.id === c.parentId))) {
        log.push(`restore collection ${c.id}`);
        upsertC(c);
      }
    } else if (r === 5) {
      const a = { id: `a${++ids.n}`, collectionId: anyCollectionId(), assigneeId: rng.chance(0.3) ? rng.pick(USERS) : null };
      log.push(`create asset ${a.id}`);
      upsertA(a);
    } else if (r === 6 && m.assets.length) {
      const a = rng.pick(m.assets);
      const next = rng.chance(0.5) ? { ...a, collectionId: anyCollectionId() } : { ...a, assigneeId: rng.chance(0.4) ? null : rng.pick(USERS) };
      log.push(`update asset ${a.id} ${JSON.stringify(next)}`);
      upsertA(next);
    } else if (r === 7 && m.assets.length) {
      const id = rng.pick(m.assets).id;
      log.push(`remove asset ${id}`);
      removeA(id);
    } else if (r === 8 && removedAssets.length) {
      const a = removedAssets.splice(rng.int(removedAssets.length), 1)[0];
      if (!m.assets.some((x) => x.id === a.id)) {
        log.push(`restore asset ${a.id}`);
        upsertA(a);
      }
    } else if ((r === 9 || r === 10) && m.assets.length) {
      // Targets may be live, removed (edges are kept for a restore) or collections.
      const pool = [...m.assets.map((a) => a.id), ...removedAssets.map((a) => a.id)];
      const toCollection = rng.chance(0.35) && (m.collections.length || removedCollections.length);
      const d: Dep = {
        id: `d${++ids.n}`, assetId: rng.pick(m.assets).id,
        targetAssetId: toCollection ? null : rng.pick(pool),
        targetCollectionId: toCollection ? rng.pick([...m.collections, ...removedCollections]).id : null,
      };
      log.push(`add dependency ${JSON.stringify(d)}`);
      m.deps.push(d);
      g.upsertDependency(d);
    } else if (r === 11 && m.deps.length && m.assets.length) {
      // Retarget an existing edge (same id, new ends).
      const i = rng.int(m.deps.length);
      const d: Dep = { ...m.deps[i], assetId: rng.pick(m.assets).id, targetAssetId: rng.pick(m.assets).id, targetCollectionId: null };
      log.push(`retarget dependency ${JSON.stringify(d)}`);
      m.deps[i] = d;
      g.upsertDependency(d);
    } else if (r === 12 && m.deps.length) {
      const d = m.deps.splice(rng.int(m.deps.length), 1)[0];
      log.push(`remove dependency ${d.id}`);
      g.removeDependency(d.id);
    } else if (r === 14 && m.assets.length && m.collections.length) {
      // Changes that move nothing (a rename, a status): kept answers must stay right.
      const a = rng.pick(m.assets);
      const c = rng.pick(m.collections);
      log.push(`touch asset ${a.id} and collection ${c.id}`);
      upsertA({ ...a, createdRev: step });
      upsertC({ ...c, createdRev: step });
    } else if (r === 13) {
      // Removing what is not there is harmless.
      log.push('remove unknown ids');
      g.removeCollection('nope');
      g.removeAsset('nope');
      g.removeDependency('nope');
    }
    // Ask after every step, so kept answers exist to go stale if a change forgot to drop them.
    for (const u of USERS) g.visibleTo(u);
    if (step % 15 === 14 || step === steps - 1 || rng.chance(0.1)) compare(step);
  }

  function compare(step: number) {
    // Renumbering drops the slots of ids nothing refers to any more; it must change no answer.
    // (Half the time after the answers below are checked, so they come from kept answers.)
    const compactFirst = rng.chance(0.3);
    if (compactFirst) g.compact();
    const fresh = buildGraph(m);
    const where = `project ${project} after step ${step} (${describeModel(m)}; last changes: ${log.slice(-5).join(' | ')})`;
    assert.deepEqual([...g.collections.keys()].sort(), [...fresh.collections.keys()].sort(), `${where}: collections`);
    assert.deepEqual([...g.assets.keys()].sort(), [...fresh.assets.keys()].sort(), `${where}: assets`);
    for (const id of [null, ...m.collections.map((c) => c.id)]) {
      assert.deepEqual([...g.childrenOf(id)].sort(), [...fresh.childrenOf(id)].sort(), `${where}: children of ${id}`);
      assert.deepEqual([...g.assetsIn(id)].sort(), [...fresh.assetsIn(id)].sort(), `${where}: assets in ${id}`);
    }
    // A result answers for the graph it was computed on, however the graph moved on since
    // (changes, compaction): views are shared by requests still running at an older revision.
    const known = [...m.collections, ...m.assets, ...removedCollections, ...removedAssets].map((x) => x.id);
    for (const { v, was } of earlier) assert.deepEqual(plainWithHas(v, was, known), was, `${where}: an earlier result changed`);
    for (const u of USERS) {
      const patched = plain(g.visibleTo(u));
      assertSameVisibility(patched, plain(fresh.visibleTo(u)), `${where}, user ${u}: patched vs fresh graph`, m);
      assertSameVisibility(patched, oracle(m, u), `${where}, user ${u}: patched graph vs oracle`, m);
      assertSameVisibility(plain(g.visibleTo(u, { shared: false })), oracle(m, u, { shared: false }), `${where}, user ${u}: patched graph vs oracle, shared: false`, m);
    }
    const v = g.visibleTo(rng.pick(USERS));
    earlier.push({ v, was: plain(v) });
    if (!compactFirst && rng.chance(0.3)) g.compact();
  }
}

/** The result as sorted lists, checking along the way that `has` and `size` agree with iteration. */
function plainWithHas(v: Visibility, was: Plain, known: string[]): Plain {
  const p = plain(v);
  for (const k of ['assets', 'collections', 'namesOnly'] as const) {
    assert.equal(v[k].size, p[k].length, `${k}: size`);
    const listed = new Set(was[k]);
    for (const id of [...was[k], ...known, 'nope']) assert.equal(v[k].has(id), listed.has(id), `${k}: has(${id})`);
  }
  return p;
}

describe('ProjectGraph slots', () => {
  test('ids of removed items are dropped once enough pile up, and answers stay right', () => {
    const c = (id: string, parentId: string | null, shared = false): CollectionNode => ({ id, parentId, shared, assigneeId: null });
    const g = new ProjectGraph(
      [c('s', null, true), c('h', null), c('h1', 'h')],
      [{ id: 'keep', collectionId: 'h1', assigneeId: 'me' }, { id: 'lib', collectionId: 's', assigneeId: null }],
      [{ id: 'd0', assetId: 'keep', targetAssetId: 'gone', targetCollectionId: null }],
    );
    const first = g.visibleTo('me');
    const firstPlain = plain(first);
    // Churn: 20 rounds of 1,000 new assets (with edges between them and onto live items), then
    // their removal. Without reuse the graph would hold 20,000 dead slots.
    let peak = 0;
    for (let round = 0; round < 20; round++) {
      const ids = Array.from({ length: 1000 }, (_, i) => `r${round}-${i}`);
      ids.forEach((id, i) => g.upsertAsset({ id, collectionId: i % 2 ? 'h' : 'h1', assigneeId: i % 3 ? null : 'me' }));
      ids.forEach((id, i) => g.upsertDependency({ id: `e-${id}`, assetId: id, targetAssetId: i % 5 ? ids[(i + 1) % ids.length] : 'lib', targetCollectionId: null }));
      const during = g.visibleTo('me');
      // Assigned every third; each reaches the next along the ring until an edge goes to 'lib'.
      assert.ok(ids.every((id, i) => during.assets.has(id) === (i % 3 === 0 || (i % 3 === 1 && (i - 1) % 5 !== 0) || (i % 3 === 2 && (i - 2) % 5 !== 0 && (i - 1) % 5 !== 0))), `round ${round}`);
      for (const id of ids) g.removeAsset(id);
      for (const id of ids) g.removeDependency(`e-${id}`);
      peak = Math.max(peak, g.slotCount);
    }
    assert.ok(peak < 12_000, `slots are reused (peak ${peak})`);
    // The last round's assets still wait for the next compaction; it keeps only what is referenced:
    // the live items, the root, and 'gone' (an edge names it).
    g.compact();
    assert.equal(g.slotCount, 4 + 3); // root, s, h, h1; keep, lib, gone
    assert.deepEqual(plain(g.visibleTo('me')), firstPlain);
    // The first result still answers for its own graph, new ids included.
    assert.deepEqual(plain(first), firstPlain);
    assert.equal(first.assets.has('r19-0'), false);
    g.upsertAsset({ id: 'late', collectionId: 'h1', assigneeId: 'me' });
    assert.equal(first.assets.has('late'), false);
    assert.equal(g.visibleTo('me').assets.has('late'), true);
    // 'gone' comes back: the edge kept in the meantime makes it visible to me.
    g.upsertAsset({ id: 'gone', collectionId: 'h', assigneeId: null });
    assert.ok(g.visibleTo('me').assets.has('gone'));
  });

  test('answers are kept across changes nobody sees, and dropped by the next one that matters', () => {
    const g = new ProjectGraph<AssetNode>(
      [{ id: 'lib', parentId: null, shared: true, assigneeId: null }, { id: 'mine', parentId: null, shared: false, assigneeId: 'me' }],
      [{ id: 'a', collectionId: 'lib', assigneeId: null }, { id: 'b', collectionId: null, assigneeId: null }],
    );
    const first = g.visibleTo('me');
    g.upsertAsset({ id: 'a', collectionId: 'lib', assigneeId: null, createdRev: 9 });
    g.upsertCollection({ id: 'lib', parentId: null, shared: true, assigneeId: null, createdRev: 9 });
    assert.equal(g.visibleTo('me'), first, 'same place, same assignee, same share: the kept answer');
    assert.notEqual(g.visibleTo('me', { shared: false }), first, 'other options are another answer');
    g.upsertAsset({ id: 'b', collectionId: 'mine', assigneeId: null });
    const moved = g.visibleTo('me');
    assert.notEqual(moved, first);
    assert.deepEqual([...moved.assets].sort(), ['a', 'b']);
    assert.deepEqual([...first.assets].sort(), ['a'], 'the earlier answer still describes its own state');
  });

  test('parentsOfAllAssets names the parent chain of every live asset', () => {
    for (let i = 0; i < 100; i++)
      withSeed((BASE_SEED + 300_000 + i) >>> 0, (rng) => {
        const m = randomModel(rng, { n: 0 });
        const g = buildGraph(m);
        for (const u of USERS) {
          const want = oracle(m, u);
          const names = new Set(want.namesOnly);
          const full = new Set(want.collections);
          for (const a of m.assets) for (const id of a.collectionId ? ancestorsOf(m.collections, a.collectionId) : []) if (!full.has(id)) names.add(id);
          assertSameVisibility(plain(g.visibleTo(u, { parentsOfAllAssets: true })), { ...want, namesOnly: [...names].sort() }, `project ${i}, user ${u}`, m);
        }
      });
  });
});

// ---- memberView ----------------------------------------------------------------------------------

describe('memberView combines visibility with view_all and download permissions', () => {
  // shared s > sa ; hidden h > ha (assigned to me), hb ; hidden h > h1 > hc (nothing visible)
  const g = new ProjectGraph(
    [
      { id: 's', parentId: null, shared: true, assigneeId: null },
      { id: 'h', parentId: null, shared: false, assigneeId: null },
      { id: 'h1', parentId: 'h', shared: false, assigneeId: null },
    ],
    [
      { id: 'sa', collectionId: 's', assigneeId: null },
      { id: 'ha', collectionId: 'h', assigneeId: 'me' },
      { id: 'hb', collectionId: 'h', assigneeId: null },
      { id: 'hc', collectionId: 'h1', assigneeId: null },
    ],
  );
  const actor = (perms: Permission[], over: Partial<ProjectActor> = {}): ProjectActor => ({
    userId: 'me', role: 'member', suspended: false, projectRole: { id: 'r', fixed: false, permissions: PermissionSet.of(perms) }, ...over,
  });
  const VISIBLE = ['ha', 'sa'];
  const ALL = ['ha', 'hb', 'hc', 'sa'];
  const seen = (v: ReturnType<typeof memberView>) => ALL.filter((a) => v.canSeeAsset(a));
  const downloads = (v: ReturnType<typeof memberView>) => ALL.filter((a) => v.canDownload(a));
  const access = (v: ReturnType<typeof memberView>) => Object.fromEntries(['s', 'h', 'h1', 'unknown'].map((c) => [c, v.collectionAccess(c)]));

  test('no permissions: the visibility rules decide what is seen; nothing downloads', () => {
    const v = memberView(g, actor([]));
    assert.equal(v.allAssets, false);
    assert.equal(v.allCollections, false);
    assert.deepEqual(seen(v), VISIBLE);
    assert.deepEqual(access(v), { s: 'full', h: 'name', h1: null, unknown: null });
    assert.deepEqual(downloads(v), []);
  });

  // Every combination of the five toggles: seeing follows view_all, downloading follows
  // content.download (visible assets) / content.download_all (any asset), and neither view_all
  // grants content (PRODUCT.md: "file content still needs visibility, or content.download_all").
  // Who sees every asset but not every collection sees each asset's parent chain by name
  // ("The parent chain of every visible item is visible by name"): hc makes h1 a name.
  const TOGGLES: Permission[] = ['asset.view_all', 'collection.view_all', 'content.download', 'content.download_all', 'checkpoint.create'];
  for (let mask = 0; mask < 1 << TOGGLES.length; mask++) {
    const perms = TOGGLES.filter((_, i) => mask & (1 << i));
    const has = (p: Permission) => perms.includes(p);
    test(`permissions [${perms.join(', ') || 'none'}]`, () => {
      const v = memberView(g, actor(perms));
      assert.equal(v.allAssets, has('asset.view_all'));
      assert.equal(v.allCollections, has('collection.view_all'));
      assert.deepEqual(seen(v), has('asset.view_all') ? ALL : VISIBLE, 'assets seen');
      const parentsByName = has('asset.view_all') && !has('collection.view_all');
      assert.deepEqual(access(v), has('collection.view_all')
        ? { s: 'full', h: 'full', h1: 'full', unknown: null }
        : { s: 'full', h: 'name', h1: parentsByName ? 'name' : null, unknown: null }, 'collection access');
      const wantDownloads = has('content.download_all') ? ALL : has('content.download') ? VISIBLE : [];
      assert.deepEqual(downloads(v), wantDownloads, 'downloads');
      // What is visible (and so downloadable) never depends on the permissions; only the names
      // shown for navigation grow with asset.view_all.
      const base = plain(g.visibleTo('me'));
      assert.deepEqual(plain(v.visibility), parentsByName ? { ...base, namesOnly: ['h', 'h1'] } : base);
      assert.equal(v.canSeeAsset('unknown'), false);
      assert.equal(v.canDownload('unknown'), false);
    });
  }

  test('suspended members, studio non-members and non-members of the project see and download nothing', () => {
    const everything: Permission[] = ['asset.view_all', 'collection.view_all', 'content.download', 'content.download_all'];
    for (const [what, a] of [
      ['suspended', actor(everything, { suspended: true })],
      ['no studio seat', actor(everything, { role: null })],
      ['no project role', actor(everything, { projectRole: null })],
    ] as const) {
      const v = memberView(g, a);
      assert.equal(v.allAssets, false, what);
      assert.equal(v.allCollections, false, what);
      assert.deepEqual(seen(v), [], what);
      assert.deepEqual(downloads(v), [], what);
      assert.deepEqual(access(v), { s: null, h: null, h1: null, unknown: null }, what);
      assert.deepEqual(plain(v.visibility), { assets: [], collections: [], namesOnly: [] }, what);
    }
  });

  test('another member sees by their own assignments', () => {
    const other = memberView(g, { ...actor(['content.download']), userId: 'other' });
    assert.deepEqual(seen(other), ['sa']);
    assert.deepEqual(downloads(other), ['sa']);
    assert.deepEqual(access(other), { s: 'full', h: null, h1: null, unknown: null });
  });

  // PRODUCT.md, Vendor: "checkpoint and download only what is explicitly assigned (and its
  // dependencies)": for a role marked assignedOnly, shared collections grant nothing.
  const assignedOnly = (perms: Permission[], userId = 'me'): ProjectActor => ({
    userId, role: 'member', suspended: false, projectRole: { id: 'v', fixed: false, assignedOnly: true, permissions: PermissionSet.of(perms) },
  });

  test('assignedOnly roles: what is assigned, not what is shared', () => {
    const v = memberView(g, assignedOnly(['content.download', 'checkpoint.create']));
    assert.deepEqual(seen(v), ['ha']);
    assert.deepEqual(downloads(v), ['ha']);
    assert.deepEqual(access(v), { s: null, h: 'name', h1: null, unknown: null });
    assert.deepEqual(plain(v.visibility), plain(g.visibleTo('me', { shared: false })));
    // Nothing assigned: nothing at all, though s is shared.
    const idle = memberView(g, assignedOnly(['content.download'], 'other'));
    assert.deepEqual(seen(idle), []);
    assert.deepEqual(downloads(idle), []);
    assert.deepEqual(access(idle), { s: null, h: null, h1: null, unknown: null });
    // The same permissions without the flag do see the shared collection.
    assert.deepEqual(seen(memberView(g, actor(['content.download']))), VISIBLE);
  });

  test('assignedOnly roles: the dependencies of what is assigned, shared or not', () => {
    // ha (assigned) -> sa (shared) and ha -> collection h1: both visible, s and h by name only.
    const withDeps = new ProjectGraph(
      [...g.collections.values()],
      [...g.assets.values()],
      [
        { id: 'd1', assetId: 'ha', targetAssetId: 'sa', targetCollectionId: null },
        { id: 'd2', assetId: 'ha', targetAssetId: null, targetCollectionId: 'h1' },
      ],
    );
    const v = memberView(withDeps, assignedOnly(['content.download']));
    assert.deepEqual(seen(v), ['ha', 'hc', 'sa']);
    assert.deepEqual(downloads(v), ['ha', 'hc', 'sa']);
    assert.deepEqual(access(v), { s: 'name', h: 'name', h1: 'full', unknown: null });
    assert.equal(v.canSeeAsset('hb'), false, 'a sibling of the assigned task is no dependency');
  });

  test('assignedOnly roles with asset.view_all: every asset and its parents by name, content only where assigned', () => {
    const v = memberView(g, assignedOnly(['asset.view_all', 'content.download']));
    assert.deepEqual(seen(v), ALL);
    assert.deepEqual(downloads(v), ['ha']);
    assert.deepEqual(access(v), { s: 'name', h: 'name', h1: 'name', unknown: null });
    // content.download_all still reaches any asset.
    assert.deepEqual(downloads(memberView(g, assignedOnly(['content.download_all']))), ALL);
  });
});
