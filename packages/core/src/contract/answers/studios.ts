// Answers of the studio routes: studios, their seats, storage usage and quota.
import type { StudioRole } from '../../policy.js';

export interface StudioView {
  id: string;
  name: string;
  /** Empty: any address may be invited. */
  allowedEmailDomains: string[];
  createdAt: string;
  /** The caller's seat (null for an instance administrator without one). */
  myRole?: StudioRole | null;
}

/** GET /studios: the studios the caller has an active seat in. */
export interface StudioList {
  studios: StudioView[];
}

export type StudioMemberStatus = 'active' | 'suspended' | 'deactivated';

export interface StudioMember {
  userId: string;
  email: string;
  name: string;
  role: StudioRole;
  status: StudioMemberStatus;
  joinedAt: string;
  lastActiveAt: string | null;
}

/** GET /studios/:studioId/members, by name. */
export interface StudioMemberList {
  members: StudioMember[];
}

/** PATCH /studios/:studioId/members/:userId: the seat after the change. */
export interface StudioMemberChanged {
  userId: string;
  role: StudioRole;
  suspended: boolean;
}
