// What one member may see of a project, combining the visibility rules with the view_all and
// download permissions of their role. Every listing, board, trail, pull and event filters
// through this, so "forbidden" and "does not exist" look the same to the caller.
import type { ProjectActor } from './policy.js';
import type { IdSet, Visibility } from './visibility.js';
import type { ProjectGraph } from './graph/project-graph.js';

export interface MemberView {
  readonly userId: string;
  readonly visibility: Visibility;
  readonly allAssets: boolean;
  readonly allCollections: boolean;
  canSeeAsset(id: string): boolean;
  /** 'full': contents and metadata; 'name': only as a parent on the way to something visible. */
  collectionAccess(id: string): 'full' | 'name' | null;
  canDownload(assetId: string): boolean;
}

export function memberView(graph: ProjectGraph, actor: ProjectActor): MemberView {
  const perms = actor.projectRole?.permissions;
  const active = !!perms && actor.role !== null && !actor.suspended;
  const allAssets = active && perms!.has('asset.view_all');
  const allCollections = active && perms!.has('collection.view_all');
  const downloadAll = active && perms!.has('content.download_all');
  const download = active && perms!.has('content.download');
  // Seeing every asset but not every collection: each asset's parent chain is visible by name,
  // so the tree stays navigable (PRODUCT.md: parents of visible items are visible by name).
  const compute = (): Visibility => active
    ? graph.visibleTo(actor.userId, { shared: !actor.projectRole!.assignedOnly, parentsOfAllAssets: allAssets && !allCollections })
    : NOTHING;
  // Whoever sees every asset and every collection, and downloads any asset or none, decides
  // nothing by the visibility rules (below, each check stops at its view_all or download flag):
  // the closure, a walk of the project, is then only computed if someone reads `visibility`.
  // Everyone else gets it now, from the graph as it is at this revision.
  const needed = !allAssets || !allCollections || (download && !downloadAll);
  let visibility: Visibility | undefined = needed ? compute() : undefined;
  return {
    userId: actor.userId,
    get visibility() {
      return (visibility ??= compute());
    },
    allAssets,
    allCollections,
    canSeeAsset: (id) => graph.assets.has(id) && (allAssets || visibility!.assets.has(id)),
    collectionAccess: (id) => {
      if (!graph.collections.has(id)) return null;
      if (allCollections || visibility!.collections.has(id)) return 'full';
      return visibility!.namesOnly.has(id) ? 'name' : null;
    },
    // content.download: files of visible assets; content.download_all: any asset (PRODUCT.md).
    canDownload: (id) => graph.assets.has(id) && (downloadAll || (download && visibility!.assets.has(id))),
  };
}

const NONE: IdSet = new Set<string>();
const NOTHING: Visibility = { assets: NONE, collections: NONE, namesOnly: NONE };

/** A trashed item as the trash lists it: what it is, where it was, and its asset if that one lives. */
export interface TrashedItem {
  kind: 'collection' | 'asset' | 'checkpoint';
  /** The collection it was trashed from (null: the top level). */
  placeId: string | null;
  /** For a checkpoint whose asset is still live: that asset. */
  liveAssetId?: string | null;
}

/**
 * Trashed items are not in the graph. A member sees one when they see its kind wholesale
 * (view_all), or fully see the place it was trashed from: everything inside a fully visible
 * collection was visible to them before the delete. A trashed checkpoint of a live asset
 * follows that asset.
 */
export function canSeeTrashed(view: MemberView, item: TrashedItem): boolean {
  if (item.kind === 'checkpoint' && item.liveAssetId) return view.canSeeAsset(item.liveAssetId);
  const wholesale = item.kind === 'collection' ? view.allCollections && view.allAssets : view.allAssets;
  return wholesale || (item.placeId !== null && view.collectionAccess(item.placeId) === 'full');
}

/**
 * A control request's record (ids, state, message): its requester keeps seeing it even if the
 * task went out of their sight; everyone else sees it with the task.
 */
export function canSeeControlRequest(view: MemberView, request: { requesterId: string; assetId: string }): boolean {
  return request.requesterId === view.userId || view.canSeeAsset(request.assetId);
}

/**
 * Whether a member hears of an item's removal in a sync diff (only ids travel, and only to
 * members who could see the item before it went). An asset or collection the member saw by the
 * visibility rules and made before their cursor changes their visibility digest when it goes, so
 * its removal reaches them in a snapshot instead; one made after the cursor never reached them.
 * So asset and collection removals are for members who see every asset (collection); a
 * dependency's or checkpoint's removal is for those who see every asset or the asset it belonged
 * to (`assetId`, recorded with the removal, never sent).
 */
export function canSeeRemoval(view: MemberView, removed: { entity: string; assetId?: string }, canViewCheckpoints: boolean): boolean {
  const ofItsAsset = () => view.allAssets || (!!removed.assetId && view.canSeeAsset(removed.assetId));
  switch (removed.entity) {
    case 'asset':
      return view.allAssets;
    case 'collection':
      return view.allCollections;
    case 'dependency':
      return ofItsAsset();
    case 'checkpoint':
      return canViewCheckpoints && ofItsAsset();
    case 'control_request':
      return !!removed.assetId && view.canSeeAsset(removed.assetId);
    default:
      return true; // statuses, members, roles: every member sees them
  }
}
