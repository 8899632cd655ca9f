// Answers of the project member routes. Membership answers carry a warning while a project has
// fewer than two Admins.

export interface AdminWarning {
  code: 'few_admins';
  message: string;
  admins: number;
}

export interface ProjectMember {
  userId: string;
  /** Only for callers who may see members' emails. */
  email?: string;
  name: string;
  roleId: string;
  roleName: string;
  addedAt: string;
  lastActiveAt: string | null;
}

/** GET /projects/:projectId/members, by name. */
export interface ProjectMemberList {
  members: ProjectMember[];
  warnings: AdminWarning[];
}

/** POST /projects/:projectId/members: who was added, who was a member already. */
export interface MembersAdded {
  added: string[];
  alreadyMembers: string[];
  warnings: AdminWarning[];
}

/** PATCH /projects/:projectId/members/:userId. */
export interface MemberRoleChanged {
  userId: string;
  roleId: string;
  warnings: AdminWarning[];
}

/** DELETE /projects/:projectId/members/:userId. */
export interface MemberRemoved {
  warnings: AdminWarning[];
}
