// What an operation handler works with: the transaction, the project, the caller as core sees
// them, the visibility graph as of the current revision, and how to record what it changed.
import type { MemberView, OpCheck, OpOf, OpType, ProjectActor, ProjectGraph } from '@backlot/core';
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
  audit(action: string, target: { type: string; id: string }, before?: unknown, after?: unknown): Promise<void>;
}

export type Handler<T extends OpType> = (env: OpEnv, op: OpOf<T>) => Promise<unknown>;
