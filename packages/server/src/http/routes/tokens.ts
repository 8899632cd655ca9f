// Access tokens for scripts and pipelines: personal tokens (/auth/tokens) and studio service
// accounts with their tokens (/studios/:studioId/service-accounts).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createPersonalToken, listPersonalTokens, revokePersonalToken } from '../../auth/access-tokens/personal.js';
import {
  createServiceAccount, createServiceToken, deactivateServiceAccount, listServiceAccounts, revokeServiceToken,
} from '../../auth/access-tokens/service-accounts.js';
import { MAX_TOKEN_DAYS, MAX_TOKEN_PROJECTS } from '../../auth/access-tokens/issue.js';
import { body, Id, Name, params, StudioRole } from '../schemas.js';

const TokenBody = body({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  access: Type.Union([Type.Literal('read'), Type.Literal('content'), Type.Literal('admin')], { description: 'read: look and download; content: also production work; admin: everything the account may do' }),
  projects: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: MAX_TOKEN_PROJECTS, description: 'limit the token to these projects' })),
  expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS })),
});

export async function tokenRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['tokens'];

  r.post('/auth/tokens', { schema: { tags, summary: 'Create a personal access token (the secret is shown once)', body: TokenBody } },
    async (req, reply) => reply.status(201).send(await createPersonalToken(req.ctx, req.body)));
  r.get('/auth/tokens', { schema: { tags, summary: 'The caller\'s personal access tokens (never their secrets)' } },
    async (req) => ({ tokens: await listPersonalTokens(req.ctx) }));
  r.delete('/auth/tokens/:tokenId', { schema: { tags, params: Type.Object({ tokenId: Id }) } }, async (req, reply) => {
    await revokePersonalToken(req.ctx, req.params.tokenId);
    return reply.status(204).send();
  });

  const account = Type.Object({ studioId: Id, userId: Id });
  r.post('/studios/:studioId/service-accounts', { schema: { tags, params: params.studio, body: body({ name: Name, role: Type.Optional(StudioRole) }) } },
    async (req, reply) => reply.status(201).send(await createServiceAccount(req.ctx, req.params.studioId, req.body)));
  r.get('/studios/:studioId/service-accounts', { schema: { tags, params: params.studio } },
    async (req) => ({ serviceAccounts: await listServiceAccounts(req.ctx, req.params.studioId) }));
  r.delete('/studios/:studioId/service-accounts/:userId', { schema: { tags, params: account, summary: 'Deactivate a service account; all its tokens stop at once' } }, async (req, reply) => {
    await deactivateServiceAccount(req.ctx, req.params.studioId, req.params.userId);
    return reply.status(204).send();
  });
  r.post('/studios/:studioId/service-accounts/:userId/tokens', { schema: { tags, params: account, body: TokenBody } },
    async (req, reply) => reply.status(201).send(await createServiceToken(req.ctx, req.params.studioId, req.params.userId, req.body)));
  r.delete('/studios/:studioId/service-accounts/:userId/tokens/:tokenId', { schema: { tags, params: Type.Object({ studioId: Id, userId: Id, tokenId: Id }) } }, async (req, reply) => {
    await revokeServiceToken(req.ctx, req.params.studioId, req.params.userId, req.params.tokenId);
    return reply.status(204).send();
  });
}
