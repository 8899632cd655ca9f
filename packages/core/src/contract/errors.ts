// The one error shape every failure answers with (`{ error: { code, message, details } }`), 4xx
// for the caller's mistakes and refusals, 500 (`internal`) for a server fault.
import type { ErrorCode } from '../errors.js';

export interface ErrorBody {
  error: {
    code: ErrorCode | 'internal';
    message: string;
    details: Record<string, unknown>;
  };
}

export function isErrorBody(v: unknown): v is ErrorBody {
  const e = (v as ErrorBody | null)?.error;
  return !!e && typeof e.code === 'string' && typeof e.message === 'string' && typeof e.details === 'object' && e.details !== null;
}
