// Login throttling, kept in the database so every server process sees the same counts. Guessing
// is slowed per (account, address) and refused per address; an account is never locked, so
// knowing someone's email does not let anyone keep them out (docs/design.md, "Sign-in
// throttling", has the reasoning).
import { BacklotError } from '@backlot/core';
import type { AppDeps } from '../context.js';
import { newId } from './tokens.js';

/** Failures older than this are forgotten. */
export const WINDOW_MS = 15 * 60 * 1000;
/** Failed guesses one address may make at one account before it is slowed down. */
export const FREE_FAILURES = 5;
/** While an account is under attack from many addresses, each new address gets only this many. */
export const FREE_FAILURES_UNDER_ATTACK = 1;
/** Failures at one account in the window (from all addresses) that mean it is under attack. */
export const ATTACK_FAILURES = 50;
/** Failures one address may make across all accounts in the window (password spraying). */
export const MAX_FAILURES_PER_ADDRESS = 50;
/** The wait after the first guess beyond the free ones; it doubles with each further guess. */
const FIRST_WAIT_MS = 2000;

/** The wait before the `n`th guess beyond the free ones (n >= 1), at most the window. */
export function slowDownMs(n: number): number {
  return Math.min(FIRST_WAIT_MS * 2 ** Math.min(n - 1, 20), WINDOW_MS);
}

const refuse = (waitMs: number, reason: 'address' | 'slow_down') =>
  new BacklotError('rate_limited', reason === 'address'
    ? 'too many failed sign-in attempts from this address; try again later'
    : `too many failed sign-in attempts for this account from this address; try again in ${Math.ceil(waitMs / 1000)} seconds`, {
    retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), reason,
  });

/**
 * Whether the attempt recorded as row `ownId` may have its password checked. Counts include
 * attempts still in flight (begun, not yet ended), so parallel guesses count like sequential ones.
 */
async function assertAttemptAllowed(deps: AppDeps, email: string, ip: string, ownId: string, now: number): Promise<void> {
  const since = new Date(now - WINDOW_MS).toISOString();
  const count = async (where: { email?: string; ip?: string }) => {
    let q = deps.db.selectFrom('login_failures').select((eb) => eb.fn.countAll<number>().as('n')).where('created_at', '>', since);
    if (where.email !== undefined) q = q.where('email', '=', where.email);
    if (where.ip !== undefined) q = q.where('ip', '=', where.ip);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  if ((await count({ ip })) > MAX_FAILURES_PER_ADDRESS) throw refuse(WINDOW_MS, 'address');
  const earlier = await deps.db
    .selectFrom('login_failures')
    .select('created_at')
    .where('email', '=', email)
    .where('ip', '=', ip)
    .where('created_at', '>', since)
    .where('id', '!=', ownId)
    .orderBy('created_at', 'desc')
    .execute();
  const free = (await count({ email })) > ATTACK_FAILURES ? FREE_FAILURES_UNDER_ATTACK : FREE_FAILURES;
  if (earlier.length < free) return;
  const waitMs = slowDownMs(earlier.length - free + 1) - (now - Date.parse(earlier[0].created_at));
  if (waitMs > 0) throw refuse(waitMs, 'slow_down');
}

/**
 * Records an attempt as a failure *before* its slow password check, then checks the limits with it
 * counted, so a burst of parallel guesses cannot all pass a check made before any was recorded.
 * A refused attempt removes its row (hammering does not extend the wait); a success clears the
 * rows of its (account, address).
 */
export async function beginLoginAttempt(deps: AppDeps, email: string, ip: string): Promise<void> {
  const id = newId();
  const now = deps.clock.now().getTime();
  await deps.db.insertInto('login_failures').values({ id, email, ip, created_at: new Date(now).toISOString() }).execute();
  try {
    await assertAttemptAllowed(deps, email, ip, id, now);
  } catch (err) {
    await deps.db.deleteFrom('login_failures').where('id', '=', id).execute();
    throw err;
  }
}

export async function clearLoginFailures(deps: AppDeps, email: string, ip: string): Promise<void> {
  await deps.db.deleteFrom('login_failures').where('email', '=', email).where('ip', '=', ip).execute();
}
