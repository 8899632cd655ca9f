// Every HTTP route this client calls, exactly the operations of the server's OpenAPI document
// (method and path with `{param}` placeholders). Keys are `<area>.<function>` of BacklotApi, so
// the table, the functions and the server's document are checked against each other
// (test/routes.test.ts).

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  readonly method: Method;
  readonly path: string;
  /** A POST that is safe to send twice by design (retried like GET/PUT/DELETE). */
  readonly idempotent?: true;
}

export const API_PREFIX = '/api/v1';

const route = <M extends Method, P extends string>(method: M, path: P, idempotent?: true) =>
  ({ method, path: `${API_PREFIX}${path}` as `${typeof API_PREFIX}${P}`, ...(idempotent && { idempotent }) });

export const ROUTES = {
  'meta.health': route('GET', '/health'),

  'auth.setup': route('POST', '/setup'),
  'auth.signup': route('POST', '/auth/signup'),
  'auth.login': route('POST', '/auth/login'),
  'auth.logout': route('POST', '/auth/logout'),
  'auth.me': route('GET', '/auth/me'),
  'auth.changePassword': route('POST', '/auth/password'),
  'auth.sessions': route('GET', '/auth/sessions'),
  'auth.revokeSession': route('DELETE', '/auth/sessions/{sessionId}'),
  'auth.deactivateUser': route('POST', '/admin/users/{userId}/deactivate'),
  'auth.reactivateUser': route('POST', '/admin/users/{userId}/reactivate'),

  'tokens.create': route('POST', '/auth/tokens'),
  'tokens.list': route('GET', '/auth/tokens'),
  'tokens.revoke': route('DELETE', '/auth/tokens/{tokenId}'),

  'serviceAccounts.create': route('POST', '/studios/{studioId}/service-accounts'),
  'serviceAccounts.list': route('GET', '/studios/{studioId}/service-accounts'),
  'serviceAccounts.deactivate': route('DELETE', '/studios/{studioId}/service-accounts/{userId}'),
  'serviceAccounts.createToken': route('POST', '/studios/{studioId}/service-accounts/{userId}/tokens'),
  'serviceAccounts.revokeToken': route('DELETE', '/studios/{studioId}/service-accounts/{userId}/tokens/{tokenId}'),

  'sso.get': route('GET', '/studios/{studioId}/sso'),
  'sso.setOidc': route('PUT', '/studios/{studioId}/sso/oidc'),
  'sso.removeOidc': route('DELETE', '/studios/{studioId}/sso/oidc'),
  'sso.setSaml': route('PUT', '/studios/{studioId}/sso/saml'),
  'sso.removeSaml': route('DELETE', '/studios/{studioId}/sso/saml'),
  'sso.updatePolicy': route('PATCH', '/studios/{studioId}/sso'),
  'sso.addMapping': route('POST', '/studios/{studioId}/sso/mappings'),
  'sso.removeMapping': route('DELETE', '/studios/{studioId}/sso/mappings/{mappingId}'),
  'sso.discover': route('GET', '/auth/sso/discover'),
  'sso.exchangeCliCode': route('POST', '/auth/sso/cli/exchange'),

  'scim.status': route('GET', '/studios/{studioId}/scim'),
  'scim.issueToken': route('POST', '/studios/{studioId}/scim/token'),
  'scim.revokeToken': route('DELETE', '/studios/{studioId}/scim/token'),

  'studios.list': route('GET', '/studios'),
  'studios.create': route('POST', '/studios'),
  'studios.get': route('GET', '/studios/{studioId}'),
  'studios.update': route('PATCH', '/studios/{studioId}'),
  'studios.delete': route('DELETE', '/studios/{studioId}'),

  'studioMembers.list': route('GET', '/studios/{studioId}/members'),
  'studioMembers.update': route('PATCH', '/studios/{studioId}/members/{userId}'),
  'studioMembers.remove': route('DELETE', '/studios/{studioId}/members/{userId}'),
  'studioMembers.dormant': route('GET', '/studios/{studioId}/seats/dormant'),
  'studioMembers.suspendDormant': route('POST', '/studios/{studioId}/seats/suspend-dormant'),

  'projects.list': route('GET', '/studios/{studioId}/projects'),
  'projects.create': route('POST', '/studios/{studioId}/projects'),
  'projects.get': route('GET', '/projects/{projectId}'),
  'projects.rename': route('PATCH', '/projects/{projectId}'),
  'projects.archive': route('POST', '/projects/{projectId}/archive'),
  'projects.unarchive': route('POST', '/projects/{projectId}/unarchive'),
  'projects.delete': route('DELETE', '/projects/{projectId}'),

  'projectMembers.list': route('GET', '/projects/{projectId}/members'),
  'projectMembers.add': route('POST', '/projects/{projectId}/members'),
  'projectMembers.changeRole': route('PATCH', '/projects/{projectId}/members/{userId}'),
  'projectMembers.remove': route('DELETE', '/projects/{projectId}/members/{userId}'),

  'roles.permissions': route('GET', '/permissions'),
  'roles.list': route('GET', '/projects/{projectId}/roles'),
  'roles.create': route('POST', '/projects/{projectId}/roles'),
  'roles.update': route('PATCH', '/projects/{projectId}/roles/{roleId}'),
  'roles.delete': route('DELETE', '/projects/{projectId}/roles/{roleId}'),

  'invitations.invite': route('POST', '/studios/{studioId}/invitations'),
  'invitations.list': route('GET', '/studios/{studioId}/invitations'),
  'invitations.resend': route('POST', '/studios/{studioId}/invitations/{invitationId}/resend'),
  'invitations.revoke': route('DELETE', '/studios/{studioId}/invitations/{invitationId}'),
  'invitations.lookup': route('POST', '/invitations/lookup'),
  'invitations.accept': route('POST', '/invitations/accept'),

  'audit.studio': route('GET', '/studios/{studioId}/audit'),
  'audit.project': route('GET', '/projects/{projectId}/audit'),
  'audit.verifyStudio': route('GET', '/studios/{studioId}/audit/verify'),

  'production.updateSettings': route('PATCH', '/projects/{projectId}/settings'),
  'production.createStatus': route('POST', '/projects/{projectId}/statuses'),
  'production.updateStatus': route('PATCH', '/projects/{projectId}/statuses/{statusId}'),
  'production.deleteStatus': route('DELETE', '/projects/{projectId}/statuses/{statusId}'),
  'production.createCollection': route('POST', '/projects/{projectId}/collections'),
  'production.updateCollection': route('PATCH', '/projects/{projectId}/collections/{collectionId}'),
  'production.assignCollection': route('PUT', '/projects/{projectId}/collections/{collectionId}/assignee'),
  'production.deleteCollection': route('DELETE', '/projects/{projectId}/collections/{collectionId}'),
  'production.createAsset': route('POST', '/projects/{projectId}/assets'),
  'production.updateAsset': route('PATCH', '/projects/{projectId}/assets/{assetId}'),
  'production.deleteAsset': route('DELETE', '/projects/{projectId}/assets/{assetId}'),
  'production.addDependency': route('POST', '/projects/{projectId}/assets/{assetId}/dependencies'),
  'production.removeDependency': route('DELETE', '/projects/{projectId}/dependencies/{dependencyId}'),
  'production.assignTask': route('PUT', '/projects/{projectId}/assets/{assetId}/assignee'),
  'production.setStatus': route('PUT', '/projects/{projectId}/assets/{assetId}/status'),
  'production.requestControl': route('POST', '/projects/{projectId}/assets/{assetId}/control-requests'),
  'production.acceptControl': route('POST', '/projects/{projectId}/control-requests/{requestId}/accept'),
  'production.declineControl': route('POST', '/projects/{projectId}/control-requests/{requestId}/decline'),
  'production.cancelControl': route('POST', '/projects/{projectId}/control-requests/{requestId}/cancel'),
  'production.handOff': route('POST', '/projects/{projectId}/assets/{assetId}/handoff'),
  'production.createCheckpoint': route('POST', '/projects/{projectId}/assets/{assetId}/checkpoints'),
  'production.deleteCheckpoint': route('DELETE', '/projects/{projectId}/checkpoints/{checkpointId}'),
  'production.revertCheckpoint': route('POST', '/projects/{projectId}/checkpoints/{checkpointId}/revert'),
  'production.restore': route('POST', '/projects/{projectId}/trash/{itemId}/restore'),
  'production.purge': route('DELETE', '/projects/{projectId}/trash/{itemId}'),

  'browse.board': route('GET', '/projects/{projectId}/board'),
  'browse.assets': route('GET', '/projects/{projectId}/assets'),
  'browse.asset': route('GET', '/projects/{projectId}/assets/{assetId}'),
  'browse.trail': route('GET', '/projects/{projectId}/assets/{assetId}/trail'),
  'browse.checkpoints': route('GET', '/projects/{projectId}/assets/{assetId}/checkpoints'),
  'browse.collections': route('GET', '/projects/{projectId}/collections'),
  'browse.collection': route('GET', '/projects/{projectId}/collections/{collectionId}'),
  'browse.controlRequests': route('GET', '/projects/{projectId}/control-requests'),
  'browse.trash': route('GET', '/projects/{projectId}/trash'),
  'browse.statuses': route('GET', '/projects/{projectId}/statuses'),
  'browse.settings': route('GET', '/projects/{projectId}/settings'),

  // Op ids make a re-sent batch replay its recorded results instead of applying twice.
  'sync.push': route('POST', '/projects/{projectId}/ops', true),
  'sync.pull': route('GET', '/projects/{projectId}/changes'),

  // Check and fetch only read, whatever their method (POST carries the id lists).
  'content.checkChunks': route('POST', '/projects/{projectId}/chunks/check', true),
  'content.uploadChunks': route('POST', '/projects/{projectId}/chunks'),
  'content.fetchChunks': route('POST', '/projects/{projectId}/chunks/fetch', true),
  'content.download': route('GET', '/projects/{projectId}/checkpoints/{checkpointId}/content'),
  'content.manifest': route('GET', '/projects/{projectId}/checkpoints/{checkpointId}/manifest'),
  'content.manifests': route('POST', '/projects/{projectId}/checkpoints/manifests', true),
  'content.putPreview': route('PUT', '/projects/{projectId}/checkpoints/{checkpointId}/preview'),
  'content.getPreview': route('GET', '/projects/{projectId}/checkpoints/{checkpointId}/preview'),
  'content.deletePreview': route('DELETE', '/projects/{projectId}/checkpoints/{checkpointId}/preview'),
  'content.setCover': route('PUT', '/projects/{projectId}/assets/{assetId}/cover'),
  'content.gc': route('POST', '/projects/{projectId}/gc'),
  'content.createShare': route('POST', '/projects/{projectId}/checkpoints/{checkpointId}/shares'),
  'content.listShares': route('GET', '/projects/{projectId}/shares'),
  'content.updateShare': route('PATCH', '/projects/{projectId}/shares/{shareId}'),
  'content.revokeShare': route('DELETE', '/projects/{projectId}/shares/{shareId}'),
  'content.projectUsage': route('GET', '/projects/{projectId}/usage'),
  'content.studioUsage': route('GET', '/studios/{studioId}/usage'),
  'content.setStudioQuota': route('PUT', '/studios/{studioId}/quota'),
  'content.setProjectQuota': route('PUT', '/projects/{projectId}/quota'),
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof ROUTES;

/**
 * The live events WebSocket (api.events.open). Not an HTTP operation of the OpenAPI document,
 * which leaves WebSocket routes out, so it is kept apart from ROUTES.
 */
export const LIVE_EVENTS = route('GET', '/projects/{projectId}/events');

/** Whether a route may be sent again after a lost answer. */
export function isIdempotent(route: Route): boolean {
  return route.idempotent === true || route.method === 'GET' || route.method === 'HEAD' || route.method === 'PUT' || route.method === 'DELETE';
}

type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | ParamNames<Rest> : never;

/** The path parameters a route needs, by name (`{}` for none). */
export type PathParams<P extends string> = { [K in ParamNames<P>]: string };

/** The route's path with its parameters filled in, each encoded as one path segment. */
export function fillPath<P extends string>(path: P, params: PathParams<P>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = (params as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value === '') throw new TypeError(`${path}: path parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
}
