// The audit log viewer in a real browser against a real `backlot serve`: a project's log shows
// what people did (through the API and the pages, as in the other browser tests), filters by
// action and actor, pages, exports what is filtered as JSON Lines and CSV, and shows the studio's
// chain check; the studio's log too; someone without audit.view is refused politely. axe-core.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axeProblems, BrowserWorld, skipReason, snap, type Person } from './world.ts';

const skip = skipReason();

describe('web app: the audit log', { skip: skip ?? false, timeout: 240_000 }, () => {
  let w: BrowserWorld;
  let owner: Person, sam: Person;
  let projectId = '', studioId = '';
  const st: Record<string, string> = {};
  let fox = '';

  before(async () => {
    w = await BrowserWorld.start();
    owner = await w.setupOwner();
    const studio = await owner.api.studios.create({ name: 'Northern Lights' });
    studioId = studio.id;
    sam = await w.member(owner, studio.id, 'Sam Supervisor');
    const p = await owner.api.projects.create(studio.id, { name: 'Forest' });
    projectId = p.id;
    const roles = (await owner.api.roles.list(projectId)).roles;
    await owner.api.projectMembers.add(projectId, { userIds: [sam.id], roleId: roles.find((r) => r.key === 'supervisor')!.id });
    for (const s of (await owner.api.browse.statuses(projectId)).statuses) st[s.key ?? s.name] = s.id;
    fox = (await owner.api.production.createAsset(projectId, { collectionId: null, name: 'Fox', extension: 'blend', kind: 'task' })).id;
    await owner.api.production.assignTask(projectId, fox, { assigneeId: owner.id });
    for (const s of [st.wip, st.wfa, st.retake]) await owner.api.production.setStatus(projectId, fox, { statusId: s });
    await sam.api.production.requestControl(projectId, fox, { message: 'mine?' });
    // Enough entries for more than one page (50 per page).
    for (let i = 0; i < 60; i++) await owner.api.production.setStatus(projectId, fox, { statusId: i % 2 ? st.wip : st.wfa });
  });
  after(async () => { await w?.close(); });

  it('lists, filters, pages and exports a project\'s log, with the chain check', async () => {
    const { page, context, problems } = await w.page();
    await w.signIn(page, owner, `/projects/${projectId}/board`);
    await page.getByRole('navigation', { name: 'Project Forest' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: /Audit log/ }).waitFor();
    await page.getByText(/Chain verified: all \d+ entries/).waitFor();
    const rows = page.locator('.audit__table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 50);
    await page.getByRole('button', { name: 'Show older entries' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.audit__table tbody tr').length > 50);
    await page.getByText(/the whole log for these filters/).waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'audit-project');

    // Filter: control requests by Sam.
    await page.getByLabel('Action').fill('control.*');
    await page.getByLabel('Actor').selectOption({ label: 'Sam Supervisor' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/action=control/);
    await page.waitForFunction(() => document.querySelectorAll('.audit__table tbody tr').length === 1);
    assert.equal(await rows.first().locator('.audit__action').textContent(), 'control.requested');
    assert.equal(await rows.first().locator('td').nth(2).textContent(), 'Sam Supervisor');
    await rows.first().getByText('Before / after').click();
    await rows.first().getByText(/"requestId"/).waitFor();

    // Exports hold exactly what is filtered.
    for (const [label, format] of [['Export CSV', 'csv'], ['Export JSON Lines', 'jsonl']] as const) {
      const href = await page.getByRole('link', { name: label }).getAttribute('href');
      assert.ok(href?.includes(`format=${format}`) && href.includes('action=control.*'), href ?? '');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: label }).click()]);
      const { readFile } = await import('node:fs/promises');
      const text = (await readFile((await download.path())!)).toString();
      const lines = text.trim().split('\n');
      if (format === 'csv') {
        assert.equal(lines.length, 2, text);
        assert.match(lines[1], /"control\.requested"/);
      } else {
        assert.equal(lines.length, 1, text);
        assert.equal(JSON.parse(lines[0]).action, 'control.requested');
        assert.equal(JSON.parse(lines[0]).actorId, sam.id);
      }
    }
    // A bad filter is explained and what was typed stays.
    await page.getByLabel('Actor').selectOption({ label: 'Anyone' });
    await page.getByLabel('Action').fill('task.status_changed');
    await page.getByLabel('From').fill('2020-01-01');
    await page.getByLabel('Until (inclusive)').fill('2099-12-31');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText(/50 entries shown; older ones follow/).waitFor();
    await page.getByRole('button', { name: 'Show older entries' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.audit__table tbody tr').length === 63);
    assert.deepEqual(new Set(await page.locator('.audit__action').allTextContents()), new Set(['task.status_changed']));
    assert.deepEqual(await axeProblems(page), []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('shows the studio log to its owner, and refuses someone without audit.view politely', async () => {
    const a = await w.page();
    await w.signIn(a.page, owner, `/studios/${studioId}`);
    await a.page.getByRole('navigation', { name: 'Studio pages' }).getByRole('link', { name: 'Audit log' }).click();
    await a.page.getByText(/Chain verified/).waitFor();
    await a.page.locator('.audit__action', { hasText: 'task.status_changed' }).first().waitFor();
    await a.page.getByLabel('Action').fill('invitation.*');
    await a.page.getByRole('button', { name: 'Apply' }).click();
    await a.page.waitForFunction(() => [...document.querySelectorAll('.audit__action')].map((e) => e.textContent).sort().join() === 'invitation.accepted,invitation.created');
    assert.deepEqual(await axeProblems(a.page), []);
    await snap(a.page, 'audit-studio');

    const b = await w.page();
    await w.signIn(b.page, sam, `/projects/${projectId}/board`);
    await b.page.getByRole('navigation', { name: 'Project Forest' }).getByRole('link', { name: 'Board' }).waitFor();
    assert.equal(await b.page.getByRole('link', { name: 'Audit log' }).count(), 0);
    await b.page.goto(`${w.url}/projects/${projectId}/audit`);
    await b.page.getByRole('alert').getByText(/audit\.view/).waitFor();
    assert.deepEqual(await axeProblems(b.page), []);
    assert.deepEqual([...a.problems, ...b.problems], []);
    await a.context.close();
    await b.context.close();
  });
});
