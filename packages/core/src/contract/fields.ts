// Field schemas shared by every operation and request: bounded strings, ids, hashes. Every string
// has a length bound, so nothing unbounded reaches a server.
import { Type } from 'typebox';

export const Id = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'UUID' });
export const NullableId = Type.Union([Id, Type.Null()]);
/** A collection's or asset's name. */
export const ItemName = Type.String({ minLength: 1, maxLength: 200 });
/** Types, tags, status names: short labels. */
export const Label = Type.String({ minLength: 1, maxLength: 60 });
export const Text = Type.String({ maxLength: 10_000 });
export const Extension = Type.String({ maxLength: 32, pattern: '^[A-Za-z0-9._+-]*$' });
export const Tags = Type.Array(Label, { maxItems: 50 });
/** SHA-256, lowercase hex: chunk ids, file hashes, preview images. */
export const Hash = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const AssetKindSchema = Type.Union([Type.Literal('resource'), Type.Literal('task')]);
// Written out (not mapped from a list) so the static type is the union of the five names.
export const StatusCategorySchema = Type.Union([Type.Literal('todo'), Type.Literal('active'), Type.Literal('review'), Type.Literal('retake'), Type.Literal('done')]);
export const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$' });
export const ShortLabel = Type.String({ minLength: 1, maxLength: 8 });
export const Comment = Type.String({ maxLength: 5000 });
export const WebLink = Type.String({ maxLength: 2000, pattern: '^https?://' });
