// Reads what Backlot needs from a SAML IdP's metadata document: its entity id, the HTTP-Redirect
// single sign-on URL, and its signing certificates. Only reads: signatures are node-saml's job.
import { DOMParser } from '@xmldom/xmldom';
import { BacklotError } from '@backlot/core';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface IdpMetadata {
  entityId: string;
  entryPoint: string;
  certificates: string[];
}

/** `field`: the input the document came from (pasted XML, or the URL it was read from). */
export function parseIdpMetadata(xml: string, field: 'metadataXml' | 'metadataUrl' = 'metadataXml'): IdpMetadata {
  const bad = (message: string) => new BacklotError('validation_failed', `IdP metadata: ${message}`, { field });
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m), warning: () => {} } })
    .parseFromString(xml, 'text/xml');
  if (errors.length || !doc?.documentElement) throw bad('not well-formed XML');
  const entity = doc.documentElement;
  if (entity.namespaceURI !== MD || entity.localName !== 'EntityDescriptor') throw bad('the document is not an EntityDescriptor');
  const entityId = entity.getAttribute('entityID');
  if (!entityId) throw bad('entityID is missing');
  const idp = entity.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  if (!idp) throw bad('no IDPSSODescriptor');
  const services = Array.from(idp.getElementsByTagNameNS(MD, 'SingleSignOnService'));
  const entryPoint = services.find((s) => s.getAttribute('Binding') === REDIRECT)?.getAttribute('Location');
  if (!entryPoint) throw bad('no SingleSignOnService with the HTTP-Redirect binding');
  const certificates: string[] = [];
  for (const key of Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))) {
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const c of Array.from(key.getElementsByTagNameNS(DS, 'X509Certificate'))) {
      const text = (c.textContent ?? '').replace(/\s+/g, '');
      if (text) certificates.push(text);
    }
  }
  if (!certificates.length) throw bad('no signing certificate');
  return { entityId, entryPoint, certificates: [...new Set(certificates)] };
}
