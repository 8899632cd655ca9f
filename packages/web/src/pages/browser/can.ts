// What the caller may do in the browser, asked of core's policy (the functions the server
// authorizes with) using the permissions the server reported. Items the page shows were sent by
// the server, so they are visible; collections it sent by name only are treated as such.
import { authorizeOp, authorizeRead, type Decision, type MemberView, type ProjectActor } from '@backlot/core';
import { SHOWN_BY_SERVER } from '../../app/actor.ts';

export interface BrowseRules {
  createCollection(parentId: string | null): boolean;
  createAsset(collectionId: string | null): boolean;
  moveAsset(assetId: string, to: string | null): boolean;
  moveCollection(id: string, to: string | null): boolean;
  deleteAsset(assetId: string): boolean;
  deleteCollection(id: string): boolean;
  viewTrash: boolean;
  restore: boolean;
  purge: boolean;
}

const NONE: BrowseRules = {
  createCollection: () => false, createAsset: () => false, moveAsset: () => false, moveCollection: () => false,
  deleteAsset: () => false, deleteCollection: () => false, viewTrash: false, restore: false, purge: false,
};

export function browseRules(actor: ProjectActor | null, nameOnly: ReadonlySet<string>): BrowseRules {
  if (!actor) return NONE;
  const view: MemberView = { ...SHOWN_BY_SERVER, collectionAccess: (id) => (nameOnly.has(id) ? 'name' : 'full') };
  const ok = (d: Decision) => d.allowed;
  return {
    createCollection: (parentId) => ok(authorizeOp(actor, view, { kind: 'collection.create', parentId })),
    createAsset: (collectionId) => ok(authorizeOp(actor, view, { kind: 'asset.create', collectionId })),
    moveAsset: (id, to) => ok(authorizeOp(actor, view, { kind: 'asset.update', id, newCollectionId: to })),
    moveCollection: (id, to) => id !== to && ok(authorizeOp(actor, view, { kind: 'collection.update', id, newParentId: to })),
    deleteAsset: (id) => ok(authorizeOp(actor, view, { kind: 'asset.delete', id })),
    deleteCollection: (id) => ok(authorizeOp(actor, view, { kind: 'collection.delete', id })),
    viewTrash: ok(authorizeRead(actor, 'trash.view')),
    restore: ok(authorizeOp(actor, view, { kind: 'trash.restore' })),
    purge: ok(authorizeOp(actor, view, { kind: 'trash.purge' })),
  };
}
