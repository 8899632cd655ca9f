// Where IdPs send people back: one OIDC redirect URI for the server (the state names the studio),
// and per studio a SAML entity id (its metadata URL) and assertion consumer service.
import type { AppDeps } from '../../context.js';

export const SSO_PATH = '/api/v1/auth/sso';

export const ssoBase = (deps: AppDeps) => `${deps.baseUrl()}${SSO_PATH}`;
export const oidcRedirectUri = (deps: AppDeps) => `${ssoBase(deps)}/oidc/callback`;
export const samlEntityId = (deps: AppDeps, studioId: string) => `${ssoBase(deps)}/${studioId}/saml/metadata`;
export const samlAcsUrl = (deps: AppDeps, studioId: string) => `${ssoBase(deps)}/${studioId}/saml/acs`;
