// The browser's state lives in the URL (shareable, kept on reload): the folder shown, the tab,
// the filters and the layout. It becomes one asset-list query for the server, which filters by
// what the caller may see; nothing is filtered in the page.
import type { AssetQuery, BoardView } from '@backlot/api';
import { filterQuery, filtersFrom, isFiltered, putFilters, type TaskFilters } from '../../filters/task-filters.ts';

export type Layout = 'list' | 'grid';

export interface BrowseState extends TaskFilters {
  /** The collection shown ('' = the top level). */
  folder: string;
  tab: BoardView;
  layout: Layout;
  trash: boolean;
}

const TABS: readonly BoardView[] = ['default', 'my', 'assigned', 'unassigned'];

export function stateFrom(p: URLSearchParams): BrowseState {
  const tab = p.get('tab') as BoardView | null;
  return {
    folder: p.get('folder') ?? '',
    tab: tab && TABS.includes(tab) ? tab : 'default',
    ...filtersFrom(p),
    layout: p.get('layout') === 'grid' ? 'grid' : 'list',
    trash: p.get('trash') === '1',
  };
}

export function paramsOf(s: BrowseState): URLSearchParams {
  const out = new URLSearchParams();
  const put = (k: string, v: string) => v && out.set(k, v);
  put('folder', s.folder);
  if (s.tab !== 'default') out.set('tab', s.tab);
  putFilters(out, s);
  if (s.layout === 'grid') out.set('layout', 'grid');
  if (s.trash) out.set('trash', '1');
  return out;
}

/** Filters beyond the folder: then the whole subtree is searched, not just the folder's own items. */
export function isSearching(s: BrowseState): boolean {
  return s.tab !== 'default' || isFiltered(s);
}

/**
 * The query, or null when the filters cannot match anything (My Tasks or Assigned together with
 * the Unassigned assignee): then nothing is asked.
 */
export function listQuery(s: BrowseState): AssetQuery | null {
  if (s.assignee === 'unassigned' && (s.tab === 'my' || s.tab === 'assigned')) return null;
  const searching = isSearching(s);
  return {
    ...filterQuery(s, s.tab),
    ...(searching ? (s.folder ? { collection: s.folder } : {}) : { folder: s.folder || 'root' }),
  };
}
