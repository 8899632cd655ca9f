// Project settings and statuses.
import { Type } from 'typebox';
import { Color, Id, Label, ShortLabel, StatusCategorySchema } from '../fields.js';
import { op } from './define.js';

const Order = Type.Integer({ minimum: 0, maximum: 1000 });

export const SETTINGS_OPS = {
  'settings.update': op('settings.update', {
    collectionTypes: Type.Optional(Type.Array(Label, { maxItems: 100 })),
    assetTypes: Type.Optional(Type.Array(Label, { maxItems: 100 })),
    dependencyTypes: Type.Optional(Type.Array(Label, { minItems: 1, maxItems: 50 })),
    tags: Type.Optional(Type.Array(Label, { maxItems: 500 })),
  }),
  'status.create': op('status.create', { id: Type.Optional(Id), name: Label, shortLabel: ShortLabel, color: Color, category: StatusCategorySchema, order: Type.Optional(Order) }),
  'status.update': op('status.update', {
    id: Id, name: Type.Optional(Label), shortLabel: Type.Optional(ShortLabel), color: Type.Optional(Color), category: Type.Optional(StatusCategorySchema), order: Type.Optional(Order),
  }),
  'status.delete': op('status.delete', { id: Id, replacementId: Id }),
} as const;
