// Every failure leaves the server as `{ error: { code, message, details } }` with a 4xx status;
// a 500 means a bug, and is logged with its stack.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BacklotError } from '@backlot/core';
import { RefusedError } from '../access/access.js';
import { appendAudit } from '../audit/log.js';
import { inTransaction, type AppDeps } from '../context.js';

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}) {
  return { error: { code, message, details } };
}

const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'bad_request'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'bad_request'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request'],
  FST_ERR_INVALID_URL: [400, 'bad_request'],
};

/** Unique-constraint races that slipped past a pre-check still answer a conflict, not a 500. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

async function auditRefusal(deps: AppDeps, request: FastifyRequest, err: RefusedError) {
  const user = request.ctx?.user;
  if (!user) return;
  try {
    await inTransaction(deps, (trx) =>
      appendAudit(trx, {
        studioId: err.refusal.studioId,
        projectId: err.refusal.projectId ?? null,
        actorId: user.id,
        action: 'request.refused',
        targetType: 'route',
        targetId: `${request.method} ${request.routeOptions.url ?? request.url}`,
        after: { action: err.refusal.action, code: err.code, reason: err.message },
        ip: request.ctx?.ip ?? null,
      }, deps.clock.now().toISOString()),
    );
  } catch (auditErr) {
    request.log.error({ err: auditErr }, 'could not audit a refused request');
  }
}

export function installErrorHandling(app: FastifyInstance, deps: AppDeps): void {
  app.setErrorHandler(async (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof BacklotError) {
      if (err instanceof RefusedError) await auditRefusal(deps, request, err);
      if (err.code === 'rate_limited' && typeof err.details.retryAfterSeconds === 'number') reply.header('retry-after', String(err.details.retryAfterSeconds));
      return reply.status(err.status).send(errorBody(err.code, err.message, err.details));
    }
    if (err.validation) {
      const issues = err.validation.map((v) => ({ path: v.instancePath || `/${(v.params as { missingProperty?: string })?.missingProperty ?? ''}`, message: v.message }));
      return reply.status(400).send(errorBody('validation_failed', `invalid ${err.validationContext ?? 'request'}: ${issues[0]?.path ?? ''} ${issues[0]?.message ?? ''}`.trim(), { issues }));
    }
    const mapped = err.code && Object.hasOwn(FASTIFY_CODES, err.code) ? FASTIFY_CODES[err.code] : undefined;
    if (mapped) return reply.status(mapped[0]).send(errorBody(mapped[1], err.message));
    if (isUniqueViolation(err)) return reply.status(409).send(errorBody('conflict', 'that already exists'));
    // PostgreSQL cannot store NUL in text (22021): input that reaches it unchecked is bad input, not a crash.
    if ((err as { code?: string }).code === '22021') return reply.status(400).send(errorBody('bad_request', 'text must not contain NUL characters'));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return reply.status(err.statusCode).send(errorBody('bad_request', err.message));
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('internal', 'internal server error; the server log has the details under this request id', { requestId: request.id }));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
