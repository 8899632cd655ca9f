// The project browser in a real browser against a real `backlot serve`: the collection tree
// opened in place, list and grid (with previews), combinable filters and tabs, multi-select and
// a move, new collections, the trash with restore and purge, and a Vendor who sees only assigned
// work and whose browser never receives the names of the rest. axe-core on each view.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeProblems, BrowserWorld, skipReason, snap, type Person } from './world.ts';
import { demoCheckpoint } from './demo-files.ts';

const skip = skipReason();

describe('web app: the project browser', { skip: skip ?? false, timeout: 240_000 }, () => {
  let w: BrowserWorld;
  let owner: Person, vera: Person;
  let projectId = '';
  const col: Record<string, string> = {};
  const asset: Record<string, string> = {};
  const st: Record<string, string> = {};
  const browse = (q = '') => `${w.url}/projects/${projectId}/browse${q}`;
  const items = (page: Page) => page.getByRole('list', { name: /Contents of|Matching items/ });
  const itemLink = (page: Page, name: string) => items(page).getByRole('link', { name, exact: true });
  /** The names listed, in order. */
  const listed = async (page: Page) => (await items(page).locator('.items__name').allTextContents()).map((s) => s.replace(/^▣\s*/, ''));

  before(async () => {
    w = await BrowserWorld.start();
    owner = await w.setupOwner();
    const studio = await owner.api.studios.create({ name: 'Northern Lights' });
    vera = await w.member(owner, studio.id, 'Vera Vendor');
    const p = await owner.api.projects.create(studio.id, { name: 'Forest' });
    projectId = p.id;
    const roles = (await owner.api.roles.list(projectId)).roles;
    await owner.api.projectMembers.add(projectId, { userIds: [vera.id], roleId: roles.find((r) => r.key === 'vendor')!.id });
    for (const s of (await owner.api.browse.statuses(projectId)).statuses) st[s.key ?? s.name] = s.id;
    await owner.api.production.updateSettings(projectId, { assetTypes: ['anim', 'layout', 'texture'], tags: ['night', 'hero'] });
    const c = (name: string, parentId: string | null) => owner.api.production.createCollection(projectId, { parentId, name }).then((r) => (col[name] = r.id));
    await c('Characters', null);
    await c('Sets', null);
    await c('Heroes', col.Characters);
    await c('Secret Vault', null);
    const a = async (name: string, extension: string, collectionId: string | null, more: { kind?: 'task' | 'resource'; assetType?: string; tags?: string[]; assigneeId?: string; statusId?: string } = {}) => {
      const r = await owner.api.production.createAsset(projectId, { collectionId, name, extension, kind: more.kind ?? 'task', assetType: more.assetType ?? null, ...(more.tags && { tags: more.tags }) });
      if (more.statusId) await owner.api.production.setStatus(projectId, r.id, { statusId: more.statusId });
      if (more.assigneeId) await owner.api.production.assignTask(projectId, r.id, { assigneeId: more.assigneeId });
      asset[name] = r.id;
    };
    await a('Bear', 'blend', col.Characters, { assetType: 'anim', assigneeId: vera.id, statusId: st.wip });
    await a('Fox', 'blend', col.Characters, { assetType: 'anim', assigneeId: owner.id, statusId: st.todo, tags: ['hero'] });
    await a('Lair', 'blend', col.Sets, { assetType: 'layout', tags: ['night'], statusId: st.todo });
    await a('Sky', 'exr', null, { kind: 'resource', assetType: 'texture', tags: ['night'] });
    await a('Treasure Map', 'psd', col['Secret Vault'], { kind: 'resource', assetType: 'texture' });
    await demoCheckpoint(owner.api, projectId, asset.Fox, { bytes: Buffer.from('fox v1'), comment: 'first blocking', previewSeed: 3 });
  });
  after(async () => { await w?.close(); });

  it('opens collections in place, lists and grids them, filters, moves a selection and uses the trash', async () => {
    const { page, context, problems } = await w.page();
    await w.signIn(page, owner, `/projects/${projectId}/browse`);
    // Top level: the collections, then what lies outside any.
    const tree = page.getByRole('navigation', { name: 'Collections' });
    await tree.getByRole('button', { name: 'Characters', exact: true }).waitFor();
    await itemLink(page, 'Sky.exr').waitFor();
    assert.deepEqual(await listed(page), ['Characters', 'Secret Vault', 'Sets', 'Sky.exr']);
    assert.deepEqual(await axeProblems(page), []);

    // Expand in place: Heroes appears under Characters without leaving the page.
    await tree.getByRole('button', { name: 'Expand Characters' }).click();
    await tree.getByRole('button', { name: 'Heroes', exact: true }).waitFor();
    await tree.getByRole('button', { name: 'Characters', exact: true }).click();
    await itemLink(page, 'Fox.blend').waitFor();
    assert.deepEqual(await listed(page), ['Heroes', 'Bear.blend', 'Fox.blend']);
    await page.getByRole('navigation', { name: 'Where you are' }).getByText('Characters').waitFor();
    await snap(page, 'browser-list');

    // Grid: Fox has a preview image, served to this session.
    await page.getByRole('button', { name: 'Grid' }).click();
    await page.waitForURL(/layout=grid/);
    const img = page.locator('.tile img.preview');
    await img.first().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.tile img.preview')].every((i) => i.complete && i.naturalWidth > 0));
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'browser-grid');
    await page.getByRole('button', { name: 'List' }).click();

    // Filters search the whole subtree and combine; tabs too.
    await tree.getByRole('button', { name: 'Forest', exact: true }).click();
    await page.getByLabel('Tag').selectOption('night');
    await itemLink(page, 'Lair.blend').waitFor();
    assert.deepEqual((await listed(page)).sort(), ['Lair.blend', 'Sky.exr']);
    // A match further down names its folder; one in the folder shown does not.
    const sub = (name: string) => page.locator('.row', { has: page.getByRole('link', { name, exact: true }) }).locator('.row__sub').textContent();
    assert.equal(await sub('Lair.blend'), 'Task · in Sets · night');
    assert.equal(await sub('Sky.exr'), 'Resource · night');
    await page.getByLabel('Extension').fill('exr');
    await page.waitForURL(/ext=exr/);
    await page.waitForFunction(() => document.querySelectorAll('.items__name').length === 1);
    assert.deepEqual(await listed(page), ['Sky.exr']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('button', { name: 'Unassigned', exact: true }).click();
    await page.waitForURL(/tab=unassigned/);
    await page.waitForFunction(() => [...document.querySelectorAll('.items__name')].map((e) => e.textContent).join() === 'Lair.blend');
    await page.getByRole('button', { name: 'My Tasks' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('.items__name')].map((e) => e.textContent).join() === 'Fox.blend');
    await page.getByLabel('Assignee').selectOption({ label: 'Unassigned' });
    await page.getByText('Nothing matches these filters.').waitFor();
    await page.getByRole('button', { name: 'Default' }).click();
    await page.getByLabel('Assignee').selectOption({ label: 'Vera Vendor' });
    await page.getByLabel('Status').selectOption({ label: 'WIP' });
    await page.waitForFunction(() => [...document.querySelectorAll('.items__name')].map((e) => e.textContent).join() === 'Bear.blend');
    assert.deepEqual(await axeProblems(page), []);
    await page.getByRole('button', { name: 'Clear filters' }).click();

    // Multi-select in Characters, move both into Sets.
    await tree.getByRole('button', { name: 'Characters', exact: true }).click();
    await itemLink(page, 'Bear.blend').waitFor();
    await page.getByLabel('Select Bear.blend').check();
    await page.getByLabel('Select Fox.blend').check();
    await page.getByRole('region', { name: 'Selected items' }).getByText('2').waitFor();
    await page.getByRole('button', { name: 'Move to…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Move 2 items' });
    await dialog.getByRole('button', { name: 'Sets', exact: true }).click();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'browser-move');
    await dialog.getByRole('button', { name: 'Move here' }).click();
    await page.getByText('2 items moved.').waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.items__name')].map((e) => e.textContent?.replace(/^▣\s*/, '')).join() === 'Heroes');
    assert.equal((await owner.api.browse.asset(projectId, asset.Bear)).collectionId, col.Sets);
    assert.equal((await owner.api.browse.asset(projectId, asset.Fox)).collectionId, col.Sets);

    // A new collection, typed and created here; a refused name keeps what was typed.
    await page.getByRole('button', { name: 'New collection' }).click();
    const name = page.getByLabel('Collection name');
    await name.fill('Heroes');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await page.locator('.field__error, .notice--error').first().waitFor();
    assert.equal(await name.inputValue(), 'Heroes');
    await name.fill('Villains');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await page.getByText('Collection “Villains” created in Characters.').waitFor();
    await itemLink(page, 'Villains').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();

    // Trash: Villains goes, comes back, goes again and is purged.
    await page.getByLabel('Select Villains').check();
    await page.getByRole('button', { name: 'Move to trash' }).click();
    await page.getByText('1 item moved to the trash.').waitFor();
    await page.getByRole('button', { name: 'Trash' }).click();
    await page.getByRole('button', { name: 'Restore Villains' }).waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'browser-trash');
    await page.getByRole('button', { name: 'Restore Villains' }).click();
    await page.getByText('“Villains” is back in its place.').waitFor();
    await page.getByText('The trash is empty.').waitFor();
    await owner.api.production.deleteCollection(projectId, (await owner.api.browse.collections(projectId, { parentId: col.Characters })).collections.find((c) => c.name === 'Villains')!.id);
    await page.reload();
    await page.getByRole('button', { name: 'Purge Villains' }).click();
    await page.getByRole('button', { name: 'Purge for good' }).click();
    await page.getByText('“Villains” was removed for good.').waitFor();
    assert.equal((await owner.api.browse.trash(projectId)).items.length, 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('a Vendor sees only assigned work, and the browser never receives the names of the rest', async () => {
    const { page, context, problems } = await w.page();
    const received: string[] = [];
    page.on('response', async (r) => {
      if (r.url().includes('/api/')) received.push(await r.text().catch(() => ''));
    });
    await w.signIn(page, vera, `/projects/${projectId}/browse`);
    const tree = page.getByRole('navigation', { name: 'Collections' });
    // Bear (assigned to Vera) now lives in Sets: Sets is shown, by name, so she can get there.
    await tree.getByRole('button', { name: 'Sets', exact: true }).click();
    await itemLink(page, 'Bear.blend').waitFor();
    assert.deepEqual(await listed(page), ['Bear.blend']);
    await page.getByRole('button', { name: 'My Tasks' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('.items__name')].map((e) => e.textContent).join() === 'Bear.blend');
    await page.getByRole('button', { name: 'Default' }).click();
    await tree.getByRole('button', { name: 'Forest', exact: true }).click();
    await page.getByText(/This collection is empty|Sets/).first().waitFor();
    // No trash, no creating, for a Vendor.
    assert.equal(await page.getByRole('button', { name: 'Trash' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'New collection' }).count(), 0);
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'browser-vendor');
    const html = await page.content();
    for (const hidden of ['Fox', 'Lair', 'Sky', 'Heroes', 'Secret Vault', 'Treasure Map', 'Characters']) {
      assert.ok(!html.includes(hidden), `${hidden} is in the page`);
      assert.ok(!received.some((body) => body.includes(hidden)), `${hidden} reached the browser`);
    }
    assert.ok(received.length > 3, 'responses were recorded');
    assert.deepEqual(problems, []);
    await context.close();
  });
  it('shows changes made by others without a reload', async () => {
    const live = await owner.api.production.createCollection(projectId, { parentId: null, name: 'Live Drop' });
    const { page, context, problems } = await w.page();
    await w.signIn(page, owner, `/projects/${projectId}/browse?folder=${live.id}`);
    await page.getByText(/This collection is empty/).waitFor();
    // Someone else (here: through the API) adds a file and renames it: the list follows.
    const moon = await owner.api.production.createAsset(projectId, { collectionId: live.id, name: 'Moon', extension: 'exr', kind: 'resource' });
    await itemLink(page, 'Moon.exr').waitFor({ timeout: 5000 });
    await owner.api.production.updateAsset(projectId, moon.id, { name: 'Full Moon' });
    await itemLink(page, 'Full Moon.exr').waitFor({ timeout: 5000 });
    assert.deepEqual(await listed(page), ['Full Moon.exr']);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
