import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { acceptInvitation, invite, listInvitations, lookupInvitation, resendInvitation, revokeInvitation } from '../../admin/invitations.js';
import { body, Email, Id, Name, params, Password, SessionKind, StudioRole } from '../schemas.js';
import { deliverSession } from '../session.js';

const Token = Type.String({ minLength: 20, maxLength: 200 });

export async function invitationRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['invitations'];

  r.post('/studios/:studioId/invitations', {
    schema: {
      tags, params: params.studio, summary: 'Invite several emails at once; existing accounts are added directly',
      body: body({
        emails: Type.Array(Email, { minItems: 1, maxItems: 200 }),
        role: StudioRole,
        projects: Type.Optional(Type.Array(Type.Object({ projectId: Id, roleId: Id }, { additionalProperties: false }), { maxItems: 50 })),
      }),
    },
  }, async (req, reply) => reply.status(201).send(await invite(req.ctx, req.params.studioId, req.body)));

  r.get('/studios/:studioId/invitations', {
    schema: { tags, params: params.studio, querystring: Type.Object({ status: Type.Optional(Type.Union(['pending', 'expired', 'accepted', 'revoked'].map((s) => Type.Literal(s)))) }) },
  }, async (req) => ({ invitations: await listInvitations(req.ctx, req.params.studioId, req.query.status as never) }));

  r.post('/studios/:studioId/invitations/:invitationId/resend', { schema: { tags, params: params.invitation } }, async (req) =>
    resendInvitation(req.ctx, req.params.studioId, req.params.invitationId));

  r.delete('/studios/:studioId/invitations/:invitationId', { schema: { tags, params: params.invitation } }, async (req, reply) => {
    await revokeInvitation(req.ctx, req.params.studioId, req.params.invitationId);
    return reply.status(204).send();
  });

  r.post('/invitations/lookup', { schema: { tags, body: body({ token: Token }), summary: 'What an invitation link is for (no sign-in needed)' } }, async (req) =>
    lookupInvitation(req.ctx, req.body.token));

  r.post('/invitations/accept', {
    schema: { tags, body: body({ token: Token, name: Type.Optional(Name), password: Type.Optional(Password), session: Type.Optional(SessionKind) }) },
  }, async (req, reply) => {
    const { token, name, password, session: kind = 'bearer' } = req.body;
    const account = name !== undefined && password !== undefined ? { name, password } : null;
    const result = await acceptInvitation(req.ctx, token, account, kind, req.headers['user-agent'] ?? null);
    return { userId: result.userId, studioId: result.studioId, ...(result.session && deliverSession(reply, req.ctx, result.session, kind)) };
  });
}
