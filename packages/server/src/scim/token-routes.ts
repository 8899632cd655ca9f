// The owner's side of SCIM under /api/v1: the studio's SCIM base URL and token status, minting
// (or rotating) the token, revoking it.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { params } from '../http/schemas.js';
import { issueScimToken, revokeScimToken, scimStatus } from './tokens.js';

export async function scimTokenRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['sso'];
  r.get('/studios/:studioId/scim', { schema: { tags, params: params.studio, summary: 'The studio\'s SCIM base URL and its token (without the secret); owners' } },
    async (req) => scimStatus(req.ctx, req.params.studioId));
  r.post('/studios/:studioId/scim/token', { schema: { tags, params: params.studio, summary: 'Mint the studio\'s SCIM token, shown once; a previous token stops at once (rotation); owners' } },
    async (req, reply) => reply.status(201).send(await issueScimToken(req.ctx, req.params.studioId)));
  r.delete('/studios/:studioId/scim/token', { schema: { tags, params: params.studio, summary: 'Revoke the studio\'s SCIM token; owners' } }, async (req, reply) => {
    await revokeScimToken(req.ctx, req.params.studioId);
    return reply.status(204).send();
  });
}
