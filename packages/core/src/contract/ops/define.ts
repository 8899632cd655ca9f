import { Type, type TSchema } from 'typebox';

/**
 * One operation's schema: `type` names the operation (an item's own type travels as
 * collectionType / assetType); unknown fields are refused.
 */
export const op = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  Type.Object({ type: Type.Literal(type), ...props }, { additionalProperties: false });
