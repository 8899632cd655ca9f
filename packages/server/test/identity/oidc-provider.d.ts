// oidc-provider ships no types; the test IdP uses a small part of it.
declare module 'oidc-provider';
