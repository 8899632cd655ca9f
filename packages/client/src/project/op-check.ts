// Ops made here are checked against core's wire schemas before they are queued (the server checks
// them again). The schemas and their validator (TypeBox, ~430 KB of code, ~15 ms to load) come in
// with the first command that makes an op, not with the client: clone and sync start without them.
import type { Op } from '@backlot/core';

export type OpCheck = (raw: unknown) => Op;

let loading: Promise<OpCheck> | undefined;

/** core's parseOp (throws a BacklotError naming what is wrong), loaded once. */
export function opCheck(): Promise<OpCheck> {
  loading ??= import('@backlot/core/ops').then((m) => m.parseOp);
  return loading;
}
