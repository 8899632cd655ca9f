// Production writes: settings and statuses, collections, assets and dependencies, task
// assignment and status, control requests, checkpoints, trash. Each route applies one operation
// (the same the sync push takes), so bodies are that operation's fields from core's contract,
// minus `type` and minus the ids the URL carries; answers are the operation's result.
import type { OpAnswer, OpOf, OpType } from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

/** An operation's fields as a REST body: without `type` and without what the URL names. */
export type Fields<K extends OpType, InUrl extends string = never> = Omit<OpOf<K>, 'type' | InUrl>;

type Answer<K extends OpType> = Promise<OpAnswer<K>>;

export function productionApi(t: Transport) {
  return {
    // ---- settings and statuses
    updateSettings: (projectId: string, fields: Fields<'settings.update'>): Answer<'settings.update'> =>
      t.json(ROUTES['production.updateSettings'], { projectId }, { json: fields }),
    createStatus: (projectId: string, fields: Fields<'status.create'>): Answer<'status.create'> =>
      t.json(ROUTES['production.createStatus'], { projectId }, { json: fields }),
    updateStatus: (projectId: string, statusId: string, fields: Fields<'status.update', 'id'>): Answer<'status.update'> =>
      t.json(ROUTES['production.updateStatus'], { projectId, statusId }, { json: fields }),
    /** Its tasks move to the replacement status. */
    deleteStatus: (projectId: string, statusId: string, query: Fields<'status.delete', 'id'>): Answer<'status.delete'> =>
      t.json(ROUTES['production.deleteStatus'], { projectId, statusId }, { query: { ...query } }),

    // ---- collections
    createCollection: (projectId: string, fields: Fields<'collection.create'>): Answer<'collection.create'> =>
      t.json(ROUTES['production.createCollection'], { projectId }, { json: fields }),
    updateCollection: (projectId: string, collectionId: string, fields: Fields<'collection.update', 'id'>): Answer<'collection.update'> =>
      t.json(ROUTES['production.updateCollection'], { projectId, collectionId }, { json: fields }),
    assignCollection: (projectId: string, collectionId: string, fields: Fields<'collection.assign', 'id'>): Answer<'collection.assign'> =>
      t.json(ROUTES['production.assignCollection'], { projectId, collectionId }, { json: fields }),
    /** Moves the collection and its subtree to the trash. */
    deleteCollection: (projectId: string, collectionId: string): Answer<'collection.delete'> =>
      t.json(ROUTES['production.deleteCollection'], { projectId, collectionId }),

    // ---- assets and dependencies
    createAsset: (projectId: string, fields: Fields<'asset.create'>): Answer<'asset.create'> =>
      t.json(ROUTES['production.createAsset'], { projectId }, { json: fields }),
    updateAsset: (projectId: string, assetId: string, fields: Fields<'asset.update', 'id'>): Answer<'asset.update'> =>
      t.json(ROUTES['production.updateAsset'], { projectId, assetId }, { json: fields }),
    /** Moves the asset to the trash. */
    deleteAsset: (projectId: string, assetId: string): Answer<'asset.delete'> => t.json(ROUTES['production.deleteAsset'], { projectId, assetId }),
    addDependency: (projectId: string, assetId: string, fields: Fields<'dependency.add', 'assetId'>): Answer<'dependency.add'> =>
      t.json(ROUTES['production.addDependency'], { projectId, assetId }, { json: fields }),
    removeDependency: (projectId: string, dependencyId: string): Answer<'dependency.remove'> =>
      t.json(ROUTES['production.removeDependency'], { projectId, dependencyId }),

    // ---- tasks: assignment (the soft lock), status, control requests
    /** Assign, reassign, unassign (null), self-assign or take over. */
    assignTask: (projectId: string, assetId: string, fields: Fields<'task.assign', 'assetId'>): Answer<'task.assign'> =>
      t.json(ROUTES['production.assignTask'], { projectId, assetId }, { json: fields }),
    setStatus: (projectId: string, assetId: string, fields: Fields<'task.status', 'assetId'>): Answer<'task.status'> =>
      t.json(ROUTES['production.setStatus'], { projectId, assetId }, { json: fields }),
    /** Ask the assignee for control of a task. */
    requestControl: (projectId: string, assetId: string, fields: Fields<'control.request', 'assetId'> = {}): Answer<'control.request'> =>
      t.json(ROUTES['production.requestControl'], { projectId, assetId }, { json: fields }),
    /** The assignee hands the task to the requester. */
    acceptControl: (projectId: string, requestId: string): Answer<'control.accept'> =>
      t.json(ROUTES['production.acceptControl'], { projectId, requestId }),
    declineControl: (projectId: string, requestId: string): Answer<'control.decline'> =>
      t.json(ROUTES['production.declineControl'], { projectId, requestId }),
    /** The requester withdraws. */
    cancelControl: (projectId: string, requestId: string): Answer<'control.cancel'> =>
      t.json(ROUTES['production.cancelControl'], { projectId, requestId }),
    handOff: (projectId: string, assetId: string, fields: Fields<'control.handoff', 'assetId'>): Answer<'control.handoff'> =>
      t.json(ROUTES['production.handOff'], { projectId, assetId }, { json: fields }),

    // ---- checkpoints (their chunks uploaded first: content.checkChunks / uploadChunks)
    createCheckpoint: (projectId: string, assetId: string, fields: Fields<'checkpoint.create', 'assetId'>): Answer<'checkpoint.create'> =>
      t.json(ROUTES['production.createCheckpoint'], { projectId, assetId }, { json: fields }),
    /** Moves the checkpoint to the trash. */
    deleteCheckpoint: (projectId: string, checkpointId: string): Answer<'checkpoint.delete'> =>
      t.json(ROUTES['production.deleteCheckpoint'], { projectId, checkpointId }),
    /** A new latest checkpoint with this one's content; history stays linear. */
    revertCheckpoint: (projectId: string, checkpointId: string, fields: Fields<'checkpoint.revert', 'id'> = {}): Answer<'checkpoint.revert'> =>
      t.json(ROUTES['production.revertCheckpoint'], { projectId, checkpointId }, { json: fields }),

    // ---- trash
    /** Puts a trashed collection, asset or checkpoint back in its old place. */
    restore: (projectId: string, itemId: string): Answer<'trash.restore'> => t.json(ROUTES['production.restore'], { projectId, itemId }),
    /** Removes a trashed item for good. */
    purge: (projectId: string, itemId: string): Answer<'trash.purge'> => t.json(ROUTES['production.purge'], { projectId, itemId }),
  };
}
