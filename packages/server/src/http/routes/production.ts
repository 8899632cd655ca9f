// REST routes for production tracking. Each one builds an operation of core's contract and hands
// it to applyOp, the same function the sync push uses, so there is one set of rules.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Id, OPS, opOf, type Op, type OpType } from '@backlot/core';
import { applyOp } from '../../ops/apply.js';
import { params } from '../schemas.js';
import type { Ctx } from '../../context.js';
import { MAX_SYNC_BODY } from './sync.js';

/** The op schema minus its `type` and the ids the URL carries: the REST body. */
function bodyOf<K extends OpType, const O extends string[]>(type: K, ...omit: O) {
  return Type.Omit(OPS[type], ['type', ...omit], { additionalProperties: false });
}

/** Path parameters: the project and one more id. */
function p2<N extends string>(name: N) {
  return Type.Object({ projectId: Id, [name]: Id } as { projectId: typeof Id } & { [K in N]: typeof Id });
}

async function run(ctx: Ctx, projectId: string, op: Op) {
  return (await applyOp(ctx, projectId, op)).result;
}

export async function productionRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const created = <T>(reply: { status(code: number): { send(v: T): unknown } }, v: T) => reply.status(201).send(v);

  // settings and statuses
  const st = ['project settings'];
  r.patch('/projects/:projectId/settings', { schema: { tags: st, params: params.project, body: bodyOf('settings.update') } },
    async (req) => run(req.ctx, req.params.projectId, opOf('settings.update', req.body)));
  r.post('/projects/:projectId/statuses', { schema: { tags: st, params: params.project, body: bodyOf('status.create') } },
    async (req, reply) => created(reply, await run(req.ctx, req.params.projectId, opOf('status.create', req.body))));
  r.patch('/projects/:projectId/statuses/:statusId', { schema: { tags: st, params: p2('statusId'), body: bodyOf('status.update', 'id') } },
    async (req) => run(req.ctx, req.params.projectId, opOf('status.update', { ...req.body, id: req.params.statusId })));
  r.delete('/projects/:projectId/statuses/:statusId', { schema: { tags: st, params: p2('statusId'), querystring: Type.Object({ replacementId: Id }) } },
    async (req) => run(req.ctx, req.params.projectId, opOf('status.delete', { id: req.params.statusId, replacementId: req.query.replacementId })));

  // collections
  const ct = ['collections'];
  r.post('/projects/:projectId/collections', { schema: { tags: ct, params: params.project, body: bodyOf('collection.create') } },
    async (req, reply) => created(reply, await run(req.ctx, req.params.projectId, opOf('collection.create', req.body))));
  r.patch('/projects/:projectId/collections/:collectionId', { schema: { tags: ct, params: p2('collectionId'), body: bodyOf('collection.update', 'id') } },
    async (req) => run(req.ctx, req.params.projectId, opOf('collection.update', { ...req.body, id: req.params.collectionId })));
  r.put('/projects/:projectId/collections/:collectionId/assignee', { schema: { tags: ct, params: p2('collectionId'), body: bodyOf('collection.assign', 'id') } },
    async (req) => run(req.ctx, req.params.projectId, opOf('collection.assign', { ...req.body, id: req.params.collectionId })));
  r.delete('/projects/:projectId/collections/:collectionId', { schema: { tags: ct, params: p2('collectionId'), summary: 'Move a collection and its subtree to the trash' } },
    async (req) => run(req.ctx, req.params.projectId, opOf('collection.delete', { id: req.params.collectionId })));

  // assets and dependencies
  const at = ['assets'];
  r.post('/projects/:projectId/assets', { schema: { tags: at, params: params.project, body: bodyOf('asset.create') } },
    async (req, reply) => created(reply, await run(req.ctx, req.params.projectId, opOf('asset.create', req.body))));
  r.patch('/projects/:projectId/assets/:assetId', { schema: { tags: at, params: p2('assetId'), body: bodyOf('asset.update', 'id') } },
    async (req) => run(req.ctx, req.params.projectId, opOf('asset.update', { ...req.body, id: req.params.assetId })));
  r.delete('/projects/:projectId/assets/:assetId', { schema: { tags: at, params: p2('assetId'), summary: 'Move an asset to the trash' } },
    async (req) => run(req.ctx, req.params.projectId, opOf('asset.delete', { id: req.params.assetId })));
  r.post('/projects/:projectId/assets/:assetId/dependencies', { schema: { tags: at, params: p2('assetId'), body: bodyOf('dependency.add', 'assetId') } },
    async (req, reply) => created(reply, await run(req.ctx, req.params.projectId, opOf('dependency.add', { ...req.body, assetId: req.params.assetId }))));
  r.delete('/projects/:projectId/dependencies/:dependencyId', { schema: { tags: at, params: p2('dependencyId') } },
    async (req) => run(req.ctx, req.params.projectId, opOf('dependency.remove', { id: req.params.dependencyId })));

  // tasks: assignment, status, control requests
  const tt = ['tasks'];
  r.put('/projects/:projectId/assets/:assetId/assignee', { schema: { tags: tt, params: p2('assetId'), body: bodyOf('task.assign', 'assetId'), summary: 'Assign, reassign, unassign, self-assign or take over a task' } },
    async (req) => run(req.ctx, req.params.projectId, opOf('task.assign', { ...req.body, assetId: req.params.assetId })));
  r.put('/projects/:projectId/assets/:assetId/status', { schema: { tags: tt, params: p2('assetId'), body: bodyOf('task.status', 'assetId') } },
    async (req) => run(req.ctx, req.params.projectId, opOf('task.status', { ...req.body, assetId: req.params.assetId })));
  r.post('/projects/:projectId/assets/:assetId/control-requests', { schema: { tags: tt, params: p2('assetId'), body: bodyOf('control.request', 'assetId') } },
    async (req, reply) => created(reply, await run(req.ctx, req.params.projectId, opOf('control.request', { ...req.body, assetId: req.params.assetId }))));
  for (const action of ['accept', 'decline', 'cancel'] as const)
    r.post(`/projects/:projectId/control-requests/:requestId/${action}`, { schema: { tags: tt, params: p2('requestId') } },
      async (req) => run(req.ctx, req.params.projectId, opOf(`control.${action}`, { requestId: req.params.requestId })));
  r.post('/projects/:projectId/assets/:assetId/handoff', { schema: { tags: tt, params: p2('assetId'), body: bodyOf('control.handoff', 'assetId') } },
    async (req) => run(req.ctx, req.params.projectId, opOf('control.handoff', { ...req.body, assetId: req.params.assetId })));

  // checkpoints
  const kt = ['checkpoints'];
  r.post('/projects/:projectId/assets/:assetId/checkpoints', { bodyLimit: MAX_SYNC_BODY, schema: { tags: kt, params: p2('assetId'), body: bodyOf('checkpoint.create', 'assetId') } },
    async (req, reply) => created(reply, await run(req.ctx, req.params.projectId, opOf('checkpoint.create', { ...req.body, assetId: req.params.assetId }))));
  r.delete('/projects/:projectId/checkpoints/:checkpointId', { schema: { tags: kt, params: p2('checkpointId') } },
    async (req) => run(req.ctx, req.params.projectId, opOf('checkpoint.delete', { id: req.params.checkpointId })));
  r.post('/projects/:projectId/checkpoints/:checkpointId/revert', { schema: { tags: kt, params: p2('checkpointId'), body: bodyOf('checkpoint.revert', 'id') } },
    async (req, reply) => created(reply, await run(req.ctx, req.params.projectId, opOf('checkpoint.revert', { ...req.body, id: req.params.checkpointId }))));

  // trash
  r.post('/projects/:projectId/trash/:itemId/restore', { schema: { tags: ['trash'], params: p2('itemId') } },
    async (req) => run(req.ctx, req.params.projectId, opOf('trash.restore', { id: req.params.itemId })));
  r.delete('/projects/:projectId/trash/:itemId', { schema: { tags: ['trash'], params: p2('itemId'), summary: 'Purge an item from the trash for good' } },
    async (req) => run(req.ctx, req.params.projectId, opOf('trash.purge', { id: req.params.itemId })));
}

