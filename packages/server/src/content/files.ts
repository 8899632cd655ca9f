// A checkpoint's file: its manifest (ordered chunks with sizes) and the reconstructed bytes,
// for members who may download it, and for share links (shares.ts).
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { BacklotError, notFound } from '@backlot/core';
import type { Ctx } from '../context.js';
import type { Db } from '../db/connect.js';
import type { AssetsTable, CheckpointsTable } from '../db/schema.js';
import { authorizeContentAccess, loadContentAccess, type ContentAccess } from './access.js';
import { sendVerified } from './stream.js';
import { batches } from './blobs.js';

export interface CheckpointFile {
  checkpoint: CheckpointsTable;
  asset: AssetsTable;
}

/** A live checkpoint of a live asset in the project, or null. */
export async function liveCheckpointFile(db: Db, projectId: string, checkpointId: string): Promise<CheckpointFile | null> {
  const checkpoint = await db.selectFrom('checkpoints').selectAll().where('id', '=', checkpointId).where('project_id', '=', projectId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!checkpoint) return null;
  const asset = await db.selectFrom('assets').selectAll().where('id', '=', checkpoint.asset_id).where('deleted_at', 'is', null).executeTakeFirst();
  return asset ? { checkpoint, asset } : null;
}

/** The caller's access plus a checkpoint they may download (404 when unknown or invisible, 403 without download). */
export async function downloadableCheckpoint(ctx: Ctx, projectId: string, checkpointId: string): Promise<CheckpointFile & { access: ContentAccess }> {
  const access = await loadContentAccess(ctx, projectId);
  authorizeContentAccess(access, { kind: 'chunks.check' });
  const file = await liveCheckpointFile(ctx.db, projectId, checkpointId);
  if (!file) throw notFound('checkpoint');
  authorizeContentAccess(access, { kind: 'content.download', assetId: file.asset.id });
  return { ...file, access };
}

export async function chunkListOf(db: Db, checkpointId: string): Promise<{ id: string; size: number }[]> {
  return (await chunkListsOf(db, [checkpointId])).get(checkpointId) ?? [];
}

/** Each checkpoint's chunks in file order, with raw sizes. */
export async function chunkListsOf(db: Db, checkpointIds: readonly string[]): Promise<Map<string, { id: string; size: number }[]>> {
  const out = new Map<string, { id: string; size: number }[]>(checkpointIds.map((id) => [id, []]));
  for (const part of batches(checkpointIds)) {
    const rows = await db
      .selectFrom('checkpoint_chunks as cc')
      .leftJoin('project_chunks as pc', (j) => j.onRef('pc.project_id', '=', 'cc.project_id').onRef('pc.chunk_id', '=', 'cc.chunk_id'))
      .select(['cc.checkpoint_id', 'cc.chunk_id', 'pc.size'])
      .where('cc.checkpoint_id', 'in', part)
      .orderBy('cc.checkpoint_id')
      .orderBy('cc.seq')
      .execute();
    for (const r of rows) out.get(r.checkpoint_id)!.push({ id: r.chunk_id, size: Number(r.size ?? 0) });
  }
  return out;
}

export async function checkpointManifest(ctx: Ctx, projectId: string, checkpointId: string) {
  const { checkpoint, asset } = await downloadableCheckpoint(ctx, projectId, checkpointId);
  return {
    id: checkpoint.id, assetId: asset.id, fileName: fileNameOf(asset), fileHash: checkpoint.file_hash, size: Number(checkpoint.size),
    chunks: await chunkListOf(ctx.db, checkpoint.id),
  };
}

export const fileNameOf = (asset: Pick<AssetsTable, 'name' | 'extension'>) => (asset.extension ? `${asset.name}.${asset.extension}` : asset.name);

/** RFC 6266 attachment header with an ASCII fallback and the exact UTF-8 name. */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

/**
 * Streams the checkpoint's file, every chunk verified (stream.ts). A HEAD request gets the same
 * headers and reads no chunk.
 */
export async function sendCheckpointFile(ctx: Ctx, reply: FastifyReply, file: CheckpointFile, extraHeaders: Record<string, string> = {}): Promise<FastifyReply> {
  const chunks = await chunkListOf(ctx.db, file.checkpoint.id);
  const size = Number(file.checkpoint.size);
  if (chunks.length === 0 && size > 0)
    throw new BacklotError('conflict', 'this checkpoint has no stored content', { reason: 'no_content' });
  const headers = {
    'content-type': 'application/octet-stream',
    'content-length': String(size),
    'content-disposition': contentDisposition(fileNameOf(file.asset)),
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
    'x-backlot-file-hash': file.checkpoint.file_hash,
    ...extraHeaders,
  };
  // Fastify answers HEAD through the GET handler and drains the body it is given: hand it an
  // empty stream (which keeps our content-length), not the file, whose chunks it would all read.
  if (reply.request.method === 'HEAD') return reply.headers(headers).send(Readable.from([]));
  return sendVerified(ctx, reply, file.checkpoint.project_id, chunks.map((c) => c.id), 'file', headers);
}
