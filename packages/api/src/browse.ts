// Production reads: board, asset list and detail, the collection tree, a task's trail and
// checkpoint history, pending control requests, trash, statuses and settings. Every answer is
// filtered by what the caller may see.
import type {
  AssetDetail, AssetKind, AssetPage, Board, BoardView, CheckpointHistory, CollectionDetail, CollectionListing, ControlRequestList,
  SettingsAnswer, SortKey, SortOrder, StatusList, Trail, TrashPage,
} from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

/** Filters and paging of the board and the asset list (see docs/browse.md). */
export interface AssetQuery {
  /** My tasks, assigned, unassigned (task views), or everything (default). */
  view?: BoardView;
  /** User ids (up to 20). */
  assignee?: string | string[];
  /** Status ids, `none` for no status (up to 20); on the board, one status with `cursor` pages a column. */
  status?: string | string[];
  type?: string;
  tag?: string;
  extension?: string;
  /** A collection and everything below it. */
  collection?: string;
  /** Only the direct contents of a collection (`root`: the top level). */
  folder?: string;
  /** Case-insensitive; matches names, tags and types. */
  text?: string;
  kind?: AssetKind;
  sort?: SortKey;
  order?: SortOrder;
  /** From the previous page's (or column's) nextCursor. */
  cursor?: string;
  /** 1 to 200. */
  limit?: number;
}

export function browseApi(t: Transport) {
  return {
    /** GET /projects/:projectId/board: columns by status with counts and a first page of cards (tasks unless `kind` says otherwise). */
    board: (projectId: string, query: AssetQuery = {}): Promise<Board> => t.json(ROUTES['browse.board'], { projectId }, { query: { ...query } }),
    /** GET /projects/:projectId/assets: one page of assets matching the filters. */
    assets: (projectId: string, query: AssetQuery = {}): Promise<AssetPage> => t.json(ROUTES['browse.assets'], { projectId }, { query: { ...query } }),
    /** GET /projects/:projectId/assets/:assetId: the card plus path, dependencies both ways and pending requests. */
    asset: (projectId: string, assetId: string): Promise<AssetDetail> => t.json(ROUTES['browse.asset'], { projectId, assetId }),
    /** GET .../trail: status changes and checkpoints in time order. */
    trail: (projectId: string, assetId: string): Promise<Trail> => t.json(ROUTES['browse.trail'], { projectId, assetId }),
    /** GET .../checkpoints: the history, newest first (checkpoint.view). */
    checkpoints: (projectId: string, assetId: string, query: { cursor?: string; limit?: number } = {}): Promise<CheckpointHistory> =>
      t.json(ROUTES['browse.checkpoints'], { projectId, assetId }, { query }),
    /** GET /projects/:projectId/collections: the collections directly inside one (default: the top level). */
    collections: (projectId: string, query: { parentId?: string } = {}): Promise<CollectionListing> =>
      t.json(ROUTES['browse.collections'], { projectId }, { query }),
    collection: (projectId: string, collectionId: string): Promise<CollectionDetail> =>
      t.json(ROUTES['browse.collection'], { projectId, collectionId }),
    /** GET /projects/:projectId/control-requests: pending ones, made by me, addressed to me, or on one task. */
    controlRequests: (projectId: string, query: { scope: 'mine' | 'to-me' } | { scope: 'task'; assetId: string }): Promise<ControlRequestList> =>
      t.json(ROUTES['browse.controlRequests'], { projectId }, { query }),
    /** GET /projects/:projectId/trash: newest first (trash.restore or trash.purge). */
    trash: (projectId: string, query: { cursor?: string; limit?: number } = {}): Promise<TrashPage> =>
      t.json(ROUTES['browse.trash'], { projectId }, { query }),
    statuses: (projectId: string): Promise<StatusList> => t.json(ROUTES['browse.statuses'], { projectId }),
    settings: (projectId: string): Promise<SettingsAnswer> => t.json(ROUTES['browse.settings'], { projectId }),
  };
}
