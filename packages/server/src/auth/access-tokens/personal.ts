// Personal access tokens: a person's own tokens for scripts and pipelines. Minting and revoking
// need a real sign-in (a token never mints tokens); every change is audited.
import { BacklotError } from '@backlot/core';
import { inTransaction, nowIso, type Ctx } from '../../context.js';
import { requireAccountAction } from '../../access/access.js';
import { appendAudit } from '../../audit/log.js';
import { callerReaches, insertToken, tokenView, validTokenInput, type TokenInput } from './issue.js';

export async function createPersonalToken(ctx: Ctx, input: TokenInput) {
  const user = requireAccountAction(ctx, 'account.manage');
  const v = await validTokenInput(input, (p) => callerReaches(ctx, p));
  return inTransaction(ctx, async (trx) => {
    const made = await insertToken(ctx, trx, { userId: user.id, studioId: null }, v, user.id);
    await appendAudit(trx, {
      actorId: user.id, action: 'token.created', targetType: 'access_token', targetId: made.view.id,
      after: { name: v.name, access: v.access, projects: v.projects, expiresAt: made.view.expiresAt }, ip: ctx.ip,
    }, nowIso(ctx));
    return { ...made.view, token: made.token };
  });
}

export async function listPersonalTokens(ctx: Ctx) {
  const user = requireAccountAction(ctx, 'account.view');
  const rows = await ctx.db.selectFrom('access_tokens').selectAll().where('user_id', '=', user.id).orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map((r) => ({ ...tokenView(r), current: r.id === user.sessionId }));
}

export async function revokePersonalToken(ctx: Ctx, tokenId: string) {
  const user = requireAccountAction(ctx, 'account.manage');
  await inTransaction(ctx, async (trx) => {
    const at = nowIso(ctx);
    const res = await trx.updateTable('access_tokens').set({ revoked_at: at })
      .where('id', '=', tokenId).where('user_id', '=', user.id).where('studio_id', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new BacklotError('not_found', 'token not found');
    await appendAudit(trx, { actorId: user.id, action: 'token.revoked', targetType: 'access_token', targetId: tokenId, ip: ctx.ip }, at);
  });
}
