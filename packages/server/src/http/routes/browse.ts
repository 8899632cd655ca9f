// Read routes of production tracking: board, asset list and detail, the collection tree, a task's
// trail and checkpoint history, control requests, trash, statuses and settings. Project members
// only (everyone else: the same 404 as an unknown project); every answer is filtered by the
// caller's visibility. Every query parameter is validated; unknown ones are refused.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { BacklotError } from '@backlot/core';
import { Id, params } from '../schemas.js';
import { openReader } from '../../projection/read-context.js';
import { BOARD_VIEWS, DEFAULT_ORDER, MAX_LIMIT, parseFilter, SORT_KEYS, type FilterQuery, type Sort, type SortKey } from '../../reads/asset-search.js';
import { boardOf, listAssets } from '../../reads/asset-lists.js';
import { getAsset, getCollection, listCollections, listControlRequests, listStatuses, projectSettings } from '../../reads/queries.js';
import { checkpointHistory, trailOf } from '../../reads/trail.js';
import { listTrash } from '../../reads/trash-list.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const query = <P extends Record<string, TSchema>>(props: P) => Type.Object(props, { additionalProperties: false });
const NoQuery = query({});
const Limit = Type.String({ pattern: '^[0-9]{1,3}$', description: `1 to ${MAX_LIMIT}` });
const Cursor = Type.String({ minLength: 1, maxLength: 1000, pattern: '^[A-Za-z0-9_-]+$', description: 'opaque; from the previous page' });
const Label = Type.String({ minLength: 1, maxLength: 60, pattern: '^[^\\x00-\\x1f]+$' });

const Filters = {
  view: Type.Optional(literals(BOARD_VIEWS)),
  assignee: Type.Optional(Type.String({ pattern: `^${UUID}(,${UUID}){0,19}$`, description: 'user ids, comma separated' })),
  status: Type.Optional(Type.String({ pattern: `^(${UUID}|none)(,(${UUID}|none)){0,19}$`, description: 'status ids (or none), comma separated' })),
  type: Type.Optional(Label),
  tag: Type.Optional(Label),
  extension: Type.Optional(Type.String({ minLength: 1, maxLength: 33, pattern: '^\\.?[A-Za-z0-9._+-]+$' })),
  collection: Type.Optional({ ...Id, description: 'a collection and everything below it' }),
  folder: Type.Optional(Type.Union([Id, Type.Literal('root')], { description: 'only the direct contents of a collection (root: the top level)' })),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\x00-\\x1f]+$', description: 'case-insensitive; matches names, tags and types' })),
  kind: Type.Optional(literals(['resource', 'task'] as const)),
  sort: Type.Optional(literals(SORT_KEYS)),
  order: Type.Optional(literals(['asc', 'desc'] as const)),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Limit),
};

type FilterParams = FilterQuery & { sort?: SortKey; order?: 'asc' | 'desc'; cursor?: string; limit?: string };

function limitOf(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw new BacklotError('validation_failed', `limit must be between 1 and ${MAX_LIMIT}`, { field: 'limit' });
  return n;
}

function sortOf(q: FilterParams, fallback: SortKey): Sort {
  const key = q.sort ?? fallback;
  return { key, order: q.order ?? DEFAULT_ORDER[key] };
}

export async function browseRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const asset = Type.Object({ projectId: Id, assetId: Id });

  r.get('/projects/:projectId/board', {
    schema: {
      tags: ['board'], params: params.project, querystring: query(Filters),
      summary: 'Kanban board: columns by status with counts and a first page of cards (tasks unless kind says otherwise); with status=<one>&cursor=..., the next page of that column',
    },
  }, async (req) => {
    const q = req.query as FilterParams;
    const reader = await openReader(req.ctx, req.params.projectId);
    return boardOf(reader, parseFilter(q, { kind: 'task' }), sortOf(q, 'updated'), q.cursor, limitOf(q.limit, 20));
  });

  r.get('/projects/:projectId/assets', {
    schema: { tags: ['assets'], params: params.project, querystring: query(Filters), summary: 'Assets matching the filters, sorted (ties broken by id), one page at a time' },
  }, async (req) => {
    const q = req.query as FilterParams;
    const reader = await openReader(req.ctx, req.params.projectId);
    return listAssets(reader, parseFilter(q), sortOf(q, 'name'), q.cursor, limitOf(q.limit, 50));
  });

  r.get('/projects/:projectId/assets/:assetId', { schema: { tags: ['assets'], params: asset, querystring: NoQuery } },
    async (req) => getAsset(await openReader(req.ctx, req.params.projectId), req.params.assetId));

  r.get('/projects/:projectId/assets/:assetId/trail', {
    schema: { tags: ['tasks'], params: asset, querystring: NoQuery, summary: 'Status changes and checkpoints in time order, with who and when' },
  }, async (req) => trailOf(await openReader(req.ctx, req.params.projectId), req.params.assetId));

  r.get('/projects/:projectId/assets/:assetId/checkpoints', {
    schema: {
      tags: ['checkpoints'], params: asset, summary: 'Checkpoint history, newest first (checkpoint.view)',
      querystring: query({ cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })), limit: Type.Optional(Limit) }),
    },
  }, async (req) => {
    const reader = await openReader(req.ctx, req.params.projectId);
    return checkpointHistory(reader, req.params.assetId, req.query.cursor === undefined ? undefined : Number(req.query.cursor), limitOf(req.query.limit, 50));
  });

  r.get('/projects/:projectId/collections', {
    schema: {
      tags: ['collections'], params: params.project, summary: 'Collections directly inside a collection (or the top level); parents seen by name only show only their names',
      querystring: query({ parentId: Type.Optional(Type.Union([Id, Type.Literal('')])) }),
    },
  }, async (req) => listCollections(await openReader(req.ctx, req.params.projectId), req.query.parentId || null));

  r.get('/projects/:projectId/collections/:collectionId', {
    schema: { tags: ['collections'], params: Type.Object({ projectId: Id, collectionId: Id }), querystring: NoQuery },
  }, async (req) => getCollection(await openReader(req.ctx, req.params.projectId), req.params.collectionId));

  r.get('/projects/:projectId/control-requests', {
    schema: {
      tags: ['tasks'], params: params.project, summary: 'Pending control requests: made by me, addressed to me as assignee, or on one task',
      querystring: query({ scope: literals(['mine', 'to-me', 'task'] as const), assetId: Type.Optional(Id) }),
    },
  }, async (req) => {
    const { scope, assetId } = req.query;
    if ((scope === 'task') !== (assetId !== undefined))
      throw new BacklotError('validation_failed', 'assetId goes with scope=task, and only with it', { field: 'assetId' });
    return listControlRequests(await openReader(req.ctx, req.params.projectId), scope, assetId);
  });

  r.get('/projects/:projectId/trash', {
    schema: {
      tags: ['trash'], params: params.project, summary: 'Trashed collections (with item counts), assets and checkpoints, newest first (trash.restore or trash.purge)',
      querystring: query({ cursor: Type.Optional(Cursor), limit: Type.Optional(Limit) }),
    },
  }, async (req) => listTrash(await openReader(req.ctx, req.params.projectId), req.query.cursor, limitOf(req.query.limit, 100)));

  r.get('/projects/:projectId/statuses', { schema: { tags: ['project settings'], params: params.project, querystring: NoQuery } },
    async (req) => listStatuses(await openReader(req.ctx, req.params.projectId)));

  r.get('/projects/:projectId/settings', { schema: { tags: ['project settings'], params: params.project, querystring: NoQuery } },
    async (req) => projectSettings(await openReader(req.ctx, req.params.projectId)));
}
