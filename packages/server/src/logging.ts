// The server's log: structured (pino, as Fastify uses), one line per request at info level, every
// 5xx with its stack and request id at error level. JSON lines for log collectors, or a readable
// rendering for a person at a terminal.
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { FastifyBaseLogger } from 'fastify';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What services log through: plain messages, errors with their stack. */
export interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string, err?: unknown): void;
}

export interface LogSettings {
  level: LogLevel;
  /** Default: pretty when standard output is a terminal, JSON lines otherwise. */
  format?: LogFormat;
}

/**
 * The server's logger. `destination`: false for none (tests, benchmarks), a stream to capture
 * JSON lines, or undefined for standard output in the configured format.
 */
export function createLogger(settings: LogSettings, destination?: DestinationStream | false): Logger {
  if (destination === false || settings.level === 'silent') return pino({ level: 'silent' });
  if (destination) return pino({ level: settings.level }, destination);
  const format = settings.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'json') return pino({ level: settings.level });
  return pino({ level: settings.level }, pretty({
    colorize: !!process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', sync: true,
    ignore: 'pid,hostname,reqId,method,url,status,ms,userId,ip', messageFormat: readableLine,
  }));
}

/** A request reads `GET /api/v1/health 200 3.8 ms`; errors name their request id. */
function readableLine(log: Record<string, unknown>, messageKey: string): string {
  const request = typeof log.method === 'string' && typeof log.status === 'number'
    ? `${log.method} ${String(log.url)} ${log.status} ${String(log.ms)} ms`
    : String(log[messageKey] ?? '');
  return typeof log.reqId === 'string' && Number(log.level) >= 50 ? `${request} (request ${log.reqId})` : request;
}

/** Services' view of a logger (bound to a request's id when it is a request's child). */
export function logThrough(logger: FastifyBaseLogger): Log {
  return {
    info: (msg) => logger.info(msg),
    warn: (msg) => logger.warn(msg),
    error: (msg, err) => (err === undefined ? logger.error(msg) : logger.error({ err }, msg)),
  };
}
