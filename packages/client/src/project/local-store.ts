// The folder's own chunk store, .backlot/chunks: the chunks of checkpoints made here (until the
// server has them, in a studio project; for good, in a Personal one, where they are the history).
import { FsChunkStore } from '@backlot/storage';
import { PROJECT_DIR, CHUNKS_DIR, type ProjectDb } from './project-db.js';
import { join } from 'node:path';
import { queuedOps } from './outbox.js';

export function localStore(db: ProjectDb): FsChunkStore {
  return new FsChunkStore({ dir: join(db.root, PROJECT_DIR), namespace: CHUNKS_DIR });
}

/**
 * Drops the chunks a studio project no longer needs here: those no queued checkpoint lists (the
 * server has them, or their checkpoint was refused, or its asset is no longer visible). A
 * Personal project keeps everything. Returns how many were removed.
 */
export async function pruneLocalStore(db: ProjectDb, store: FsChunkStore): Promise<number> {
  await store.cleanTemp({ olderThanMs: 60_000, deadWriters: true });
  if (db.meta().personal) return 0;
  const keep = new Set<string>();
  for (const q of queuedOps(db)) if (q.op.type === 'checkpoint.create') for (const c of q.op.chunks) keep.add(c);
  const drop: string[] = [];
  for await (const id of store.list()) if (!keep.has(id)) drop.push(id);
  await store.delete(drop);
  return drop.length;
}
