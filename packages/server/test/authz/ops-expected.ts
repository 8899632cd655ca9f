// The production-operations authorization matrix's expected outcomes, written by hand from
// PRODUCT.md ("Project roles and permissions", "Visibility is not permission", "Assets, tasks and
// the soft lock", "Statuses and the board") and the task brief. Nothing here is computed from, or
// imported from, the code under test (packages/core roles, op-policy and policy included): if the
// server and this table disagree, one of them is wrong and ops-matrix.test.ts says so.
//
// An outcome is `OK` (any 2xx; through POST /projects/:id/ops: `applied`) or the exact refusal:
//   403 the member lacks the right (or a rule such as the soft lock forbids it) ·
//   404 the target is invisible to the member: answered exactly like an unknown id ·
//   409 a state rule (you already hold the task, the task is unassigned, the request is closed).
//
// ---- the six default project roles, as PRODUCT.md lists them -------------------------------------
// (only what production operations touch)
//
//                          Admin  PM   Sup  ASup Artist Vendor
//   collection.view_all     x     x*    x
//   asset.view_all          x     x*    x    x
//   collection.create       x     x
//   collection.update       x     x
//   collection.delete       x
//   asset.create            x     x
//   asset.update            x     x
//   asset.delete            x
//   dependency.manage       x     x
//   checkpoint.create       x           x    x     x      x
//   checkpoint.delete       x           x
//   checkpoint.revert       x           x
//   assignment.assign       x     x     x
//   assignment.unassign     x     x     x
//   assignment.self_assign  x                      x
//   assignment.take_over    x     x     x
//   status.change           x     x     x    x     x      x
//   status.change_any       x     x     x    x
//   status.approve          x     x     x    x
//   status.retake           x     x     x    x
//   project.settings        x     x
//   trash.restore           x     x
//   trash.purge             x
//
// * Production Manager: "all collection/asset create/update": a manager of every collection and
//   asset sees them all (view_all); "No deletes": no collection/asset/checkpoint delete, no purge.
//   It cannot checkpoint (not listed), so it holds tasks only to hand them on; it may still
//   request control of a task it sees, like any member (see the control request rule below).
// Supervisor: "view all" = both view_all toggles; "checkpoints (create/delete/revert)".
// Assistant Supervisor: "view all assets" = asset.view_all only (collections by the visibility
//   rules); "checkpoint" = checkpoint.create only (no delete, no revert).
// Artist: "checkpoint and download what is visible", own-task status, self-assign.
// Vendor: checkpoint, own-task status; no self-assign. And PRODUCT.md ("Project roles and
//   permissions"): "Vendor: checkpoint and download only what is explicitly assigned (and its
//   dependencies)": for the Vendor, shared collections grant no visibility. What it sees is what
//   is assigned to it and the dependency closure of that; the rest, shared or not, is invisible
//   (404, like an unknown id), so the Vendor's `visible` column below is a column of 404s, but
//   where the permission is refused before the target is looked at (creation, trash: 403).
//
// ---- targets -------------------------------------------------------------------------------------
// Every targeted operation is tried on three fresh targets, one per column:
//   assigned  · the actor's own: a task assigned to the actor, or a collection assigned to the
//               actor (both inside a hidden collection, so only the assignment makes them visible);
//               for control.cancel, the actor's own pending request; for trash rows, a trashed
//               task that was assigned to the actor.
//   visible   · inside the shared collection, not assigned to the actor (assigned to another
//               member or unassigned, as the row says). Visible to every role but the Vendor
//               (ASSIGNED_ONLY below): for the Vendor it is as invisible as the next column.
//   invisible · inside a hidden collection (not shared, not assigned to the actor); the actor sees
//               it only through asset.view_all / collection.view_all.
//
// ---- rules applied ---------------------------------------------------------------------------------
// - A target the actor cannot see answers 404 whatever their permissions, exactly like an unknown
//   id (the test also sends every such row with a random id and requires the same answer).
// - Creation is first a question of permission (a member who may not create anything gets 403,
//   wherever they point), then of the place (an invisible place is a 404, like an unknown one).
//   Likewise a dependency: its source must be visible, then dependency.manage, then its target.
// - Soft lock: only a task's assignee checkpoints it (create or revert); an unassigned task:
//   nobody, Admin included (403). A checkpoint that sets a status follows the status rules too.
// - Status: own task needs status.change, anyone else's (or an unassigned one) status.change_any;
//   into a done-category status also status.approve, into a retake-category status also
//   status.retake. Categories, not names, decide (a custom "Approved" status of category done).
// - Assignment: assigning anyone else needs assignment.assign; unassigning someone else
//   assignment.unassign, but the assignee may release their own task; self-assigning an
//   unassigned task assignment.self_assign (or assignment.assign: who may assign anyone may assign
//   themselves); taking over someone's task assignment.take_over. Assigning the current assignee
//   again changes nothing and is accepted.
//   A collection's assignee is a visibility grant, not a task: PRODUCT.md gives no release rule,
//   so (un)assigning a collection always needs assignment.assign / assignment.unassign.
// - Control requests: "a member who can see a task may request it" (no permission named: PRODUCT.md
//   even expects requesters whose role cannot checkpoint); requesting a task you hold, or an
//   unassigned one (assign it instead), is a 409. Only the assignee accepts, declines or hands
//   off; only the requester cancels (403 for anyone else who can see the task). A request that
//   is no longer pending answers 409 to anyone who can see its task: PRODUCT.md does not order
//   the two refusals, and a request's state is no secret to those who see the task (pulls show it).
// - Trash: restore needs trash.restore, purge trash.purge.

export const OK = 'ok' as const;
export type Outcome = typeof OK | 403 | 404 | 409;

export const ROLES = ['Admin', 'ProductionManager', 'Supervisor', 'AssistantSupervisor', 'Artist', 'Vendor'] as const;
export type RoleName = (typeof ROLES)[number];
export const TARGETS = ['assigned', 'visible', 'invisible'] as const;
export type TargetName = (typeof TARGETS)[number];

/** Who sees every asset / every collection's metadata, by PRODUCT.md (see the table above). */
export const SEES_ALL_ASSETS: Record<RoleName, boolean> = {
  Admin: true, ProductionManager: true, Supervisor: true, AssistantSupervisor: true, Artist: false, Vendor: false,
};
export const SEES_ALL_COLLECTIONS: Record<RoleName, boolean> = {
  Admin: true, ProductionManager: true, Supervisor: true, AssistantSupervisor: false, Artist: false, Vendor: false,
};
/**
 * Who works only on what is explicitly assigned (PRODUCT.md: "Vendor: checkpoint and download only
 * what is explicitly assigned (and its dependencies)"): shared collections show them nothing.
 */
export const ASSIGNED_ONLY: Record<RoleName, boolean> = {
  Admin: false, ProductionManager: false, Supervisor: false, AssistantSupervisor: false, Artist: false, Vendor: true,
};

type O = Outcome;
type T = readonly [O, O, O];
/** One outcome triple [assigned, visible, invisible] per role, in ROLES order. */
export type TargetedRow = readonly [T, T, T, T, T, T];
/** One outcome per role, in ROLES order (operations without a target). */
export type PlainRow = readonly [O, O, O, O, O, O];

const all: T = [OK, OK, OK];
const no: T = [403, 403, 403];
/** Sees the target (a view_all holder) but lacks the permission. */
const noSees: T = [403, 403, 403];
/** Lacks the permission, and the invisible target is not theirs to see. */
const noHidden: T = [403, 403, 404];
/** The Vendor lacking the permission: only its own (assigned) target is visible to it. */
const noVendor: T = [403, 404, 404];
/** The Vendor: its own target answers `own`; the shared and the hidden one are invisible to it. */
const vendor = (own: O): T => [own, 404, 404];

export const TARGETED_EXPECTED = {
  //                                                   Admin           PM              Supervisor       Assistant Sup.   Artist           Vendor
  // collections: the target is the collection (create: the parent it is created in)
  'collection.create (in target)':                   [all,            all,            no,              no,              no,              no],
  'collection.update (rename)':                      [all,            all,            noSees,          noHidden,        noHidden,        noVendor],
  'collection.assign (to another member)':           [all,            all,            all,             noHidden,        noHidden,        noVendor],
  'collection.assign (unassign)':                    [all,            all,            all,             noHidden,        noHidden,        noVendor],
  'collection.delete':                               [all,            noSees,         noSees,          noHidden,        noHidden,        noVendor],
  // assets: the target is a task (create: the collection it is created in)
  'asset.create (in target)':                        [all,            all,            no,              no,              no,              no],
  'asset.create (a task assigned to another member)':[all,            all,            no,              no,              no,              no],
  'asset.update (rename)':                           [all,            all,            noSees,          noSees,          noHidden,        noVendor],
  'asset.delete':                                    [all,            noSees,         noSees,          noSees,          noHidden,        noVendor],
  // dependencies: "from": the target depends on a resource in the shared collection; "onto": a
  // resource in the shared collection depends on the target (permission is refused before the
  // target's visibility is looked at). For the Vendor that shared resource, the source of every
  // "onto" edge, is invisible: 404 wherever the target is.
  'dependency.add (from target)':                    [all,            all,            noSees,          noSees,          noHidden,        noVendor],
  'dependency.add (onto target)':                    [all,            all,            noSees,          noSees,          no,              [404, 404, 404]],
  'dependency.remove (from target)':                 [all,            all,            noSees,          noSees,          noHidden,        noVendor],
  // assignment: visible/invisible tasks are unassigned (assign, self-assign) or held by another
  // member (unassign, take over); the actor's own task: reassign away / release / no-op / no-op
  'task.assign (to another member)':                 [all,            all,            all,             noSees,          noHidden,        noVendor],
  'task.assign (unassign)':                          [all,            all,            all,             [OK, 403, 403],  [OK, 403, 404],  vendor(OK)],
  'task.assign (self-assign an unassigned task)':    [all,            all,            all,             [OK, 403, 403],  [OK, OK, 404],   vendor(OK)],
  'task.assign (take over)':                         [all,            all,            all,             [OK, 403, 403],  [OK, 403, 404],  vendor(OK)],
  // status: visible/invisible tasks are held by another member
  'task.status (into todo)':                         [all,            all,            all,             all,             [OK, 403, 404],  vendor(OK)],
  'task.status (into active)':                       [all,            all,            all,             all,             [OK, 403, 404],  vendor(OK)],
  'task.status (into review)':                       [all,            all,            all,             all,             [OK, 403, 404],  vendor(OK)],
  'task.status (into retake)':                       [all,            all,            all,             all,             noHidden,        noVendor],
  'task.status (into done)':                         [all,            all,            all,             all,             noHidden,        noVendor],
  'task.status (into a custom done-category status)':[all,            all,            all,             all,             noHidden,        noVendor],
  // checkpoints: visible/invisible tasks are held by another member unless the row says otherwise
  'checkpoint.create (task)':                        [[OK, 403, 403], no,             [OK, 403, 403],  [OK, 403, 403],  [OK, 403, 404],  vendor(OK)],
  'checkpoint.create (unassigned task)':             [[OK, 403, 403], no,             [OK, 403, 403],  [OK, 403, 403],  [OK, 403, 404],  vendor(OK)],
  // resources have no soft lock; "assigned": a resource in a collection assigned to the actor.
  // The Vendor does not checkpoint a shared resource: "only what is explicitly assigned (and its
  // dependencies)" (PRODUCT.md); a resource its task depends on it does (ops-matrix.test.ts).
  'checkpoint.create (resource)':                    [all,            no,             all,             all,             [OK, OK, 404],   vendor(OK)],
  'checkpoint.create (setting a done status)':       [[OK, 403, 403], no,             [OK, 403, 403],  [OK, 403, 403],  noHidden,        noVendor],
  'checkpoint.delete':                               [all,            noSees,         all,             noSees,          noHidden,        noVendor],
  'checkpoint.revert':                               [[OK, 403, 403], no,             [OK, 403, 403],  no,              noHidden,        noVendor],
  // control requests: visible/invisible tasks are held by another member; the requests to accept,
  // decline or cancel there were made by a third member (the setup Admin); on the `assigned`
  // target the request is for the actor's own task, or (cancel) is the actor's own request
  'control.request':                                 [[409, OK, OK],  [409, OK, OK],  [409, OK, OK],   [409, OK, OK],   [409, OK, 404],  vendor(409)],
  'control.request (unassigned task)':               [[409, 409, 409],[409, 409, 409],[409, 409, 409], [409, 409, 409], [409, 409, 404], vendor(409)],
  'control.accept':                                  [[OK, 403, 403], [OK, 403, 403], [OK, 403, 403],  [OK, 403, 403],  [OK, 403, 404],  vendor(OK)],
  'control.decline':                                 [[OK, 403, 403], [OK, 403, 403], [OK, 403, 403],  [OK, 403, 403],  [OK, 403, 404],  vendor(OK)],
  'control.accept (a request already declined)':     [[409, 409, 409],[409, 409, 409],[409, 409, 409], [409, 409, 409], [409, 409, 404], vendor(409)],
  'control.cancel':                                  [[OK, 403, 403], [OK, 403, 403], [OK, 403, 403],  [OK, 403, 403],  [OK, 403, 404],  vendor(OK)],
  'control.handoff (to another member)':             [[OK, 403, 403], [OK, 403, 403], [OK, 403, 403],  [OK, 403, 403],  [OK, 403, 404],  vendor(OK)],
  // trash: the target is a trashed task
  'trash.restore':                                   [all,            all,            no,              no,              no,              no],
  'trash.purge':                                     [all,            no,             no,              no,              no,              no],
} as const satisfies Record<string, TargetedRow>;

export const PLAIN_EXPECTED = {
  //                                 Admin PM   Sup  ASup Artist Vendor
  'settings.update':                [OK,   OK,  403, 403, 403,   403],
  'status.create':                  [OK,   OK,  403, 403, 403,   403],
  'status.update':                  [OK,   OK,  403, 403, 403,   403],
  'status.delete (with replacement)':[OK,  OK,  403, 403, 403,   403],
} as const satisfies Record<string, PlainRow>;

export type TargetedOpName = keyof typeof TARGETED_EXPECTED;

export type PlainOpName = keyof typeof PLAIN_EXPECTED;

/**
 * Operation types of ops.ts this matrix does not cover (the coverage test fails on any other
 * uncovered type). They arrived with the content store while the matrix was being written:
 * PRODUCT.md names no rule for who may set a checkpoint's preview image or an asset's cover (the
 * server lets the checkpoint's author / the task's assignee, or asset.update), so there is nothing
 * independent to write down; content.test.ts exercises their rules.
 */
export const NOT_COVERED: Record<string, string> = {
  'checkpoint.preview': 'no PRODUCT.md rule; covered by content.test.ts (author or asset.update)',
  'asset.cover': 'no PRODUCT.md rule; covered by content.test.ts (assignee or asset.update)',
};
