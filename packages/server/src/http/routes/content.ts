// Content routes: chunk check/upload/fetch (the sync protocol's byte side), checkpoint files and
// manifests, previews and covers, garbage collection, share links (managed under /api/v1, opened
// publicly under /s/), usage and quotas. Every decision is core's (content-policy, op-policy);
// these handlers only translate HTTP.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BacklotError } from '@backlot/core';
import { MAX_PATCH_BASES } from '@backlot/storage';
import { Id, params } from '../schemas.js';
import { authorizeFetch, checkChunks, MAX_CHECK_IDS, MAX_FETCH_IDS, MAX_UPLOAD_BODY, receiveChunks } from '../../content/chunks.js';
import { sendVerified } from '../../content/stream.js';
import { checkpointManifest, downloadableCheckpoint, sendCheckpointFile } from '../../content/files.js';
import { checkpointManifests, MAX_MANIFEST_IDS } from '../../content/manifests.js';
import { clearPreview, getPreview, PREVIEW_TYPES, putPreview, setCover } from '../../ops/preview-images.js';
import { MAX_PREVIEW_SIZE } from '../../config/chunk-store.js';
import { gc } from '../../content/gc.js';
import { backgroundIdle, stopBackground } from '../../content/background.js';
import { changeShareExpiry, createShare, listShares, revokeShare, SHARE_PATH, shareDownload, sharePage } from '../../content/shares.js';
import { getProjectUsage, getStudioUsage, setProjectQuota, setStudioQuota } from '../../content/usage.js';
import { authorizeContentAccess, loadContentAccess } from '../../content/access.js';
import type { AppDeps } from '../../context.js';

const API_PREFIX = '/api/v1';
const ChunkId = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the raw chunk, lowercase hex' });
const OCTET = 'application/octet-stream';
const p2 = (name: string) => Type.Object({ projectId: Id, [name]: Id });
type P = Record<string, string>;
const Expiry = Type.String({ minLength: 10, maxLength: 40, description: 'ISO 8601 date-time in the future' });
const Quota = Type.Object({ bytes: Type.Union([Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 }), Type.Null()]) }, { additionalProperties: false });

async function apiRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // Uploads: the raw body stream goes to the handler, which parses frames incrementally.
  if (app.hasContentTypeParser(OCTET)) app.removeContentTypeParser(OCTET);
  app.addContentTypeParser(OCTET, (_req, payload, done) => done(null, payload));
  app.addContentTypeParser([...PREVIEW_TYPES], { parseAs: 'buffer', bodyLimit: MAX_PREVIEW_SIZE }, (_req, body, done) => done(null, body));

  const ct = ['content'];
  r.post('/projects/:projectId/chunks/check', {
    bodyLimit: 1024 * 1024,
    schema: {
      tags: ct, params: params.project, summary: 'Which of these chunks the server lacks (for you): upload those',
      body: Type.Object({ ids: Type.Array(ChunkId, { maxItems: MAX_CHECK_IDS }) }, { additionalProperties: false }),
    },
  }, async (req) => checkChunks(req.ctx, req.params.projectId, req.body.ids));

  r.post('/projects/:projectId/chunks', {
    bodyLimit: MAX_UPLOAD_BODY,
    schema: {
      tags: ct, params: params.project, consumes: [OCTET],
      summary: 'Upload chunks: application/octet-stream of frames (32-byte id, uint32 BE length, encoded chunk); each verified on arrival',
    },
  }, async (req) => {
    const body = req.body as unknown;
    if (!(body instanceof Readable)) throw new BacklotError('unsupported_media_type', `send the frames as ${OCTET}`, { accepted: [OCTET] });
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    return receiveChunks(req.ctx, req.params.projectId, body, Number.isFinite(declared) ? declared : undefined);
  });

  r.post('/projects/:projectId/chunks/fetch', {
    bodyLimit: 2 * 1024 * 1024,
    schema: {
      tags: ct, params: params.project, summary: 'Download chunks as a stream of frames; every id must belong to a checkpoint you may download',
      body: Type.Object({
        ids: Type.Array(ChunkId, { maxItems: MAX_FETCH_IDS }),
        patches: Type.Optional(Type.Boolean({ description: 'Send stored patches as they are when you may fetch their bases too (you decode them)' })),
        held: Type.Optional(Type.Record(Type.String({ pattern: '^[0-9a-f]{64}$' }), Type.Array(ChunkId, { maxItems: MAX_PATCH_BASES }), {
          description: 'With patches: per requested chunk, chunks you hold at its place in the version you have; it may come as a patch against them',
          maxProperties: MAX_FETCH_IDS,
        })),
      }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    const { ids, ...patches } = await authorizeFetch(req.ctx, req.params.projectId, req.body.ids, req.body.patches === true, req.body.held ?? {});
    return sendVerified(req.ctx, reply, req.params.projectId, ids, 'frames', { 'content-type': OCTET, 'cache-control': 'private, no-store' }, patches);
  });

  const kt = ['checkpoints'];
  r.get('/projects/:projectId/checkpoints/:checkpointId/content', { schema: { tags: kt, params: p2('checkpointId'), summary: "The checkpoint's file, reconstructed and verified chunk by chunk" } },
    async (req, reply) => {
      const file = await downloadableCheckpoint(req.ctx, req.params.projectId, (req.params as P).checkpointId);
      return sendCheckpointFile(req.ctx, reply, file);
    });
  r.get('/projects/:projectId/checkpoints/:checkpointId/manifest', { schema: { tags: kt, params: p2('checkpointId'), summary: "The checkpoint's ordered chunk list with sizes (to fetch and restore it)" } },
    async (req) => checkpointManifest(req.ctx, req.params.projectId, (req.params as P).checkpointId));
  r.post('/projects/:projectId/checkpoints/manifests', {
    bodyLimit: 256 * 1024,
    schema: {
      tags: kt, params: params.project,
      summary: 'Many manifests at once: each id answered on its own (manifest, refused as not_found / forbidden, or deferred to ask again)',
      body: Type.Object({ ids: Type.Array(Id, { minItems: 1, maxItems: MAX_MANIFEST_IDS }) }, { additionalProperties: false }),
    },
  }, async (req) => checkpointManifests(req.ctx, req.params.projectId, req.body.ids, `${req.method} ${req.routeOptions.url}`));

  r.put('/projects/:projectId/checkpoints/:checkpointId/preview', {
    bodyLimit: MAX_PREVIEW_SIZE,
    schema: { tags: kt, params: p2('checkpointId'), consumes: [...PREVIEW_TYPES], summary: `Set the preview image (PNG, JPEG or WebP, at most ${MAX_PREVIEW_SIZE} bytes)` },
  }, async (req) => {
    const body = req.body as unknown;
    if (!Buffer.isBuffer(body)) throw new BacklotError('unsupported_media_type', 'send the image as image/png, image/jpeg or image/webp', { accepted: PREVIEW_TYPES });
    return putPreview(req.ctx, req.params.projectId, (req.params as P).checkpointId, String(req.headers['content-type'] ?? ''), body);
  });
  r.get('/projects/:projectId/checkpoints/:checkpointId/preview', { schema: { tags: kt, params: p2('checkpointId'), summary: 'The preview image (visibility of the asset is enough)' } },
    async (req, reply) => {
      const preview = await getPreview(req.ctx, req.params.projectId, (req.params as P).checkpointId);
      return reply.headers({
        'content-type': preview.type, 'cache-control': 'private, max-age=300', etag: `"${preview.hash}"`,
        'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox",
      }).send(preview.bytes);
    });
  r.delete('/projects/:projectId/checkpoints/:checkpointId/preview', { schema: { tags: kt, params: p2('checkpointId'), summary: 'Remove the preview image' } },
    async (req) => clearPreview(req.ctx, req.params.projectId, (req.params as P).checkpointId));
  r.put('/projects/:projectId/assets/:assetId/cover', {
    schema: { tags: ['assets'], params: p2('assetId'), summary: "Use a checkpoint's preview as the asset's cover (null clears it)", body: Type.Object({ checkpointId: Type.Union([Id, Type.Null()]) }, { additionalProperties: false }) },
  }, async (req) => setCover(req.ctx, req.params.projectId, (req.params as P).assetId, req.body.checkpointId));

  r.post('/projects/:projectId/gc', { schema: { tags: ['trash'], params: params.project, summary: 'Delete stored chunks no surviving checkpoint references (after a grace period)' } },
    async (req) => {
      const access = await loadContentAccess(req.ctx, req.params.projectId);
      authorizeContentAccess(access, { kind: 'gc.run' });
      return gc(req.ctx, req.params.projectId);
    });

  const st = ['share links'];
  r.post('/projects/:projectId/checkpoints/:checkpointId/shares', {
    schema: { tags: st, params: p2('checkpointId'), summary: 'Create a share link; the token is shown only in this answer', body: Type.Object({ expiresAt: Type.Optional(Type.Union([Expiry, Type.Null()])) }, { additionalProperties: false }) },
  }, async (req, reply) => reply.status(201).send(await createShare(req.ctx, req.params.projectId, (req.params as P).checkpointId, req.body ?? {})));
  r.get('/projects/:projectId/shares', { schema: { tags: st, params: params.project } }, async (req) => listShares(req.ctx, req.params.projectId));
  r.patch('/projects/:projectId/shares/:shareId', {
    schema: { tags: st, params: p2('shareId'), summary: 'Change the expiry (null: never expires)', body: Type.Object({ expiresAt: Type.Union([Expiry, Type.Null()]) }, { additionalProperties: false }) },
  }, async (req) => changeShareExpiry(req.ctx, req.params.projectId, (req.params as P).shareId, req.body.expiresAt));
  r.delete('/projects/:projectId/shares/:shareId', { schema: { tags: st, params: p2('shareId'), summary: 'Revoke a share link' } },
    async (req) => revokeShare(req.ctx, req.params.projectId, (req.params as P).shareId));

  const ut = ['usage'];
  r.get('/projects/:projectId/usage', { schema: { tags: ut, params: params.project } }, async (req) => getProjectUsage(req.ctx, req.params.projectId));
  r.get('/studios/:studioId/usage', { schema: { tags: ut, params: params.studio, summary: 'Storage per project (studio owners and admins)' } },
    async (req) => getStudioUsage(req.ctx, req.params.studioId));
  r.put('/studios/:studioId/quota', { schema: { tags: ut, params: params.studio, body: Quota, summary: 'Studio storage quota in stored bytes (null: none)' } },
    async (req) => setStudioQuota(req.ctx, req.params.studioId, req.body.bytes));
  r.put('/projects/:projectId/quota', { schema: { tags: ut, params: params.project, body: Quota, summary: 'Project storage quota in stored bytes (null: none); studio owners and admins' } },
    async (req) => setProjectQuota(req.ctx, req.params.projectId, req.body.bytes));
}

/** The public side of share links: no session needed, nothing but the one file. */
async function publicShareRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // Any token shape reaches the handler: malformed, unknown, expired and revoked all get one 404 page.
  const schema = { hide: true, params: Type.Object({ token: Type.String() }) };
  r.get(`${SHARE_PATH}/:token`, { schema }, async (req, reply) => sharePage(req.ctx, reply, req.params.token));
  r.get(`${SHARE_PATH}/:token/download`, { schema }, async (req, reply) => shareDownload(req.ctx, reply, req.params.token));
}

/** Registered at the root (not under the API prefix): the share pages live at /s/. */
export async function contentRoutes(app: FastifyInstance, opts: { deps: Pick<AppDeps, 'chunks'> }) {
  await app.register(apiRoutes, { prefix: API_PREFIX });
  await app.register(publicShareRoutes);
  // Background content work (collections after purges, ...) finishes before the server lets go of
  // its stores; queued rebases are left for the next start, which resumes them.
  app.addHook('onClose', async () => {
    stopBackground(opts.deps.chunks);
    await backgroundIdle(opts.deps.chunks);
  });
}
