// Studio settings and the account page in a real browser against a real `backlot serve` (no mail
// server configured): inviting several people with chips and copying their links, pending
// invitations re-sent and revoked, allowed email domains, the last-owner guard explained when
// the server refuses, sessions and password change; axe-core on every page, no CSP violation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BacklotApi } from '@backlot/api';
import { axeProblems, BrowserWorld, PASSWORD, skipReason, snap, type Person } from './world.ts';

const skip = skipReason();

describe('web app: studio settings and account', { skip: skip ?? false, timeout: 240_000 }, () => {
  let w: BrowserWorld;
  let owner: Person;
  let studioId = '';
  let projectId = '';
  const settings = () => `${w.url}/studios/${studioId}/settings`;

  before(async () => {
    w = await BrowserWorld.start();
    owner = await w.setupOwner();
    studioId = (await owner.api.studios.create({ name: 'Northern Lights' })).id;
    projectId = (await owner.api.projects.create(studioId, { name: 'Forest' })).id;
  });
  after(async () => { await w?.close(); });

  it('invites several people with chips, shows copyable links without a mail server, re-sends and revokes', async () => {
    const { page, problems, context } = await w.page();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: w.url });
    await w.signIn(page, owner, `/studios/${studioId}/settings`);
    await page.getByRole('heading', { name: 'Invite people' }).waitFor();
    assert.deepEqual(await axeProblems(page), []);

    const emails = page.getByRole('textbox', { name: 'Email addresses' });
    await emails.pressSequentially('nina@studio.test');
    await emails.press('Space');
    await emails.pressSequentially('not-an-email');
    await emails.press(',');
    // A pasted list becomes several chips.
    await page.evaluate(() => {
      const input = document.activeElement as HTMLInputElement;
      const data = new DataTransfer();
      data.setData('text/plain', 'omar@studio.test, pia@studio.test\nquinn@studio.test');
      input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    const chips = page.locator('.chip-token');
    await page.getByRole('list', { name: '5 addresses entered' }).waitFor();
    assert.deepEqual(await chips.locator('.chip-token__value').allTextContents(),
      ['nina@studio.test', 'not-an-email', 'omar@studio.test', 'pia@studio.test', 'quinn@studio.test']);
    assert.equal(await page.locator('.chip-token--invalid').count(), 1);
    await page.getByText('not-an-email: not a valid email address', { exact: true }).waitFor();

    // Backspace in the empty field takes the last chip back for editing.
    await emails.press('Backspace');
    assert.equal(await emails.inputValue(), 'quinn@studio.test');
    await emails.fill('');
    assert.equal(await chips.count(), 4);
    // Sending with a marked address is stopped before the server, and nothing is lost.
    await page.getByRole('button', { name: 'Invite 4 people' }).click();
    await page.getByText('Correct or remove the marked addresses first.').waitFor();
    assert.equal(await chips.count(), 4);
    // The chip's remove button, by keyboard.
    await page.getByRole('button', { name: 'Remove not-an-email' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await chips.count(), 3);
    await snap(page, 'studio-invite');

    // Optionally straight into a project, with a project role.
    await page.getByRole('button', { name: '+ Add to a project' }).click();
    await page.getByRole('combobox', { name: 'Project 1', exact: true }).selectOption({ label: 'Forest' });
    await page.getByRole('combobox', { name: 'Role in Forest' }).selectOption({ label: 'Artist' });
    await page.getByRole('button', { name: 'Invite 3 people' }).click();
    await page.getByRole('heading', { name: 'Result' }).waitFor();
    const link = page.getByRole('textbox', { name: 'Invitation link for nina@studio.test' });
    const url = await link.inputValue();
    assert.match(url, /\/invite#token=/);
    await page.getByRole('button', { name: 'Copy invitation link for nina@studio.test' }).click();
    await page.getByRole('button', { name: 'Copied invitation link for nina@studio.test' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
    assert.equal(await chips.count(), 0);
    const artist = (await owner.api.roles.list(projectId)).roles.find((r) => r.key === 'artist')!;
    const sent = (await owner.api.invitations.list(studioId)).invitations.find((i) => i.email === 'nina@studio.test')!;
    assert.deepEqual(sent.projects, [{ projectId, roleId: artist.id }]);
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'studio-invited');

    // The copied link works for the invitee.
    const guest = await w.page();
    await guest.page.goto(url.replace(/^https?:\/\/[^/]+/, w.url));
    await guest.page.getByRole('heading', { name: 'Join Northern Lights' }).waitFor();
    await guest.context.close();

    // Pending: re-send gives a fresh link to copy (the old one stops working); revoke removes it.
    const pending = page.locator('section.settings-panel', { has: page.getByRole('heading', { name: 'Pending invitations' }) });
    await pending.getByRole('cell', { name: /^omar@studio\.test Invited/ }).waitFor();
    await pending.getByRole('button', { name: 'Re-send invitation to nina@studio.test' }).click();
    const fresh = await pending.getByRole('textbox', { name: 'Invitation link for nina@studio.test' }).inputValue();
    assert.notEqual(fresh, url);
    assert.ok((await new BacklotApi({ baseUrl: w.url }).invitations.lookup(url.split('#token=')[1]).catch((e) => e)).status >= 400);
    await pending.getByRole('button', { name: 'Revoke invitation to omar@studio.test' }).click();
    await pending.getByRole('cell', { name: /^omar@studio\.test Invited/ }).waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('allowed email domains: an address elsewhere is refused by the server and stays marked with its reason', async () => {
    const { page, problems, context } = await w.page();
    await w.signIn(page, owner, `/studios/${studioId}/settings/domains`);
    const domains = page.getByRole('textbox', { name: 'Domains' });
    await domains.fill('studio.test');
    await domains.press('Enter');
    await page.getByRole('button', { name: 'Save domains' }).click();
    await page.getByText('Saved.').waitFor();
    assert.deepEqual((await owner.api.studios.get(studioId)).allowedEmailDomains, ['studio.test']);
    assert.deepEqual(await axeProblems(page), []);

    await page.getByRole('link', { name: 'People' }).click();
    const emails = page.getByRole('textbox', { name: 'Email addresses' });
    await emails.fill('rita@studio.test');
    await emails.press('Enter');
    await emails.fill('vic@vendor.example');
    await page.getByRole('button', { name: /^Invite/ }).click();
    await page.getByRole('heading', { name: 'Result' }).waitFor();
    await page.getByText('vic@vendor.example: only studio.test addresses may join this studio', { exact: true }).waitFor();
    assert.deepEqual(await page.locator('.chip-token--invalid .chip-token__value').allTextContents(), ['vic@vendor.example']);
    await owner.api.studios.update(studioId, { allowedEmailDomains: [] });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('members: the last-owner guard is explained when the server refuses, and shown up front after', async () => {
    const otto = await w.member(owner, studioId, 'Otto Other');
    await owner.api.studioMembers.update(studioId, otto.id, { role: 'owner' });
    const { page, problems, context } = await w.page();
    await w.signIn(page, owner, `/studios/${studioId}/settings`);
    const mine = page.getByRole('combobox', { name: 'Studio role of Olivia Owner' });
    await mine.waitFor();
    assert.equal(await mine.isEnabled(), true); // two owners on this page
    // Meanwhile Otto steps down: the page still shows two owners.
    await otto.api.studioMembers.update(studioId, otto.id, { role: 'admin' });
    await mine.selectOption('admin');
    await page.getByText('A studio must keep at least one owner. Make another member an owner first, then change this seat.').waitFor();
    assert.equal((await owner.api.studioMembers.list(studioId)).members.find((m) => m.userId === owner.id)!.role, 'owner');
    // The list is fresh again: the seat is locked, with the reason beside it.
    await page.getByText('The only owner: make someone else an owner to change this.').waitFor();
    assert.equal(await mine.inputValue(), 'owner');
    assert.equal(await mine.isDisabled(), true);
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'studio-members');

    // Suspend and reactivate someone; remove asks first.
    await page.getByRole('button', { name: 'Suspend Otto Other' }).click();
    await page.getByRole('button', { name: 'Reactivate Otto Other' }).waitFor();
    await page.getByRole('button', { name: 'Reactivate Otto Other' }).click();
    await page.getByRole('button', { name: 'Suspend Otto Other' }).waitFor();
    await page.getByRole('button', { name: 'Remove Otto Other' }).click();
    await page.getByRole('group', { name: 'Confirm removing Otto Other' }).getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('cell', { name: 'Otto Other otto@studio.test' }).waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('usage and quotas: storage shown, quota set and removed', async () => {
    const { page, problems, context } = await w.page();
    await w.signIn(page, owner, `/studios/${studioId}/settings/usage`);
    await page.getByRole('cell', { name: 'Forest' }).waitFor();
    await page.getByRole('textbox', { name: 'Studio quota (GB)' }).fill('lots');
    await page.getByRole('button', { name: 'Set quota' }).click();
    await page.getByText('Enter a size in GB').waitFor();
    await page.getByRole('textbox', { name: 'Studio quota (GB)' }).fill('2');
    await page.getByRole('button', { name: 'Set quota' }).click();
    await page.getByText('The quota is now 2.0 GB.').waitFor();
    assert.equal((await owner.api.content.studioUsage(studioId)).quotaBytes, 2 * 1024 ** 3);
    await page.getByRole('meter', { name: 'Studio storage' }).waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'studio-usage');
    await page.getByRole('button', { name: 'Remove quota' }).click();
    await page.getByText('The quota is removed.').waitFor();
    assert.equal((await owner.api.content.studioUsage(studioId)).quotaBytes, null);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('account: sessions listed with this one marked, another revoked; password change with clear field errors', async () => {
    const paul = await w.member(owner, studioId, 'Paul Password'); // his API session is one of his sessions
    const { page, problems, context } = await w.page();
    await w.signIn(page, paul, '/account');
    await page.getByRole('heading', { name: 'Where you are signed in' }).waitFor();
    await page.getByText('This browser').waitFor();
    const rows = page.locator('tbody tr');
    assert.equal(await rows.count(), 2);
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'account');
    await page.getByRole('button', { name: /^Revoke session on/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    assert.equal((await paul.api.auth.me().catch((e) => e)).status, 401); // that session ended at once

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByLabel('New password, again').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The current password is incorrect.').waitFor();
    assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('New password', { exact: true }).inputValue(), 'a brand new passphrase'); // kept
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('New password, again').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText(/must be at least \d+ characters/).waitFor();
    assert.equal(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByLabel('New password, again').fill('a brand new passphrase!');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The two new passwords do not match.').waitFor();
    await page.getByLabel('New password, again').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    await new BacklotApi({ baseUrl: w.url }).auth.login({ email: paul.email, password: 'a brand new passphrase' });
    assert.deepEqual(await axeProblems(page), []);

    // Signing this browser out from the list.
    await page.getByRole('button', { name: 'Sign out of this browser' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
