// The SCIM 2.0 service (RFC 7644) at `/scim/v2/STUDIO_ID`: discovery (ServiceProviderConfig,
// Schemas, ResourceTypes), Users and Groups. Everything here speaks SCIM: `application/scim+json`
// in and out (plain JSON accepted too), SCIM error bodies for every refusal, the studio's SCIM
// token checked before anything else is looked at.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BacklotError } from '@backlot/core';
import { ScimError, fromBacklot, scimErrorBody, scimNotFound } from './errors.js';
import { SCHEMA, SCIM_MEDIA_TYPE, SCIM_PREFIX } from './paths.js';
import { authenticateScim, scimBaseUrl } from './tokens.js';
import { resourceTypeDocuments, schemaDocuments } from './schema.js';
import { MAX_RESULTS, type ListQuery } from './listing.js';
import { createUser, deleteUser, getUser, isId, listUsers, patchUser, replaceUser, type ScimCall } from './users.js';
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from './groups.js';

/** Groups of thousands of members arrive in one PUT. */
const SCIM_BODY_LIMIT = 2 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    scim?: ScimCall;
  }
}

const FASTIFY_BODY_ERRORS: Record<string, number> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 400,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
};

function serviceProviderConfig(base: string) {
  return {
    schemas: [SCHEMA.serviceProviderConfig],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Studio SCIM token', description: 'The studio\'s SCIM token, minted by a studio owner: Authorization: Bearer blscim_…', primary: true }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

const call = (req: FastifyRequest): ScimCall => {
  if (!req.scim) throw new ScimError(401, 'a SCIM bearer token is required');
  return req.scim;
};

export async function scimRoutes(app: FastifyInstance) {
  app.addContentTypeParser(SCIM_MEDIA_TYPE, { parseAs: 'string', bodyLimit: SCIM_BODY_LIMIT }, app.getDefaultJsonParser('error', 'error'));

  app.setErrorHandler(async (err: Error & { code?: string; statusCode?: number }, req, reply: FastifyReply) => {
    let e: ScimError;
    if (err instanceof ScimError) e = err;
    else if (err instanceof BacklotError) e = fromBacklot(err);
    else if (err.code && Object.hasOwn(FASTIFY_BODY_ERRORS, err.code)) e = new ScimError(FASTIFY_BODY_ERRORS[err.code], `the request body cannot be read: ${err.message}`, FASTIFY_BODY_ERRORS[err.code] === 400 ? 'invalidSyntax' : undefined);
    else if ((err as { code?: string }).code === '22021') e = new ScimError(400, 'text must not contain NUL characters', 'invalidValue');
    // Two IdP calls racing for one userName or group name: the database's unique index decides.
    else if (['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'].includes(err.code ?? '')) e = new ScimError(409, 'that already exists', 'uniqueness');
    else {
      req.log.error({ err }, 'unhandled SCIM error');
      e = new ScimError(500, `internal server error (request ${req.id})`);
    }
    return reply.status(e.status).type(SCIM_MEDIA_TYPE).send(scimErrorBody(e.status, e.message, e.scimType));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).type(SCIM_MEDIA_TYPE).send(scimErrorBody(404, `no SCIM endpoint ${req.method} ${req.url.split('?')[0]}`));
  });

  // The token first: nothing about a studio is answered without its own SCIM token.
  app.addHook('onRequest', async (req, reply) => {
    reply.type(SCIM_MEDIA_TYPE);
    if (!req.routeOptions.url) return; // no such endpoint: the not-found answer says so
    const studioId = (req.params as { studioId?: string }).studioId ?? '';
    if (!isId(studioId)) throw scimNotFound('studio');
    const { tokenId } = await authenticateScim(req.ctx, req.headers.authorization, studioId);
    req.scim = { ctx: req.ctx, studioId, tokenId, base: scimBaseUrl(req.ctx, studioId) };
  });

  const opts = { bodyLimit: SCIM_BODY_LIMIT, schema: { hide: true } };
  type P = { Params: { studioId: string; id: string }; Querystring: ListQuery };

  app.get<P>('/:studioId/ServiceProviderConfig', opts, async (req) => serviceProviderConfig(call(req).base));
  app.get<P>('/:studioId/Schemas', opts, async (req) => {
    const docs = schemaDocuments(call(req).base);
    return { schemas: [SCHEMA.list], totalResults: docs.length, startIndex: 1, itemsPerPage: docs.length, Resources: docs };
  });
  app.get<P>('/:studioId/Schemas/:id', opts, async (req) => {
    const doc = schemaDocuments(call(req).base).find((d) => d.id === req.params.id);
    if (!doc) throw scimNotFound('schema');
    return doc;
  });
  app.get<P>('/:studioId/ResourceTypes', opts, async (req) => {
    const docs = resourceTypeDocuments(call(req).base);
    return { schemas: [SCHEMA.list], totalResults: docs.length, startIndex: 1, itemsPerPage: docs.length, Resources: docs };
  });
  app.get<P>('/:studioId/ResourceTypes/:id', opts, async (req) => {
    const doc = resourceTypeDocuments(call(req).base).find((d) => d.id === req.params.id);
    if (!doc) throw scimNotFound('resource type');
    return doc;
  });

  const created = (reply: FastifyReply, r: Record<string, unknown>) =>
    reply.status(201).header('location', (r.meta as { location: string }).location).send(r);

  app.get<P>('/:studioId/Users', opts, async (req) => listUsers(call(req), req.query));
  app.post<P>('/:studioId/Users', opts, async (req, reply) => created(reply, await createUser(call(req), req.body)));
  app.get<P>('/:studioId/Users/:id', opts, async (req) => getUser(call(req), req.params.id));
  app.put<P>('/:studioId/Users/:id', opts, async (req) => replaceUser(call(req), req.params.id, req.body));
  app.patch<P>('/:studioId/Users/:id', opts, async (req) => patchUser(call(req), req.params.id, req.body));
  app.delete<P>('/:studioId/Users/:id', opts, async (req, reply) => {
    await deleteUser(call(req), req.params.id);
    return reply.status(204).send();
  });

  app.get<P>('/:studioId/Groups', opts, async (req) => listGroups(call(req), req.query));
  app.post<P>('/:studioId/Groups', opts, async (req, reply) => created(reply, await createGroup(call(req), req.body)));
  app.get<P>('/:studioId/Groups/:id', opts, async (req) => getGroup(call(req), req.params.id));
  app.put<P>('/:studioId/Groups/:id', opts, async (req) => replaceGroup(call(req), req.params.id, req.body));
  app.patch<P>('/:studioId/Groups/:id', opts, async (req) => patchGroup(call(req), req.params.id, req.body));
  app.delete<P>('/:studioId/Groups/:id', opts, async (req, reply) => {
    await deleteGroup(call(req), req.params.id);
    return reply.status(204).send();
  });
}
