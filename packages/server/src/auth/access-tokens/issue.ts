// Minting and listing access tokens, shared by personal tokens and service-account tokens. The
// secret is shown once, in the answer that creates it; the database keeps its SHA-256 only.
import { BacklotError, canSeeProject, TOKEN_ACCESS, type TokenAccess } from '@backlot/core';
import { addMs, DAY_MS } from '../../clock.js';
import { nowIso, type Ctx, type Trx } from '../../context.js';
import { loadProjectAccess } from '../../access/access.js';
import { validName } from '../../admin/accounts.js';
import type { AccessTokensTable } from '../../db/schema.js';
import { hashSecret, newId } from '../tokens.js';
import { newAccessToken } from './resolve.js';

export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 730;
export const MAX_TOKEN_PROJECTS = 50;

export interface TokenInput {
  name: string;
  access: TokenAccess;
  /** Limit the token to these projects (omitted: every project its account may reach). */
  projects?: string[];
  /** Days until it stops working (default 90, at most 730: no token lives for ever). */
  expiresInDays?: number;
}

export function tokenView(t: Pick<AccessTokensTable, 'id' | 'name' | 'access' | 'projects' | 'created_at' | 'expires_at' | 'last_used_at' | 'revoked_at' | 'user_id'>) {
  return {
    id: t.id, userId: t.user_id, name: t.name, access: t.access,
    projects: t.projects ? (JSON.parse(t.projects) as string[]) : null,
    createdAt: t.created_at, expiresAt: t.expires_at, lastUsedAt: t.last_used_at, revokedAt: t.revoked_at,
  };
}

/**
 * Checks a token request. `reachable(projectId)` says whether the token's account could reach
 * the project at all; a project it cannot is refused like an unknown one (nothing is disclosed).
 */
export async function validTokenInput(input: TokenInput, reachable: (projectId: string) => Promise<boolean>) {
  const name = validName(input.name, 'name', 100);
  if (!TOKEN_ACCESS.includes(input.access)) throw new BacklotError('validation_failed', `access must be one of ${TOKEN_ACCESS.join(', ')}`, { field: 'access' });
  const days = input.expiresInDays ?? DEFAULT_TOKEN_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)
    throw new BacklotError('validation_failed', `expiresInDays must be a whole number from 1 to ${MAX_TOKEN_DAYS}`, { field: 'expiresInDays' });
  let projects: string[] | null = null;
  if (input.projects !== undefined) {
    projects = [...new Set(input.projects)];
    if (projects.length === 0 || projects.length > MAX_TOKEN_PROJECTS)
      throw new BacklotError('validation_failed', `projects must list 1 to ${MAX_TOKEN_PROJECTS} projects (leave it out for all)`, { field: 'projects' });
    for (const p of projects)
      if (!(await reachable(p))) throw new BacklotError('validation_failed', 'no such project', { field: 'projects', value: p });
  }
  return { name, access: input.access, projects, days };
}

/** Whether the signed-in caller can see this project (personal tokens reach what their owner sees). */
export async function callerReaches(ctx: Ctx, projectId: string): Promise<boolean> {
  try {
    return canSeeProject((await loadProjectAccess(ctx, projectId)).actor);
  } catch {
    return false;
  }
}

export async function insertToken(ctx: Ctx, trx: Trx, owner: { userId: string; studioId: string | null }, v: Awaited<ReturnType<typeof validTokenInput>>, createdBy: string) {
  const token = newAccessToken();
  const at = nowIso(ctx);
  const row: AccessTokensTable = {
    id: newId(), user_id: owner.userId, studio_id: owner.studioId, name: v.name, token_hash: hashSecret(token), access: v.access,
    projects: v.projects ? JSON.stringify(v.projects) : null, created_by: createdBy, created_at: at,
    expires_at: addMs(ctx.clock.now(), v.days * DAY_MS).toISOString(), last_used_at: null, revoked_at: null,
  };
  await trx.insertInto('access_tokens').values(row).execute();
  return { token, view: tokenView(row) };
}
