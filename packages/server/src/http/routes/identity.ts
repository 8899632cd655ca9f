// Studio identity under the API prefix: access tokens and service accounts, SSO settings and
// group mappings, the SSO sign-in flows (web redirect and CLI loopback), dormant seats.
import type { FastifyInstance } from 'fastify';
import { tokenRoutes } from './tokens.js';
import { ssoRoutes } from './sso.js';
import { scimTokenRoutes } from '../../scim/token-routes.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listDormantSeats, MAX_IDLE_DAYS, suspendDormantSeats } from '../../admin/dormant-seats.js';
import { body, Id, params } from '../schemas.js';

export async function identityRoutes(app: FastifyInstance) {
  await app.register(tokenRoutes);
  await app.register(ssoRoutes);
  await app.register(scimTokenRoutes);

  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const Days = Type.Integer({ minimum: 1, maximum: MAX_IDLE_DAYS });
  r.get('/studios/:studioId/seats/dormant', {
    schema: { tags: ['studios'], params: params.studio, summary: 'Seats idle for at least `days` days (owners)', querystring: Type.Object({ days: Type.String({ pattern: '^[0-9]{1,4}$' }) }, { additionalProperties: false }) },
  }, async (req) => ({ seats: await listDormantSeats(req.ctx, req.params.studioId, Number(req.query.days)) }));
  r.post('/studios/:studioId/seats/suspend-dormant', {
    schema: { tags: ['studios'], params: params.studio, summary: 'Suspend every seat idle for `days` days (or those of `userIds` among them), in one step', body: body({ days: Days, userIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 1000 })) }) },
  }, async (req) => suspendDormantSeats(req.ctx, req.params.studioId, req.body.days, req.body.userIds));
}
