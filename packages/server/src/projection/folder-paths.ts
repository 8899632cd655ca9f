// Folder paths for answers that name files (cards, control requests, share links): the names of
// the collections above an item, top first, as a member sees them.
import type { Reader } from './read-context.js';

const IN_CHUNK = 500;

/**
 * Each collection's path: the names above and of it, top first, as the member sees them (a
 * collection above a visible item is visible by name at least). Same-named files in different
 * shots look alike on a board without it. One query for the whole page's chains.
 */
export async function folderPaths(r: Pick<Reader, 'ctx' | 'graph' | 'view'>, collectionIds: readonly (string | null)[]): Promise<Map<string, string>> {
  const chains = new Map<string, string[]>();
  for (const start of new Set(collectionIds)) {
    if (!start) continue;
    const chain: string[] = [];
    for (let id: string | null = start; id && chain.length < 10_000; id = r.graph.collections.get(id)?.parentId ?? null) chain.unshift(id);
    chains.set(start, chain);
  }
  const wanted = [...new Set([...chains.values()].flat())];
  const names = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += IN_CHUNK) {
    const rows = await r.ctx.db.selectFrom('collections').select(['id', 'name']).where('id', 'in', wanted.slice(i, i + IN_CHUNK)).execute();
    for (const c of rows) names.set(c.id, c.name);
  }
  const out = new Map<string, string>();
  for (const [start, chain] of chains) {
    const parts = chain.filter((id) => names.has(id) && r.view.collectionAccess(id)).map((id) => names.get(id)!);
    if (parts.length) out.set(start, parts.join('/'));
  }
  return out;
}
