// Where SCIM lives: `/scim/v2/STUDIO_ID/...`, one base URL per studio (what Okta and Entra ID are
// given), so a token of another studio is refused by name rather than answered about nothing.
export const SCIM_PREFIX = '/scim/v2';

export const isScimPath = (url: string) => url === SCIM_PREFIX || url.startsWith(`${SCIM_PREFIX}/`);

export const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
} as const;

export const SCIM_MEDIA_TYPE = 'application/scim+json';
