// Answers of the identity routes: access tokens, service accounts, SSO settings and sign-in.
import type { StudioRole } from '../../policy.js';
import type { TokenAccess } from '../../token-scope.js';

export interface AccessTokenView {
  id: string;
  /** The account it acts as (a person, or a service account). */
  userId: string;
  name: string;
  access: TokenAccess;
  /** Project-limited tokens name their projects; null reaches every project of the account. */
  projects: string[] | null;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** In lists of one's own tokens: the token this request came with. */
  current?: boolean;
}

/** POST /auth/tokens, POST .../service-accounts/:userId/tokens: the secret, shown this once. */
export interface NewAccessToken extends AccessTokenView {
  token: string;
}

export interface AccessTokenList {
  tokens: AccessTokenView[];
}

export interface ServiceAccountView {
  userId: string;
  name: string;
  role: StudioRole | null;
  status: 'active' | 'suspended' | 'deactivated';
  createdAt: string;
  lastActiveAt?: string | null;
  tokens: AccessTokenView[];
}

export interface ServiceAccountList {
  serviceAccounts: ServiceAccountView[];
}

export interface GroupMappingView {
  id: string;
  group: string;
  studioRole: StudioRole;
  projectRoles: { projectId: string; roleId: string }[];
  createdAt: string;
  createdBy: string;
}

/** GET /studios/:studioId/sso: never a secret. */
export interface SsoSettings {
  oidc: { issuer: string; clientId: string; hasClientSecret: boolean; groupsClaim: string; redirectUri: string } | null;
  saml: { entryPoint: string; idpIssuer: string; certificateCount: number; groupsAttribute: string } | null;
  /** What to give the IdP: the SAML entity id (also the metadata URL), ACS URL and OIDC redirect URI. */
  serviceProvider: { entityId: string; acsUrl: string; metadataUrl: string; oidcRedirectUri: string };
  /** Password sign-in refused for accounts the IdP manages (except the break-glass list). */
  enforced: boolean;
  breakGlass: string[];
  sessionMaxMinutes: number | null;
  mappings: GroupMappingView[];
}

/** GET /auth/sso/discover. */
export interface SsoDiscovery {
  studios: { studioId: string; studioName: string; protocols: ('oidc' | 'saml')[] }[];
}

/** POST /auth/sso/cli/exchange: a bearer session. */
export interface SsoCliSession {
  userId: string;
  studioId: string;
  token: string;
  expiresAt: string;
}

/** GET /studios/:studioId/seats/dormant. */
export interface DormantSeats {
  seats: { userId: string; email: string; name: string; role: StudioRole; lastActiveAt: string | null; joinedAt: string }[];
}

/** POST /studios/:studioId/seats/suspend-dormant: who was suspended, and who was kept (self, last owner). */
export interface DormantSuspended {
  suspended: string[];
  kept: { userId: string; reason: string }[];
}

/** GET /studios/:studioId/scim: the base URL to give the IdP, and the live token (never its secret). */
export interface ScimStatus {
  baseUrl: string;
  token: { id: string; createdAt: string; createdBy: string; lastUsedAt: string | null } | null;
}

/** POST /studios/:studioId/scim/token: the secret, shown this once (a previous token has stopped). */
export interface NewScimToken {
  id: string;
  token: string;
  baseUrl: string;
  createdAt: string;
}
