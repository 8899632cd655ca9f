// The project as a folder tree: collections are folders, an asset is the file NAME.EXTENSION in
// its collection. Built from the items (mirror + overlay) each time a command needs it.
import type { AssetView } from '@backlot/core';
import { itemFields } from './items.js';
import type { ProjectDb } from './project-db.js';

export interface TreeFolder {
  id: string;
  parentId: string | null;
  name: string;
  path: string;
}

/** What the tree keeps of an asset (getItem gives the whole view). */
export type AssetSummary = Pick<AssetView, 'id' | 'collectionId' | 'name' | 'extension' | 'kind' | 'url' | 'assigneeId' | 'statusId'>;

interface FolderRow {
  id: string;
  parentId: string | null;
  name: string;
}

export class ProjectTree {
  readonly folders = new Map<string, TreeFolder>();
  readonly folderByPath = new Map<string, TreeFolder>();
  readonly assets = new Map<string, AssetSummary>();
  readonly assetByPath = new Map<string, AssetSummary>();
  readonly pathOfAsset = new Map<string, string>();

  /**
   * `assets: false` builds the folders alone (status reads the assets its own way); `mirrorOnly`
   * builds the tree as the server last sent it, without this folder's changes.
   */
  constructor(db: ProjectDb, { assets = true, mirrorOnly = false } = {}) {
    const raw = new Map(itemFields<FolderRow>(db, 'collection', ['id', 'parentId', 'name'], { mirrorOnly }).map((c) => [c.id, c]));
    const pathOf = (id: string, seen = new Set<string>()): string | null => {
      const known = this.folders.get(id);
      if (known) return known.path;
      const c = raw.get(id);
      if (!c || seen.has(id)) return null; // a parent we cannot see, or a loop
      seen.add(id);
      const parent = c.parentId === null ? '' : pathOf(c.parentId, seen);
      if (parent === null) return null;
      const folder = { id, parentId: c.parentId, name: c.name, path: parent ? `${parent}/${c.name}` : c.name };
      this.folders.set(id, folder);
      this.folderByPath.set(folder.path, folder);
      return folder.path;
    };
    for (const id of raw.keys()) pathOf(id);
    if (!assets) return;
    for (const a of itemFields<AssetSummary>(db, 'asset', ['id', 'collectionId', 'name', 'extension', 'kind', 'url', 'assigneeId', 'statusId'], { mirrorOnly })) {
      if (a.url) continue; // a web link has no file
      const path = this.pathIn(a.collectionId, fileNameOf(a));
      if (path === undefined) continue;
      this.assets.set(a.id, a);
      this.assetByPath.set(path, a);
      this.pathOfAsset.set(a.id, path);
    }
  }

  /** NAME's path in the collection (undefined when that folder is not in the tree). */
  pathIn(collectionId: string | null, name: string): string | undefined {
    const dir = collectionId === null ? '' : this.folders.get(collectionId)?.path;
    return dir === undefined ? undefined : dir ? `${dir}/${name}` : name;
  }
}

export function fileNameOf(a: { name: string; extension: string }): string {
  return a.extension ? `${a.name}.${a.extension}` : a.name;
}

/** Splits a file name into an asset's name and extension ("shot.v2.blend" -> shot.v2 + blend). */
export function assetNameOf(fileName: string): { name: string; extension: string } {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return { name: fileName, extension: '' };
  return { name: fileName.slice(0, dot), extension: fileName.slice(dot + 1) };
}
