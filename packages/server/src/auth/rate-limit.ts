// Login throttling kept in the database, so every server process sees the same counts.
import { BacklotError } from '@backlot/core';
import type { AppDeps } from '../context.js';
import { newId } from './tokens.js';

const WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT = 10;
export const MAX_FAILURES_PER_ADDRESS = 50;

export async function assertLoginAllowed(deps: AppDeps, email: string, ip: string, including = 0): Promise<void> {
  const since = new Date(deps.clock.now().getTime() - WINDOW_MS).toISOString();
  const count = async (column: 'email' | 'ip', value: string) => {
    const r = await deps.db
      .selectFrom('login_failures')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, '=', value)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  if ((await count('email', email)) >= MAX_FAILURES_PER_ACCOUNT + including || (await count('ip', ip)) >= MAX_FAILURES_PER_ADDRESS + including)
    throw new BacklotError('rate_limited', 'too many failed sign-in attempts; try again in 15 minutes', {
      retryAfterSeconds: WINDOW_MS / 1000,
    });
}

/**
 * Records an attempt as a failure *before* its slow password check, then checks the limits with it
 * included, so a burst of parallel guesses cannot all pass a check made before any was recorded.
 * A refused attempt removes its row (hammering does not extend the lockout); success clears them.
 */
export async function beginLoginAttempt(deps: AppDeps, email: string, ip: string): Promise<void> {
  const id = newId();
  await deps.db.insertInto('login_failures').values({ id, email, ip, created_at: deps.clock.now().toISOString() }).execute();
  try {
    await assertLoginAllowed(deps, email, ip, 1);
  } catch (err) {
    await deps.db.deleteFrom('login_failures').where('id', '=', id).execute();
    throw err;
  }
}

export async function recordLoginFailure(deps: AppDeps, email: string, ip: string): Promise<void> {
  await deps.db.insertInto('login_failures').values({ id: newId(), email, ip, created_at: deps.clock.now().toISOString() }).execute();
}

export async function clearLoginFailures(deps: AppDeps, email: string): Promise<void> {
  await deps.db.deleteFrom('login_failures').where('email', '=', email).execute();
}
