// Project settings in a real browser against a real `backlot serve`: adding collaborators with
// chips (studio members added, others invited with a copyable link), the roles editor read from
// the permission catalog (Admin locked; an edit seen by another signed-in user on their board;
// create and delete with a replacement), statuses and the project's vocabularies; axe-core on
// every section, no CSP violation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axeProblems, BrowserWorld, skipReason, snap, type Person } from './world.ts';

const skip = skipReason();

describe('web app: project settings and the roles editor', { skip: skip ?? false, timeout: 240_000 }, () => {
  let w: BrowserWorld;
  let owner: Person, sam: Person, artie: Person;
  let studioId = '';
  let projectId = '';
  const roleId: Record<string, string> = {};
  const settings = (section = '') => `/projects/${projectId}/settings${section}`;

  before(async () => {
    w = await BrowserWorld.start();
    owner = await w.setupOwner();
    studioId = (await owner.api.studios.create({ name: 'Northern Lights' })).id;
    sam = await w.member(owner, studioId, 'Sam Supervisor');
    artie = await w.member(owner, studioId, 'Artie Artist');
    projectId = (await owner.api.projects.create(studioId, { name: 'Forest' })).id;
    for (const r of (await owner.api.roles.list(projectId)).roles) roleId[r.key ?? r.name] = r.id;
  });
  after(async () => { await w?.close(); });

  it('adds collaborators with chips: studio members join, a newcomer is invited with a link; roles changed and members removed', async () => {
    const { page, problems, context } = await w.page();
    await w.signIn(page, owner, settings());
    const people = page.getByRole('combobox', { name: 'People' }); // with suggestions (a datalist)
    await people.waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await people.pressSequentially(artie.email);
    await people.press('Enter');
    await people.pressSequentially(sam.email);
    await people.press('Space');
    await people.pressSequentially('newcomer@studio.test,');
    await people.pressSequentially(owner.email);
    await people.press(',');
    // The owner is in the project already: marked, and the add is held back.
    await page.getByText(`${owner.email}: already in this project`, { exact: true }).waitFor();
    await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption({ label: 'Artist' });
    await page.getByRole('button', { name: 'Add 4 people' }).click();
    await page.getByText('Correct or remove the marked addresses first.').waitFor();
    await people.focus();
    await people.press('Backspace'); // the marked one comes back into the field...
    await people.fill(''); // ...and goes
    await snap(page, 'project-collaborators-chips');
    await page.getByRole('button', { name: 'Add 3 people' }).click();
    await page.getByText('Added 2 people to the project.').waitFor();
    const link = await page.getByRole('textbox', { name: 'Invitation link for newcomer@studio.test' }).inputValue();
    assert.match(link, /\/invite#token=/);

    const members = await owner.api.projectMembers.list(projectId);
    assert.deepEqual(members.members.map((m) => `${m.name}:${m.roleName}`).sort(), ['Artie Artist:Artist', 'Olivia Owner:Admin', 'Sam Supervisor:Artist']);
    const invitation = (await owner.api.invitations.list(studioId)).invitations.find((i) => i.email === 'newcomer@studio.test')!;
    assert.deepEqual(invitation.projects, [{ projectId, roleId: roleId.artist }]);

    // Sam's role changed in place; Artie removed (after a confirmation) and added back.
    await page.getByRole('combobox', { name: 'Role of Sam Supervisor' }).selectOption({ label: 'Supervisor' });
    await waitFor(async () => (await owner.api.projectMembers.list(projectId)).members.find((m) => m.userId === sam.id)?.roleId === roleId.supervisor);
    await page.getByRole('button', { name: 'Remove Artie Artist from the project' }).click();
    await page.getByRole('group', { name: 'Confirm removing Artie Artist' }).getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('cell', { name: /^Artie Artist/ }).waitFor({ state: 'detached' });
    await people.fill(artie.email);
    await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption({ label: 'Artist' });
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByText('Added 1 person to the project.').waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'project-collaborators');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('editing a role takes effect for another signed-in user: Artist loses status.change and the card can no longer be moved', async () => {
    const statuses = (await owner.api.browse.statuses(projectId)).statuses;
    const todo = statuses.find((s) => s.key === 'todo')!;
    const bear = await owner.api.production.createAsset(projectId, { collectionId: null, name: 'Bear', extension: 'blend', kind: 'task' });
    await owner.api.production.setStatus(projectId, bear.id, { statusId: todo.id });
    await owner.api.production.assignTask(projectId, bear.id, { assigneeId: artie.id });

    const art = await w.page();
    await w.signIn(art.page, artie, `/projects/${projectId}/board`);
    await art.page.getByRole('button', { name: 'Move Bear.blend' }).waitFor();

    const { page, problems, context } = await w.page();
    await w.signIn(page, owner, settings('/roles'));
    await page.getByRole('button', { name: /^Artist/ }).click();
    await page.getByRole('heading', { name: 'Artist', level: 2 }).waitFor();
    // Every permission of the catalog, grouped by area, each with its line of explanation.
    const catalog = await owner.api.roles.permissions();
    assert.equal(await page.getByRole('switch').count(), catalog.permissions.length + 1); // + "only what is assigned"
    for (const area of catalog.areas) await page.getByRole('group', { name: area.label }).waitFor();
    await page.getByText(catalog.descriptions['status.change']).waitFor();
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'project-roles');

    const toggle = page.getByRole('switch', { name: 'status.change', exact: true });
    assert.equal(await toggle.isChecked(), true);
    await toggle.focus();
    await page.keyboard.press('Space'); // by keyboard
    assert.equal(await toggle.isChecked(), false);
    await page.getByRole('button', { name: 'Save role' }).click();
    await page.getByText('Saved.').waitFor();
    const artist = (await owner.api.roles.list(projectId)).roles.find((r) => r.id === roleId.artist)!;
    assert.ok(!artist.permissions.includes('status.change'));

    // The artist's next request sees it: after a reload the card is locked for them.
    await art.page.reload();
    await art.page.locator('article[aria-label="Bear.blend"]').waitFor();
    assert.equal(await art.page.getByRole('button', { name: 'Move Bear.blend' }).count(), 0);
    await art.page.locator('article[aria-label="Bear.blend"]').getByText('Status locked for you').waitFor();
    const refused = await artie.api.production.setStatus(projectId, bear.id, { statusId: statuses.find((s) => s.key === 'wip')!.id }).catch((e) => e);
    assert.equal(refused.status, 403);

    // Admin is locked: every toggle on, none can be changed, and no delete.
    await page.getByRole('button', { name: /^Admin/ }).click();
    await page.getByText('Admin holds every permission and cannot be edited or deleted').waitFor();
    assert.equal(await page.getByRole('switch', { name: 'roles.manage', exact: true }).isDisabled(), true);
    assert.equal(await page.getByRole('switch', { name: 'roles.manage', exact: true }).isChecked(), true);
    assert.equal(await page.getByRole('button', { name: 'Save role' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete role…' }).count(), 0);
    assert.deepEqual(problems.concat(art.problems), []);
    await art.context.close();
    await context.close();
  });

  it('creates a role, refuses a bad name next to the field, and deletes a role in use with a replacement', async () => {
    const { page, problems, context } = await w.page();
    await w.signIn(page, owner, settings('/roles'));
    await page.getByRole('button', { name: '+ New role' }).click();
    await page.getByRole('heading', { name: 'New role', level: 2 }).waitFor();
    await page.getByRole('textbox', { name: 'Role name' }).fill('Lighting/Lead');
    await page.getByRole('switch', { name: 'checkpoint.create', exact: true }).check();
    await page.getByRole('switch', { name: 'content.download', exact: true }).check();
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByText('The name must not contain path separators.').waitFor();
    assert.equal(await page.getByRole('switch', { name: 'checkpoint.create', exact: true }).isChecked(), true); // kept
    await page.getByRole('textbox', { name: 'Role name' }).fill('Supervisor');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByText('A role with this name already exists.').waitFor(); // the server's refusal, nothing lost
    assert.equal(await page.getByRole('switch', { name: 'content.download', exact: true }).isChecked(), true);
    await page.getByRole('textbox', { name: 'Role name' }).fill('Lighting Lead');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByRole('heading', { name: 'Lighting Lead', level: 2 }).waitFor();
    const lead = (await owner.api.roles.list(projectId)).roles.find((r) => r.name === 'Lighting Lead')!;
    assert.deepEqual([...lead.permissions].sort(), ['checkpoint.create', 'content.download']);

    // In use by Sam: deleting asks where he goes.
    await owner.api.projectMembers.changeRole(projectId, sam.id, lead.id);
    await page.reload();
    await page.getByRole('button', { name: /^Lighting Lead/ }).click();
    await page.getByRole('button', { name: 'Delete role…' }).click();
    await page.getByRole('button', { name: 'Delete and move members' }).click();
    await page.getByText('Choose the role its 1 member moves to.').waitFor();
    await page.getByRole('combobox', { name: 'Move its 1 member to' }).selectOption({ label: 'Supervisor' });
    await page.getByRole('button', { name: 'Delete and move members' }).click();
    await page.getByRole('button', { name: /^Lighting Lead/ }).waitFor({ state: 'detached' });
    assert.equal((await owner.api.projectMembers.list(projectId)).members.find((m) => m.userId === sam.id)!.roleId, roleId.supervisor);
    assert.deepEqual(await axeProblems(page), []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('edits statuses (rename, colour, category, order, add, delete with a replacement) and the vocabularies', async () => {
    const { page, problems, context } = await w.page();
    await w.signIn(page, owner, settings('/statuses'));
    const name = page.getByRole('textbox', { name: 'Name of WFA' });
    await name.fill('Review');
    await page.getByRole('textbox', { name: 'Short label of WFA' }).fill('');
    await page.getByRole('form', { name: 'Status WFA' }).getByRole('button', { name: 'Save' }).click();
    await page.getByText('Give it a short label.').waitFor();
    assert.equal(await name.inputValue(), 'Review'); // kept
    await page.getByRole('textbox', { name: 'Short label of WFA' }).fill('REV');
    await page.getByRole('form', { name: 'Status WFA' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('textbox', { name: 'Name of Review' }).waitFor();

    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Layout review');
    await page.getByRole('textbox', { name: 'Short label', exact: true }).fill('LRV');
    await page.getByRole('combobox', { name: 'Category', exact: true }).selectOption('review');
    await page.getByRole('button', { name: 'Add status' }).click();
    await page.getByRole('textbox', { name: 'Name of Layout review' }).waitFor();
    await page.getByRole('button', { name: 'Move Layout review up' }).click();
    await waitFor(async () => {
      const list = (await owner.api.browse.statuses(projectId)).statuses.sort((a, b) => a.order - b.order).map((s) => s.name);
      return list.join() === 'Todo,WIP,Review,Retake,Layout review,Done';
    });
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'project-statuses');
    await page.getByRole('button', { name: 'Delete Layout review' }).click();
    await page.getByRole('combobox', { name: 'Move the tasks in Layout review to' }).selectOption({ label: 'Review' });
    await page.getByRole('button', { name: 'Delete Layout review' }).click();
    await page.getByRole('textbox', { name: 'Name of Layout review' }).waitFor({ state: 'detached' });
    const after = (await owner.api.browse.statuses(projectId)).statuses;
    assert.equal(after.find((s) => s.key === 'wfa')!.shortLabel, 'REV');
    assert.ok(!after.some((s) => s.name === 'Layout review'));

    await page.getByRole('link', { name: 'Types and tags' }).click();
    const tags = page.getByRole('textbox', { name: 'Tags' });
    await tags.fill('hero prop'); // words may hold spaces here
    await tags.press('Enter');
    await tags.fill('night');
    await page.getByRole('button', { name: 'Save types and tags' }).click();
    await page.getByText('Saved.').waitFor();
    assert.deepEqual((await owner.api.browse.settings(projectId)).settings.tags, ['hero prop', 'night']);
    // The project needs a dependency type: the server's refusal is shown by that list.
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: /^Remove (uses|references|based-on)$/ }).first().click();
    await page.getByRole('button', { name: 'Save types and tags' }).click();
    await page.getByText('Keep at least 1.').waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Dependency types' }).getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await page.getByRole('textbox', { name: 'Tags' }).count(), 1);
    assert.equal(await page.locator('.chip-token__value', { hasText: 'hero prop' }).count(), 1); // nothing typed was lost
    assert.deepEqual(await axeProblems(page), []);
    await snap(page, 'project-types');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
