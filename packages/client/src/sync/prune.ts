// The last step of a sync: drop the chunks a studio project's folder no longer needs (those no
// queued checkpoint lists and no working file's recorded version holds, unless a kept patch is
// built on them), and the chunk files a private pristine file makes redundant. The folder's store
// itself is project/local-store.ts.
import { BaseCache, encodeChunk, forEachLimit, readChunk } from '@backlot/storage';
import type { LocalStore } from '../project/local-store.js';
import { queuedOps } from '../project/outbox.js';
import type { ProjectDb } from '../project/project-db.js';
import { keepsPristine } from '../project/soft-lock.js';
import { workingFiles } from '../worktree/working-files.js';

/** Local chains of pristine patches this long are stored whole again at the next prune. */
const REKEY_DEPTH = 4;

/**
 * Removes the chunk files of chunks that a private pristine file holds intact (checked here, once):
 * read from there they need no decoding, and the bases only their patches needed can go. The
 * chunk files of queued checkpoints stay, since they are sent as stored.
 */
async function dropSuperseded(
  db: ProjectDb, store: LocalStore, fileIds: readonly string[], pristineIds: readonly string[], queued: ReadonlySet<string>,
): Promise<Set<string>> {
  const inPristine = new Set(pristineIds);
  const superseded = new Set<string>();
  // A read answers only from a private pristine file, and checks the bytes (a few at a time: the
  // reads overlap the hashing).
  const candidates = fileIds.filter((id) => inPristine.has(id) && !queued.has(id));
  await forEachLimit(candidates, 4, async (id) => {
    if (await store.pristine.read(id)) superseded.add(id);
  });
  if (superseded.size === 0) return superseded;
  await store.files.delete([...superseded]);
  // A row a crash leaves behind only keeps a base a little longer.
  db.tx(() => {
    for (const id of superseded) db.stmt('DELETE FROM chunk_bases WHERE chunk_id = ?').run(id);
  });
  return superseded;
}

/**
 * Drops the chunks a studio project no longer needs here: those no queued checkpoint lists and
 * no working file's recorded version holds, unless a kept patch is built on them. A Personal
 * project keeps everything. Returns how many were removed.
 */
export async function pruneLocalStore(db: ProjectDb, store: LocalStore, options: { cleanTemp?: boolean } = {}): Promise<number> {
  // The folder is locked: a temp file in the store is a killed writer's (leftovers.ts says when to look).
  if (options.cleanTemp ?? true) await store.cleanTemp({ olderThanMs: 60_000, deadWriters: true });
  if (db.meta().personal) return 0;
  const keep = new Set<string>();
  for (const q of queuedOps(db)) if (q.op.type === 'checkpoint.create') for (const c of q.op.chunks) keep.add(c);
  const queued = new Set(keep);
  // The chunk files are listed once (the folder is locked: nothing else writes them meanwhile).
  const fileIds: string[] = [];
  for await (const id of store.files.list()) fileIds.push(id);
  const pristineIds = store.pristine.ids();
  const superseded = await dropSuperseded(db, store, fileIds, pristineIds, queued);
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
    if (raw) await store.files.putCached(id, encodeChunk(raw), { replace: true });
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
  const drop = new Set<string>();
  for (const id of fileIds) if (!superseded.has(id) && !keep.has(id)) drop.add(id);
  for (const id of pristineIds) if (!keep.has(id)) drop.add(id); // one the re-keying dropped is ignored
  await store.delete([...drop]);
  db.tx(() => {
    for (const id of drop) db.stmt('DELETE FROM chunk_bases WHERE chunk_id = ?').run(id);
  });
  return drop.size;
}
