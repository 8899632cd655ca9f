// Checkpoint preview images and asset covers. A preview is one PNG, JPEG or WebP image of at
// most MAX_PREVIEW_SIZE bytes whose leading bytes must match its declared type. It is stored in
// the project's chunk store as a single blob under its SHA-256 (so identical previews are stored
// once, count towards usage and are collected like chunks) and set as the checkpoint's
// preview_hash by the checkpoint.preview operation, so change log and audit stay complete.
import { authorizeOp, BacklotError, notFound, assertProjectWritable } from '@backlot/core';
import { encodeChunk, sha256Hex, verifyChunk } from '@backlot/storage';
import type { Ctx } from '../context.js';
import { check } from '../access/access.js';
import { applyOp } from './apply.js';
import { authorizeContentAccess, loadContentAccess } from '../content/access.js';
import { storeVerifiedBlobs } from '../content/blobs.js';
import { liveCheckpointFile } from '../content/files.js';
import { MAX_PREVIEW_SIZE } from '../config/chunk-store.js';
import { readVerified } from '../content/stream.js';

export const PREVIEW_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type PreviewType = (typeof PREVIEW_TYPES)[number];

/** The image type the bytes start with, or null. */
export function sniffImage(b: Uint8Array): PreviewType | null {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

export async function putPreview(ctx: Ctx, projectId: string, checkpointId: string, contentType: string, bytes: Buffer) {
  const access = await loadContentAccess(ctx, projectId);
  authorizeContentAccess(access, { kind: 'chunks.check' });
  const file = await liveCheckpointFile(ctx.db, projectId, checkpointId);
  if (!file || !access.view.canSeeAsset(file.asset.id)) throw notFound('checkpoint');
  // Authorized before anything is stored; applyOp authorizes again against the state it commits.
  check(authorizeOp(access.actor, access.view, { kind: 'checkpoint.preview', assetId: file.asset.id, authorId: file.checkpoint.author_id }),
    { studioId: access.project.studio_id, projectId, action: 'checkpoint.preview' });
  assertProjectWritable(access.project);
  if (bytes.length === 0) throw new BacklotError('validation_failed', 'the preview image is empty');
  if (bytes.length > MAX_PREVIEW_SIZE) throw new BacklotError('payload_too_large', `a preview image is at most ${MAX_PREVIEW_SIZE} bytes`, { limit: MAX_PREVIEW_SIZE });
  const type = contentType.split(';')[0].trim().toLowerCase();
  const actual = sniffImage(bytes);
  if (actual !== type)
    throw new BacklotError('unsupported_media_type', `the body is not a ${type} image${actual ? ` (it looks like ${actual})` : ''}`, { contentType: type, detected: actual, accepted: PREVIEW_TYPES });
  const id = sha256Hex(bytes);
  await storeVerifiedBlobs(ctx, ctx.chunks.store(projectId), access.project, access.actor.userId, [verifyChunk(id, encodeChunk(bytes), MAX_PREVIEW_SIZE)]);
  return (await applyOp(ctx, projectId, { type: 'checkpoint.preview', id: checkpointId, previewHash: id })).result;
}

/** The preview image of a live checkpoint the caller can see (no download permission needed). */
export async function getPreview(ctx: Ctx, projectId: string, checkpointId: string): Promise<{ type: PreviewType; bytes: Buffer; hash: string }> {
  const access = await loadContentAccess(ctx, projectId);
  authorizeContentAccess(access, { kind: 'chunks.check' });
  const file = await liveCheckpointFile(ctx.db, projectId, checkpointId);
  if (!file || !access.view.canSeeAsset(file.asset.id)) throw notFound('checkpoint');
  authorizeContentAccess(access, { kind: 'preview.view', assetId: file.asset.id });
  const hash = file.checkpoint.preview_hash;
  if (!hash) throw notFound('preview');
  const blob = await readVerified(ctx.chunks.store(projectId), hash, MAX_PREVIEW_SIZE);
  // Only ever serve images (defence in depth: a preview hash can only name an image anyway).
  const type = sniffImage(blob.raw);
  if (!type) throw notFound('preview');
  return { type, bytes: blob.raw, hash };
}

export async function clearPreview(ctx: Ctx, projectId: string, checkpointId: string) {
  return (await applyOp(ctx, projectId, { type: 'checkpoint.preview', id: checkpointId, previewHash: null })).result;
}

export async function setCover(ctx: Ctx, projectId: string, assetId: string, checkpointId: string | null) {
  return (await applyOp(ctx, projectId, { type: 'asset.cover', assetId, checkpointId })).result;
}
