// Invitations: the inviter's side (several emails at once, re-send, revoke) and the invitee's
// (look a link up, accept it; a new account signs in at once, as with login).
import type {
  InvitationAccepted, InvitationList, InvitationLookup, InvitationResent, InvitationStatus, InviteResults, ProjectGrant, SessionKind, StudioRole,
} from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

export function invitationsApi(t: Transport) {
  return {
    /** POST /studios/:studioId/invitations: existing accounts join at once, others get a 7-day link. */
    invite: (studioId: string, body: { emails: string[]; role: StudioRole; projects?: ProjectGrant[] }): Promise<InviteResults> =>
      t.json(ROUTES['invitations.invite'], { studioId }, { json: body }),
    list: (studioId: string, query: { status?: InvitationStatus } = {}): Promise<InvitationList> =>
      t.json(ROUTES['invitations.list'], { studioId }, { query }),
    /** POST .../resend: a fresh link and expiry; the old link stops working. */
    resend: (studioId: string, invitationId: string): Promise<InvitationResent> =>
      t.json(ROUTES['invitations.resend'], { studioId, invitationId }),
    revoke: (studioId: string, invitationId: string): Promise<void> => t.none(ROUTES['invitations.revoke'], { studioId, invitationId }),
    /** POST /invitations/lookup: what a link is for (no sign-in needed). */
    lookup: (token: string): Promise<InvitationLookup> => t.json(ROUTES['invitations.lookup'], {}, { json: { token } }),
    /**
     * POST /invitations/accept: signed in, for yourself; otherwise with a name and password for
     * the new account, whose session the api then adopts.
     */
    accept: async <K extends SessionKind = 'bearer'>(body: { token: string; name?: string; password?: string; session?: K }): Promise<InvitationAccepted<K>> => {
      const answer: InvitationAccepted<K> = await t.json(ROUTES['invitations.accept'], {}, { json: body });
      t.session.adopt(answer);
      return answer;
    },
  };
}
