// Share links: one checkpoint's file to anyone holding the link. The token is 256 random bits,
// handed out once and stored only as its SHA-256 (auth/tokens.ts). A link stops working when it
// is revoked, when it expires, or while its checkpoint or asset is in the trash (a purge deletes
// it); all of these, and unknown tokens, look the same from outside: one 404 page.
// Creating, revoking and re-timing links needs share.manage (core's content policy) and every one
// of these actions, and every download through a link, is written to the audit log.
import type { FastifyReply } from 'fastify';
import { BacklotError, notFound, parseDateTime } from '@backlot/core';
import { inTransaction, nowIso, type Ctx } from '../context.js';
import type { Db } from '../db/connect.js';
import type { AssetsTable, CheckpointsTable, ShareLinksTable } from '../db/schema.js';
import { appendAudit } from '../audit/log.js';
import { hashSecret, newId, newSecret } from '../auth/tokens.js';
import { authorizeContentAccess, loadContentAccess, type ContentAccess } from './access.js';
import { folderPaths } from '../projection/folder-paths.js';
import { fileNameOf, liveCheckpointFile, sendCheckpointFile } from './files.js';

export const SHARE_PATH = '/s';
const TOKEN = /^[A-Za-z0-9_-]{20,200}$/;

function parseExpiry(ctx: Ctx, raw: string | null | undefined): string | null {
  if (raw === undefined || raw === null) return null;
  const t = /^\d{4}-\d{2}-\d{2}T/.test(raw) ? parseDateTime(raw) : null;
  if (t === null)
    throw new BacklotError('validation_failed', 'expiresAt must be an ISO 8601 date-time, e.g. 2026-04-01T12:00:00Z', { field: 'expiresAt' });
  if (t <= ctx.clock.now().getTime()) throw new BacklotError('validation_failed', 'expiresAt must be in the future', { field: 'expiresAt' });
  return new Date(t).toISOString();
}

type ShareState = 'active' | 'expired' | 'revoked';

function stateOf(row: Pick<ShareLinksTable, 'revoked_at' | 'expires_at'>, now: string): ShareState {
  if (row.revoked_at) return 'revoked';
  if (row.expires_at && row.expires_at <= now) return 'expired';
  return 'active';
}

type SharedAsset = Pick<AssetsTable, 'id' | 'collection_id' | 'name' | 'extension'>;

/** The shared files' folders, as on their cards. */
const foldersOf = (ctx: Ctx, access: ContentAccess, collectionIds: readonly (string | null)[]) =>
  folderPaths({ ctx, graph: access.graph, view: access.view }, collectionIds);

const folderOf = async (ctx: Ctx, access: ContentAccess, asset: SharedAsset) =>
  (await foldersOf(ctx, access, [asset.collection_id]))(asset.collection_id);

function shareView(row: ShareLinksTable, asset: SharedAsset, checkpointNumber: number, folder: string | null, now: string) {
  return {
    id: row.id, checkpointId: row.checkpoint_id, checkpointNumber, assetId: asset.id, collectionId: asset.collection_id, folder, fileName: fileNameOf(asset),
    createdBy: row.created_by, createdAt: row.created_at,
    expiresAt: row.expires_at, revokedAt: row.revoked_at, downloadCount: Number(row.download_count), lastAccessAt: row.last_access_at,
    state: stateOf(row, now),
  };
}

const audit = (ctx: Ctx, trx: Parameters<typeof appendAudit>[0], studioId: string, projectId: string, action: string, shareId: string, before: unknown, after: unknown, at: string) =>
  appendAudit(trx, { studioId, projectId, actorId: ctx.user?.id ?? null, action, targetType: 'share_link', targetId: shareId, before, after, ip: ctx.ip }, at);

export async function createShare(ctx: Ctx, projectId: string, checkpointId: string, input: { expiresAt?: string | null }) {
  const access = await loadContentAccess(ctx, projectId);
  authorizeContentAccess(access, { kind: 'share.manage' });
  const file = await liveCheckpointFile(ctx.db, projectId, checkpointId);
  if (!file || !access.view.canSeeAsset(file.asset.id)) throw notFound('checkpoint');
  authorizeContentAccess(access, { kind: 'share.create', assetId: file.asset.id });
  const expiresAt = parseExpiry(ctx, input.expiresAt);
  const token = newSecret();
  const at = nowIso(ctx);
  const row: ShareLinksTable = {
    id: newId(), project_id: projectId, checkpoint_id: checkpointId, token_hash: hashSecret(token), created_by: access.actor.userId, created_at: at,
    expires_at: expiresAt, revoked_at: null, download_count: 0, last_access_at: null,
  };
  await inTransaction(ctx, async (trx) => {
    await trx.insertInto('share_links').values(row).execute();
    await audit(ctx, trx, access.project.studio_id, projectId, 'share.created', row.id, null, { checkpointId, assetId: file.asset.id, expiresAt }, at);
  });
  return { ...shareView(row, file.asset, file.checkpoint.number, await folderOf(ctx, access, file.asset), at), token, url: `${ctx.baseUrl()}${SHARE_PATH}/${token}` };
}

async function sharesOf(db: Db, projectId: string, shareId?: string) {
  return db
    .selectFrom('share_links as s')
    .innerJoin('checkpoints as c', 'c.id', 's.checkpoint_id')
    .innerJoin('assets as a', 'a.id', 'c.asset_id')
    .selectAll('s')
    .select(['a.id as asset_id', 'a.collection_id as asset_collection_id', 'a.name as asset_name', 'a.extension as asset_extension', 'c.number as checkpoint_number'])
    .where('s.project_id', '=', projectId)
    .$if(shareId !== undefined, (q) => q.where('s.id', '=', shareId!))
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id')
    .execute();
}

/** The project's links on assets the caller can see, newest first (tokens are never shown again). */
export async function listShares(ctx: Ctx, projectId: string) {
  const access = await loadContentAccess(ctx, projectId);
  authorizeContentAccess(access, { kind: 'share.manage' });
  const now = nowIso(ctx);
  const rows = (await sharesOf(ctx.db, projectId)).filter((r) => access.view.canSeeAsset(r.asset_id));
  const folders = await foldersOf(ctx, access, rows.map((r) => r.asset_collection_id));
  return { shares: rows.map((r) => shareView(r, sharedAsset(r), r.checkpoint_number, folders(r.asset_collection_id), now)) };
}

async function manageableShare(ctx: Ctx, projectId: string, shareId: string) {
  const access = await loadContentAccess(ctx, projectId);
  authorizeContentAccess(access, { kind: 'share.manage' });
  const [row] = await sharesOf(ctx.db, projectId, shareId);
  if (!row || !access.view.canSeeAsset(row.asset_id)) throw notFound('share link');
  return { access, row, asset: sharedAsset(row) };
}

const sharedAsset = (r: { asset_id: string; asset_collection_id: string | null; asset_name: string; asset_extension: string }): SharedAsset =>
  ({ id: r.asset_id, collection_id: r.asset_collection_id, name: r.asset_name, extension: r.asset_extension });

export async function revokeShare(ctx: Ctx, projectId: string, shareId: string) {
  const { access, row, asset } = await manageableShare(ctx, projectId, shareId);
  const at = nowIso(ctx);
  const folder = await folderOf(ctx, access, asset);
  if (row.revoked_at) return shareView(row, asset, row.checkpoint_number, folder, at);
  await inTransaction(ctx, async (trx) => {
    await trx.updateTable('share_links').set({ revoked_at: at }).where('id', '=', shareId).execute();
    await audit(ctx, trx, access.project.studio_id, projectId, 'share.revoked', shareId, { expiresAt: row.expires_at }, { revokedAt: at }, at);
  });
  return shareView({ ...row, revoked_at: at }, asset, row.checkpoint_number, folder, at);
}

/** Sets a new expiry (later, earlier, or none); a revoked link stays revoked. */
export async function changeShareExpiry(ctx: Ctx, projectId: string, shareId: string, expiresAtRaw: string | null) {
  const { access, row, asset } = await manageableShare(ctx, projectId, shareId);
  if (row.revoked_at) throw new BacklotError('conflict', 'this share link has been revoked; create a new one', { reason: 'revoked' });
  const expiresAt = parseExpiry(ctx, expiresAtRaw);
  const at = nowIso(ctx);
  await inTransaction(ctx, async (trx) => {
    await trx.updateTable('share_links').set({ expires_at: expiresAt }).where('id', '=', shareId).execute();
    await audit(ctx, trx, access.project.studio_id, projectId, 'share.expiry_changed', shareId, { expiresAt: row.expires_at }, { expiresAt }, at);
  });
  return shareView({ ...row, expires_at: expiresAt }, asset, row.checkpoint_number, await folderOf(ctx, access, asset), at);
}

// ---- public side ---------------------------------------------------------------------------------

interface ResolvedShare {
  share: ShareLinksTable;
  checkpoint: CheckpointsTable;
  asset: AssetsTable;
  studioId: string;
}

/** The live share a token opens, or null (unknown, revoked, expired, trashed: all alike). */
export async function resolveShare(ctx: Ctx, token: string): Promise<ResolvedShare | null> {
  if (!TOKEN.test(token)) return null;
  const share = await ctx.db.selectFrom('share_links').selectAll().where('token_hash', '=', hashSecret(token)).executeTakeFirst();
  if (!share || stateOf(share, nowIso(ctx)) !== 'active') return null;
  const project = await ctx.db
    .selectFrom('projects as p')
    .innerJoin('studios as s', 's.id', 'p.studio_id')
    .select(['p.id', 'p.studio_id'])
    .where('p.id', '=', share.project_id)
    .where('p.deleted_at', 'is', null)
    .where('s.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!project) return null;
  const file = await liveCheckpointFile(ctx.db, share.project_id, share.checkpoint_id);
  if (!file) return null;
  return { share, checkpoint: file.checkpoint, asset: file.asset, studioId: project.studio_id };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function humanSize(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // The token is in the URL: never leak it onwards, never cache or index the page.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;background:#f4f4f5;color:#18181b;display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center}
main{background:#fff;border-radius:12px;padding:2rem 2.5rem;box-shadow:0 1px 4px #0002;max-width:32rem;text-align:center}
h1{font-size:1.25rem;word-break:break-all}p{color:#52525b}a.button{display:inline-block;margin-top:1rem;padding:.6rem 1.4rem;border-radius:8px;background:#2563eb;color:#fff;text-decoration:none}</style>
</head><body><main>${body}</main></body></html>
`;
}

function notAvailable(reply: FastifyReply): FastifyReply {
  return reply.status(404).headers(PAGE_HEADERS).send(page('Link not available', '<h1>This link is not available</h1><p>It may have expired or been revoked.</p>'));
}

/** GET /s/:token: the file's name and size and a download button; nothing else of the project. */
export async function sharePage(ctx: Ctx, reply: FastifyReply, token: string): Promise<FastifyReply> {
  const resolved = await resolveShare(ctx, token);
  if (!resolved) return notAvailable(reply);
  await ctx.db.updateTable('share_links').set({ last_access_at: nowIso(ctx) }).where('id', '=', resolved.share.id).execute();
  const name = fileNameOf(resolved.asset);
  const size = Number(resolved.checkpoint.size);
  return reply.status(200).headers(PAGE_HEADERS).send(page(name, `<h1>${escapeHtml(name)}</h1>
<p>${escapeHtml(humanSize(size))}${size >= 1000 ? ` (${size} bytes)` : ''}</p>
<a class="button" href="${escapeHtml(token)}/download" rel="nofollow noreferrer">Download</a>`));
}

/** GET /s/:token/download: the file itself; counted, stamped and audited (a HEAD request is not a download). */
export async function shareDownload(ctx: Ctx, reply: FastifyReply, token: string): Promise<FastifyReply> {
  const isHead = reply.request.method === 'HEAD';
  const resolved = await resolveShare(ctx, token);
  if (!resolved) return notAvailable(reply);
  const at = nowIso(ctx);
  if (!isHead) await inTransaction(ctx, async (trx) => {
    await trx.updateTable('share_links').set((eb) => ({ download_count: eb('download_count', '+', 1), last_access_at: at })).where('id', '=', resolved.share.id).execute();
    await audit(ctx, trx, resolved.studioId, resolved.share.project_id, 'share.downloaded', resolved.share.id, null, { checkpointId: resolved.checkpoint.id }, at);
  });
  return sendCheckpointFile(ctx, reply, resolved, { 'referrer-policy': 'no-referrer' });
}
