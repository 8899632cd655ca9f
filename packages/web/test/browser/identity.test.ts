// Studio identity in a real browser against a real `backlot serve`: an owner configures OpenID
// Connect through the settings page against a real IdP (oidc-provider on 127.0.0.1, with its own
// login form), and someone signs in with SSO from the sign-in page in a fresh browser; personal
// access tokens (works, then 401 once revoked); the SCIM token shown once and rotated (the old
// one stops); a service account with a token; an escalating group mapping refused with the
// server's words; dormant seats listed and suspended. axe-core on every section, no CSP violation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startOidcIdp, type OidcIdp } from '@backlot/test-kit/oidc-idp';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { axeProblems, BrowserWorld, skipReason, snap, type Person } from './world.ts';

const skip = skipReason();

describe('web app: studio identity', { skip: skip ?? false, timeout: 150_000 }, () => {
  let w: BrowserWorld;
  let owner: Person;
  let studioId = '';
  let idp: OidcIdp;
  const settings = (section = '') => `${w.url}/studios/${studioId}/settings${section ? `/${section}` : ''}`;
  const noAxe = async (page: Page) => assert.deepEqual(await axeProblems(page), []);
  const call = (path: string, token: string) => fetch(`${w.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    w = await BrowserWorld.start();
    owner = await w.setupOwner();
    studioId = (await owner.api.studios.create({ name: 'Northern Lights' })).id;
    await owner.api.studios.update(studioId, { allowedEmailDomains: ['studio.test'] }); // SSO discovery goes by domain
    await owner.api.projects.create(studioId, { name: 'Forest' });
    // A real IdP with its own login form, where Sam types his email.
    idp = await startOidcIdp(`${w.url}/api/v1/auth/sso/oidc/callback`, { form: true });
    idp.accounts.set('sam@studio.test', { email: 'sam@studio.test', name: 'Sam Sso', groups: ['artists'] });
  });
  after(async () => {
    await idp?.close();
    await w?.close();
  });

  it('configures OpenID Connect on the settings page, then someone signs in with SSO from the sign-in page', async () => {
    const { page, problems } = await w.page();
    await w.signIn(page, owner, `/studios/${studioId}/settings/sso`);
    await page.getByRole('heading', { name: 'OpenID Connect' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Single sign-on' }).getAttribute('aria-current'), 'page');
    // What to give the IdP, with copy buttons.
    assert.equal(await page.getByRole('textbox', { name: 'OIDC redirect URI' }).inputValue(), `${w.url}/api/v1/auth/sso/oidc/callback`);
    await noAxe(page);

    // An issuer that cannot be discovered is explained next to its field; what was typed stays.
    await page.getByLabel('Issuer URL').fill('http://127.0.0.1:9/nothing');
    await page.getByLabel('Client id').fill(idp.clientId);
    await page.getByLabel('Client secret').fill(idp.clientSecret);
    await page.getByRole('button', { name: 'Turn on OpenID Connect' }).click();
    await page.locator('.field--invalid').filter({ has: page.getByLabel('Issuer URL') }).getByText(/discovery failed/).waitFor();
    assert.equal(await page.getByLabel('Client id').inputValue(), idp.clientId);

    await page.getByLabel('Issuer URL').fill(idp.issuer);
    await page.getByRole('button', { name: 'Turn on OpenID Connect' }).click();
    await page.getByText('Saved: the issuer answered.').waitFor();
    await page.getByText('Stored sealed and never shown. Leave empty to keep it.').waitFor();

    // Require SSO, with the owner as break-glass account.
    await page.getByLabel('Require SSO').check();
    await page.getByLabel(/Olivia Owner/).check();
    await page.getByLabel('Longest SSO session (minutes)').fill('720');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Saved.').waitFor();
    const sso = await owner.api.sso.get(studioId);
    assert.deepEqual([sso.enforced, sso.breakGlass, sso.sessionMaxMinutes], [true, [owner.id], 720]);

    // A mapping: IdP group "artists" → studio Admin.
    await page.getByLabel('IdP group').fill('artists');
    await page.getByLabel('Studio role', { exact: true }).selectOption('admin');
    await page.getByRole('button', { name: 'Add mapping' }).click();
    await page.getByRole('cell', { name: 'artists', exact: true }).waitFor();
    await noAxe(page);
    await snap(page, 'identity-sso-settings');
    await page.getByRole('heading', { name: 'Group mappings' }).scrollIntoViewIfNeeded();
    await snap(page, 'identity-sso-mappings');

    // A fresh browser: no SSO for another domain is said plainly; the studio's domain goes to the IdP.
    const visitor = await w.page();
    const v = visitor.page;
    await v.goto(`${w.url}/sign-in`);
    await v.getByRole('button', { name: 'Use your studio\'s single sign-on (SSO)' }).click();
    await v.getByLabel('Work email').fill('someone@elsewhere.test');
    await v.getByRole('button', { name: 'Continue with SSO' }).click();
    await v.getByText('No studio on this server offers single sign-on for addresses at elsewhere.test').waitFor();
    await noAxe(v);
    await snap(v, 'identity-sign-in-sso');
    await v.getByLabel('Work email').fill('sam@studio.test');
    await v.getByRole('button', { name: 'Continue with SSO' }).click();
    await v.waitForURL((u) => u.origin === idp.issuer);
    await v.getByLabel('IdP email').fill('sam@studio.test');
    await v.getByRole('button', { name: 'Sign in at IdP' }).click();
    await v.waitForURL((u) => u.origin === w.url && !u.pathname.startsWith('/sign-in') && !u.pathname.startsWith('/api/'));
    const me = await v.evaluate(async () => (await fetch('/api/v1/auth/me')).json());
    assert.equal(me.email, 'sam@studio.test');
    // The mapping made them an admin of the studio.
    const seat = (await owner.api.studioMembers.list(studioId)).members.find((m) => m.email === 'sam@studio.test');
    assert.equal(seat?.role, 'admin');
    await v.getByRole('link', { name: 'Sam Sso' }).waitFor(); // the header names who is signed in
    await snap(v, 'identity-signed-in-by-sso');
    assert.deepEqual([...problems, ...visitor.problems], []);
    await visitor.context.close();
  });

  it('creates a personal access token on the account page that works until revoked', async () => {
    const { page, problems } = await w.page();
    // The list's first answer is read before the token exists and arrives after it was made, as on
    // a busy server: the new token must still show.
    let firstList = true;
    await page.route('**/api/v1/auth/tokens', async (route) => {
      if (route.request().method() !== 'GET' || !firstList) return route.fallback();
      firstList = false;
      const response = await route.fetch();
      await page.getByText('you will not see it again', { exact: false }).waitFor();
      await route.fulfill({ response });
    });
    await w.signIn(page, owner, '/account/tokens');
    await page.getByRole('heading', { name: 'New access token' }).waitFor();
    await page.getByLabel('Name').fill('render-farm');
    await page.getByLabel('Access', { exact: true }).selectOption('read');
    await page.getByLabel('Expires after (days)').fill('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.locator('.one-time-secret input').inputValue();
    assert.match(secret, /^blt_/);
    await page.getByText('you will not see it again', { exact: false }).waitFor();
    await page.getByRole('cell', { name: 'render-farm', exact: true }).waitFor();
    await noAxe(page);
    await snap(page, 'identity-access-tokens');

    assert.equal((await call('/api/v1/auth/me', secret)).status, 200);
    await page.getByRole('button', { name: 'Revoke token render-farm' }).click();
    await page.getByText('You have no access tokens.').waitFor();
    assert.equal((await call('/api/v1/auth/me', secret)).status, 401);
    assert.deepEqual(problems, []);
  });

  it('shows the SCIM token once, and rotating it stops the old one; a service account gets a token', async () => {
    const { page, problems } = await w.page();
    await w.signIn(page, owner, `/studios/${studioId}/settings/scim`);
    await page.getByRole('heading', { name: 'Provisioning (SCIM)' }).waitFor();
    const base = await page.getByRole('textbox', { name: 'SCIM base URL' }).inputValue();
    assert.equal(base, `${w.url}/scim/v2/${studioId}`);
    await page.getByRole('button', { name: 'Create SCIM token' }).click();
    const first = await page.locator('.one-time-secret input').inputValue();
    assert.match(first, /^blscim_/);
    await page.getByText('Token active').waitFor();
    await noAxe(page);
    await snap(page, 'identity-scim');
    assert.equal((await fetch(`${base}/Users`, { headers: { authorization: `Bearer ${first}` } })).status, 200);

    await page.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await page.locator('.one-time-secret').count(), 0); // gone: it is never shown again
    await page.getByRole('button', { name: 'Rotate token…' }).click();
    await page.getByRole('group', { name: 'Confirm rotating the SCIM token' }).getByRole('button', { name: 'Rotate' }).click();
    const second = await page.locator('.one-time-secret input').inputValue();
    assert.notEqual(second, first);
    assert.equal((await fetch(`${base}/Users`, { headers: { authorization: `Bearer ${first}` } })).status, 401);
    assert.equal((await fetch(`${base}/Users`, { headers: { authorization: `Bearer ${second}` } })).status, 200);

    // Service accounts: create one, mint a token, use it.
    await page.getByRole('link', { name: 'Service accounts' }).click();
    await page.getByLabel('Name').fill('Render farm');
    await page.getByRole('button', { name: 'Create service account' }).click();
    await page.getByRole('heading', { name: 'Render farm', level: 3 }).waitFor();
    await page.getByRole('button', { name: 'New token for Render farm' }).click();
    await page.getByLabel('Name').nth(1).fill('farm-node-1');
    await page.getByRole('button', { name: 'Create token' }).click();
    const farm = await page.locator('.one-time-secret input').inputValue();
    assert.match(farm, /^blt_/);
    await page.getByRole('cell', { name: 'farm-node-1', exact: true }).waitFor();
    assert.equal((await call(`/api/v1/studios/${studioId}`, farm)).status, 200);
    await noAxe(page);
    await snap(page, 'identity-service-accounts');
    assert.deepEqual(problems, []);
  });

  it('refuses a group mapping that would escalate, with the server\'s words next to the role', async () => {
    const bob = await w.member(owner, studioId, 'Bob Lead');
    await owner.api.studioMembers.update(studioId, bob.id, { role: 'owner' });
    const { page, problems } = await w.page();
    await w.signIn(page, bob, `/studios/${studioId}/settings/sso`);
    await page.getByRole('heading', { name: 'Group mappings' }).waitFor();
    // Bob stops being an owner while his page still offers Owner; the server decides.
    await owner.api.studioMembers.update(studioId, bob.id, { role: 'admin' });
    await page.getByLabel('IdP group').fill('producers');
    await page.getByLabel('Studio role', { exact: true }).selectOption('owner');
    await page.getByRole('button', { name: 'Add mapping' }).click();
    const error = page.locator('.mapping-form .field--invalid .field__error');
    await error.waitFor();
    assert.match(await error.innerText(), /would grant more than you may/);
    assert.equal(await page.getByLabel('IdP group').inputValue(), 'producers');
    assert.equal((await owner.api.sso.get(studioId)).mappings.some((m) => m.group === 'producers'), false);
    // The page asked again who Bob is: an admin sees the settings read-only and no Owner choice.
    await page.getByText('Only studio owners change these settings.').waitFor();
    assert.equal(await page.getByLabel('Studio role', { exact: true }).locator('option[value="owner"]').count(), 0);
    await noAxe(page);
    await snap(page, 'identity-mapping-refused');
    assert.deepEqual(problems, []);
  });

  it('lists dormant seats and suspends them in one step after a confirmation', async () => {
    const carl = await w.member(owner, studioId, 'Carl Idle');
    // Carl was last seen 100 days ago (the server reads last activity from its database).
    const db = new Database(join(w.dir, 'server', 'backlot.db'));
    db.prepare('UPDATE users SET last_active_at = ? WHERE id = ?').run(new Date(Date.now() - 100 * 86_400_000).toISOString(), carl.id);
    db.close();

    const { page, problems } = await w.page();
    await w.signIn(page, owner, `/studios/${studioId}/settings`);
    await page.getByRole('heading', { name: 'Dormant seats' }).waitFor();
    await page.getByLabel('Idle for at least (days)').fill('30');
    await page.getByRole('button', { name: 'Find idle seats' }).click();
    await page.getByRole('table', { name: 'Seats idle for at least 30 days' }).getByText('Carl Idle').waitFor();
    await page.getByRole('button', { name: 'Suspend this seat…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Suspend one seat?' });
    await dialog.waitFor();
    await noAxe(page);
    await snap(page, 'identity-dormant-confirm');
    await dialog.getByRole('button', { name: 'Suspend seat' }).click();
    await page.getByText('Suspended 1 seat.').waitFor();
    await page.getByRole('button', { name: 'Reactivate Carl Idle' }).waitFor();
    await assert.rejects(carl.api.projects.list(studioId));
    await noAxe(page);
    await snap(page, 'identity-dormant-done');
    assert.deepEqual(problems, []);
  });
});
