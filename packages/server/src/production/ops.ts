// The operations a client may send, one schema each. REST routes build these same objects, so
// the sync push and the REST API share one set of rules (apply.ts).
import { Type, type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { BacklotError } from '@backlot/core';
import { Id } from '../http/schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Label = Type.String({ minLength: 1, maxLength: 60 });
const Text = Type.String({ maxLength: 10_000 });
const NullableId = Type.Union([Id, Type.Null()]);
const Extension = Type.String({ maxLength: 32, pattern: '^[A-Za-z0-9._+-]*$' });
const Tags = Type.Array(Label, { maxItems: 50 });
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Kind = Type.Union([Type.Literal('resource'), Type.Literal('task')]);
const Category = Type.Union(['todo', 'active', 'review', 'retake', 'done'].map((c) => Type.Literal(c)));
const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$' });

// `type` names the operation; an item's own type travels as collectionType / assetType.
const op = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  Type.Object({ type: Type.Literal(type), ...props }, { additionalProperties: false });

export const OPS = {
  'settings.update': op('settings.update', {
    collectionTypes: Type.Optional(Type.Array(Label, { maxItems: 100 })),
    assetTypes: Type.Optional(Type.Array(Label, { maxItems: 100 })),
    dependencyTypes: Type.Optional(Type.Array(Label, { minItems: 1, maxItems: 50 })),
    tags: Type.Optional(Type.Array(Label, { maxItems: 500 })),
  }),
  'status.create': op('status.create', { id: Type.Optional(Id), name: Label, shortLabel: Type.String({ minLength: 1, maxLength: 8 }), color: Color, category: Category, order: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })) }),
  'status.update': op('status.update', { id: Id, name: Type.Optional(Label), shortLabel: Type.Optional(Type.String({ minLength: 1, maxLength: 8 })), color: Type.Optional(Color), category: Type.Optional(Category), order: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })) }),
  'status.delete': op('status.delete', { id: Id, replacementId: Id }),
  'collection.create': op('collection.create', {
    id: Type.Optional(Id), parentId: NullableId, name: Name, collectionType: Type.Optional(Type.Union([Label, Type.Null()])),
    description: Type.Optional(Text), shared: Type.Optional(Type.Boolean()),
  }),
  'collection.update': op('collection.update', {
    id: Id, parentId: Type.Optional(NullableId), name: Type.Optional(Name), collectionType: Type.Optional(Type.Union([Label, Type.Null()])),
    description: Type.Optional(Type.Union([Text, Type.Null()])), shared: Type.Optional(Type.Boolean()),
  }),
  'collection.assign': op('collection.assign', { id: Id, assigneeId: NullableId }),
  'collection.delete': op('collection.delete', { id: Id }),
  'asset.create': op('asset.create', {
    id: Type.Optional(Id), collectionId: NullableId, name: Name, extension: Type.Optional(Extension), kind: Type.Optional(Kind),
    assetType: Type.Optional(Type.Union([Label, Type.Null()])), tags: Type.Optional(Tags), description: Type.Optional(Text),
    url: Type.Optional(Type.String({ maxLength: 2000, pattern: '^https?://' })), assigneeId: Type.Optional(NullableId),
  }),
  'asset.update': op('asset.update', {
    id: Id, collectionId: Type.Optional(NullableId), name: Type.Optional(Name), extension: Type.Optional(Extension), kind: Type.Optional(Kind),
    assetType: Type.Optional(Type.Union([Label, Type.Null()])), tags: Type.Optional(Tags), description: Type.Optional(Type.Union([Text, Type.Null()])),
    url: Type.Optional(Type.Union([Type.String({ maxLength: 2000, pattern: '^https?://' }), Type.Null()])),
  }),
  'asset.delete': op('asset.delete', { id: Id }),
  'dependency.add': op('dependency.add', { id: Type.Optional(Id), assetId: Id, targetAssetId: Type.Optional(Id), targetCollectionId: Type.Optional(Id), dependencyType: Label }),
  'dependency.remove': op('dependency.remove', { id: Id }),
  'task.assign': op('task.assign', { assetId: Id, assigneeId: NullableId }),
  'task.status': op('task.status', { assetId: Id, statusId: Id }),
  'checkpoint.create': op('checkpoint.create', {
    id: Type.Optional(Id), assetId: Id, fileHash: Hash, size: Type.Integer({ minimum: 0, maximum: 2 ** 50 }),
    chunks: Type.Array(Hash, { maxItems: 1_000_000 }), comment: Type.Optional(Type.String({ maxLength: 5000 })),
    statusId: Type.Optional(Id), previewHash: Type.Optional(Hash),
  }),
  'checkpoint.delete': op('checkpoint.delete', { id: Id }),
  'checkpoint.revert': op('checkpoint.revert', { id: Id, comment: Type.Optional(Type.String({ maxLength: 5000 })) }),
  'checkpoint.preview': op('checkpoint.preview', { id: Id, previewHash: Type.Union([Hash, Type.Null()]) }),
  'asset.cover': op('asset.cover', { assetId: Id, checkpointId: NullableId }),
  'control.request': op('control.request', { id: Type.Optional(Id), assetId: Id, message: Type.Optional(Type.String({ maxLength: 2000 })) }),
  'control.accept': op('control.accept', { requestId: Id }),
  'control.decline': op('control.decline', { requestId: Id }),
  'control.cancel': op('control.cancel', { requestId: Id }),
  'control.handoff': op('control.handoff', { assetId: Id, toUserId: Id }),
  'trash.restore': op('trash.restore', { id: Id }),
  'trash.purge': op('trash.purge', { id: Id }),
} as const;

export type OpType = keyof typeof OPS;
export type Op = { [K in OpType]: OpOf<K> }[OpType];
export type OpOf<K extends OpType> = Static<(typeof OPS)[K]>;

const validators = Object.fromEntries(Object.entries(OPS).map(([k, s]) => [k, Compile(s as TSchema)])) as Record<OpType, ReturnType<typeof Compile>>;

/** Validates one operation object; bad input is a 400 that names the first problem. */
export function parseOp(raw: unknown): Op {
  const type = (raw as { type?: unknown })?.type;
  // Own keys only: `in` would also accept Object.prototype's members (`constructor`, `__proto__`, ...).
  if (typeof type !== 'string' || !Object.hasOwn(OPS, type))
    throw new BacklotError('validation_failed', 'unknown operation type', { field: 'type', known: Object.keys(OPS) });
  const v = validators[type as OpType];
  if (!v.Check(raw)) {
    const first = [...v.Errors(raw)].find((e) => e.keyword !== 'boolean') ?? [...v.Errors(raw)][0];
    throw new BacklotError('validation_failed', `invalid ${type} operation: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(), {
      path: first?.instancePath, keyword: first?.keyword,
    });
  }
  return raw as Op;
}
