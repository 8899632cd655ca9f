// Sync endpoints: push a batch of operations, pull changes after a cursor.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_BATCH, MAX_PULL } from '@backlot/core';
import { pullChanges } from '../../sync/pull.js';
import { pushOps } from '../../sync/push.js';
import { params } from '../schemas.js';

/** Largest body of a sync push or a checkpoint creation (their chunk lists). */
export const MAX_SYNC_BODY = 32 * 1024 * 1024;

export async function syncRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['sync'];
  r.post('/projects/:projectId/ops', {
    // Sync batches may be larger than ordinary JSON bodies: one checkpoint of a very large file
    // lists its chunk ids (256 KiB average chunks: ~125 GB of file in 32 MiB of ids).
    bodyLimit: MAX_SYNC_BODY,
    schema: {
      tags, params: params.project, summary: 'Push a batch of operations; each is answered applied, rejected or conflict',
      body: Type.Object({
        ops: Type.Array(Type.Object({ opId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' }), op: Type.Unknown({ description: 'one operation ({ type, ... }); validated one by one so a bad op is rejected alone' }) }, { additionalProperties: false }), { minItems: 1, maxItems: MAX_BATCH }),
      }, { additionalProperties: false }),
    },
  }, async (req) => ({ results: await pushOps(req.ctx, req.params.projectId, req.body.ops as { opId: string; op: unknown }[]) }));

  r.get('/projects/:projectId/changes', {
    schema: {
      tags, params: params.project, summary: 'Changes after a cursor, filtered by what the caller may see now (a snapshot when their visibility changed)',
      querystring: Type.Object({ since: Type.Optional(Type.String({ maxLength: 40 })), limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })) }, { additionalProperties: false }),
    },
  }, async (req) => pullChanges(req.ctx, req.params.projectId, req.query.since, req.query.limit ? Number(req.query.limit) : MAX_PULL));

}
