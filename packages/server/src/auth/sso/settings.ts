// A studio's identity settings: its OpenID Connect and SAML providers, whether SSO is required
// for the accounts the IdP manages, the break-glass list, the SSO session age, and IdP group
// mappings. Owners change the provider settings; owners and admins add mappings, each refused
// when it would hand out more than its author could by hand. Every change audited; secrets never
// leave the server (the client secret is sealed).
import { X509Certificate } from 'node:crypto';
import {
  authorizeGroupMapping, authorizeGroupMappingRemoval, BacklotError, PermissionSet, STUDIO_ROLES, type GroupMapping, type ProjectActor, type StudioRole,
} from '@backlot/core';
import { inTransaction, nowIso, type Ctx, type Trx } from '../../context.js';
import { check, loadProjectAccess, studioAccess } from '../../access/access.js';
import { appendAudit } from '../../audit/log.js';
import type { StudioSsoTable } from '../../db/schema.js';
import { newId } from '../tokens.js';
import { seal } from './secret-box.js';
import { parseIdpMetadata } from './idp-metadata.js';
import { discoverIssuer } from './oidc.js';
import { oidcRedirectUri, samlAcsUrl, samlEntityId } from './urls.js';

export const MAX_BREAK_GLASS = 5;
export const MAX_MAPPINGS = 200;

export async function loadSso(db: Ctx['db'] | Trx, studioId: string): Promise<StudioSsoTable | undefined> {
  return db.selectFrom('studio_sso').selectAll().where('studio_id', '=', studioId).executeTakeFirst();
}

function emptySso(studioId: string, at: string): StudioSsoTable {
  return {
    studio_id: studioId, oidc_issuer: null, oidc_client_id: null, oidc_client_secret: null, oidc_groups_claim: null,
    saml_entry_point: null, saml_idp_issuer: null, saml_idp_certs: null, saml_groups_attribute: null, enforced: 0,
    break_glass: '[]', session_max_minutes: null, updated_at: at, updated_by: null,
  };
}

/** Updates (or first creates) a studio's row, and records what changed (never a secret). */
async function saveSso(ctx: Ctx, trx: Trx, studioId: string, actorId: string, patch: Partial<StudioSsoTable>, action: string, after: unknown) {
  const at = nowIso(ctx);
  const existing = await loadSso(trx, studioId);
  if (existing) await trx.updateTable('studio_sso').set({ ...patch, updated_at: at, updated_by: actorId }).where('studio_id', '=', studioId).execute();
  else await trx.insertInto('studio_sso').values({ ...emptySso(studioId, at), ...patch, updated_by: actorId }).execute();
  await appendAudit(trx, { studioId, actorId, action, targetType: 'studio', targetId: studioId, after, ip: ctx.ip }, at);
}

export function ssoView(ctx: Ctx, studioId: string, sso: StudioSsoTable | undefined, mappings: GroupMappingView[]) {
  return {
    oidc: sso?.oidc_issuer
      ? { issuer: sso.oidc_issuer, clientId: sso.oidc_client_id!, hasClientSecret: !!sso.oidc_client_secret, groupsClaim: sso.oidc_groups_claim ?? 'groups', redirectUri: oidcRedirectUri(ctx) }
      : null,
    saml: sso?.saml_entry_point
      ? {
          entryPoint: sso.saml_entry_point, idpIssuer: sso.saml_idp_issuer!, certificateCount: (JSON.parse(sso.saml_idp_certs ?? '[]') as string[]).length,
          groupsAttribute: sso.saml_groups_attribute ?? 'groups',
        }
      : null,
    serviceProvider: { entityId: samlEntityId(ctx, studioId), acsUrl: samlAcsUrl(ctx, studioId), metadataUrl: samlEntityId(ctx, studioId), oidcRedirectUri: oidcRedirectUri(ctx) },
    enforced: sso?.enforced === 1,
    breakGlass: JSON.parse(sso?.break_glass ?? '[]') as string[],
    sessionMaxMinutes: sso?.session_max_minutes ?? null,
    mappings,
  };
}

export async function getSsoSettings(ctx: Ctx, studioId: string) {
  await studioAccess(ctx, studioId, 'studio.sso.mappings');
  return ssoView(ctx, studioId, await loadSso(ctx.db, studioId), await listMappings(ctx.db, studioId));
}

// ---- providers -------------------------------------------------------------------------------

/** HTTPS only, except loopback addresses (a test or on-machine IdP). */
export function validIdpUrl(raw: string, field: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new BacklotError('validation_failed', `${field} is not a URL`, { field });
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) throw new BacklotError('validation_failed', `${field} must be an https:// URL`, { field });
  if (u.username || u.password || u.hash) throw new BacklotError('validation_failed', `${field} must not carry credentials or a fragment`, { field });
  return u.toString().replace(/\/$/, u.pathname === '/' ? '' : '/');
}

export async function setOidc(ctx: Ctx, studioId: string, input: { issuer: string; clientId: string; clientSecret?: string; groupsClaim?: string }) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.sso.manage');
  const issuer = validIdpUrl(input.issuer, 'issuer');
  // Discovery now, so a wrong issuer is a clear answer here rather than a failed sign-in later.
  await discoverIssuer(issuer, input.clientId, input.clientSecret ?? null);
  await inTransaction(ctx, async (trx) => {
    const existing = await loadSso(trx, studioId);
    const secret = input.clientSecret !== undefined ? seal(ctx.config, input.clientSecret)
      : existing?.oidc_issuer === issuer ? existing.oidc_client_secret : null;
    await saveSso(ctx, trx, studioId, actor.userId, {
      oidc_issuer: issuer, oidc_client_id: input.clientId, oidc_client_secret: secret, oidc_groups_claim: input.groupsClaim ?? null,
    }, 'sso.oidc_configured', { issuer, clientId: input.clientId, clientSecretChanged: input.clientSecret !== undefined, groupsClaim: input.groupsClaim ?? 'groups' });
  });
  return getSsoSettings(ctx, studioId);
}

export async function setSaml(
  ctx: Ctx, studioId: string,
  input: { metadataUrl?: string; metadataXml?: string; entryPoint?: string; idpIssuer?: string; certificates?: string[]; groupsAttribute?: string },
) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.sso.manage');
  let entryPoint: string, idpIssuer: string, certs: string[];
  const ways = [input.metadataUrl !== undefined, input.metadataXml !== undefined, !!(input.entryPoint || input.idpIssuer || input.certificates)].filter(Boolean).length;
  if (ways > 1) throw new BacklotError('validation_failed', 'send one of metadataUrl, metadataXml, or entryPoint with idpIssuer and certificates', { field: 'metadataXml' });
  if (input.metadataUrl !== undefined) {
    const md = parseIdpMetadata(await fetchIdpMetadata(validIdpUrl(input.metadataUrl, 'metadataUrl')), 'metadataUrl');
    ({ entryPoint, entityId: idpIssuer, certificates: certs } = md);
  } else if (input.metadataXml !== undefined) {
    const md = parseIdpMetadata(input.metadataXml);
    ({ entryPoint, entityId: idpIssuer, certificates: certs } = md);
  } else {
    if (!input.entryPoint || !input.idpIssuer || !input.certificates?.length)
      throw new BacklotError('validation_failed', 'entryPoint, idpIssuer and certificates are needed (or metadataXml)', { fields: ['entryPoint', 'idpIssuer', 'certificates'] });
    ({ entryPoint, idpIssuer, certificates: certs } = input as Required<typeof input>);
  }
  entryPoint = validIdpUrl(entryPoint, 'entryPoint');
  const normalised = certs.map((c, i) => {
    const body = c.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    try {
      new X509Certificate(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`);
    } catch {
      throw new BacklotError('validation_failed', `certificate ${i + 1} is not an X.509 certificate`, { field: 'certificates' });
    }
    return body;
  });
  await inTransaction(ctx, (trx) =>
    saveSso(ctx, trx, studioId, actor.userId, {
      saml_entry_point: entryPoint, saml_idp_issuer: idpIssuer, saml_idp_certs: JSON.stringify(normalised), saml_groups_attribute: input.groupsAttribute ?? null,
    }, 'sso.saml_configured', { entryPoint, idpIssuer, certificates: normalised.length, groupsAttribute: input.groupsAttribute ?? 'groups' }));
  return getSsoSettings(ctx, studioId);
}

/** Bounds on reading an IdP's metadata document: an owner's URL must not tie up the server. */
const METADATA_TIMEOUT_MS = 10_000;
const METADATA_MAX_BYTES = 1024 * 1024;

/** The IdP's metadata from its URL (https, or http on loopback), read within bounds; a clear 400 otherwise. */
async function fetchIdpMetadata(url: string): Promise<string> {
  const refuse = (why: string) => new BacklotError('validation_failed', `could not read the metadata at ${url}: ${why}`, { field: 'metadataUrl' });
  let res: Response;
  try {
    // Redirects are not followed: where the document comes from is what the owner named.
    res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(METADATA_TIMEOUT_MS), headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
  } catch (err) {
    throw refuse((err as Error).name === 'TimeoutError' ? 'no answer within 10 s' : (err as Error).message);
  }
  if (res.status !== 200) throw refuse(`the server answered ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > METADATA_MAX_BYTES) throw refuse('the document is larger than 1 MiB');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > METADATA_MAX_BYTES) throw refuse('the document is larger than 1 MiB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function removeProvider(ctx: Ctx, studioId: string, protocol: 'oidc' | 'saml') {
  const { actor } = await studioAccess(ctx, studioId, 'studio.sso.manage');
  const patch: Partial<StudioSsoTable> = protocol === 'oidc'
    ? { oidc_issuer: null, oidc_client_id: null, oidc_client_secret: null, oidc_groups_claim: null }
    : { saml_entry_point: null, saml_idp_issuer: null, saml_idp_certs: null, saml_groups_attribute: null };
  await inTransaction(ctx, (trx) => saveSso(ctx, trx, studioId, actor.userId, patch, `sso.${protocol}_removed`, null));
}

// ---- policy settings --------------------------------------------------------------------------

export async function updateSsoPolicy(ctx: Ctx, studioId: string, input: { enforced?: boolean; breakGlass?: string[]; sessionMaxMinutes?: number | null }) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.sso.manage');
  await inTransaction(ctx, async (trx) => {
    const patch: Partial<StudioSsoTable> = {};
    if (input.enforced !== undefined) patch.enforced = input.enforced ? 1 : 0;
    if (input.sessionMaxMinutes !== undefined) patch.session_max_minutes = input.sessionMaxMinutes;
    if (input.breakGlass !== undefined) {
      const ids = [...new Set(input.breakGlass)];
      if (ids.length > MAX_BREAK_GLASS) throw new BacklotError('validation_failed', `the break-glass list holds at most ${MAX_BREAK_GLASS} accounts`, { field: 'breakGlass' });
      for (const id of ids) {
        const seat = await trx.selectFrom('studio_members').select('user_id').where('studio_id', '=', studioId).where('user_id', '=', id).executeTakeFirst();
        if (!seat) throw new BacklotError('validation_failed', 'break-glass accounts must be members of the studio', { field: 'breakGlass', value: id });
      }
      patch.break_glass = JSON.stringify(ids);
    }
    if (!Object.keys(patch).length) throw new BacklotError('validation_failed', 'nothing to change');
    await saveSso(ctx, trx, studioId, actor.userId, patch, 'sso.policy_changed', input);
  });
  return getSsoSettings(ctx, studioId);
}

// ---- group mappings --------------------------------------------------------------------------

export interface GroupMappingView extends GroupMapping {
  id: string;
  createdAt: string;
  createdBy: string;
}

export async function listMappings(db: Ctx['db'] | Trx, studioId: string): Promise<GroupMappingView[]> {
  const rows = await db.selectFrom('sso_mappings').selectAll().where('studio_id', '=', studioId).orderBy('idp_group').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id, group: r.idp_group, studioRole: r.studio_role, projectRoles: JSON.parse(r.project_roles), createdAt: r.created_at, createdBy: r.created_by,
  }));
}

export async function addMapping(ctx: Ctx, studioId: string, input: { group: string; studioRole: StudioRole; projectRoles?: { projectId: string; roleId: string }[] }) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.sso.mappings');
  if (!STUDIO_ROLES.includes(input.studioRole)) throw new BacklotError('validation_failed', 'unknown studio role', { field: 'studioRole' });
  const group = input.group.trim();
  if (!group) throw new BacklotError('validation_failed', 'group must not be empty', { field: 'group' });
  const projectRoles = input.projectRoles ?? [];
  if (new Set(projectRoles.map((p) => p.projectId)).size !== projectRoles.length)
    throw new BacklotError('validation_failed', 'name each project once', { field: 'projectRoles' });
  const mapping: GroupMapping = { group, studioRole: input.studioRole, projectRoles };
  // The facts for each named project: the author's access there and the role they would hand out.
  const facts = new Map<string, { actor: ProjectActor; role: { fixed: boolean; permissions: PermissionSet } | null } | null>();
  for (const { projectId, roleId } of projectRoles) {
    const access = await loadProjectAccess(ctx, projectId).catch(() => null);
    if (!access || access.project.studio_id !== studioId) { facts.set(projectId, null); continue; }
    const role = await ctx.db.selectFrom('roles').select(['fixed', 'permissions']).where('id', '=', roleId).where('project_id', '=', projectId).executeTakeFirst();
    facts.set(projectId, { actor: access.actor, role: role ? { fixed: role.fixed === 1, permissions: PermissionSet.of(JSON.parse(role.permissions)) } : null });
  }
  check(authorizeGroupMapping(actor, mapping, facts), { studioId, action: 'studio.sso.mapping.add' });
  return inTransaction(ctx, async (trx) => {
    const count = await trx.selectFrom('sso_mappings').select((eb) => eb.fn.countAll<number>().as('n')).where('studio_id', '=', studioId).executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_MAPPINGS) throw new BacklotError('conflict', `a studio holds at most ${MAX_MAPPINGS} mappings`);
    const at = nowIso(ctx);
    const id = newId();
    await trx.insertInto('sso_mappings').values({ id, studio_id: studioId, idp_group: group, studio_role: mapping.studioRole, project_roles: JSON.stringify(projectRoles), created_at: at, created_by: actor.userId }).execute();
    await appendAudit(trx, { studioId, actorId: actor.userId, action: 'sso.mapping_added', targetType: 'sso_mapping', targetId: id, after: mapping, ip: ctx.ip }, at);
    return { id, ...mapping, createdAt: at, createdBy: actor.userId };
  });
}

export async function removeMapping(ctx: Ctx, studioId: string, mappingId: string) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.sso.mappings');
  await inTransaction(ctx, async (trx) => {
    const row = await trx.selectFrom('sso_mappings').selectAll().where('id', '=', mappingId).where('studio_id', '=', studioId).executeTakeFirst();
    if (!row) throw new BacklotError('not_found', 'mapping not found');
    // Removing an owner mapping takes ownership away from future sign-ins: owners only.
    check(authorizeGroupMappingRemoval(actor, { studioRole: row.studio_role }), { studioId, action: 'studio.sso.mapping.remove' });
    await trx.deleteFrom('sso_mappings').where('id', '=', mappingId).execute();
    await appendAudit(trx, { studioId, actorId: actor.userId, action: 'sso.mapping_removed', targetType: 'sso_mapping', targetId: mappingId, before: { group: row.idp_group, studioRole: row.studio_role, projectRoles: JSON.parse(row.project_roles) }, ip: ctx.ip }, nowIso(ctx));
  });
}
