// Unit tests of core's operation policy (op-policy.ts), beside the HTTP authorization matrix:
// visibility first (an invisible target is "not found"), then the permission, then the soft lock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorizeOp, chooseHeir, DEFAULT_ROLES, PermissionSet, softLock, type MemberView, type OpCheck, type ProjectActor } from '../src/index.js';

const actor = (key: string, userId = 'me'): ProjectActor => {
  const t = DEFAULT_ROLES.find((r) => r.key === key)!;
  return { userId, role: 'member', suspended: false, projectRole: { id: key, fixed: t.fixed, permissions: PermissionSet.of(t.permissions), assignedOnly: t.assignedOnly } };
};
/** Sees assets `a-*` and collections `c-*` named in `seen`. */
const view = (...seen: string[]) => ({
  canSeeAsset: (id: string) => seen.includes(id),
  collectionAccess: (id: string) => (seen.includes(id) ? 'full' : null),
}) as unknown as MemberView;
const code = (a: ProjectActor, v: MemberView, op: OpCheck) => {
  const d = authorizeOp(a, v, op);
  return d.allowed ? 'ok' : `${d.error.code}${d.error.details.reason ? `:${String(d.error.details.reason)}` : ''}`;
};

describe('operation policy', () => {
  it('answers an invisible target as not found, before any permission', () => {
    assert.equal(code(actor('artist'), view(), { kind: 'asset.delete', id: 'a-x' }), 'not_found');
    assert.equal(code(actor('admin'), view(), { kind: 'collection.update', id: 'c-x' }), 'not_found');
    assert.equal(code(actor('artist'), view('a-x'), { kind: 'asset.delete', id: 'a-x' }), 'forbidden');
  });

  it('holds the soft lock: only the assignee checkpoints a task, an unassigned task is closed to all', () => {
    const task = (assigneeId: string | null): OpCheck => ({ kind: 'checkpoint.create', assetId: 'a-t', isTask: true, assigneeId });
    assert.equal(code(actor('artist'), view('a-t'), task('me')), 'ok');
    assert.equal(code(actor('admin'), view('a-t'), task('someone')), 'forbidden:soft_lock');
    assert.equal(code(actor('admin'), view('a-t'), task(null)), 'forbidden:soft_lock');
    assert.equal(code(actor('production_manager'), view('a-t'), task('me')), 'forbidden', 'holding a task is not the permission to checkpoint');
    assert.equal(softLock('me', false, null).allowed, true, 'resources are open to whoever may checkpoint');
  });

  it('gates status changes by ownership and by the target category', () => {
    const status = (assigneeId: string | null, toCategory: 'active' | 'done' | 'retake'): OpCheck => ({ kind: 'task.status', assetId: 'a-t', isTask: true, assigneeId, toCategory });
    assert.equal(code(actor('artist'), view('a-t'), status('me', 'active')), 'ok');
    assert.equal(code(actor('artist'), view('a-t'), status('other', 'active')), 'forbidden');
    assert.equal(code(actor('artist'), view('a-t'), status('me', 'done')), 'forbidden', 'approval needs status.approve');
    assert.equal(code(actor('supervisor'), view('a-t'), status('other', 'done')), 'ok');
    assert.equal(code(actor('assistant_supervisor'), view('a-t'), status('other', 'retake')), 'ok');
    assert.equal(code(actor('artist'), view(), { kind: 'task.status', assetId: 'a-r', isTask: false, assigneeId: null, toCategory: 'active' }), 'not_found', 'invisible');
    assert.equal(code(actor('artist'), view('a-r'), { kind: 'task.status', assetId: 'a-r', isTask: false, assigneeId: 'me', toCategory: 'active' }), 'bad_request:not_a_task');
  });

  it('lets members self-assign unassigned tasks, take over with the permission, and give their own up', () => {
    const assign = (current: string | null, next: string | null): OpCheck => ({ kind: 'task.assign', assetId: 'a-t', isTask: true, currentAssigneeId: current, newAssigneeId: next });
    assert.equal(code(actor('artist'), view('a-t'), assign(null, 'me')), 'ok');
    assert.equal(code(actor('artist'), view('a-t'), assign('other', 'me')), 'forbidden');
    assert.equal(code(actor('supervisor'), view('a-t'), assign('other', 'me')), 'ok');
    assert.equal(code(actor('vendor'), view('a-t'), assign('me', null)), 'ok');
    assert.equal(code(actor('vendor'), view('a-t'), assign('other', null)), 'forbidden');
    assert.equal(code(actor('artist'), view('a-t'), assign('me', 'me')), 'ok', 'no change');
  });

  it('keeps control requests between the requester and the assignee', () => {
    assert.equal(code(actor('vendor'), view('a-t'), { kind: 'control.request', assetId: 'a-t', isTask: true, assigneeId: 'other' }), 'ok');
    assert.equal(code(actor('vendor'), view('a-t'), { kind: 'control.request', assetId: 'a-t', isTask: true, assigneeId: 'me' }), 'conflict:already_assignee');
    assert.equal(code(actor('admin'), view('a-t'), { kind: 'control.respond', assetId: 'a-t', assigneeId: 'other' }), 'forbidden:not_assignee');
    assert.equal(code(actor('artist'), view('a-t'), { kind: 'control.cancel', assetId: 'a-t', requesterId: 'other' }), 'forbidden:not_requester');
  });

  it('needs sight of both ends of a dependency', () => {
    assert.equal(code(actor('admin'), view('a-1'), { kind: 'dependency.change', assetId: 'a-1', targetAssetId: 'a-2', targetCollectionId: null }), 'not_found');
    assert.equal(code(actor('admin'), view('a-1', 'c-1'), { kind: 'dependency.change', assetId: 'a-1', targetAssetId: null, targetCollectionId: 'c-1' }), 'ok');
  });
});

describe('who inherits a departing assignee\'s task', () => {
  const req = (id: string, key: string, requestedAt: string) => {
    const t = DEFAULT_ROLES.find((r) => r.key === key)!;
    return { id, rank: t.rank, permissions: PermissionSet.of(t.permissions), requestedAt };
  };

  it('is the most senior requester whose role may checkpoint, the earliest among equals', () => {
    const heir = chooseHeir([req('art', 'artist', '2026-01-01'), req('pm', 'production_manager', '2026-01-02'), req('sup2', 'supervisor', '2026-01-04'), req('sup1', 'supervisor', '2026-01-03')]);
    assert.equal(heir?.id, 'sup1', 'the Production Manager cannot checkpoint and is passed over');
  });

  it('is nobody when no requester may checkpoint', () => {
    assert.equal(chooseHeir([req('pm', 'production_manager', '2026-01-02')]), null);
    assert.equal(chooseHeir([]), null);
  });
});
