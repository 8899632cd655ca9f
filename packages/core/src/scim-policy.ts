// SCIM provisioning rules: what an identity provider's provisioning (a studio's SCIM token) may
// change, which groups feed the owner's group mappings, and how far deprovisioning reaches.
// Pure: the server gathers seats, owners and groups and asks. Roles themselves still come only
// from the owner's mappings (identity-policy.ts), never from SCIM input.
import { BacklotError } from './errors.js';
import type { Decision, StudioRole } from './policy.js';

/**
 * Which IdP groups a studio's mappings are applied to for one account. Once the studio pushes
 * groups through SCIM, SCIM is the one source of group membership (a sign-in's claim would undo
 * what the last SCIM update decided, and back); until then, the groups of the last sign-in.
 */
export function groupsForMappings(facts: { scimGroupsInUse: boolean; scimGroups: readonly string[]; loginGroups: readonly string[] }): string[] {
  return [...new Set(facts.scimGroupsInUse ? facts.scimGroups : facts.loginGroups)];
}

/**
 * How far deprovisioning an account in one studio reaches. Sessions are sessions of the whole
 * account, so ending all of them (and its access tokens) is right only when the studio's IdP is
 * the account's only door: no active seat in another studio and no instance administration.
 * Otherwise the studio's seat is suspended (which every request checks) and only the sessions
 * begun through this studio's SSO end; the account keeps working for its other studios.
 */
export function deprovisionReach(facts: { otherActiveSeats: number; instanceAdmin: boolean }): 'account' | 'studio' {
  return facts.otherActiveSeats === 0 && !facts.instanceAdmin ? 'account' : 'studio';
}

/**
 * SCIM may suspend, restore or remove the seats of the accounts it provisions, never the studio's
 * last active owner (the studio would be left without anyone to govern it).
 */
export function authorizeScimDeprovision(target: { role: StudioRole; suspended: boolean }, activeOwners: number): Decision {
  if (target.role === 'owner' && !target.suspended && activeOwners <= 1)
    return { allowed: false, error: new BacklotError('conflict', 'this account is the studio\'s last active owner; make another owner first', { reason: 'last_owner' }) };
  return { allowed: true };
}

/**
 * SCIM links an account only where a sign-in through the studio's IdP would: accounts the
 * IdP already knows, or ones that cannot reach beyond this studio (a seat here alone, under one
 * of the studio's required email domains, no instance administration, not a service account).
 */
export function authorizeIdpLink(account: {
  knownToStudioIdp: boolean;
  instanceAdmin: boolean;
  serviceAccount: boolean;
  seatStudios: readonly string[];
  emailDomain: string;
}, studio: { id: string; allowedDomains: readonly string[] }): Decision {
  if (account.knownToStudioIdp) return { allowed: true };
  const ok = !account.instanceAdmin && !account.serviceAccount && account.seatStudios.length === 1 && account.seatStudios[0] === studio.id
    && studio.allowedDomains.includes(account.emailDomain);
  return ok ? { allowed: true }
    : { allowed: false, error: new BacklotError('conflict', 'an account with this email already exists and cannot be taken over by this studio\'s identity provider; ask the studio owner', { reason: 'account_exists' }) };
}
