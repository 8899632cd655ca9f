// SCIM's own error shape (RFC 7644 §3.12): `{ schemas: [Error], status: "400", scimType, detail }`.
// Identity providers read `status` and `scimType` (a `uniqueness` 409 makes Okta link instead of
// create), so every refusal on /scim is answered in it, including Backlot's own errors.
import { BacklotError } from '@backlot/core';
import { SCHEMA } from './paths.js';

export type ScimType =
  | 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue'
  | 'invalidVers' | 'sensitive';

export class ScimError extends Error {
  constructor(readonly status: number, message: string, readonly scimType?: ScimType) {
    super(message);
  }
}

export const invalidValue = (detail: string) => new ScimError(400, detail, 'invalidValue');
export const invalidSyntax = (detail: string) => new ScimError(400, detail, 'invalidSyntax');
export const scimNotFound = (what: string) => new ScimError(404, `${what} not found`);

export function scimErrorBody(status: number, detail: string, scimType?: ScimType) {
  return { schemas: [SCHEMA.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** Backlot's errors, in SCIM terms. */
export function fromBacklot(err: BacklotError): ScimError {
  const scimType: ScimType | undefined =
    err.code === 'validation_failed' || err.code === 'bad_request' ? 'invalidValue'
      : err.code === 'conflict' && err.details.reason === 'last_owner' ? 'mutability'
        : err.code === 'conflict' ? 'uniqueness' : undefined;
  return new ScimError(err.status, err.message, scimType);
}
