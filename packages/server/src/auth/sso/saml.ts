// SAML 2.0 through @node-saml/node-saml: the AuthnRequest (HTTP-Redirect binding), the signed
// response posted back (HTTP-POST binding), and the SP metadata. node-saml checks the XML
// signature (assertions must be signed, with one of the studio's IdP certificates), the issuer,
// audience, time conditions and InResponseTo (the request ids live in the database, so any server
// process can finish a sign-in another began). On top: the Recipient and Destination must be
// this studio's ACS URL, and an assertion id is accepted once (replay).
import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { BacklotError } from '@backlot/core';
import type { AppDeps } from '../../context.js';
import type { StudioSsoTable } from '../../db/schema.js';
import { samlAcsUrl, samlEntityId } from './urls.js';

/** How long an AuthnRequest may wait for its answer. */
const REQUEST_TTL_MS = 10 * 60_000;
const CLOCK_SKEW_MS = 60_000;

/** node-saml's InResponseTo memory, in the database. */
function requestStore(deps: AppDeps): CacheProvider {
  return {
    async saveAsync(key, value) {
      await deps.db.insertInto('saml_requests').values({ id: key, created_at: value }).execute();
      return { value, createdAt: Date.parse(value) };
    },
    async getAsync(key) {
      const row = await deps.db.selectFrom('saml_requests').select('created_at').where('id', '=', key).executeTakeFirst();
      return row?.created_at ?? null;
    },
    async removeAsync(key) {
      if (key === null) return null;
      const row = await deps.db.deleteFrom('saml_requests').where('id', '=', key).returning('created_at').executeTakeFirst();
      return row?.created_at ?? null;
    },
  };
}

export function samlFor(deps: AppDeps, studioId: string, sso: Pick<StudioSsoTable, 'saml_entry_point' | 'saml_idp_issuer' | 'saml_idp_certs'> | null): SAML {
  const certs = sso?.saml_idp_certs ? (JSON.parse(sso.saml_idp_certs) as string[]) : [];
  return new SAML({
    callbackUrl: samlAcsUrl(deps, studioId),
    issuer: samlEntityId(deps, studioId),
    audience: samlEntityId(deps, studioId),
    // Metadata can be shown before an IdP is configured; sign-in needs one.
    entryPoint: sso?.saml_entry_point ?? undefined,
    idpIssuer: sso?.saml_idp_issuer ?? undefined,
    idpCert: certs.length ? certs : 'MIIBnotconfigured',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider: requestStore(deps),
    identifierFormat: null,
    disableRequestedAuthnContext: true,
  });
}

export function spMetadata(deps: AppDeps, studioId: string): string {
  return samlFor(deps, studioId, null).generateServiceProviderMetadata(null, null);
}

export async function samlAuthorizationUrl(deps: AppDeps, studioId: string, sso: StudioSsoTable, relayState: string): Promise<string> {
  return samlFor(deps, studioId, sso).getAuthorizeUrlAsync(relayState, undefined, {});
}

export interface SamlIdentity {
  subject: string;
  email: string | null;
  name: string | null;
  groups: string[];
  assertionId: string;
  /** When the assertion stops being valid: how long its id must be remembered. */
  notOnOrAfter: string | null;
}

const refused = (message: string, reason = 'saml_rejected') => new BacklotError('unauthenticated', message, { reason });

const attr = (profile: Record<string, unknown>, name: string): string[] => {
  const v = profile[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
};

/** Validates a posted SAMLResponse; any failure is a 401 and nothing is recorded but refusals. */
export async function samlValidate(deps: AppDeps, studioId: string, sso: StudioSsoTable, samlResponse: string, groupsAttribute: string): Promise<SamlIdentity> {
  let profile;
  try {
    ({ profile } = await samlFor(deps, studioId, sso).validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (err) {
    throw refused(`the SAML response was not accepted: ${(err as Error).message}`);
  }
  if (!profile?.nameID) throw refused('the SAML assertion names no subject');
  // Only the signed assertion node-saml verified is read here.
  const doc = new DOMParser().parseFromString(profile.getAssertionXml?.() ?? '', 'text/xml');
  const assertion = doc.documentElement;
  const assertionId = assertion?.getAttribute('ID');
  if (!assertionId) throw refused('the SAML assertion has no ID');
  const acs = samlAcsUrl(deps, studioId);
  const confirmations = Array.from(assertion.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'SubjectConfirmationData'));
  if (!confirmations.length || confirmations.some((c) => c.getAttribute('Recipient') !== acs))
    throw refused('the SAML assertion was meant for another recipient', 'saml_recipient');
  const destination = new DOMParser().parseFromString(Buffer.from(samlResponse, 'base64').toString('utf8'), 'text/xml').documentElement?.getAttribute('Destination');
  if (destination && destination !== acs) throw refused('the SAML response was sent to another destination', 'saml_recipient');
  const p = profile as unknown as Record<string, unknown>;
  const email = (typeof profile.email === 'string' && profile.email) || attr(p, 'mail')[0] || attr(p, 'email')[0]
    || (/@/.test(profile.nameID) ? profile.nameID : null);
  const name = attr(p, 'displayName')[0] ?? attr(p, 'name')[0] ?? null;
  return {
    subject: profile.nameID, email: email || null, name, groups: attr(p, groupsAttribute), assertionId,
    notOnOrAfter: confirmations[0].getAttribute('NotOnOrAfter') || null,
  };
}
