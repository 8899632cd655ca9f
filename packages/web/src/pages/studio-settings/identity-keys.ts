// Cache keys of the identity sections of the studio settings (SSO, SCIM, service accounts, dormant seats).
export const identityKeys = {
  sso: (studioId: string) => ['sso', studioId] as const,
  scim: (studioId: string) => ['scim', studioId] as const,
  serviceAccounts: (studioId: string) => ['service-accounts', studioId] as const,
  dormant: (studioId: string, days: number) => ['dormant-seats', studioId, days] as const,
};
