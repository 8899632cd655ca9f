// The operations a client may send, one schema each, by area. The server's REST routes build
// these same objects, so the sync push and the REST API share one set of rules.
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { BacklotError } from '../../errors.js';
import { ASSET_OPS } from './assets.js';
import { CHECKPOINT_OPS } from './checkpoints.js';
import { COLLECTION_OPS } from './collections.js';
import { CONTROL_OPS } from './control.js';
import { SETTINGS_OPS } from './settings.js';
import { TASK_OPS } from './tasks.js';
import { TRASH_OPS } from './trash.js';

export const OPS = {
  ...SETTINGS_OPS, ...COLLECTION_OPS, ...ASSET_OPS, ...TASK_OPS, ...CHECKPOINT_OPS, ...CONTROL_OPS, ...TRASH_OPS,
} as const;

export type OpType = keyof typeof OPS;
export type OpOf<K extends OpType> = Static<(typeof OPS)[K]>;
export type Op = { [K in OpType]: OpOf<K> }[OpType];

const validators: Partial<Record<OpType, ReturnType<typeof Compile>>> = {};

/** Validates one operation object; bad input is a 400 that names the first problem. */
export function parseOp(raw: unknown): Op {
  const type = (raw as { type?: unknown })?.type;
  // Own keys only: `in` would also accept Object.prototype's members (`constructor`, `__proto__`, ...).
  if (typeof type !== 'string' || !Object.hasOwn(OPS, type))
    throw new BacklotError('validation_failed', 'unknown operation type', { field: 'type', known: Object.keys(OPS) });
  // Compiled on first use, one type at a time: a CLI command parses one or two types, and
  // compiling all of them cost it about 8 ms.
  const v = (validators[type as OpType] ??= Compile(OPS[type as OpType] as TSchema));
  if (!v.Check(raw)) {
    const first = [...v.Errors(raw)].find((e) => e.keyword !== 'boolean') ?? [...v.Errors(raw)][0];
    throw new BacklotError('validation_failed', `invalid ${type} operation: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(), {
      path: first?.instancePath, keyword: first?.keyword,
    });
  }
  return raw as Op;
}

/** Builds an operation of one type from its fields (a REST body plus the ids its URL carries). */
export function opOf<K extends OpType>(type: K, fields: Omit<OpOf<K>, 'type'>): OpOf<K> {
  return { type, ...fields } as OpOf<K>;
}
