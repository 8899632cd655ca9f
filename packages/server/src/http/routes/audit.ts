import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { authorizeAudit, exportAudit, queryAudit, verifyStudioAudit, type AuditFilter, type AuditScope } from '../../audit/query.js';
import { Id, params } from '../schemas.js';
import type { Ctx } from '../../context.js';

const Filter = Type.Object({
  actor: Type.Optional(Id),
  action: Type.Optional(Type.String({ maxLength: 100 })),
  targetType: Type.Optional(Type.String({ maxLength: 50 })),
  targetId: Type.Optional(Type.String({ maxLength: 200 })),
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  cursor: Type.Optional(Type.String({ maxLength: 20 })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('jsonl'), Type.Literal('csv')])),
}, { additionalProperties: false });

type FilterQuery = Omit<AuditFilter, 'limit'> & { limit?: string; format?: 'json' | 'jsonl' | 'csv' };

async function answer(ctx: Ctx, scope: AuditScope, q: FilterQuery, reply: FastifyReply) {
  await authorizeAudit(ctx, scope);
  const { format = 'json', limit, ...rest } = q;
  const filter: AuditFilter = { ...rest, limit: limit === undefined ? undefined : Number(limit) };
  if (format === 'json') return queryAudit(ctx, scope, filter);
  // Bad filters must answer 400 before the 200 headers of a stream go out (the export is lazy).
  await queryAudit(ctx, scope, { ...filter, limit: 1 });
  const name = `audit-${scope.projectId ?? scope.studioId}.${format}`;
  reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${name}"`);
  return reply.send(Readable.from(exportAudit(ctx, scope, filter, format)));
}

export async function auditRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['audit'];
  r.get('/studios/:studioId/audit', { schema: { tags, params: params.studio, querystring: Filter, summary: 'Studio audit log (owners, admins); format=jsonl|csv exports' } },
    async (req, reply) => answer(req.ctx, { studioId: req.params.studioId }, req.query, reply));
  r.get('/projects/:projectId/audit', { schema: { tags, params: params.project, querystring: Filter, summary: 'Project audit log (audit.view)' } },
    async (req, reply) => answer(req.ctx, { studioId: '', projectId: req.params.projectId }, req.query, reply));
  r.get('/studios/:studioId/audit/verify', { schema: { tags, params: params.studio, summary: 'Verify the hash chain; reports the first broken link' } },
    async (req) => verifyStudioAudit(req.ctx, req.params.studioId));
}
