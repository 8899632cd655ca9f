// `backlot login URL --sso`: the loopback-redirect flow (RFC 8252). The CLI listens on
// 127.0.0.1, opens the studio's SSO sign-in in a browser (or prints the address to open), and
// receives a one-time code on its loopback address, which only it can redeem: the exchange needs
// the verifier whose SHA-256 it sent at the start. The answer is a bearer session.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import type { BacklotApi } from '@backlot/api';
import { CliError, EXIT } from '../output/exit-codes.js';
import { say } from '../output/print.js';

const WAIT_MS = 5 * 60_000;

/** The studio to sign in to: its id, or an email address whose domain names one studio. */
export async function resolveSsoStudio(api: BacklotApi, which: string): Promise<string> {
  if (!which.includes('@')) return which;
  const { studios } = await api.sso.discover(which);
  if (studios.length === 1) return studios[0].studioId;
  if (!studios.length) throw new CliError(`no studio on this server offers single sign-on to ${which.split('@')[1]}`, EXIT.error, 'name the studio: backlot login URL --sso STUDIO_ID');
  throw new CliError(`several studios offer single sign-on to ${which.split('@')[1]}: ${studios.map((s) => `${s.studioName} (${s.studioId})`).join(', ')}`, EXIT.usage, 'name one: backlot login URL --sso STUDIO_ID');
}

function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no browser to open: the printed address is enough
  }
}

export async function ssoLogin(api: BacklotApi, studioId: string, opts: { openBrowser: boolean }): Promise<void> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  let settle!: (code: string) => void;
  let fail!: (err: Error) => void;
  const codeArrived = new Promise<string>((ok, no) => { settle = ok; fail = no; });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const code = url.pathname === '/callback' ? url.searchParams.get('code') : null;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (!code) {
      res.statusCode = 404;
      return res.end('<p>Not a Backlot sign-in.</p>');
    }
    res.end('<p>Signed in to Backlot. You can close this window and return to the terminal.</p>');
    settle(code);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  const timer = setTimeout(() => fail(new CliError('no sign-in arrived within 5 minutes', EXIT.error, 'run backlot login URL --sso again')), WAIT_MS);
  try {
    const url = api.sso.startUrl(studioId, { cliRedirect: `http://127.0.0.1:${port}/callback`, cliChallenge: challenge });
    say(`Open this address to sign in with your studio's identity provider:\n  ${url}`);
    if (opts.openBrowser) openBrowser(url);
    const code = await codeArrived;
    await api.sso.exchangeCliCode({ code, verifier });
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}
