// The authorization matrix's expected outcomes, written by hand from PRODUCT.md ("People and
// places", "Project roles and permissions") and the rules of the task brief. Nothing here is
// computed from, or imported from, the code under test (@backlot/core policy/roles included):
// if the server and this table disagree, one of them is wrong and the matrix test says so.
//
// An outcome is `OK` (any 2xx) or the exact refusal status:
//   401 no session · 403 member lacking the right · 404 existence not disclosed / nothing there ·
//   409 a guard (last studio owner, last project Admin, role still in use).

export const OK = 'ok' as const;
export type Outcome = typeof OK | 401 | 403 | 404 | 409;

/** Studio-level callers. `member` has a studio seat and no project seat; `suspended` is a suspended
 * member (holding a Production Manager project seat, which must not help); `outsider` owns another
 * studio; `anonymous` sends no token. */
export const STUDIO_ACTORS = ['owner', 'admin', 'member', 'suspended', 'outsider', 'anonymous'] as const;
/** Studio members (role `member`) each holding one of the six default project roles. */
export const ROLE_ACTORS = ['Admin', 'ProductionManager', 'Supervisor', 'AssistantSupervisor', 'Artist', 'Vendor'] as const;
export const PROJECT_ACTORS = [...STUDIO_ACTORS, ...ROLE_ACTORS] as const;

export type StudioActorName = (typeof STUDIO_ACTORS)[number];
export type ProjectActorName = (typeof PROJECT_ACTORS)[number];

type O = Outcome;
export type StudioRow = readonly [O, O, O, O, O, O];
export type ProjectRow = readonly [O, O, O, O, O, O, O, O, O, O, O, O];

/*
 * Studio routes (PRODUCT.md "People and places"):
 * - outsiders and suspended members: 404 (a studio's existence is not disclosed);
 * - view, member list, project list: any active member;
 * - settings and delete: owner only;
 * - invitations, audit log, project creation, member management: owners and admins;
 * - only an owner hands out or touches ownership ("Admin: invite/remove members (not owners)");
 * - "A studio always keeps at least one owner": 409.
 * Fixture: one owner (the only one), one admin, members `member`, `target`, the suspended member.
 */
export const STUDIO_EXPECTED = {
  //                                                           owner admin member susp outsider anon
  'list my studios':                                          [OK,   OK,   OK,    OK,  OK,      401],
  'create a studio':                                          [OK,   OK,   OK,    OK,  OK,      401],
  'view studio':                                              [OK,   OK,   OK,    404, 404,     401],
  'update studio settings':                                   [OK,   403,  403,   404, 404,     401],
  'delete studio':                                            [OK,   403,  403,   404, 404,     401],
  'list studio members':                                      [OK,   OK,   OK,    404, 404,     401],
  'make a member admin':                                      [OK,   OK,   403,   404, 404,     401],
  'make a member owner':                                      [OK,   403,  403,   404, 404,     401],
  'suspend a member':                                         [OK,   OK,   403,   404, 404,     401],
  'reactivate the suspended member':                          [OK,   OK,   403,   404, 404,     401],
  'remove a member':                                          [OK,   OK,   403,   404, 404,     401],
  // The owner acting on themselves is the last active owner: 409. Admins never touch owners: 403.
  'demote the last owner':                                    [409,  403,  403,   404, 404,     401],
  'suspend the last owner':                                   [409,  403,  403,   404, 404,     401],
  'remove the last owner':                                    [409,  403,  403,   404, 404,     401],
  // `target` is first made a second owner: the owner may now demote/remove them, admins still not.
  'demote a co-owner':                                        [OK,   403,  403,   404, 404,     401],
  'remove a co-owner':                                        [OK,   403,  403,   404, 404,     401],
  // Anyone may leave a studio, except its last owner; suspended members and outsiders learn nothing.
  'leave the studio (self)':                                  [409,  OK,   OK,    404, 404,     401],
  'invite as member':                                         [OK,   OK,   403,   404, 404,     401],
  'invite as admin':                                          [OK,   OK,   403,   404, 404,     401],
  'invite as owner':                                          [OK,   403,  403,   404, 404,     401],
  'list invitations':                                         [OK,   OK,   403,   404, 404,     401],
  'resend a member invitation':                               [OK,   OK,   403,   404, 404,     401],
  'revoke a member invitation':                               [OK,   OK,   403,   404, 404,     401],
  // Re-sending or revoking an owner invitation is handing out / withholding ownership: owner only.
  'resend an owner invitation':                               [OK,   403,  403,   404, 404,     401],
  'revoke an owner invitation':                               [OK,   403,  403,   404, 404,     401],
  'read studio audit log':                                    [OK,   OK,   403,   404, 404,     401],
  'verify studio audit chain':                                [OK,   OK,   403,   404, 404,     401],
  'list studio projects':                                     [OK,   OK,   OK,    404, 404,     401],
  'create a project':                                         [OK,   OK,   403,   404, 404,     401],
} as const satisfies Record<string, StudioRow>;

/*
 * Project routes (PRODUCT.md "Project roles and permissions"):
 * - studio owners/admins administer any project without a seat (view, rename, archive, delete,
 *   members, roles, audit); other studio members without a seat, suspended members and outsiders: 404;
 * - any project member may view the project, its members and its roles;
 * - rename: project.settings · archive/unarchive/delete: project.delete ·
 *   members: members.add / members.remove / members.change_role · roles: roles.manage ·
 *   project audit: audit.view; missing permission: 403.
 * Default roles, as PRODUCT.md lists them (independently of packages/core/src/roles.ts):
 *   Admin: everything. Production Manager: project.settings, members.add/remove/change_role,
 *   audit.view, no deletes, no role editing (and no checkpoint.create / content.download /
 *   self-assign). Supervisor, Assistant Supervisor, Artist, Vendor: none of the above.
 * - Nobody escalates: a non-Admin cannot hand out, take away, or touch the Admin role, nor grant
 *   a role carrying administrative permissions (project.*, members.*, roles.manage) they lack
 *   (403); working permissions (checkpoint, download, self-assign) they may grant. The fixed Admin role cannot be edited
 *   or deleted, by anyone (403). A project always keeps at least one Admin (409).
 * Fixture project: created by the studio admin, who then leaves it, so neither the studio owner
 * nor the studio admin holds a seat. The only project Admin is `Admin`. `target` holds the custom
 * role "Observer" (checkpoint.view only, a subset of Production Manager); an unused custom role
 * "Spare" exists.
 */
export const PROJECT_EXPECTED = {
  //                                         owner admin member susp outsider anon | Admin PM   Sup  ASup Artist Vendor
  'view project':                           [OK,   OK,   404,   404, 404,     401,   OK,   OK,  OK,  OK,  OK,    OK],
  'rename project':                         [OK,   OK,   404,   404, 404,     401,   OK,   OK,  403, 403, 403,   403],
  'archive project':                        [OK,   OK,   404,   404, 404,     401,   OK,   403, 403, 403, 403,   403],
  'unarchive project':                      [OK,   OK,   404,   404, 404,     401,   OK,   403, 403, 403, 403,   403],
  'delete project':                         [OK,   OK,   404,   404, 404,     401,   OK,   403, 403, 403, 403,   403],
  'list project members':                   [OK,   OK,   404,   404, 404,     401,   OK,   OK,  OK,  OK,  OK,    OK],
  'add a member as Production Manager':     [OK,   OK,   404,   404, 404,     401,   OK,   OK,  403, 403, 403,   403],
  'add a member as Admin':                  [OK,   OK,   404,   404, 404,     401,   OK,   403, 403, 403, 403,   403],
  // Artist carries only working permissions, which a Production Manager may hand out.
  'add a member as Artist':                 [OK,   OK,   404,   404, 404,     401,   OK,   OK,  403, 403, 403,   403],
  'change a member to Production Manager':  [OK,   OK,   404,   404, 404,     401,   OK,   OK,  403, 403, 403,   403],
  'change a member to Admin':               [OK,   OK,   404,   404, 404,     401,   OK,   403, 403, 403, 403,   403],
  // `Admin` acting on themselves is the last Admin: 409.
  'demote the last Admin':                  [409,  409,  404,   404, 404,     401,   409,  403, 403, 403, 403,   403],
  // `target` is first made a second Admin.
  'demote a second Admin':                  [OK,   OK,   404,   404, 404,     401,   OK,   403, 403, 403, 403,   403],
  'remove a member':                        [OK,   OK,   404,   404, 404,     401,   OK,   OK,  403, 403, 403,   403],
  'remove the last Admin':                  [409,  409,  404,   404, 404,     401,   409,  403, 403, 403, 403,   403],
  'remove a second Admin':                  [OK,   OK,   404,   404, 404,     401,   OK,   403, 403, 403, 403,   403],
  // Leaving needs no permission, but the last Admin cannot leave; no seat, nothing to leave: 404.
  'leave the project (self)':               [404,  404,  404,   404, 404,     401,   409,  OK,  OK,  OK,  OK,    OK],
  'list roles':                             [OK,   OK,   404,   404, 404,     401,   OK,   OK,  OK,  OK,  OK,    OK],
  'create a role':                          [OK,   OK,   404,   404, 404,     401,   OK,   403, 403, 403, 403,   403],
  'edit a custom role':                     [OK,   OK,   404,   404, 404,     401,   OK,   403, 403, 403, 403,   403],
  'edit the Admin role':                    [403,  403,  404,   404, 404,     401,   403,  403, 403, 403, 403,   403],
  'delete an unused custom role':           [OK,   OK,   404,   404, 404,     401,   OK,   403, 403, 403, 403,   403],
  'delete a role in use, no replacement':   [409,  409,  404,   404, 404,     401,   409,  403, 403, 403, 403,   403],
  'delete the Admin role':                  [403,  403,  404,   404, 404,     401,   403,  403, 403, 403, 403,   403],
  'read project audit log':                 [OK,   OK,   404,   404, 404,     401,   OK,   OK,  403, 403, 403,   403],
} as const satisfies Record<string, ProjectRow>;

export type StudioOpName = keyof typeof STUDIO_EXPECTED;
export type ProjectOpName = keyof typeof PROJECT_EXPECTED;
