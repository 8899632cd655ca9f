// First run, sign-in and out, accepting invitations and the projects page, in a real browser
// against a real `backlot serve`; axe-core on every page, and no CSP violation anywhere.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BacklotApi } from '@backlot/api';
import { axeProblems, BrowserWorld, PASSWORD, skipReason, snap } from './world.ts';

const skip = skipReason();

describe('web app: accounts and projects', { skip: skip ?? false, timeout: 180_000 }, () => {
  let w: BrowserWorld;
  before(async () => { w = await BrowserWorld.start(); });
  after(async () => { await w?.close(); });

  it('serves the app with a strict CSP, caches hashed assets for good, and keeps API 404s JSON', async () => {
    const page = await fetch(`${w.url}/projects/anything/board`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<div id="root">/);
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const part of ["script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) assert.ok(csp.includes(part), `${part} in ${csp}`);
    assert.ok(!csp.includes('unsafe-inline'), csp);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const js = await fetch(w.url + asset);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    const api404 = await fetch(`${w.url}/api/v1/no-such-route`);
    assert.equal(api404.status, 404);
    assert.equal((await api404.json()).error.code, 'not_found');
    assert.equal((await fetch(`${w.url}/assets/missing-file.js`)).status, 404);
  });

  it('first run: the setup page creates the first account and signs it in; then a studio and projects', async () => {
    const { page, problems, context } = await w.page();
    await page.goto(`${w.url}/setup`);
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'setup');
    // A wrong token is refused next to its field, and what was typed stays.
    await page.getByLabel('Setup token').fill('not-the-token');
    await page.getByLabel('Your name').fill('Olivia Owner');
    await page.getByLabel('Email').fill('owner@studio.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('The setup token is not valid.').waitFor();
    assert.equal(await page.getByLabel('Your name').inputValue(), 'Olivia Owner');
    assert.equal(await page.getByLabel('Setup token').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Setup token').fill(w.setupToken!);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Create your studio' }).waitFor();
    assert.deepEqual(await axeProblems(page), []);

    await page.getByLabel('Studio name').fill('Northern Lights');
    await page.getByRole('button', { name: 'Create studio' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.getByLabel('New project').fill('Forest');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('link', { name: 'Forest' }).waitFor();
    // A bad name is explained next to the field.
    await page.getByLabel('New project').fill(' bad/name');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByText(/must not start or end with white space/).waitFor();
    await page.getByLabel('New project').fill('');
    await page.getByRole('button', { name: 'Rename Forest' }).click();
    await page.getByLabel('New name for Forest').fill('Forest Spirits');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Forest Spirits' }).waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'projects');
    await page.getByRole('button', { name: 'Archive Forest Spirits' }).click();
    await page.getByText('No projects yet').waitFor();
    await page.getByRole('button', { name: 'Archived' }).click();
    await page.getByRole('button', { name: 'Unarchive Forest Spirits' }).click();
    await page.getByText('No archived projects.').waitFor();

    // Signing out ends the session: the app asks to sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(`${w.url}/studios/x`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'sign-in');
    await page.getByLabel('Email').fill('owner@studio.test');
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.field__error').waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    assert.equal(new URL(page.url()).pathname.startsWith('/studios/'), true);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('an invitation link creates an account; a second studio joins an existing account; the switcher shows both', async () => {
    const owner = new BacklotApi({ baseUrl: w.url });
    await owner.auth.login({ email: 'owner@studio.test', password: PASSWORD });
    const [studio] = (await owner.studios.list()).studios;
    const { results } = await owner.invitations.invite(studio.id, { emails: ['nina@studio.test'], role: 'member' });
    const link = results[0].link!.replace(/^https?:\/\/[^/]+/, w.url);

    const { page, problems, context } = await w.page();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Join Northern Lights' }).waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'invitation');
    await page.getByLabel('Your name').fill('Nina Newcomer');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account and join' }).click();
    await page.getByText(/must be at least \d+ characters/).waitFor();
    assert.equal(await page.getByLabel('Your name').inputValue(), 'Nina Newcomer');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account and join' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.getByText('No projects yet').waitFor(); // a member sees only projects they were added to

    // A second studio invites Nina, who has an account: she joins while signed in.
    const other = await owner.studios.create({ name: 'Blue Harbour' });
    const again = await owner.invitations.invite(other.id, { emails: ['nina@studio.test'], role: 'member' });
    if (again.results[0].link) {
      await page.goto(again.results[0].link.replace(/^https?:\/\/[^/]+/, w.url));
      await page.getByRole('button', { name: 'Join Blue Harbour' }).click();
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
    } else {
      assert.equal(again.results[0].outcome, 'added'); // existing accounts may be added at once
    }
    await page.reload();
    await page.getByLabel('Studio').locator('option', { hasText: 'Blue Harbour' }).waitFor({ state: 'attached' });
    const options = await page.getByLabel('Studio').locator('option').allTextContents();
    assert.ok(options.includes('Northern Lights') && options.includes('Blue Harbour'), options.join(', '));
    assert.deepEqual(problems, []);
    await context.close();
  });
});
