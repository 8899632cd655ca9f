// The filters the board and the browser share (status, assignee, type, tag, extension, text): kept
// in the URL (shareable, kept on reload) and turned into the server's asset query, which filters
// by what the caller may see; nothing is filtered in the page.
import type { AssetQuery, BoardView } from '@backlot/api';

export interface TaskFilters {
  /** A status id, or `none`. */
  status: string;
  /** `me`, `unassigned` or a user id; '' for anyone. */
  assignee: string;
  type: string;
  tag: string;
  extension: string;
  text: string;
}

export const NO_FILTERS: TaskFilters = { status: '', assignee: '', type: '', tag: '', extension: '', text: '' };

/** URL parameter of each filter. */
const PARAM: Record<keyof TaskFilters, string> = { status: 'status', assignee: 'assignee', type: 'type', tag: 'tag', extension: 'ext', text: 'q' };
const KEYS = Object.keys(PARAM) as (keyof TaskFilters)[];

export function filtersFrom(p: URLSearchParams): TaskFilters {
  return Object.fromEntries(KEYS.map((k) => [k, p.get(PARAM[k]) ?? ''])) as unknown as TaskFilters;
}

/** Writes the filters that are set into `out`. */
export function putFilters(out: URLSearchParams, f: TaskFilters): URLSearchParams {
  for (const k of KEYS) if (f[k]) out.set(PARAM[k], f[k]);
  return out;
}

export function isFiltered(f: TaskFilters): boolean {
  return KEYS.some((k) => f[k].trim() !== '');
}

/**
 * The server's query for these filters. `me` and `unassigned` are the server's task views; `view`
 * is the page's own view (the browser's tabs), which an assignee choice narrows.
 */
export function filterQuery(f: TaskFilters, view: BoardView = 'default'): AssetQuery {
  const text = f.text.trim().slice(0, 200);
  const extension = f.extension.trim().replace(/^\./, '');
  const chosen: BoardView = f.assignee === 'me' ? 'my' : f.assignee === 'unassigned' ? 'unassigned' : view;
  return {
    view: chosen === 'default' ? undefined : chosen,
    assignee: f.assignee && f.assignee !== 'me' && f.assignee !== 'unassigned' ? f.assignee : undefined,
    status: f.status || undefined,
    type: f.type || undefined,
    tag: f.tag || undefined,
    extension: extension || undefined,
    text: text || undefined,
  };
}
