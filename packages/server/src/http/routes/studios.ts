import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  changeStudioMember, createStudio, deleteStudio, getStudio, listMyStudios, listStudioMembers, updateStudio,
} from '../../admin/studios.js';
import { body, Name, params, StudioRole } from '../schemas.js';
import { BacklotError, type MemberChange } from '@backlot/core';

const Domains = Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 100 });

export async function studioRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['studios'];

  r.get('/studios', { schema: { tags, summary: 'Studios the caller belongs to (the studio switcher)' } }, async (req) => ({ studios: await listMyStudios(req.ctx) }));

  r.post('/studios', { schema: { tags, body: body({ name: Name, allowedEmailDomains: Type.Optional(Domains) }) } }, async (req, reply) =>
    reply.status(201).send(await createStudio(req.ctx, req.body)));

  r.get('/studios/:studioId', { schema: { tags, params: params.studio } }, async (req) => getStudio(req.ctx, req.params.studioId));

  r.patch('/studios/:studioId', { schema: { tags, params: params.studio, body: body({ name: Type.Optional(Name), allowedEmailDomains: Type.Optional(Domains) }) } },
    async (req) => updateStudio(req.ctx, req.params.studioId, req.body));

  r.delete('/studios/:studioId', { schema: { tags, params: params.studio } }, async (req, reply) => {
    await deleteStudio(req.ctx, req.params.studioId);
    return reply.status(204).send();
  });

  r.get('/studios/:studioId/members', { schema: { tags, params: params.studio } }, async (req) => ({ members: await listStudioMembers(req.ctx, req.params.studioId) }));

  r.patch('/studios/:studioId/members/:userId', {
    schema: {
      tags, params: params.studioMember,
      summary: 'Change a member\'s studio role, or suspend / reactivate them',
      body: body({ role: Type.Optional(StudioRole), status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])) }),
    },
  }, async (req) => {
    const { role, status } = req.body;
    const changes: MemberChange[] = [];
    if (role) changes.push({ kind: 'change_role', to: role });
    if (status) changes.push({ kind: status === 'suspended' ? 'suspend' : 'reactivate' });
    if (changes.length !== 1) throw new BacklotError('validation_failed', 'send exactly one of role or status');
    return { userId: req.params.userId, ...(await changeStudioMember(req.ctx, req.params.studioId, req.params.userId, changes[0])) };
  });

  r.delete('/studios/:studioId/members/:userId', { schema: { tags, params: params.studioMember, summary: 'Remove a member from the studio (and all its projects)' } }, async (req, reply) => {
    await changeStudioMember(req.ctx, req.params.studioId, req.params.userId, { kind: 'remove' });
    return reply.status(204).send();
  });
}
