// Exit codes scripts can rely on (documented in docs/cli.md), and the one error type commands
// throw to choose one. Errors from the API are mapped here so every command answers alike.
import { ApiError, NetworkError, ProtocolError } from '@backlot/api';

export const EXIT = { ok: 0, error: 1, usage: 2, conflict: 3, forbidden: 4, network: 5 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure with its exit code and, where there is one, what the user can do about it. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: ExitCode = EXIT.error, readonly hint?: string) {
    super(message);
  }
}

/** Node's error code behind a request that got no answer ('' when there is none). */
export const networkCode = (err: NetworkError): string => String((err.cause as NodeJS.ErrnoException | undefined)?.code ?? '');

export const usageError = (message: string, hint?: string) => new CliError(message, EXIT.usage, hint);

/** The message, hint and exit code for any error a command let through. */
export function describeError(err: unknown): { message: string; hint?: string; exitCode: ExitCode } {
  if (err instanceof CliError) return { message: err.message, hint: err.hint, exitCode: err.exitCode };
  if (err instanceof ApiError) {
    if (err.status === 401)
      return { message: `the server did not accept your sign-in (${err.message})`, hint: 'sign in again: backlot login SERVER', exitCode: EXIT.error };
    if (err.status === 403)
      return {
        message: err.message,
        // A token's scope, not a missing role: the remedy is another sign-in or a wider token.
        hint: err.details.reason === 'token_scope' ? 'sign in with your password or SSO (backlot login SERVER), or use a token with more access (backlot tokens create)' : 'ask a project admin for the permission',
        exitCode: EXIT.forbidden,
      };
    if (err.status === 409) return { message: err.message, exitCode: EXIT.conflict };
    if (err.status === 404) return { message: err.message, hint: 'check the name or id (backlot projects, backlot tasks)', exitCode: EXIT.error };
    if (err.status === 429) return { message: err.message, hint: 'wait a moment and try again', exitCode: EXIT.error };
    if (err.status >= 500) return { message: `the server failed: ${err.message}`, hint: 'try again; if it persists, give the server admin the request id', exitCode: EXIT.network };
    if (err.details.reason === 'not_a_task') return { message: err.message, hint: 'only tasks have an assignee and a status: make it one with backlot set-kind ASSET task', exitCode: EXIT.error };
    return { message: err.message, exitCode: EXIT.error };
  }
  if (err instanceof NetworkError) return { message: err.message, hint: networkHint(networkCode(err)), exitCode: EXIT.network };
  if (err instanceof ProtocolError)
    return { message: `the server answered something that is not Backlot's API (${err.message})`, hint: 'check the server address', exitCode: EXIT.network };
  if ((err as Error)?.name === 'BacklotError') {
    // core's rules, checked here before anything reached the server
    const code = (err as Error & { code: string }).code;
    return { message: (err as Error).message, exitCode: code === 'forbidden' ? EXIT.forbidden : code === 'conflict' ? EXIT.conflict : code === 'validation_failed' ? EXIT.usage : EXIT.error };
  }
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC') return { message: 'the disk is full', hint: 'free some space and run the command again; nothing was half-written', exitCode: EXIT.error };
  if (code === 'EACCES' || code === 'EPERM' || code === 'EBUSY')
    return { message: (err as Error).message, hint: 'a file is locked or not writable: close the program using it and try again', exitCode: EXIT.error };
  return { message: err instanceof Error ? err.message : String(err), exitCode: EXIT.error };
}

/**
 * What to do about a request that never got an answer, by node's error code. `typed`: the address
 * the user just gave (login), rather than the server a command found in their sign-ins.
 */
export function networkHint(code: string, typed?: string): string {
  // Node's TLS codes for a certificate it cannot vouch for (a studio's own CA, a self-signed or expired one).
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code))
    return "this machine does not trust the server's certificate: if your studio signs its own, set NODE_EXTRA_CA_CERTS to its CA file (PEM), or ask the server's admin";
  const where = typed ? `check ${typed} (is the server running there?), then sign in again` : 'check that the server is running and the address is right (backlot whoami), then run the command again';
  if (code === 'ECONNREFUSED') return `nothing answers at that address: ${where}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the server's name does not resolve: ${typed ? `check ${typed} and your network, then sign in again` : 'check the address (backlot whoami) and your network, then run the command again'}`;
  return typed ? `check ${typed} and your connection, then sign in again` : 'check the server address and your connection, then run the command again';
}
