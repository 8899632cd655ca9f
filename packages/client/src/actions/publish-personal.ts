// Turning a Personal project into a studio project, its history kept: the project is created on
// the server, then every folder, file and checkpoint made here is queued as the operations that
// make them (same ids, checkpoints in order), and one sync sends the chunks and the operations.
// Authors and times become the server's (the publishing member, now): the server sets them.
import type { BacklotApi } from '@backlot/api';
import { getItem, mirror, listItems, type EntityName, type LocalCheckpointView } from '../project/items.js';
import { commitOp } from '../project/outbox.js';
import type { ProjectDb } from '../project/project-db.js';
import { ProjectTree } from '../project/tree.js';
import { syncProject, type SyncResult } from '../sync/sync.js';
import type { Op } from '@backlot/core';

export interface PublishTarget {
  server: string;
  studioId: string;
  projectName: string;
  userId: string;
  userName?: string;
}

export async function publishPersonal(api: BacklotApi, db: ProjectDb, target: PublishTarget): Promise<{ projectId: string; sync: SyncResult }> {
  const meta = db.meta();
  if (!meta.personal) throw new Error('this folder already belongs to a studio project');
  const localUser = meta.userId;
  const queue = opsOf(db, localUser, target.userId);
  const project = await api.projects.create(target.studioId, { name: target.projectName });
  db.tx(() => {
    const views = new Map<string, unknown>();
    for (const entity of ['collection', 'asset', 'checkpoint'] as EntityName[]) for (const v of listItems(db, entity)) views.set((v as { id: string }).id, v);
    mirror.clear(db);
    db.setMeta('personal', false);
    db.setMeta('projectId', project.id);
    db.setMeta('projectName', project.name);
    db.setMeta('server', target.server);
    db.setMeta('studioId', target.studioId);
    db.setMeta('userId', target.userId);
    db.setMeta('userName', target.userName);
    db.setMeta('cursor', undefined);
    for (const { op, entity, id } of queue) {
      const view = views.get(id) as Record<string, unknown>;
      const shown = entity === 'checkpoint' ? { ...view, pending: true, authorId: target.userId } : { ...view, createdBy: target.userId };
      commitOp(db, op, [{ entity, id, data: shown }]);
    }
  });
  const sync = await syncProject(api, db);
  return { projectId: project.id, sync };
}

/** The operations that make this folder's items on a server, parents before children. */
function opsOf(db: ProjectDb, localUser: string, serverUser: string): { op: Op; entity: EntityName; id: string }[] {
  const tree = new ProjectTree(db);
  const out: { op: Op; entity: EntityName; id: string }[] = [];
  const folders = [...tree.folders.values()].sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  const collections = new Map(listItems(db, 'collection').map((c) => [c.id, c]));
  for (const f of folders) {
    const c = collections.get(f.id) as { type?: string | null; description?: string | null; shared?: boolean } | undefined;
    out.push({
      entity: 'collection', id: f.id,
      op: { type: 'collection.create', id: f.id, parentId: f.parentId, name: f.name, ...(c?.type && { collectionType: c.type }), ...(c?.description && { description: c.description }), ...(c?.shared && { shared: true }) },
    });
  }
  for (const summary of tree.assets.values()) {
    const a = getItem(db, 'asset', summary.id)!;
    out.push({
      entity: 'asset', id: a.id,
      op: {
        type: 'asset.create', id: a.id, collectionId: a.collectionId, name: a.name, extension: a.extension, kind: a.kind,
        ...(a.type && { assetType: a.type }), ...(a.tags.length && { tags: a.tags }), ...(a.description && { description: a.description }),
        ...(a.kind === 'task' && { assigneeId: a.assigneeId === localUser ? serverUser : null }),
      },
    });
  }
  const checkpoints = (listItems(db, 'checkpoint') as LocalCheckpointView[]).filter((c) => tree.assets.has(c.assetId)).sort((a, b) => a.number - b.number);
  for (const c of checkpoints) {
    if (!c.chunks) throw new Error(`checkpoint ${c.number} of an asset has no chunk list here; it cannot be published`);
    out.push({
      entity: 'checkpoint', id: c.id,
      op: { type: 'checkpoint.create', id: c.id, assetId: c.assetId, fileHash: c.fileHash, size: c.size, chunks: c.chunks, ...(c.comment && { comment: c.comment }) },
    });
  }
  return out;
}
