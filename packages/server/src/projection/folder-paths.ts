// The collections above an item, as a member sees them: the `path` of an asset or collection
// detail, and the `folder` text of answers that name files (cards, control requests, share links).
// Same-named files in different shots look alike without it.
import type { PathEntry } from '@backlot/core';
import type { Reader } from './read-context.js';

const IN_CHUNK = 500;

/**
 * For each collection, its chain from the top down to itself, each entry visible to the member at
 * least by name. One query for all the chains' names.
 */
export async function chainsOf(r: Pick<Reader, 'ctx' | 'graph' | 'view'>, collectionIds: readonly (string | null)[]): Promise<Map<string, PathEntry[]>> {
  const ids = new Map<string, string[]>();
  for (const start of new Set(collectionIds)) {
    if (!start) continue;
    const chain: string[] = [];
    for (let id: string | null = start; id && chain.length < 10_000; id = r.graph.collections.get(id)?.parentId ?? null) chain.unshift(id);
    ids.set(start, chain);
  }
  const wanted = [...new Set([...ids.values()].flat())];
  const rows = new Map<string, { parent_id: string | null; name: string }>();
  for (let i = 0; i < wanted.length; i += IN_CHUNK) {
    for (const c of await r.ctx.db.selectFrom('collections').select(['id', 'parent_id', 'name']).where('id', 'in', wanted.slice(i, i + IN_CHUNK)).execute()) rows.set(c.id, c);
  }
  const out = new Map<string, PathEntry[]>();
  for (const [start, chain] of ids) {
    out.set(start, chain.flatMap((id) => {
      const c = rows.get(id);
      const access = r.view.collectionAccess(id);
      return c && access ? [{ id, parentId: c.parent_id, name: c.name, nameOnly: access === 'name' }] : [];
    }));
  }
  return out;
}

/** The folder text of items in these collections ("shots/sh010"; null at the top level). */
export async function folderPaths(r: Pick<Reader, 'ctx' | 'graph' | 'view'>, collectionIds: readonly (string | null)[]): Promise<(collectionId: string | null) => string | null> {
  const chains = await chainsOf(r, collectionIds);
  return (collectionId) => {
    const chain = collectionId ? chains.get(collectionId) : undefined;
    return chain?.length ? chain.map((c) => c.name).join('/') : null;
  };
}
