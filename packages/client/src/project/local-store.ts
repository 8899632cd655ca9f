// The folder's own chunk store, .backlot/chunks: the chunks of checkpoints made here (until the
// server has them, in a studio project; for good, in a Personal one, where they are the history),
// and the chunks of each working file's recorded version (its "pristine" copy, for files this
// member may checkpoint: soft-lock.ts), which the next checkpoint of that file is stored against as
// patches (storage's store-against.ts). A patch's
// bases are recorded in project.db (chunk_bases) and kept while the patch is.
import { BaseCache, encodeChunk, FsChunkStore, readChunk } from '@backlot/storage';
import { PROJECT_DIR, CHUNKS_DIR, type ProjectDb } from './project-db.js';
import { join } from 'node:path';
import { queuedOps } from './outbox.js';
import { workingFiles } from '../worktree/working-files.js';
import { keepsPristine } from './soft-lock.js';

/** Local chains of pristine patches this long are stored whole again at the next prune. */
const REKEY_DEPTH = 4;

export function localStore(db: ProjectDb): FsChunkStore {
  return new FsChunkStore({ dir: join(db.root, PROJECT_DIR), namespace: CHUNKS_DIR });
}

/** Remembers that stored chunks are patches against their bases (call before anything names them). */
export function recordLocalBases(db: ProjectDb, patches: readonly { id: string; bases: readonly string[] }[]): void {
  db.tx(() => {
    for (const { id, bases } of patches) for (const base of bases) db.stmt('INSERT OR IGNORE INTO chunk_bases (chunk_id, base_id) VALUES (?, ?)').run(id, base);
  });
}

/**
 * Drops the chunks a studio project no longer needs here: those no queued checkpoint lists and
 * no working file's recorded version holds, unless a kept patch is built on them. A Personal
 * project keeps everything. Returns how many were removed.
 */
export async function pruneLocalStore(db: ProjectDb, store: FsChunkStore): Promise<number> {
  await store.cleanTemp({ olderThanMs: 60_000, deadWriters: true });
  if (db.meta().personal) return 0;
  const keep = new Set<string>();
  for (const q of queuedOps(db)) if (q.op.type === 'checkpoint.create') for (const c of q.op.chunks) keep.add(c);
  const queued = new Set(keep);
  const pristine = new Set<string>();
  const keeps = keepsPristine(db);
  for (const f of workingFiles.all(db)) {
    if (!keeps(f.assetId)) continue;
    for (const [id] of f.chunks) if (!queued.has(id)) pristine.add(id);
  }
  // A pristine patch on a chain this long is stored whole again, so its bases (older versions) can
  // go and the next checkpoint's patches start a short chain. Shorter chains are kept as they are:
  // re-encoding costs a compression per chunk, paid once every few syncs instead of every time.
  const basesOf = new Map<string, string[]>();
  for (const r of db.stmt('SELECT chunk_id, base_id FROM chunk_bases').all() as { chunk_id: string; base_id: string }[])
    basesOf.set(r.chunk_id, [...(basesOf.get(r.chunk_id) ?? []), r.base_id]);
  const depths = new Map<string, number>();
  const depthOf = (id: string, guard = 0): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    const d = guard > 64 ? 0 : Math.max(0, ...(basesOf.get(id) ?? []).map((b) => 1 + depthOf(b, guard + 1)));
    depths.set(id, d);
    return d;
  };
  // Chunks of one file often share links of their chains: decode each link once.
  const cache = new BaseCache(64 * 1024 * 1024);
  const rekeyed: string[] = [];
  for (const id of pristine) {
    keep.add(id);
    if (depthOf(id) < REKEY_DEPTH) continue;
    // A pristine copy is a cache (the server has it): no sync to disk, and a crash costs a patch at most.
    const raw = await readChunk(store, id, undefined, cache).catch(() => null);
    if (raw) await store.putCached(id, encodeChunk(raw), { replace: true });
    else await store.delete([id]);
    rekeyed.push(id);
  }
  // Rows of chunks now whole go in one commit (a row a crash leaves only keeps a base longer).
  db.tx(() => {
    for (const id of rekeyed) db.stmt('DELETE FROM chunk_bases WHERE chunk_id = ?').run(id);
  });
  // Bases of kept patches, and theirs (chains are at most MAX_PATCH_DEPTH long).
  let frontier = [...keep];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const { base_id } of db.stmt('SELECT base_id FROM chunk_bases WHERE chunk_id = ?').all(id) as { base_id: string }[]) {
        if (!keep.has(base_id)) {
          keep.add(base_id);
          next.push(base_id);
        }
      }
    }
    frontier = next;
  }
  const drop: string[] = [];
  for await (const id of store.list()) if (!keep.has(id)) drop.push(id);
  await store.delete(drop);
  db.tx(() => {
    for (const id of drop) db.stmt('DELETE FROM chunk_bases WHERE chunk_id = ?').run(id);
  });
  return drop.length;
}
