import { hash, verify } from '@node-rs/argon2';
import { BacklotError } from '@backlot/core';

// argon2id with OWASP's second recommended profile (19 MiB, t=2, p=1).
const OPTIONS = { algorithm: 2 /* Algorithm.Argon2id (a const enum) */, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD = 10;
export const MAX_PASSWORD = 256;

export function checkPasswordStrength(password: string): void {
  if (password.length < MIN_PASSWORD)
    throw new BacklotError('validation_failed', `password must be at least ${MIN_PASSWORD} characters`, { field: 'password' });
  if (password.length > MAX_PASSWORD)
    throw new BacklotError('validation_failed', `password must be at most ${MAX_PASSWORD} characters`, { field: 'password' });
}

export const hashPassword = (password: string) => hash(password, OPTIONS);

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// A real hash to verify against when the account does not exist, so timing does not reveal
// which emails have accounts.
let decoy: Promise<string> | null = null;
export async function verifyAgainstDecoy(password: string): Promise<void> {
  decoy ??= hashPassword('decoy-password-for-timing');
  await verifyPassword(await decoy, password);
}
