// Dormant seats: studio members with no activity (sign-in, session or token use) for N days, and
// suspending them in one step. Suspension keeps the seat, the person's work and history; it ends
// their access to the studio's projects until an owner or admin reactivates them.
import { authorizeStudioMemberChange, BacklotError } from '@backlot/core';
import { addMs, DAY_MS } from '../clock.js';
import { inTransaction, nowIso, type Ctx, type Trx } from '../context.js';
import type { Db } from '../db/connect.js';
import { check, studioAccess } from '../access/access.js';
import { appendAudit } from '../audit/log.js';

export const MAX_IDLE_DAYS = 3650;

function validDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_IDLE_DAYS) throw new BacklotError('validation_failed', `days must be a whole number from 1 to ${MAX_IDLE_DAYS}`, { field: 'days' });
  return days;
}

/** Active seats whose account was last active (or, never active, joined) before the cutoff. */
async function idleSeats(db: Db | Trx, studioId: string, cutoff: string) {
  const rows = await db.selectFrom('studio_members as m').innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'u.last_active_at', 'm.role', 'm.joined_at'])
    .where('m.studio_id', '=', studioId).where('m.suspended_at', 'is', null).where('u.deactivated_at', 'is', null)
    .orderBy('u.name').orderBy('u.id').execute();
  return rows.filter((r) => (r.last_active_at ?? r.joined_at) < cutoff);
}

export async function listDormantSeats(ctx: Ctx, studioId: string, days: number) {
  await studioAccess(ctx, studioId, 'studio.seats.manage');
  const cutoff = addMs(ctx.clock.now(), -validDays(days) * DAY_MS).toISOString();
  const rows = await idleSeats(ctx.db, studioId, cutoff);
  return rows.map((r) => ({ userId: r.id, email: r.email, name: r.name, role: r.role, lastActiveAt: r.last_active_at, joinedAt: r.joined_at }));
}

/**
 * Suspends every seat idle for `days` (or only those of `userIds` among them), except the
 * caller's own and any the last-owner rule protects. Answers who was suspended and who was kept.
 */
export async function suspendDormantSeats(ctx: Ctx, studioId: string, days: number, userIds?: string[]) {
  const { actor } = await studioAccess(ctx, studioId, 'studio.seats.manage');
  const cutoff = addMs(ctx.clock.now(), -validDays(days) * DAY_MS).toISOString();
  return inTransaction(ctx, async (trx) => {
    const at = nowIso(ctx);
    let idle = await idleSeats(trx, studioId, cutoff);
    if (userIds) idle = idle.filter((s) => userIds.includes(s.id));
    const suspended: string[] = [];
    const kept: { userId: string; reason: string }[] = [];
    for (const seat of idle) {
      if (seat.id === actor.userId) { kept.push({ userId: seat.id, reason: 'self' }); continue; }
      const owners = await trx.selectFrom('studio_members').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('studio_id', '=', studioId).where('role', '=', 'owner').where('suspended_at', 'is', null).executeTakeFirstOrThrow();
      const d = authorizeStudioMemberChange(actor, { userId: seat.id, role: seat.role, suspended: false }, { kind: 'suspend' }, Number(owners.n));
      if (!d.allowed) {
        if (d.error.code === 'conflict') { kept.push({ userId: seat.id, reason: String(d.error.details.reason ?? 'conflict') }); continue; }
        check(d, { studioId, action: 'studio.seats.suspend_dormant' });
      }
      await trx.updateTable('studio_members').set({ suspended_at: at, suspended_via: null }).where('studio_id', '=', studioId).where('user_id', '=', seat.id).execute();
      await appendAudit(trx, { studioId, actorId: actor.userId, action: 'studio.member.suspended', targetType: 'user', targetId: seat.id, before: { suspended: false, lastActiveAt: seat.last_active_at }, after: { suspended: true, via: 'dormant', idleDays: days }, ip: ctx.ip }, at);
      suspended.push(seat.id);
    }
    await appendAudit(trx, { studioId, actorId: actor.userId, action: 'studio.dormant_seats_suspended', targetType: 'studio', targetId: studioId, after: { idleDays: days, suspended, kept }, ip: ctx.ip }, at);
    return { suspended, kept };
  });
}
