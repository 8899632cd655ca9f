// Identity: personal access tokens, studio service accounts, SSO settings, group mappings and
// the SSO sign-in steps a client takes part in (discovery, the CLI's code exchange, and the
// browser start address, which is a navigation rather than an API call).
import type {
  AccessTokenList, GroupMappingView, NewAccessToken, NewScimToken, ScimStatus, ServiceAccountList, ServiceAccountView, SsoCliSession, SsoDiscovery,
  SsoSettings, StudioRole, TokenAccess,
} from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

export interface TokenFields {
  name: string;
  access: TokenAccess;
  /** Limit to these projects (omit for all). */
  projects?: string[];
  /** 1 to 730 (default 90). */
  expiresInDays?: number;
}

export function tokensApi(t: Transport) {
  return {
    /** POST /auth/tokens (needs a password or SSO sign-in, not a token): the secret is in this answer only. */
    create: (body: TokenFields): Promise<NewAccessToken> => t.json(ROUTES['tokens.create'], {}, { json: body }),
    list: (): Promise<AccessTokenList> => t.json(ROUTES['tokens.list'], {}),
    revoke: (tokenId: string): Promise<void> => t.none(ROUTES['tokens.revoke'], { tokenId }),
  };
}

export function serviceAccountsApi(t: Transport) {
  return {
    create: (studioId: string, body: { name: string; role?: StudioRole }): Promise<ServiceAccountView> =>
      t.json(ROUTES['serviceAccounts.create'], { studioId }, { json: body }),
    list: (studioId: string): Promise<ServiceAccountList> => t.json(ROUTES['serviceAccounts.list'], { studioId }),
    /** Every token of the account stops at once; its work stays. */
    deactivate: (studioId: string, userId: string): Promise<void> => t.none(ROUTES['serviceAccounts.deactivate'], { studioId, userId }),
    createToken: (studioId: string, userId: string, body: TokenFields): Promise<NewAccessToken> =>
      t.json(ROUTES['serviceAccounts.createToken'], { studioId, userId }, { json: body }),
    revokeToken: (studioId: string, userId: string, tokenId: string): Promise<void> =>
      t.none(ROUTES['serviceAccounts.revokeToken'], { studioId, userId, tokenId }),
  };
}

export function ssoApi(t: Transport) {
  return {
    get: (studioId: string): Promise<SsoSettings> => t.json(ROUTES['sso.get'], { studioId }),
    setOidc: (studioId: string, body: { issuer: string; clientId: string; clientSecret?: string; groupsClaim?: string }): Promise<SsoSettings> =>
      t.json(ROUTES['sso.setOidc'], { studioId }, { json: body }),
    removeOidc: (studioId: string): Promise<void> => t.none(ROUTES['sso.removeOidc'], { studioId }),
    setSaml: (studioId: string, body: { metadataUrl?: string; metadataXml?: string; entryPoint?: string; idpIssuer?: string; certificates?: string[]; groupsAttribute?: string }): Promise<SsoSettings> =>
      t.json(ROUTES['sso.setSaml'], { studioId }, { json: body }),
    removeSaml: (studioId: string): Promise<void> => t.none(ROUTES['sso.removeSaml'], { studioId }),
    updatePolicy: (studioId: string, body: { enforced?: boolean; breakGlass?: string[]; sessionMaxMinutes?: number | null }): Promise<SsoSettings> =>
      t.json(ROUTES['sso.updatePolicy'], { studioId }, { json: body }),
    addMapping: (studioId: string, body: { group: string; studioRole: StudioRole; projectRoles?: { projectId: string; roleId: string }[] }): Promise<GroupMappingView> =>
      t.json(ROUTES['sso.addMapping'], { studioId }, { json: body }),
    removeMapping: (studioId: string, mappingId: string): Promise<void> => t.none(ROUTES['sso.removeMapping'], { studioId, mappingId }),
    discover: (email: string): Promise<SsoDiscovery> => t.json(ROUTES['sso.discover'], {}, { query: { email } }),
    /** The CLI's loopback flow: redeem the code the browser brought back, with the verifier; adopts the session. */
    exchangeCliCode: async (body: { code: string; verifier: string }): Promise<SsoCliSession> => {
      const answer: SsoCliSession = await t.json(ROUTES['sso.exchangeCliCode'], {}, { json: body });
      t.session.adopt(answer);
      return answer;
    },
    /** Where a browser starts an SSO sign-in (a page to open, not an API call). */
    startUrl: (studioId: string, query: { protocol?: 'oidc' | 'saml'; returnTo?: string; cliRedirect?: string; cliChallenge?: string } = {}): string =>
      t.url(SSO_START, { studioId }, query),
  };
}

export function scimApi(t: Transport) {
  return {
    /** GET /studios/:id/scim (owners): the base URL and the live token's dates, never its secret. */
    status: (studioId: string): Promise<ScimStatus> => t.json(ROUTES['scim.status'], { studioId }),
    /** Mints the token (shown in this answer only); minting again rotates it: the previous one stops at once. */
    issueToken: (studioId: string): Promise<NewScimToken> => t.json(ROUTES['scim.issueToken'], { studioId }),
    revokeToken: (studioId: string): Promise<void> => t.none(ROUTES['scim.revokeToken'], { studioId }),
  };
}

/** The browser start of an SSO sign-in (not an operation of the OpenAPI document). */
export const SSO_START = { method: 'GET', path: '/api/v1/auth/sso/{studioId}/start' } as const;
