// Assets (resources and tasks) and the dependencies between them.
import { Type } from 'typebox';
import { AssetKindSchema, Extension, Id, ItemName, Label, NullableId, Tags, Text, WebLink } from '../fields.js';
import { op } from './define.js';

export const ASSET_OPS = {
  'asset.create': op('asset.create', {
    id: Type.Optional(Id), collectionId: NullableId, name: ItemName, extension: Type.Optional(Extension), kind: Type.Optional(AssetKindSchema),
    assetType: Type.Optional(Type.Union([Label, Type.Null()])), tags: Type.Optional(Tags), description: Type.Optional(Text),
    url: Type.Optional(WebLink), assigneeId: Type.Optional(NullableId),
  }),
  'asset.update': op('asset.update', {
    id: Id, collectionId: Type.Optional(NullableId), name: Type.Optional(ItemName), extension: Type.Optional(Extension), kind: Type.Optional(AssetKindSchema),
    assetType: Type.Optional(Type.Union([Label, Type.Null()])), tags: Type.Optional(Tags), description: Type.Optional(Type.Union([Text, Type.Null()])),
    url: Type.Optional(Type.Union([WebLink, Type.Null()])),
  }),
  'asset.delete': op('asset.delete', { id: Id }),
  'dependency.add': op('dependency.add', { id: Type.Optional(Id), assetId: Id, targetAssetId: Type.Optional(Id), targetCollectionId: Type.Optional(Id), dependencyType: Label }),
  'dependency.remove': op('dependency.remove', { id: Id }),
} as const;
