// OpenID Connect through openid-client: issuer discovery, the authorization URL with PKCE (S256),
// state and nonce, and the code exchange, which checks state, the ID token's signature, issuer,
// audience, expiry and nonce. Issuers must be HTTPS, except loopback ones (a local or test IdP).
import * as client from 'openid-client';
import { BacklotError } from '@backlot/core';
import { createHash } from 'node:crypto';

const CACHE_MS = 5 * 60_000;
const cache = new Map<string, { config: client.Configuration; at: number }>();

const isLoopback = (u: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);

/** The client configuration for an issuer (discovered, cached a few minutes per issuer and client). */
export async function discoverIssuer(issuer: string, clientId: string, clientSecret: string | null): Promise<client.Configuration> {
  const key = `${issuer}\n${clientId}\n${createHash('sha256').update(clientSecret ?? '').digest('hex')}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.config;
  const url = new URL(issuer);
  try {
    const config = await client.discovery(url, clientId, clientSecret ?? undefined, clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(), {
      ...(url.protocol === 'http:' && isLoopback(url) ? { execute: [client.allowInsecureRequests] } : {}),
      timeout: 10,
    });
    cache.set(key, { config, at: Date.now() });
    return config;
  } catch (err) {
    throw new BacklotError('bad_request', `OpenID Connect discovery failed for ${issuer}: ${(err as Error).message}`, { reason: 'oidc_discovery' });
  }
}

export interface OidcStart {
  url: string;
  nonce: string;
  codeVerifier: string;
}

export async function oidcAuthorizationUrl(config: client.Configuration, redirectUri: string, state: string): Promise<OidcStart> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    response_type: 'code',
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  return { url: url.href, nonce, codeVerifier };
}

export interface OidcIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  groups: string[];
}

/** Exchanges the code; every check failing is a 401 that names the reason (no session is made). */
export async function oidcCallback(
  config: client.Configuration,
  callbackUrl: URL,
  checks: { state: string; nonce: string; codeVerifier: string; groupsClaim: string },
): Promise<OidcIdentity> {
  let claims: client.IDToken | undefined;
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      expectedState: checks.state, expectedNonce: checks.nonce, pkceCodeVerifier: checks.codeVerifier, idTokenExpected: true,
    });
    claims = tokens.claims();
  } catch (err) {
    throw new BacklotError('unauthenticated', `the identity provider's answer was not accepted: ${(err as Error).message}`, { reason: 'oidc_rejected' });
  }
  if (!claims?.sub) throw new BacklotError('unauthenticated', 'the ID token names no subject', { reason: 'oidc_rejected' });
  const raw = claims[checks.groupsClaim];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : typeof raw === 'string' ? [raw] : [];
  return {
    subject: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : null,
    emailVerified: claims.email_verified === true,
    name: typeof claims.name === 'string' ? claims.name : null,
    groups,
  };
}
