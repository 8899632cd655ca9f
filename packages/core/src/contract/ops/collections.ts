// Collections: the folders of a project.
import { Type } from 'typebox';
import { Id, ItemName, Label, NullableId, Text } from '../fields.js';
import { op } from './define.js';

export const COLLECTION_OPS = {
  'collection.create': op('collection.create', {
    id: Type.Optional(Id), parentId: NullableId, name: ItemName, collectionType: Type.Optional(Type.Union([Label, Type.Null()])),
    description: Type.Optional(Text), shared: Type.Optional(Type.Boolean()),
  }),
  'collection.update': op('collection.update', {
    id: Id, parentId: Type.Optional(NullableId), name: Type.Optional(ItemName), collectionType: Type.Optional(Type.Union([Label, Type.Null()])),
    description: Type.Optional(Type.Union([Text, Type.Null()])), shared: Type.Optional(Type.Boolean()),
  }),
  'collection.assign': op('collection.assign', { id: Id, assigneeId: NullableId }),
  'collection.delete': op('collection.delete', { id: Id }),
} as const;
