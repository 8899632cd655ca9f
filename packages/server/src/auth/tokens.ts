// Secrets handed to users (sessions, invitations, setup, share links): 256 random bits, stored
// only as a SHA-256 digest so a database leak yields nothing usable.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const newSecret = () => randomBytes(32).toString('base64url');
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');
export const newId = () => randomUUID();
