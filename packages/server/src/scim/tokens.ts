// A studio's SCIM provisioning token: one live token per studio, minted (or rotated: the old one
// stops at once) and revoked by an owner, shown once, stored as its SHA-256 like every other
// secret, every change audited. The token names its studio; it is no user's session and opens
// nothing under /api/v1, and no session or access token opens /scim.
import { BacklotError } from '@backlot/core';
import { inTransaction, nowIso, type AppDeps, type Ctx } from '../context.js';
import { studioAccess } from '../access/access.js';
import { appendAudit } from '../audit/log.js';
import { hashSecret, newId, newSecret } from '../auth/tokens.js';
import { SCIM_PREFIX } from './paths.js';
import { ScimError } from './errors.js';

/** Recognisable by secret scanners, and never mistaken for a session or access token. */
export const SCIM_TOKEN_PREFIX = 'blscim_';
const TOUCH_EVERY_MS = 60_000;

export const scimBaseUrl = (ctx: AppDeps, studioId: string) => `${ctx.baseUrl().replace(/\/$/, '')}${SCIM_PREFIX}/${studioId}`;

async function liveToken(db: Ctx['db'], studioId: string) {
  return db.selectFrom('scim_tokens').select(['id', 'created_at', 'created_by', 'last_used_at'])
    .where('studio_id', '=', studioId).where('revoked_at', 'is', null).executeTakeFirst();
}

export async function scimStatus(ctx: Ctx, studioId: string) {
  await studioAccess(ctx, studioId, 'studio.scim.manage');
  const t = await liveToken(ctx.db, studioId);
  return {
    baseUrl: scimBaseUrl(ctx, studioId),
    token: t ? { id: t.id, createdAt: t.created_at, createdBy: t.created_by, lastUsedAt: t.last_used_at } : null,
  };
}

/** Mints the studio's token, revoking the one before it (rotation) in the same transaction. */
export async function issueScimToken(ctx: Ctx, studioId: string) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.scim.manage');
  return inTransaction(ctx, async (trx) => {
    const at = nowIso(ctx);
    const rotated = await trx.updateTable('scim_tokens').set({ revoked_at: at }).where('studio_id', '=', studioId).where('revoked_at', 'is', null).executeTakeFirst();
    const id = newId();
    const token = `${SCIM_TOKEN_PREFIX}${newSecret()}`;
    await trx.insertInto('scim_tokens').values({ id, studio_id: studioId, token_hash: hashSecret(token), created_at: at, created_by: actor.userId, last_used_at: null, revoked_at: null }).execute();
    const replaced = Number(rotated.numUpdatedRows) > 0;
    await appendAudit(trx, { studioId, actorId: actor.userId, action: replaced ? 'scim.token_rotated' : 'scim.token_created', targetType: 'scim_token', targetId: id, ip: ctx.ip }, at);
    return { id, token, baseUrl: scimBaseUrl(ctx, studioId), createdAt: at };
  });
}

export async function revokeScimToken(ctx: Ctx, studioId: string) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.scim.manage');
  await inTransaction(ctx, async (trx) => {
    const at = nowIso(ctx);
    const live = await trx.selectFrom('scim_tokens').select('id').where('studio_id', '=', studioId).where('revoked_at', 'is', null).executeTakeFirst();
    if (!live) throw new BacklotError('not_found', 'this studio has no SCIM token');
    await trx.updateTable('scim_tokens').set({ revoked_at: at }).where('id', '=', live.id).execute();
    await appendAudit(trx, { studioId, actorId: actor.userId, action: 'scim.token_revoked', targetType: 'scim_token', targetId: live.id, ip: ctx.ip }, at);
  });
}

/**
 * The studio a SCIM request may act on: its bearer token must be the live token of exactly the
 * studio the URL names. Anything else (no token, a session or access token, a revoked token, the
 * token of another studio) is refused before any work.
 */
export async function authenticateScim(deps: AppDeps, authorization: string | undefined, studioId: string): Promise<{ tokenId: string }> {
  const m = /^Bearer\s+(\S{1,300})$/i.exec(authorization ?? '');
  if (!m) throw new ScimError(401, 'a SCIM bearer token is required (Authorization: Bearer blscim_…)');
  if (!m[1].startsWith(SCIM_TOKEN_PREFIX)) throw new ScimError(401, 'this is not a SCIM token: sessions and access tokens do not open /scim; an owner mints the studio\'s SCIM token');
  const row = await deps.db.selectFrom('scim_tokens as t').innerJoin('studios as s', 's.id', 't.studio_id')
    .select(['t.id', 't.studio_id', 't.revoked_at', 't.last_used_at', 's.deleted_at'])
    .where('t.token_hash', '=', hashSecret(m[1])).executeTakeFirst();
  if (!row || row.revoked_at || row.deleted_at) throw new ScimError(401, 'the SCIM token is not valid or was revoked');
  if (row.studio_id !== studioId) throw new ScimError(403, 'this SCIM token belongs to another studio; use the base URL shown with the token');
  const now = deps.clock.now();
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_EVERY_MS)
    await deps.db.updateTable('scim_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  return { tokenId: row.id };
}
