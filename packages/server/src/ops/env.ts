// What an operation handler works with: the transaction, the project, the caller as core sees
// them, the visibility graph as of the current revision, and how to record what it changed.
import type { Entity, MemberView, OpCheck, OpOf, OpType, ProjectActor, ProjectGraph } from '@backlot/core';
import type { Ctx, Trx } from '../context.js';
import type { ProjectsTable } from '../db/schema.js';
import type { ChangeEntry } from './change-log.js';

export interface OpEnv {
  ctx: Ctx;
  trx: Trx;
  project: ProjectsTable;
  actor: ProjectActor;
  graph: ProjectGraph;
  view: MemberView;
  revision: number;
  at: string;
  opId: string | null;
  changes: ChangeEntry[];
  /** Refuses (and lets the HTTP layer audit) unless core's policy allows; `view` overrides env.view. */
  authorize(op: OpCheck, view?: MemberView): void;
  /** An audit entry on its own (most go with a change: see upsert and remove). */
  audit(action: string, target: { type: string; id: string }, before?: unknown, after?: unknown): Promise<void>;
  /** Records an item's new state in the change log and, with `audit`, the audit entry that goes with it. */
  upsert(entity: Entity, id: string, data: unknown, audit?: AuditNote): Promise<void>;
  /**
   * Records an item's removal. `data` is for the server only (pulls send the id alone): what
   * decides who hears of it, such as the asset a checkpoint or dependency belonged to.
   */
  remove(entity: Entity, id: string, data: unknown, audit?: AuditNote): Promise<void>;
}

/** The audit entry of a change; its target is the changed item unless named. */
export interface AuditNote {
  action: string;
  target?: { type: string; id: string };
  before?: unknown;
  after?: unknown;
}

/** Gives an environment its upsert and remove, recording into its change list and audit log. */
export function withRecording(env: Omit<OpEnv, 'upsert' | 'remove'>): OpEnv {
  const record = async (change: 'upsert' | 'remove', entity: Entity, id: string, data: unknown, note?: AuditNote) => {
    env.changes.push({ entity, entityId: id, change, data });
    if (note) await env.audit(note.action, note.target ?? { type: entity, id }, note.before, note.after);
  };
  // Assigned onto the object itself: a consequence's env computes `view` with a getter.
  return Object.assign(env, {
    upsert: (entity: Entity, id: string, data: unknown, note?: AuditNote) => record('upsert', entity, id, data, note),
    remove: (entity: Entity, id: string, data: unknown, note?: AuditNote) => record('remove', entity, id, data, note),
  });
}

export type Handler<T extends OpType> = (env: OpEnv, op: OpOf<T>) => Promise<unknown>;
