// Pushing this folder's outbox: first the chunks its checkpoints list that the server lacks (from
// the local chunk store), then the operations in order, each with its op id (a push cut off and
// sent again is answered from the server's record, not applied twice). Folders and files made here
// go ahead of the first checkpoint that brings chunks: a creation the server refuses (a role
// without asset.create) or finds in conflict then costs no upload of its file's bytes. Answers:
//   applied   the op leaves the outbox (the pull that follows brings the server's item)
//   refused   it leaves the outbox and is reported; the working files it touched stay as they are
//   conflict  a folder made here that exists on the server already is adopted (the ops naming it
//             are rewritten and sent again); a file whose name is taken stops the sync for a choice
// Ops naming an item whose creation is in conflict stay queued whatever their answer (they were
// refused only because that item does not exist yet).
import { ApiError, type BacklotApi, type OpResult } from '@backlot/api';
import type { Op } from '@backlot/core';
import { encodeChunk, patchHeaderOf, readChunk } from '@backlot/storage';
import type { LocalStore } from '../project/local-store.js';
import { ChunkApi } from '../remote/chunks.js';
import { pushOps } from '../remote/ops.js';
import { getItem, mirror } from '../project/items.js';
import { queuedOps, renameId, settleOp, type QueuedOp } from '../project/outbox.js';
import type { ProjectDb } from '../project/project-db.js';
import { ProjectTree } from '../project/tree.js';
import { workingFiles } from '../worktree/working-files.js';

const UPLOAD_BATCH_BYTES = 32 * 1024 * 1024;

export interface Refusal {
  opType: string;
  /** The file or folder in this working folder the op was about, when it has one. */
  path?: string;
  code: string;
  message: string;
  op: Op;
  /**
   * The id of a folder or file made here whose creation the server refused earlier in this sync,
   * when this op names it: refused because that item does not exist (its own refusal says why).
   */
  follows?: string;
}

export interface NameConflict {
  /** The op that made the item here. */
  seq: number;
  op: Op;
  localId: string;
  /** The server's item in the way; absent when it is one this member may not see (rename only). */
  existingId?: string;
  message: string;
}

/**
 * A checkpoint made here that the server numbered past the one it was made on: someone else's
 * checkpoints of that file came in between. Nothing is lost (history is linear, theirs stay in it),
 * but the newest version is this folder's, made without theirs: the user should know.
 */
export interface Stacked {
  assetId: string;
  path?: string;
  /** The number the server gave it. */
  number: number;
  /** The number it had here (one past the newest this folder knew). */
  madeAs: number;
}

export interface PushResult {
  applied: number;
  refused: Refusal[];
  /** One per file at most: its first checkpoint the server numbered past its number here. */
  stacked: Stacked[];
  conflicts: NameConflict[];
  chunksUploaded: number;
  bytesUploaded: number;
}

export interface PushProgress {
  /** After each upload request: chunks sent so far of those the server lacked, and their bytes. */
  onUpload?: (chunksSent: number, chunksMissing: number, bytesSent: number) => void;
}

export async function pushOutbox(api: BacklotApi, db: ProjectDb, store: LocalStore, progress: PushProgress = {}): Promise<PushResult> {
  const { projectId } = db.meta();
  const result: PushResult = { applied: 0, refused: [], stacked: [], conflicts: [], chunksUploaded: 0, bytesUploaded: 0 };
  const chunks = new ChunkApi(api, projectId);
  // Adopting a folder rewrites the ops after it, which are then sent again: a few rounds at most.
  for (let round = 0; round < 20; round++) {
    const queued = queuedOps(db);
    if (queued.length === 0) return withPaths(db, result);
    const ops = creationsAhead(queued);
    const refusedItems = refusedCreations(result);
    await uploadChunks(chunks, store, ops.filter((q) => !(q.op.type === 'checkpoint.create' && refusedItems.has(q.op.assetId))), result, progress);
    const answers = await pushOps(api, projectId, ops.map((q) => ({ opId: q.opId, op: q.op })));
    const adopted = settle(db, ops, answers, result, answers.some((a) => a.status !== 'applied') ? refusedPaths(db) : () => undefined);
    const more = ops.length < queued.length && result.conflicts.length === 0;
    if (!adopted && !more) return withPaths(db, result);
  }
  return withPaths(db, result);
}

/** Names the files of stacked checkpoints (a tree is built only when there are some). */
function withPaths(db: ProjectDb, result: PushResult): PushResult {
  if (result.stacked.length === 0) return result;
  const tree = new ProjectTree(db);
  for (const s of result.stacked) s.path ??= tree.pathOfAsset.get(s.assetId);
  return result;
}

/**
 * A folder, file or checkpoint made here that the server created: its view (the server's answer,
 * what the pull will bring) goes to the mirror now, as its op leaves the outbox with the view made
 * here. Else the item would be in neither until the pull, and creations go ahead of the uploads:
 * through a long upload, or after a sync killed before its pull, status would list the file as
 * untracked, or a checkpointed one as modified (inviting a duplicate of either).
 */
function keepCreated(db: ProjectDb, op: Op, answer: unknown): void {
  const made = op.type === 'checkpoint.create' ? op.id : createdId(op);
  if (!made || (answer as { id?: unknown } | null)?.id !== made) return;
  mirror.put(db, op.type === 'asset.create' ? 'asset' : op.type === 'checkpoint.create' ? 'checkpoint' : 'collection', made, answer);
}

/** The checkpoint's number here and the server's, when the server's is higher (see Stacked). */
function stackedOver(db: ProjectDb, op: Op, answer: unknown): Stacked | undefined {
  if (op.type !== 'checkpoint.create' || !op.id) return undefined;
  const here = getItem(db, 'checkpoint', op.id)?.number;
  const number = (answer as { number?: unknown } | null)?.number;
  if (typeof here !== 'number' || typeof number !== 'number' || number <= here) return undefined;
  return { assetId: op.assetId, number, madeAs: here };
}

/**
 * The ops to send in this round: all of them, or, when folders or files were made ahead of a
 * checkpoint that brings chunks, those ops alone (the server answers them before any upload).
 */
function creationsAhead(ops: QueuedOp[]): QueuedOp[] {
  const firstUpload = ops.findIndex((q) => q.op.type === 'checkpoint.create' && q.op.chunks.length > 0);
  if (firstUpload <= 0) return ops;
  const ahead = ops.slice(0, firstUpload);
  return ahead.some((q) => createdId(q.op) !== undefined) ? ahead : ops;
}

/** Ids of the folders and files made here whose creation the server refused in this sync. */
function refusedCreations(result: PushResult): Set<string> {
  return new Set(result.refused.map((r) => createdId(r.op)).filter((id) => id !== undefined));
}

/** Applies a push's answers to the outbox; true when adopted folders call for another round. */
function settle(db: ProjectDb, ops: QueuedOp[], answers: OpResult[], result: PushResult, pathOf: (op: Op) => string | undefined): boolean {
  const blocked = new Set<string>();
  const refusedItems = refusedCreations(result);
  let adopted = false;
  db.tx(() => {
    ops.forEach((q, i) => {
      const a = answers[i];
      if ([...idsNamedBy(q.op)].some((id) => blocked.has(id))) return; // waits for its item
      if (a.status === 'applied') {
        const stacked = stackedOver(db, q.op, a.result);
        if (stacked && !result.stacked.some((s) => s.assetId === stacked.assetId)) result.stacked.push(stacked);
        settleOp(db, q.seq);
        keepCreated(db, q.op, a.result);
        if (q.op.type === 'checkpoint.create' && q.op.id) workingFiles.acknowledged(db, q.op.id);
        result.applied++;
        return;
      }
      const made = createdId(q.op);
      const nameTaken = a.status === 'conflict' && made && (a.details as { reason?: string }).reason === 'name_taken';
      if (nameTaken && (a.existingId || q.op.type === 'asset.create')) {
        if (q.op.type === 'collection.create' && a.existingId) {
          // The same folder made on both sides is one folder: use the server's.
          settleOp(db, q.seq);
          renameId(db, made, a.existingId);
          adopted = true;
        } else {
          result.conflicts.push({ seq: q.seq, op: q.op, localId: made, existingId: a.existingId, message: a.message });
        }
        blocked.add(made);
        return;
      }
      settleOp(db, q.seq);
      const path = pathOf(q.op);
      const follows = [...idsNamedBy(q.op)].find((id) => refusedItems.has(id));
      result.refused.push({ opType: q.op.type, ...(path !== undefined && { path }), code: a.code, message: a.message, op: q.op, ...(follows && { follows }) });
      if (made) refusedItems.add(made);
    });
  });
  return adopted && result.conflicts.length === 0;
}

/**
 * Where each refused op's file or folder is: as the folder has it now, before the answers settle
 * (a refused creation leaves the tree, so this tree is built first), else as the server had it (an
 * item removed here; the mirror does not change while answers settle, so it is built only if asked).
 */
function refusedPaths(db: ProjectDb): (op: Op) => string | undefined {
  const local = new ProjectTree(db);
  let mirror: ProjectTree | undefined;
  return (op) => pathNamedBy(local, op) ?? pathNamedBy((mirror ??= new ProjectTree(db, { mirrorOnly: true })), op);
}

/** The path of the file or folder an op is about: its asset, else its item, else its collection. */
function pathNamedBy(tree: ProjectTree, op: Op): string | undefined {
  for (const key of ['assetId', 'id', 'collectionId', 'parentId'] as const) {
    const id = (op as Partial<Record<typeof key, unknown>>)[key];
    if (typeof id !== 'string') continue;
    const path = tree.pathOfAsset.get(id) ?? tree.folders.get(id)?.path;
    if (path !== undefined) return path;
  }
  return undefined;
}

/** The id an op creates, for creations. */
function createdId(op: Op): string | undefined {
  return op.type === 'collection.create' || op.type === 'asset.create' ? op.id : undefined;
}

/** Ids an op refers to (other than one it creates). */
function idsNamedBy(op: Op): Set<string> {
  const ids = new Set<string>();
  for (const key of ['parentId', 'collectionId', 'assetId', 'id'] as const) {
    const v = (op as Record<string, unknown>)[key];
    if (typeof v === 'string' && !(key === 'id' && createdId(op) === v)) ids.add(v);
  }
  return ids;
}

/** Uploads the chunks of queued checkpoints that the server lacks, from the local store. */
async function uploadChunks(chunks: ChunkApi, store: LocalStore, ops: QueuedOp[], result: PushResult, progress: PushProgress): Promise<void> {
  const ids = new Set<string>();
  for (const q of ops) if (q.op.type === 'checkpoint.create') for (const c of q.op.chunks) ids.add(c);
  if (ids.size === 0) return;
  const missing = [...(await chunks.missing([...ids]))];
  let batch: { id: string; encoded: Buffer }[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    try {
      await chunks.upload(batch);
    } catch (err) {
      // The server no longer has (or no longer lets us use) a patch's base: send the patches whole.
      if (!(err instanceof ApiError) || err.details.reason !== 'base_missing') throw err;
      batch = await Promise.all(batch.map(async (c) => (patchHeaderOf(c.encoded) ? { id: c.id, encoded: encodeChunk(await readChunk(store, c.id)) } : c)));
      await chunks.upload(batch);
    }
    result.chunksUploaded += batch.length;
    result.bytesUploaded += batchBytes;
    progress.onUpload?.(result.chunksUploaded, missing.length, result.bytesUploaded);
    batch = [];
    batchBytes = 0;
  };
  for (const id of missing) {
    const encoded = await store.stored(id);
    if (!encoded) throw new Error(`chunk ${id.slice(0, 12)}… of a local checkpoint is missing from .backlot/chunks; run backlot checkpoint again on the file`);
    batch.push({ id, encoded });
    batchBytes += encoded.length;
    if (batchBytes >= UPLOAD_BATCH_BYTES) await flush();
  }
  await flush();
}
