// Retrying calls that are safe to send twice: the transport retries idempotent routes (see
// routes.ts) on transport failures and on 429/502/503/504, with exponential backoff, waiting
// as long as the server asks (details.retryAfterSeconds or Retry-After) when it says.
import { ApiError, NetworkError } from './errors.js';

export interface RetryOptions {
  /** Attempts in total, the first included (default 4). */
  attempts?: number;
  /** First backoff in ms, doubled each time (default 200). */
  baseDelayMs?: number;
  /** Longest backoff in ms (default 10 s). */
  maxDelayMs?: number;
  /** Longest wait the server may ask for; asked to wait longer, the call fails instead (default 60 s). */
  maxRetryAfterMs?: number;
  /** Called before each retry (logging). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** How to wait (tests); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/** Whether an error is worth retrying: a transport failure, or 429, 502, 503, 504. */
export function isRetryable(err: unknown): boolean {
  return (err instanceof ApiError && err.retryable) || err instanceof NetworkError;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn`, and again on retryable errors. Only for calls that are safe to repeat: a retried
 * non-idempotent call may do its work twice.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const maxDelay = options.maxDelayMs ?? 10_000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
  const sleep = options.sleep ?? defaultSleep;
  let backoff = options.baseDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      const asked = err instanceof ApiError ? err.retryAfterMs : null;
      // Coming back sooner than asked only earns another refusal; much later is not worth waiting for.
      if (asked !== null && asked > maxRetryAfter) throw err;
      const delay = asked ?? Math.min(backoff, maxDelay);
      options.onRetry?.(err, attempt, delay);
      await sleep(delay);
      backoff *= 2;
    }
  }
}
