// Who belongs where: studio seats (role, suspension, removal) and project members (role per project).
import type {
  DormantSeats, DormantSuspended, MemberRemoved, MemberRoleChanged, MembersAdded, ProjectMemberList, StudioMemberChanged, StudioMemberList, StudioRole,
} from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

/** Exactly one change per call: a new studio role, or suspend / reactivate. */
export type StudioMemberChange = { role: StudioRole; status?: never } | { status: 'active' | 'suspended'; role?: never };

export function studioMembersApi(t: Transport) {
  return {
    list: (studioId: string): Promise<StudioMemberList> => t.json(ROUTES['studioMembers.list'], { studioId }),
    update: (studioId: string, userId: string, change: StudioMemberChange): Promise<StudioMemberChanged> =>
      t.json(ROUTES['studioMembers.update'], { studioId, userId }, { json: change }),
    /** DELETE /studios/:studioId/members/:userId: out of the studio and all its projects. */
    remove: (studioId: string, userId: string): Promise<void> => t.none(ROUTES['studioMembers.remove'], { studioId, userId }),
    /** GET /studios/:studioId/seats/dormant (owners): seats idle for at least `days` days. */
    dormant: (studioId: string, days: number): Promise<DormantSeats> => t.json(ROUTES['studioMembers.dormant'], { studioId }, { query: { days: String(days) } }),
    /** POST .../seats/suspend-dormant (owners): suspends them in one step (audited). */
    suspendDormant: (studioId: string, body: { days: number; userIds?: string[] }): Promise<DormantSuspended> =>
      t.json(ROUTES['studioMembers.suspendDormant'], { studioId }, { json: body }),
  };
}

export function projectMembersApi(t: Transport) {
  return {
    list: (projectId: string): Promise<ProjectMemberList> => t.json(ROUTES['projectMembers.list'], { projectId }),
    /** POST /projects/:projectId/members: studio members, all with one role; all or nothing. */
    add: (projectId: string, body: { userIds: string[]; roleId: string }): Promise<MembersAdded> =>
      t.json(ROUTES['projectMembers.add'], { projectId }, { json: body }),
    changeRole: (projectId: string, userId: string, roleId: string): Promise<MemberRoleChanged> =>
      t.json(ROUTES['projectMembers.changeRole'], { projectId, userId }, { json: { roleId } }),
    /** DELETE /projects/:projectId/members/:userId (yourself: leaving). Their tasks pass on. */
    remove: (projectId: string, userId: string): Promise<MemberRemoved> => t.json(ROUTES['projectMembers.remove'], { projectId, userId }),
  };
}
