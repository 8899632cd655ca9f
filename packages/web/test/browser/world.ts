// Browser test fixture: a real `backlot serve` (the built CLI, serving the built web app) on
// 127.0.0.1 with its own data folder, Debian's Chromium driven by playwright-core, and helpers
// to make people through the API, sign them in through the page, and run axe-core in it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { BacklotApi } from '@backlot/api';

export const CHROMIUM = '/usr/bin/chromium';
const BIN = fileURLToPath(new URL('../../../cli/bin/backlot.js', import.meta.url));
const WEB_DIST = fileURLToPath(new URL('../../dist/index.html', import.meta.url));
export const PASSWORD = 'correct horse battery staple';

/** Why the browser tests cannot run here, or null when they can. */
export function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  return null;
}

export interface Person {
  id: string;
  email: string;
  name: string;
  api: BacklotApi;
}

export class BrowserWorld {
  private server!: ChildProcess;
  url = '';
  port = 0;
  setupToken: string | null = null;
  browser!: Browser;
  private constructor(readonly dir: string) {}

  static async start(): Promise<BrowserWorld> {
    assert.ok(existsSync(WEB_DIST), 'the web app is not built: run `npm run build` first');
    const world = new BrowserWorld(await mkdtemp(join(tmpdir(), 'backlot-web-')));
    await world.startServer(0);
    world.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    return world;
  }

  /** Starts (or restarts, on the same port and data) the server. */
  async startServer(port: number): Promise<void> {
    const server = spawn(process.execPath, [BIN, 'serve', '--data', join(this.dir, 'server'), '--port', String(port), '--log-level', 'warn', '--log-format', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
      const onData = (d: Buffer) => {
        out += d;
        const u = /listening on (http:\/\/\S+)/.exec(out);
        if (u && (this.setupToken !== null || port !== 0 || /setup token: (\S+)/.test(out))) {
          clearTimeout(timer);
          this.setupToken ??= /setup token: (\S+)/.exec(out)?.[1] ?? null;
          resolve(u[1]);
        }
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
      server.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
    });
    this.port = Number(new URL(this.url).port);
    this.server = server;
  }

  async stopServer(): Promise<void> {
    const s = this.server;
    if (s.exitCode !== null) return;
    s.kill('SIGTERM');
    await new Promise((r) => s.once('exit', r));
  }

  /** The first account (through the API), the instance administrator. */
  async setupOwner(email = 'owner@studio.test', name = 'Olivia Owner'): Promise<Person> {
    const api = new BacklotApi({ baseUrl: this.url });
    const me = await api.auth.setup({ token: this.setupToken!, email, name, password: PASSWORD });
    return { id: me.userId, email, name, api };
  }

  /** A studio member with an account, invited by `by` and accepted through the API. */
  async member(by: Person, studioId: string, name: string): Promise<Person> {
    const email = `${name.toLowerCase().split(' ')[0]}@studio.test`;
    const { results } = await by.api.invitations.invite(studioId, { emails: [email], role: 'member' });
    const api = new BacklotApi({ baseUrl: this.url });
    const accepted = await api.invitations.accept({ token: results[0].link!.split('#token=')[1], name, password: PASSWORD });
    return { id: accepted.userId, email, name, api };
  }

  /** A fresh browser context (its own cookies) and page, failing on page errors and CSP violations. */
  async page(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
    });
    return { context, page, problems };
  }

  /** Signs in through the sign-in page. */
  async signIn(page: Page, who: { email: string }, next = '/'): Promise<void> {
    await page.goto(`${this.url}/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => {});
    await this.stopServer().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core run in the page: the serious and critical violations, described. */
export async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
}

/** Saves a screenshot when BACKLOT_SCREENSHOTS names a folder (for looking at the pages). */
export async function snap(page: Page, name: string): Promise<void> {
  const dir = process.env.BACKLOT_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`) });
}
