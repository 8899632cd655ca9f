// Authorization of project operations (collections, assets, tasks, checkpoints, control
// requests, trash). The server gathers the facts from its current state; this decides. A target
// the caller cannot see is answered exactly like a target that does not exist.
import { BacklotError, forbidden, notFound } from './errors.js';
import type { Permission, PermissionSet } from './permissions.js';
import { authorizeProject, tokenScopeDecision, type Decision, type ProjectActor } from './policy.js';
import type { MemberView } from './project-view.js';
import type { StatusCategory } from './statuses.js';

export type OpCheck =
  | { kind: 'settings.update' }
  | { kind: 'collection.create'; parentId: string | null }
  | { kind: 'collection.update'; id: string; newParentId?: string | null }
  | { kind: 'collection.assign'; id: string; assigneeId: string | null }
  | { kind: 'collection.delete'; id: string }
  | { kind: 'asset.create'; collectionId: string | null }
  | { kind: 'asset.update'; id: string; newCollectionId?: string | null }
  | { kind: 'asset.delete'; id: string }
  | { kind: 'dependency.change'; assetId: string; targetAssetId: string | null; targetCollectionId: string | null }
  | { kind: 'task.assign'; assetId: string; isTask: boolean; currentAssigneeId: string | null; newAssigneeId: string | null }
  | { kind: 'task.status'; assetId: string; isTask: boolean; assigneeId: string | null; toCategory: StatusCategory }
  | { kind: 'checkpoint.create'; assetId: string; isTask: boolean; assigneeId: string | null }
  | { kind: 'checkpoint.delete'; assetId: string }
  | { kind: 'checkpoint.revert'; assetId: string; isTask: boolean; assigneeId: string | null }
  | { kind: 'checkpoint.preview'; assetId: string; authorId: string }
  | { kind: 'asset.cover'; assetId: string; assigneeId: string | null }
  | { kind: 'control.request'; assetId: string; isTask: boolean; assigneeId: string | null }
  | { kind: 'control.respond'; assetId: string; assigneeId: string | null }
  | { kind: 'control.cancel'; assetId: string; requesterId: string }
  | { kind: 'control.handoff'; assetId: string; assigneeId: string | null }
  | { kind: 'trash.restore' }
  | { kind: 'trash.purge' };

const allow: Decision = { allowed: true };
const deny = (error: BacklotError): Decision => ({ allowed: false, error });

function need(actor: ProjectActor, ...perms: Permission[]): Decision {
  for (const p of perms) {
    const d = authorizeProject(actor, p);
    if (!d.allowed) return d;
  }
  return allow;
}

const seeAsset = (view: MemberView, id: string) => (view.canSeeAsset(id) ? allow : deny(notFound('asset')));
const seeCollection = (view: MemberView, id: string | null) =>
  id === null || view.collectionAccess(id) === 'full' ? allow : deny(notFound('collection'));

function all(...decisions: (() => Decision)[]): Decision {
  for (const d of decisions) {
    const r = d();
    if (!r.allowed) return r;
  }
  return allow;
}

const notTask = () => deny(new BacklotError('bad_request', 'this asset is not a task', { reason: 'not_a_task' }));

export function authorizeOp(actor: ProjectActor, view: MemberView, op: OpCheck): Decision {
  const me = actor.userId;
  // Every operation changes the project: a read-only token is refused before anything else.
  const scoped = tokenScopeDecision(actor, 'content');
  if (scoped) return scoped;
  switch (op.kind) {
    case 'settings.update':
      return need(actor, 'project.settings');
    case 'collection.create':
      return all(() => need(actor, 'collection.create'), () => seeCollection(view, op.parentId));
    case 'collection.update':
      return all(
        () => seeCollection(view, op.id),
        () => need(actor, 'collection.update'),
        () => (op.newParentId === undefined ? allow : seeCollection(view, op.newParentId)),
      );
    case 'collection.assign':
      return all(() => seeCollection(view, op.id), () => need(actor, op.assigneeId === null ? 'assignment.unassign' : 'assignment.assign'));
    case 'collection.delete':
      return all(() => seeCollection(view, op.id), () => need(actor, 'collection.delete'));
    case 'asset.create':
      return all(() => need(actor, 'asset.create'), () => seeCollection(view, op.collectionId));
    case 'asset.update':
      return all(
        () => seeAsset(view, op.id),
        () => need(actor, 'asset.update'),
        () => (op.newCollectionId === undefined ? allow : seeCollection(view, op.newCollectionId)),
      );
    case 'asset.delete':
      return all(() => seeAsset(view, op.id), () => need(actor, 'asset.delete'));
    case 'dependency.change':
      return all(
        () => seeAsset(view, op.assetId),
        () => need(actor, 'dependency.manage'),
        () => (op.targetAssetId ? seeAsset(view, op.targetAssetId) : seeCollection(view, op.targetCollectionId)),
      );
    case 'task.assign':
      return all(() => seeAsset(view, op.assetId), () => (op.isTask ? allow : notTask()), () => authorizeAssignment(actor, op.currentAssigneeId, op.newAssigneeId));
    case 'task.status':
      return all(
        () => seeAsset(view, op.assetId),
        () => (op.isTask ? allow : notTask()),
        () => need(actor, op.assigneeId === me ? 'status.change' : 'status.change_any'),
        () => (op.toCategory === 'done' ? need(actor, 'status.approve') : allow),
        () => (op.toCategory === 'retake' ? need(actor, 'status.retake') : allow),
      );
    case 'checkpoint.create':
    case 'checkpoint.revert':
      return all(
        () => seeAsset(view, op.assetId),
        () => need(actor, op.kind === 'checkpoint.create' ? 'checkpoint.create' : 'checkpoint.revert'),
        () => softLock(me, op.isTask, op.assigneeId),
      );
    case 'checkpoint.delete':
      return all(() => seeAsset(view, op.assetId), () => need(actor, 'checkpoint.delete'));
    // A checkpoint's preview image: its author, or whoever may edit the asset.
    case 'checkpoint.preview':
      return all(() => seeAsset(view, op.assetId), () => (op.authorId === me ? allow : need(actor, 'asset.update')));
    // Which checkpoint's preview is a task's cover: its assignee, or whoever may edit the asset.
    case 'asset.cover':
      return all(() => seeAsset(view, op.assetId), () => (op.assigneeId === me ? allow : need(actor, 'asset.update')));
    case 'control.request':
      return all(
        () => seeAsset(view, op.assetId),
        () => (op.isTask ? allow : notTask()),
        // PRODUCT.md: any member who can see a task may request it; the assignee decides.
        () => (op.assigneeId === me ? deny(new BacklotError('conflict', 'you already hold this task', { reason: 'already_assignee' })) : allow),
      );
    case 'control.cancel':
      return all(
        () => seeAsset(view, op.assetId),
        () => (op.requesterId === me ? allow : deny(forbidden('only the requester may cancel a request', { reason: 'not_requester' }))),
      );
    case 'control.respond':
    case 'control.handoff':
      return all(
        () => seeAsset(view, op.assetId),
        () => (op.assigneeId === me ? allow : deny(forbidden('only the task\'s assignee may do this', { reason: 'not_assignee' }))),
      );
    case 'trash.restore':
      return need(actor, 'trash.restore');
    case 'trash.purge':
      return need(actor, 'trash.purge');
  }
}

/**
 * The soft lock: only a task's assignee may checkpoint it; an unassigned task cannot be
 * checkpointed by anyone. Resources are open to whoever may checkpoint and see them.
 */
export function softLock(userId: string, isTask: boolean, assigneeId: string | null): Decision {
  if (!isTask) return allow;
  if (assigneeId === userId) return allow;
  return deny(new BacklotError('forbidden', assigneeId ? 'another member holds this task' : 'this task is unassigned; nobody may checkpoint it', {
    reason: 'soft_lock', assigneeId,
  }));
}

function authorizeAssignment(actor: ProjectActor, current: string | null, next: string | null): Decision {
  const me = actor.userId;
  if (current === next) return allow;
  if (next === null) {
    // The assignee may give a task up; removing someone else needs assignment.unassign.
    return current === me ? allow : need(actor, 'assignment.unassign');
  }
  if (next === me) {
    if (current === null) {
      const self = authorizeProject(actor, 'assignment.self_assign');
      return self.allowed ? allow : need(actor, 'assignment.assign');
    }
    const takeOver = authorizeProject(actor, 'assignment.take_over');
    return takeOver.allowed ? allow : need(actor, 'assignment.assign');
  }
  return need(actor, 'assignment.assign');
}

/**
 * Who inherits a task when its assignee leaves the project (PRODUCT.md): the pending requester
 * with the most senior role (lowest rank; the earliest request among equals) whose role may
 * checkpoint, since a task's holder is the one who checkpoints it. None: the task is unassigned.
 */
export function chooseHeir<T extends { rank: number; permissions: PermissionSet; requestedAt: string }>(requesters: readonly T[]): T | null {
  const able = requesters.filter((r) => r.permissions.has('checkpoint.create'));
  able.sort((a, b) => a.rank - b.rank || (a.requestedAt < b.requestedAt ? -1 : a.requestedAt > b.requestedAt ? 1 : 0));
  return able[0] ?? null;
}
