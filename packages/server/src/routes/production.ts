// REST routes for production tracking. Each one builds an operation and hands it to applyOp, the
// same function the sync push uses, so there is one set of rules.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { applyOp } from '../production/apply.js';
import { OPS, type Op } from '../production/ops.js';
import { Id, params } from '../http/schemas.js';
import type { Ctx } from '../context.js';
import { MAX_SYNC_BODY } from './sync.js';

/** The op schema minus its `type` (and the ids the URL carries), as a REST body. */
function bodyOf<K extends keyof typeof OPS>(type: K, ...omit: string[]) {
  const props = { ...(OPS[type] as unknown as { properties: Record<string, unknown> }).properties };
  delete props.type;
  for (const o of omit) delete props[o];
  return Type.Object(props as never, { additionalProperties: false });
}

async function run(ctx: Ctx, projectId: string, op: Op) {
  return (await applyOp(ctx, projectId, op)).result;
}

const p2 = (name: string) => Type.Object({ projectId: Id, [name]: Id });

export async function productionRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  type B = Record<string, unknown>;
  const op = (type: string, body: B) => ({ type, ...body }) as unknown as Op;

  // settings and statuses
  r.patch('/projects/:projectId/settings', { schema: { tags: ['project settings'], params: params.project, body: bodyOf('settings.update') } },
    async (req) => run(req.ctx, req.params.projectId, op('settings.update', req.body as B)));
  r.post('/projects/:projectId/statuses', { schema: { tags: ['project settings'], params: params.project, body: bodyOf('status.create') } },
    async (req, reply) => reply.status(201).send(await run(req.ctx, req.params.projectId, op('status.create', req.body as B))));
  r.patch('/projects/:projectId/statuses/:statusId', { schema: { tags: ['project settings'], params: p2('statusId'), body: bodyOf('status.update', 'id') } },
    async (req) => run(req.ctx, req.params.projectId, op('status.update', { ...(req.body as B), id: (req.params as B).statusId })));
  r.delete('/projects/:projectId/statuses/:statusId', { schema: { tags: ['project settings'], params: p2('statusId'), querystring: Type.Object({ replacementId: Id }) } },
    async (req) => run(req.ctx, req.params.projectId, op('status.delete', { id: (req.params as B).statusId, replacementId: req.query.replacementId })));

  // collections
  const ct = ['collections'];
  r.post('/projects/:projectId/collections', { schema: { tags: ct, params: params.project, body: bodyOf('collection.create') } },
    async (req, reply) => reply.status(201).send(await run(req.ctx, req.params.projectId, op('collection.create', req.body as B))));
  r.patch('/projects/:projectId/collections/:collectionId', { schema: { tags: ct, params: p2('collectionId'), body: bodyOf('collection.update', 'id') } },
    async (req) => run(req.ctx, req.params.projectId, op('collection.update', { ...(req.body as B), id: (req.params as B).collectionId })));
  r.put('/projects/:projectId/collections/:collectionId/assignee', { schema: { tags: ct, params: p2('collectionId'), body: bodyOf('collection.assign', 'id') } },
    async (req) => run(req.ctx, req.params.projectId, op('collection.assign', { ...(req.body as B), id: (req.params as B).collectionId })));
  r.delete('/projects/:projectId/collections/:collectionId', { schema: { tags: ct, params: p2('collectionId'), summary: 'Move a collection and its subtree to the trash' } },
    async (req) => run(req.ctx, req.params.projectId, op('collection.delete', { id: (req.params as B).collectionId })));

  // assets and dependencies
  const at = ['assets'];
  r.post('/projects/:projectId/assets', { schema: { tags: at, params: params.project, body: bodyOf('asset.create') } },
    async (req, reply) => reply.status(201).send(await run(req.ctx, req.params.projectId, op('asset.create', req.body as B))));
  r.patch('/projects/:projectId/assets/:assetId', { schema: { tags: at, params: p2('assetId'), body: bodyOf('asset.update', 'id') } },
    async (req) => run(req.ctx, req.params.projectId, op('asset.update', { ...(req.body as B), id: (req.params as B).assetId })));
  r.delete('/projects/:projectId/assets/:assetId', { schema: { tags: at, params: p2('assetId'), summary: 'Move an asset to the trash' } },
    async (req) => run(req.ctx, req.params.projectId, op('asset.delete', { id: (req.params as B).assetId })));
  r.post('/projects/:projectId/assets/:assetId/dependencies', { schema: { tags: at, params: p2('assetId'), body: bodyOf('dependency.add', 'assetId') } },
    async (req, reply) => reply.status(201).send(await run(req.ctx, req.params.projectId, op('dependency.add', { ...(req.body as B), assetId: (req.params as B).assetId }))));
  r.delete('/projects/:projectId/dependencies/:dependencyId', { schema: { tags: at, params: p2('dependencyId') } },
    async (req) => run(req.ctx, req.params.projectId, op('dependency.remove', { id: (req.params as B).dependencyId })));

  // tasks: assignment, status, control requests
  const tt = ['tasks'];
  r.put('/projects/:projectId/assets/:assetId/assignee', { schema: { tags: tt, params: p2('assetId'), body: bodyOf('task.assign', 'assetId'), summary: 'Assign, reassign, unassign, self-assign or take over a task' } },
    async (req) => run(req.ctx, req.params.projectId, op('task.assign', { ...(req.body as B), assetId: (req.params as B).assetId })));
  r.put('/projects/:projectId/assets/:assetId/status', { schema: { tags: tt, params: p2('assetId'), body: bodyOf('task.status', 'assetId') } },
    async (req) => run(req.ctx, req.params.projectId, op('task.status', { ...(req.body as B), assetId: (req.params as B).assetId })));
  r.post('/projects/:projectId/assets/:assetId/control-requests', { schema: { tags: tt, params: p2('assetId'), body: bodyOf('control.request', 'assetId') } },
    async (req, reply) => reply.status(201).send(await run(req.ctx, req.params.projectId, op('control.request', { ...(req.body as B), assetId: (req.params as B).assetId }))));
  for (const action of ['accept', 'decline', 'cancel'] as const)
    r.post(`/projects/:projectId/control-requests/:requestId/${action}`, { schema: { tags: tt, params: p2('requestId') } },
      async (req) => run(req.ctx, req.params.projectId, op(`control.${action}`, { requestId: (req.params as B).requestId })));
  r.post('/projects/:projectId/assets/:assetId/handoff', { schema: { tags: tt, params: p2('assetId'), body: bodyOf('control.handoff', 'assetId') } },
    async (req) => run(req.ctx, req.params.projectId, op('control.handoff', { ...(req.body as B), assetId: (req.params as B).assetId })));

  // checkpoints
  const kt = ['checkpoints'];
  r.post('/projects/:projectId/assets/:assetId/checkpoints', { bodyLimit: MAX_SYNC_BODY, schema: { tags: kt, params: p2('assetId'), body: bodyOf('checkpoint.create', 'assetId') } },
    async (req, reply) => reply.status(201).send(await run(req.ctx, req.params.projectId, op('checkpoint.create', { ...(req.body as B), assetId: (req.params as B).assetId }))));
  r.delete('/projects/:projectId/checkpoints/:checkpointId', { schema: { tags: kt, params: p2('checkpointId') } },
    async (req) => run(req.ctx, req.params.projectId, op('checkpoint.delete', { id: (req.params as B).checkpointId })));
  r.post('/projects/:projectId/checkpoints/:checkpointId/revert', { schema: { tags: kt, params: p2('checkpointId'), body: bodyOf('checkpoint.revert', 'id') } },
    async (req, reply) => reply.status(201).send(await run(req.ctx, req.params.projectId, op('checkpoint.revert', { ...(req.body as B), id: (req.params as B).checkpointId }))));

  // trash
  r.post('/projects/:projectId/trash/:itemId/restore', { schema: { tags: ['trash'], params: p2('itemId') } },
    async (req) => run(req.ctx, req.params.projectId, op('trash.restore', { id: (req.params as B).itemId })));
  r.delete('/projects/:projectId/trash/:itemId', { schema: { tags: ['trash'], params: p2('itemId'), summary: 'Purge an item from the trash for good' } },
    async (req) => run(req.ctx, req.params.projectId, op('trash.purge', { id: (req.params as B).itemId })));
}
