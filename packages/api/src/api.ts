// The whole API in one object, one typed function per documented route, grouped by area the
// way the route table names them (`api.browse.board` is ROUTES['browse.board']).
import { auditApi } from './audit.js';
import { authApi } from './auth.js';
import { browseApi } from './browse.js';
import { contentApi } from './content.js';
import { eventsApi } from './events.js';
import { invitationsApi } from './invitations.js';
import { projectMembersApi, studioMembersApi } from './members.js';
import { metaApi } from './meta.js';
import { productionApi } from './production.js';
import { projectsApi } from './projects.js';
import { rolesApi } from './roles.js';
import { studiosApi } from './studios.js';
import { syncApi } from './sync.js';
import { scimApi, serviceAccountsApi, ssoApi, tokensApi } from './identity.js';
import { Transport, type TransportOptions } from './transport.js';
import type { Session } from './session.js';

export type BacklotApiOptions = TransportOptions;

export class BacklotApi {
  readonly transport: Transport;
  readonly meta;
  readonly auth;
  readonly studios;
  readonly studioMembers;
  readonly projects;
  readonly projectMembers;
  readonly roles;
  readonly invitations;
  readonly audit;
  readonly production;
  readonly browse;
  readonly sync;
  readonly events;
  readonly content;
  readonly tokens;
  readonly serviceAccounts;
  readonly sso;
  readonly scim;

  constructor(options: BacklotApiOptions) {
    const t = (this.transport = new Transport(options));
    this.meta = metaApi(t);
    this.auth = authApi(t);
    this.studios = studiosApi(t);
    this.studioMembers = studioMembersApi(t);
    this.projects = projectsApi(t);
    this.projectMembers = projectMembersApi(t);
    this.roles = rolesApi(t);
    this.invitations = invitationsApi(t);
    this.audit = auditApi(t);
    this.production = productionApi(t);
    this.browse = browseApi(t);
    this.sync = syncApi(t);
    this.events = eventsApi(t);
    this.content = contentApi(t);
    this.tokens = tokensApi(t);
    this.serviceAccounts = serviceAccountsApi(t);
    this.sso = ssoApi(t);
    this.scim = scimApi(t);
  }

  /** Who the calls act as (sign-in calls set it; set it yourself to reuse a saved token). */
  get session(): Session {
    return this.transport.session;
  }
}
