// The asset page in a real browser against a real `backlot serve`: the trail with the status at
// each checkpoint and their previews, downloading a version, a share link made (it works for
// anyone with it) and revoked (then it does not), dependencies added, removed and walked, and
// control of a task requested by one user and accepted by its holder on their own page, and a
// resource made a task and back (offered only to roles that may change the asset). axe-core on
// each state.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axeProblems, BrowserWorld, skipReason, snap, type Person } from './world.ts';
import { demoCheckpoint } from './demo-files.ts';

const skip = skipReason();

describe('web app: the asset page', { skip: skip ?? false, timeout: 240_000 }, () => {
  let w: BrowserWorld;
  let owner: Person, sam: Person;
  let projectId = '';
  const st: Record<string, string> = {};
  const asset: Record<string, string> = {};
  const page$ = (name: string) => `/projects/${projectId}/assets/${asset[name]}`;

  before(async () => {
    w = await BrowserWorld.start();
    owner = await w.setupOwner();
    const studio = await owner.api.studios.create({ name: 'Northern Lights' });
    sam = await w.member(owner, studio.id, 'Sam Supervisor');
    const p = await owner.api.projects.create(studio.id, { name: 'Forest' });
    projectId = p.id;
    const roles = (await owner.api.roles.list(projectId)).roles;
    await owner.api.projectMembers.add(projectId, { userIds: [sam.id], roleId: roles.find((r) => r.key === 'supervisor')!.id });
    for (const s of (await owner.api.browse.statuses(projectId)).statuses) st[s.key ?? s.name] = s.id;
    const shots = await owner.api.production.createCollection(projectId, { parentId: null, name: 'Shots' });
    for (const [name, collectionId] of [['Fox', shots.id], ['Forest Floor', null], ['Moss', null]] as const) {
      const a = await owner.api.production.createAsset(projectId, { collectionId, name, extension: 'blend', kind: name === 'Fox' ? 'task' : 'resource' });
      asset[name] = a.id;
    }
    await owner.api.production.assignTask(projectId, asset.Fox, { assigneeId: owner.id });
    await owner.api.production.setStatus(projectId, asset.Fox, { statusId: st.wip });
    await demoCheckpoint(owner.api, projectId, asset.Fox, { bytes: Buffer.from('fox blocking pass'), comment: 'blocking', previewSeed: 1 });
    await demoCheckpoint(owner.api, projectId, asset.Fox, { bytes: Buffer.from('fox spline pass, longer'), comment: 'splines, ready for review', statusId: st.wfa, previewSeed: 2 });
    await owner.api.production.setStatus(projectId, asset.Fox, { statusId: st.retake });
    // Forest Floor uses Moss: the graph from Fox goes two levels deep once Fox uses Forest Floor.
    await owner.api.production.addDependency(projectId, asset['Forest Floor'], { targetAssetId: asset.Moss, dependencyType: 'uses' });
  });
  after(async () => { await w?.close(); });

  it('shows the trail with statuses and previews, downloads a version, and makes and revokes a share link', async () => {
    const { page, context, problems } = await w.page();
    await w.signIn(page, owner, page$('Fox'));
    await page.getByRole('heading', { name: 'Fox.blend', level: 1 }).waitFor();
    const history = page.getByRole('region', { name: 'History' });
    // Newest first: the Retake change, checkpoint #2 made in WFA, the change to WFA, #1 in WIP, ...
    const cp2 = history.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Checkpoint #2/ }) });
    await cp2.getByText('WFA').waitFor();
    await history.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Checkpoint #1/ }) }).getByText('WIP').waitFor();
    await history.getByText('“splines, ready for review”').waitFor();
    assert.ok(await history.getByText('Retake').first().isVisible());
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll<HTMLImageElement>('.timeline img')];
      return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth === 320);
    });
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'asset');

    // Download #1: the file itself, named by the server.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download #1' }).click()]);
    assert.equal(download.suggestedFilename(), 'Fox.blend');
    const { readFile } = await import('node:fs/promises');
    assert.equal((await readFile((await download.path())!)).toString(), 'fox blocking pass');

    // Share #2 for a day: the link is shown once and works for anyone, until revoked.
    await cp2.getByRole('button', { name: 'Share #2…' }).click();
    const shares = page.getByRole('region', { name: 'Share links' });
    assert.equal(await shares.getByLabel('Checkpoint').inputValue(), (await owner.api.browse.trail(projectId, asset.Fox)).entries.find((e) => e.type === 'checkpoint' && e.checkpoint.number === 2)!.checkpoint!.id);
    await shares.getByLabel('Expires after').selectOption({ label: '1 day' });
    await shares.getByRole('button', { name: 'Create link' }).click();
    const url = await shares.getByLabel('New link (shown only now)').inputValue();
    assert.match(url, /\/s\//);
    await shares.getByText(/Expires .* · 0 downloads/).waitFor();
    assert.equal((await fetch(url)).status, 200);
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'asset-share');
    await shares.getByRole('button', { name: /^Revoke the link to checkpoint #2/ }).click();
    await shares.getByText('No active links to this asset.').waitFor();
    assert.notEqual((await fetch(url)).status, 200);
    const listed = (await owner.api.content.listShares(projectId)).shares;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].state, 'revoked');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('adds, walks and removes dependencies', async () => {
    const { page, context, problems } = await w.page();
    await w.signIn(page, owner, page$('Fox'));
    const deps = page.getByRole('region', { name: 'Dependencies' });
    await deps.getByText('Depends on nothing.').waitFor();
    await deps.getByLabel('Add a dependency').fill('forest');
    await deps.getByRole('button', { name: 'Forest Floor.blend' }).click();
    await deps.getByRole('button', { name: 'Add', exact: true }).click();
    await deps.getByRole('link', { name: 'Forest Floor.blend' }).waitFor();
    await deps.getByRole('button', { name: 'Show everything it depends on' }).click();
    await deps.getByText('Everything it depends on (2 assets)').waitFor();
    await deps.locator('.graph').getByRole('link', { name: 'Moss.blend' }).waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'asset-deps');
    await deps.getByRole('button', { name: 'Remove the dependency on Forest Floor.blend' }).click();
    await deps.getByText('Depends on nothing.').waitFor();
    assert.equal((await owner.api.browse.asset(projectId, asset.Fox)).dependencies.length, 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('control: requested by one user, accepted by the holder, handed back, taken over', async () => {
    const a = await w.page();
    const b = await w.page();
    await w.signIn(a.page, owner, page$('Fox'));
    await w.signIn(b.page, sam, page$('Fox'));
    const control = (p: typeof a.page) => p.getByRole('region', { name: 'Control' });
    await control(b.page).getByText('Olivia Owner', { exact: true }).waitFor();
    await control(b.page).getByLabel('Message to Olivia Owner (optional)').fill('I will fix the retake');
    await control(b.page).getByRole('button', { name: 'Request control' }).click();
    await control(b.page).getByText('You asked Olivia Owner for this task.').waitFor();
    assert.deepEqual(await axeProblems(b.page), []);

    await a.page.reload();
    await control(a.page).getByText('“I will fix the retake”').waitFor();
    assert.deepEqual(await axeProblems(a.page), []);
    await snap(a.page, 'asset-request');
    await control(a.page).getByRole('button', { name: 'Accept: hand the task to Sam Supervisor' }).click();
    await control(a.page).getByText('The task now belongs to Sam Supervisor.').waitFor();
    assert.equal((await owner.api.browse.asset(projectId, asset.Fox)).assigneeId, sam.id);

    // Sam holds it now: hand it back to Olivia; then, as a Supervisor, take it over again.
    await b.page.reload();
    await control(b.page).getByLabel('Hand off to').selectOption({ label: 'Olivia Owner (Admin)' });
    await control(b.page).getByRole('button', { name: 'Hand off' }).click();
    await control(b.page).getByText('You handed the task to Olivia Owner.').waitFor();
    assert.equal((await owner.api.browse.asset(projectId, asset.Fox)).assigneeId, owner.id);
    await control(b.page).getByRole('button', { name: 'Take over' }).click();
    await control(b.page).getByText('You hold the task now.').waitFor();
    assert.equal((await owner.api.browse.asset(projectId, asset.Fox)).assigneeId, sam.id);
    assert.deepEqual([...a.problems, ...b.problems], []);
    await a.context.close();
    await b.context.close();
  });

  it('kind: a resource made a task, and back after a confirmation; not offered without asset.update', async () => {
    const { page, context, problems } = await w.page();
    await w.signIn(page, owner, page$('Moss'));
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByRole('button', { name: 'Make it a task' }).click();
    await details.getByRole('button', { name: 'Make it a resource' }).waitFor();
    await details.getByText('Unassigned').waitFor();
    const task = await owner.api.browse.asset(projectId, asset.Moss);
    assert.deepEqual([task.kind, task.statusId], ['task', st.todo]);
    // Only a task has control: the panel appears with it.
    await page.getByRole('region', { name: 'Control' }).getByText('Nobody holds this task.').waitFor();

    await details.getByRole('button', { name: 'Make it a resource' }).click();
    const confirm = details.getByRole('group', { name: 'Confirm making this task a resource' });
    await confirm.getByText('Its assignee, status and pending requests are cleared.').waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'asset-kind');
    await confirm.getByRole('button', { name: 'Make it a resource' }).click();
    await details.getByRole('button', { name: 'Make it a task' }).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Control' }).count(), 0);
    assert.equal((await owner.api.browse.asset(projectId, asset.Moss)).kind, 'resource');
    assert.deepEqual(problems, []);
    await context.close();

    // A Supervisor may not change assets: the page offers nothing.
    const s = await w.page();
    await w.signIn(s.page, sam, page$('Moss'));
    await s.page.getByRole('region', { name: 'Details' }).getByText('Resource').waitFor();
    assert.equal(await s.page.getByRole('button', { name: /^Make it a / }).count(), 0);
    assert.deepEqual(s.problems, []);
    await s.context.close();
  });
});
