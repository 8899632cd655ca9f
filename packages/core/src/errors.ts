// One error type for every refusal, carrying the HTTP status it maps to, so the edge can answer
// `{ error: { code, message, details } }` without knowing where the refusal came from.
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'setup_required'
  // content store: a push beyond a storage quota, a checkpoint listing chunks the server lacks,
  // a stored chunk that fails verification, an uploaded chunk that does not match its id
  | 'quota_exceeded'
  | 'missing_chunks'
  | 'corrupt_chunk'
  | 'invalid_chunk'
  // sync: an op id sent again with a different operation (ids are for retries of the same op)
  | 'op_id_reused';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  setup_required: 409,
  quota_exceeded: 413,
  missing_chunks: 409,
  corrupt_chunk: 409,
  invalid_chunk: 400,
  op_id_reused: 409,
};

export class BacklotError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BacklotError';
    this.status = STATUS[code];
  }
}

export const notFound = (what = 'resource') => new BacklotError('not_found', `${what} not found`);
export const forbidden = (message: string, details: Record<string, unknown> = {}) =>
  new BacklotError('forbidden', message, details);
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new BacklotError('conflict', message, details);
export const badRequest = (message: string, details: Record<string, unknown> = {}) =>
  new BacklotError('bad_request', message, details);
