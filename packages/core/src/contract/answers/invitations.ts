// Answers of the invitation routes: the inviter's side and the invitee's.
import type { StudioRole } from '../../policy.js';
import type { SessionKind, SessionOf } from './auth.js';

export type InvitationStatus = 'pending' | 'expired' | 'accepted' | 'revoked';

/** A project role granted with an invitation. */
export interface ProjectGrant {
  projectId: string;
  roleId: string;
}

export interface InvitationView {
  id: string;
  email: string;
  studioRole: StudioRole;
  projects: ProjectGrant[];
  status: InvitationStatus;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
  sentCount: number;
}

/** GET /studios/:studioId/invitations, newest first. */
export interface InvitationList {
  invitations: InvitationView[];
}

/** How a link reached the invitee: by email, or handed back (no SMTP, or sending failed). */
export interface Delivery {
  delivered: 'email' | 'link';
  /** With `delivered: 'link'`: pass it on yourself. */
  link?: string;
}

/** One email of an invitation batch. */
export interface InviteResult extends Partial<Delivery> {
  email: string;
  outcome: 'added' | 'invited' | 'already_member' | 'rejected';
  reason?: string;
  invitationId?: string;
}

/** POST /studios/:studioId/invitations: one result per distinct email. */
export interface InviteResults {
  results: InviteResult[];
}

/** POST /studios/:studioId/invitations/:invitationId/resend: a fresh link and expiry. */
export type InvitationResent = InvitationView & Delivery;

/** POST /invitations/lookup: what a link is for, before accepting. */
export interface InvitationLookup {
  studioName: string;
  email: string;
  studioRole: StudioRole;
  expiresAt: string;
  /** An account with this email exists: sign in, then accept. */
  hasAccount: boolean;
}

/**
 * POST /invitations/accept. A new account comes with a session of the kind asked for; a
 * signed-in caller accepting for themselves gets none.
 */
export type InvitationAccepted<K extends SessionKind = 'bearer'> = { userId: string; studioId: string } & Partial<SessionOf<K>>;
