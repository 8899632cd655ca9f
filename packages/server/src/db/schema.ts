// Row types of every table, as Kysely sees them. Times are ISO-8601 UTC strings (sortable as
// text on both SQLite and PostgreSQL); booleans are 0/1 integers; lists are JSON text.
import type { Entity } from '@backlot/core';
import type { Generated } from 'kysely';


export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  is_instance_admin: number;
  deactivated_at: string | null;
  created_at: string;
  last_active_at: string | null;
  /** A service account of this studio (never signs in; works through access tokens). */
  service_studio_id: string | null;
  /** Created by this studio's identity provider (JIT sign-in). */
  managed_by_studio: string | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  csrf_hash: string;
  kind: 'cookie' | 'bearer';
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  ip: string | null;
  user_agent: string | null;
  /** Signed in through this studio's SSO: its maximum session age applies. */
  sso_studio_id: string | null;
}

export interface SetupTokensTable {
  token_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface LoginFailuresTable {
  id: string;
  email: string;
  ip: string;
  created_at: string;
}

export interface StudiosTable {
  id: string;
  name: string;
  allowed_domains: string;
  created_at: string;
  created_by: string;
  deleted_at: string | null;
  quota_bytes: number | null;
}

export interface StudioMembersTable {
  studio_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  suspended_at: string | null;
  joined_at: string;
  /** 'scim' when SCIM suspended the seat (only SCIM lifts that); null otherwise. */
  suspended_via: Generated<string | null>;
}

export interface ProjectsTable {
  id: string;
  studio_id: string;
  name: string;
  status: 'active' | 'archived';
  preset: string;
  revision: number;
  /** JSON: collectionTypes, assetTypes, dependencyTypes, tags. */
  settings: string;
  quota_bytes: number | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface RolesTable {
  id: string;
  project_id: string;
  key: string | null;
  name: string;
  rank: number;
  fixed: number;
  assigned_only: number;
  permissions: string;
  created_at: string;
  updated_at: string;
}

export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  role_id: string;
  added_at: string;
  added_by: string | null;
}

export interface InvitationsTable {
  id: string;
  studio_id: string;
  email: string;
  studio_role: 'owner' | 'admin' | 'member';
  projects: string;
  token_hash: string | null;
  invited_by: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_by: string | null;
  revoked_at: string | null;
  sent_count: number;
}

export interface AuditHeadsTable {
  scope: string;
  seq: number;
  hash: string;
}

export interface AuditLogTable {
  scope: string;
  seq: number;
  studio_id: string | null;
  project_id: string | null;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  before: string | null;
  after: string | null;
  ip: string | null;
  created_at: string;
  prev_hash: string;
  hash: string;
}

export interface CollectionsTable {
  id: string;
  project_id: string;
  parent_id: string | null;
  name: string;
  type: string | null;
  description: string | null;
  shared: number;
  assignee_id: string | null;
  created_at: string;
  created_by: string;
  created_rev: number;
  updated_at: string;
  deleted_at: string | null;
  deleted_by: string | null;
  /** The id of the item whose deletion trashed this one (itself, or a trashed ancestor). */
  trash_root: string | null;
}

export interface AssetsTable {
  id: string;
  project_id: string;
  collection_id: string | null;
  name: string;
  extension: string;
  kind: 'resource' | 'task';
  type: string | null;
  tags: string;
  description: string | null;
  url: string | null;
  assignee_id: string | null;
  status_id: string | null;
  cover_checkpoint_id: string | null;
  created_at: string;
  created_by: string;
  created_rev: number;
  updated_at: string;
  deleted_at: string | null;
  deleted_by: string | null;
  trash_root: string | null;
}

export interface DependenciesTable {
  id: string;
  project_id: string;
  asset_id: string;
  target_asset_id: string | null;
  target_collection_id: string | null;
  type: string;
  created_at: string;
  created_by: string;
}

export interface StatusesTable {
  id: string;
  project_id: string;
  key: string | null;
  name: string;
  short_label: string;
  color: string;
  sort_order: number;
  category: 'todo' | 'active' | 'review' | 'retake' | 'done';
  deleted_at: string | null;
}

export interface StatusChangesTable {
  id: string;
  project_id: string;
  asset_id: string;
  from_status_id: string | null;
  to_status_id: string;
  checkpoint_id: string | null;
  actor_id: string;
  created_at: string;
}

export interface CheckpointsTable {
  id: string;
  project_id: string;
  asset_id: string;
  number: number;
  file_hash: string;
  size: number;
  chunks: string;
  comment: string;
  status_id: string | null;
  preview_hash: string | null;
  reverted_from: string | null;
  author_id: string;
  created_at: string;
  deleted_at: string | null;
  deleted_by: string | null;
}

export interface ControlRequestsTable {
  id: string;
  project_id: string;
  asset_id: string;
  requester_id: string;
  status: 'pending' | 'accepted' | 'declined' | 'cancelled' | 'superseded';
  message: string | null;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

export interface ChangeLogTable {
  project_id: string;
  revision: number;
  /** Position inside the revision: entries replay in the order they were written. */
  seq: number;
  op_id: string | null;
  actor_id: string | null;
  entity: Entity;
  entity_id: string;
  change: 'upsert' | 'remove';
  data: string | null;
  created_at: string;
}

export interface AppliedOpsTable {
  project_id: string;
  op_id: string;
  actor_id: string;
  revision: number | null;
  result: string;
  /** SHA-256 of the op's canonical JSON; null for ops applied before it was recorded. */
  op_hash: string | null;
  created_at: string;
}

export interface ProjectChunksTable {
  project_id: string;
  chunk_id: string;
  size: number;
  stored_size: number;
  /** CRC-32 (as a signed 32-bit integer) of the stored encoding, recorded when it was verified; null on rows from before. */
  stored_crc: number | null;
  created_at: string;
  created_by: string | null;
}

/** A patch chunk's bases (storage's encoding 2): kept while the patch is. */
export interface ChunkBasesTable {
  project_id: string;
  chunk_id: string;
  base_id: string;
}

export interface CheckpointChunksTable {
  checkpoint_id: string;
  seq: number;
  project_id: string;
  chunk_id: string;
}

export interface ShareLinksTable {
  id: string;
  project_id: string;
  checkpoint_id: string;
  token_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  download_count: number;
  last_access_at: string | null;
}

export interface AccessTokensTable {
  id: string;
  user_id: string;
  studio_id: string | null;
  name: string;
  token_hash: string;
  access: 'read' | 'content' | 'admin';
  /** JSON list of project ids, or null for every project. */
  projects: string | null;
  created_by: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface StudioSsoTable {
  studio_id: string;
  oidc_issuer: string | null;
  oidc_client_id: string | null;
  oidc_client_secret: string | null;
  oidc_groups_claim: string | null;
  saml_entry_point: string | null;
  saml_idp_issuer: string | null;
  /** JSON list of PEM certificates. */
  saml_idp_certs: string | null;
  saml_groups_attribute: string | null;
  enforced: number;
  /** JSON list of user ids allowed to sign in with a password despite `enforced`. */
  break_glass: string;
  session_max_minutes: number | null;
  updated_at: string;
  updated_by: string | null;
}

export interface SsoMappingsTable {
  id: string;
  studio_id: string;
  idp_group: string;
  studio_role: 'owner' | 'admin' | 'member';
  /** JSON list of { projectId, roleId }. */
  project_roles: string;
  created_at: string;
  created_by: string;
}

export interface SsoIdentitiesTable {
  studio_id: string;
  user_id: string;
  oidc_subject: string | null;
  saml_subject: string | null;
  login_groups: string;
  created_at: string;
  last_login_at: string | null;
}

export interface SsoGrantsTable {
  studio_id: string;
  user_id: string;
  project_id: string;
}

export interface SsoStatesTable {
  id: string;
  studio_id: string;
  protocol: 'oidc' | 'saml';
  nonce: string | null;
  code_verifier: string | null;
  return_to: string | null;
  cli_redirect: string | null;
  cli_challenge: string | null;
  /** JSON of the verified IdpPerson, once the IdP answered. */
  identity: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  completed_at: string | null;
}

export interface SamlRequestsTable {
  id: string;
  created_at: string;
}

export interface SamlSeenAssertionsTable {
  studio_id: string;
  assertion_id: string;
  expires_at: string;
}

export interface SsoHandoffsTable {
  code_hash: string;
  user_id: string;
  studio_id: string;
  challenge: string;
  expires_at: string;
  used_at: string | null;
}

export interface ScimTokensTable {
  id: string;
  studio_id: string;
  token_hash: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ScimUsersTable {
  studio_id: string;
  user_id: string;
  user_name: string;
  user_name_key: string;
  external_id: string | null;
  active: number;
  /** JSON object of the other SCIM attributes the IdP sent. */
  attributes: string;
  created_at: string;
  updated_at: string;
}

export interface ScimGroupsTable {
  id: string;
  studio_id: string;
  display_name: string;
  display_name_key: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface ScimGroupMembersTable {
  group_id: string;
  user_id: string;
}

export interface Database {
  scim_tokens: ScimTokensTable;
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
  scim_group_members: ScimGroupMembersTable;
  access_tokens: AccessTokensTable;
  studio_sso: StudioSsoTable;
  sso_mappings: SsoMappingsTable;
  sso_identities: SsoIdentitiesTable;
  sso_grants: SsoGrantsTable;
  sso_states: SsoStatesTable;
  saml_requests: SamlRequestsTable;
  saml_seen_assertions: SamlSeenAssertionsTable;
  sso_handoffs: SsoHandoffsTable;
  project_chunks: ProjectChunksTable;
  checkpoint_chunks: CheckpointChunksTable;
  chunk_bases: ChunkBasesTable;
  share_links: ShareLinksTable;
  collections: CollectionsTable;
  assets: AssetsTable;
  dependencies: DependenciesTable;
  statuses: StatusesTable;
  status_changes: StatusChangesTable;
  checkpoints: CheckpointsTable;
  control_requests: ControlRequestsTable;
  change_log: ChangeLogTable;
  applied_ops: AppliedOpsTable;
  users: UsersTable;
  sessions: SessionsTable;
  setup_tokens: SetupTokensTable;
  login_failures: LoginFailuresTable;
  studios: StudiosTable;
  studio_members: StudioMembersTable;
  projects: ProjectsTable;
  roles: RolesTable;
  project_members: ProjectMembersTable;
  invitations: InvitationsTable;
  audit_heads: AuditHeadsTable;
  audit_log: AuditLogTable;
}
