// What the caller may do with a card, asked of core's op policy (the function the server
// authorizes the same operations with) using the permissions the server reported for them.
import { authorizeOp, BacklotError, type Decision, type ProjectActor } from '@backlot/core';
import type { AssetCard, StatusView } from '@backlot/api';
import { SHOWN_BY_SERVER } from '../../app/actor.ts';

export interface CardRules {
  moveTo(card: AssetCard, to: StatusView | null): Decision;
  /** Can be picked up at all: some other column would take it. */
  canPickUp(card: AssetCard): boolean;
  assign(card: AssetCard, to: string | null): Decision;
  request(card: AssetCard): Decision;
}

// The status operation takes a status: there is no way back to the "no status" column.
const NO_STATUS: Decision = { allowed: false, error: new BacklotError('bad_request', 'a task cannot be moved back to no status') };

export function cardRules(actor: ProjectActor | null, statuses: StatusView[]): CardRules {
  const denied: Decision = { allowed: false, error: new BacklotError('forbidden', 'you have no role in this project') };
  const moveTo = (card: AssetCard, to: StatusView | null): Decision => {
    if (!actor) return denied;
    if (!to) return NO_STATUS;
    return authorizeOp(actor, SHOWN_BY_SERVER, { kind: 'task.status', assetId: card.id, isTask: card.kind === 'task', assigneeId: card.assigneeId, toCategory: to.category });
  };
  return {
    moveTo,
    canPickUp: (card) => statuses.some((s) => s.id !== card.statusId && moveTo(card, s).allowed),
    assign: (card, to) => (actor
      ? authorizeOp(actor, SHOWN_BY_SERVER, { kind: 'task.assign', assetId: card.id, isTask: card.kind === 'task', currentAssigneeId: card.assigneeId, newAssigneeId: to })
      : denied),
    request: (card) => (actor
      ? authorizeOp(actor, SHOWN_BY_SERVER, { kind: 'control.request', assetId: card.id, isTask: card.kind === 'task', assigneeId: card.assigneeId })
      : denied),
  };
}
