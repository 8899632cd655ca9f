// Checkpoints (one asset's file at a moment), their previews, and an asset's cover.
import { Type } from 'typebox';
import { Comment, Hash, Id, NullableId } from '../fields.js';
import { op } from './define.js';

export const CHECKPOINT_OPS = {
  'checkpoint.create': op('checkpoint.create', {
    id: Type.Optional(Id), assetId: Id, fileHash: Hash, size: Type.Integer({ minimum: 0, maximum: 2 ** 50 }),
    chunks: Type.Array(Hash, { maxItems: 1_000_000 }), comment: Type.Optional(Comment),
    statusId: Type.Optional(Id), previewHash: Type.Optional(Hash),
  }),
  'checkpoint.delete': op('checkpoint.delete', { id: Id }),
  'checkpoint.revert': op('checkpoint.revert', { id: Id, comment: Type.Optional(Comment) }),
  'checkpoint.preview': op('checkpoint.preview', { id: Id, previewHash: Type.Union([Hash, Type.Null()]) }),
  'asset.cover': op('asset.cover', { assetId: Id, checkpointId: NullableId }),
} as const;
