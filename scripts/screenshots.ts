// Regenerates docs/screenshots/*.png: starts a real `backlot serve` (the built CLI and web app,
// as the browser tests do) on a temporary data folder, fills it with a demo studio through the
// public API (people, projects, collections, tasks in every status, checkpoints with preview
// images, a control request, a share link), then drives Chromium through the main pages at
// 1280×720. Everything shown is demo content made for these pictures.
//
//   npm run screenshots        (needs `npm run build` first, and /usr/bin/chromium)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { BrowserWorld, skipReason, type Person } from '../packages/web/test/browser/world.ts';
import { demoCheckpoint } from '../packages/web/test/browser/demo-files.ts';

const DEMO_COMMENTS = [
  'blocking pass', 'splines, ready for review', 'fixed the arc on the jump', 'new textures from the paint-over',
  'addressed notes from dailies', 'cleaned up the rig controls', 'lighting pass with the lantern glow',
];

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const why = skipReason();
if (why) throw new Error(`cannot take screenshots: ${why}`);
mkdirSync(OUT, { recursive: true });

const w = await BrowserWorld.start();
try {
  const seed = await seedDemoStudio(w);
  const { page, context } = await w.page();
  const shot = async (name: string, ready: (p: Page) => Promise<unknown>) => {
    await ready(page);
    // Let lazy images and fonts settle, and keep the caret and hover out of the picture.
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    await page.mouse.move(0, 719);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    process.stderr.write(`  ${name}.png\n`);
  };
  const go = (path: string) => page.goto(`${w.url}${path}`);
  const p = seed.projects.forest;

  await go('/sign-in');
  await shot('01-sign-in', (pg) => pg.getByLabel('Email').fill(seed.owner.email));
  await w.signIn(page, seed.owner, `/studios/${seed.studioId}`);
  await shot('02-projects', (pg) => pg.getByRole('link', { name: 'Forest Spirits' }).waitFor());
  await go(`/projects/${p}/board`);
  await shot('03-board', (pg) => pg.locator('article[aria-label="sh040_anim.blend"]').waitFor());
  await go(`/projects/${p}/browse?folder=${seed.collections.Characters}`);
  await shot('04-browser-list', (pg) => pg.getByRole('link', { name: 'Fox.blend' }).waitFor());
  await go(`/projects/${p}/browse?folder=${seed.collections.Shots}&layout=grid`);
  await shot('05-browser-grid', (pg) => pg.locator('.tile img').first().waitFor());
  await go(`/projects/${p}/browse?tab=unassigned&status=${seed.statuses.todo}`);
  await shot('06-browser-filters', (pg) => pg.getByText(/Searching the whole project/).waitFor());
  await go(`/projects/${p}/assets/${seed.assets.sh040_anim}`);
  await shot('07-asset', (pg) => pg.getByRole('heading', { name: /Checkpoint #3/ }).waitFor());
  await page.getByRole('region', { name: 'History' }).scrollIntoViewIfNeeded();
  await shot('08-asset-history', (pg) => pg.getByRole('heading', { name: /Checkpoint #1/ }).waitFor());
  await go(`/projects/${p}/audit`);
  await shot('09-audit-project', (pg) => pg.getByText(/Chain verified/).waitFor());
  await go(`/studios/${seed.studioId}/audit`);
  await shot('10-audit-studio', (pg) => pg.getByText(/Chain verified/).waitFor());
  // Pages built by others, when they are there.
  for (const [name, path, text] of [
    ['11-studio-settings', `/studios/${seed.studioId}/settings`, 'Sam Supervisor'],
    ['12-project-settings', `/projects/${p}/settings`, 'Sam Supervisor'],
    ['13-account', '/account', 'Olivia Owner'],
  ] as const) {
    await go(path);
    try {
      await shot(name, (pg) => pg.getByText(text).first().waitFor({ timeout: 5000 }));
    } catch {
      process.stderr.write(`  (${name} skipped: the page did not show ${text})\n`);
    }
  }
  // The same board as a Vendor sees it: only what is assigned to them.
  await context.clearCookies();
  await w.signIn(page, seed.vera, `/projects/${p}/board`);
  await shot('14-board-vendor', (pg) => pg.locator('article[aria-label="Owl.blend"]').waitFor());
  await context.close();
} finally {
  await w.close();
}

interface Seeded {
  studioId: string;
  owner: Person;
  vera: Person;
  projects: Record<'forest' | 'lantern' | 'harbour', string>;
  collections: Record<string, string>;
  assets: Record<string, string>;
  statuses: Record<string, string>;
}

/** A demo studio, through the API only: what a small animation studio's week might look like. */
async function seedDemoStudio(world: BrowserWorld): Promise<Seeded> {
  const owner = await world.setupOwner('olivia@northern-lights.test', 'Olivia Owner');
  const studio = await owner.api.studios.create({ name: 'Northern Lights Animation (demo)' });
  const sam = await world.member(owner, studio.id, 'Sam Supervisor');
  const artie = await world.member(owner, studio.id, 'Artie Artist');
  const ana = await world.member(owner, studio.id, 'Ana Animator');
  const lee = await world.member(owner, studio.id, 'Lee Lighting');
  const vera = await world.member(owner, studio.id, 'Vera Vendor');
  const forest = await owner.api.projects.create(studio.id, { name: 'Forest Spirits' });
  const lantern = await owner.api.projects.create(studio.id, { name: 'Lantern Festival' });
  const harbour = await owner.api.projects.create(studio.id, { name: 'Harbour Ads' });
  await owner.api.projects.archive(harbour.id);
  const p = forest.id;
  const roles = Object.fromEntries((await owner.api.roles.list(p)).roles.map((r) => [r.key ?? r.name, r.id]));
  await owner.api.projectMembers.add(p, { userIds: [sam.id], roleId: roles.supervisor });
  await owner.api.projectMembers.add(p, { userIds: [artie.id, ana.id, lee.id], roleId: roles.artist });
  await owner.api.projectMembers.add(p, { userIds: [vera.id], roleId: roles.vendor });
  const st = Object.fromEntries((await owner.api.browse.statuses(p)).statuses.map((s) => [s.key ?? s.name, s.id]));
  await owner.api.production.updateSettings(p, {
    assetTypes: ['model', 'rig', 'anim', 'layout', 'lighting', 'texture'], tags: ['hero', 'night', 'fx'], collectionTypes: ['asset group', 'sequence'],
  });
  const col: Record<string, string> = {};
  for (const [name, parent, shared] of [['Characters', null, true], ['Sets', null, true], ['Shots', null, true], ['Props', 'Sets', true]] as const)
    col[name] = (await owner.api.production.createCollection(p, { parentId: parent ? col[parent] : null, name, shared })).id;

  const people: Record<string, Person> = { owner, sam, artie, ana, lee, vera };
  const assets: Record<string, string> = {};
  let seedNo = 0;
  /** A task with a history: each checkpoint by its holder, in the statuses given, then the last status. */
  const task = async (name: string, ext: string, where: string, type: string, holder: keyof typeof people | null, path: string[], tags: string[] = []) => {
    const a = await owner.api.production.createAsset(p, { collectionId: col[where], name, extension: ext, kind: 'task', assetType: type, tags });
    assets[name.replace(/\W/g, '_')] = a.id;
    if (!holder) {
      if (path[0]) await owner.api.production.setStatus(p, a.id, { statusId: st[path[0]] });
      return;
    }
    const who = people[holder];
    await owner.api.production.assignTask(p, a.id, { assigneeId: who.id });
    for (const [i, s] of path.entries()) {
      await owner.api.production.setStatus(p, a.id, { statusId: st[s] });
      if (s === 'wip' || s === 'wfa') {
        await demoCheckpoint(who.api, p, a.id, {
          bytes: Buffer.from(`${name} v${i + 1} (demo content)`), comment: DEMO_COMMENTS[(seedNo + i) % DEMO_COMMENTS.length], statusId: st[s], previewSeed: ++seedNo,
        });
      }
    }
  };
  await task('Fox', 'blend', 'Characters', 'rig', 'artie', ['todo', 'wip', 'wfa', 'done'], ['hero']);
  await task('Bear', 'blend', 'Characters', 'model', 'artie', ['todo', 'wip', 'wfa'], ['hero']);
  await task('Owl', 'blend', 'Characters', 'model', 'vera', ['todo', 'wip']);
  await task('Spirit', 'blend', 'Characters', 'rig', 'ana', ['todo', 'wip', 'wfa', 'retake'], ['fx']);
  await task('Moth Swarm', 'blend', 'Characters', 'anim', null, ['todo'], ['fx']);
  await task('Forest Floor', 'blend', 'Sets', 'layout', 'lee', ['todo', 'wip', 'wfa', 'done'], ['night']);
  await task('Lair', 'blend', 'Sets', 'layout', 'artie', ['todo', 'wip'], ['night']);
  await task('Village', 'blend', 'Sets', 'model', null, ['todo']);
  await task('Lantern', 'blend', 'Props', 'model', 'ana', ['todo', 'wip', 'wfa'], ['night']);
  await task('Mushrooms', 'blend', 'Props', 'texture', null, ['todo']);
  for (const [n, holder, path] of [
    ['010', 'ana', ['todo', 'wip', 'wfa', 'done']], ['020', 'ana', ['todo', 'wip', 'wfa']], ['030', 'artie', ['todo', 'wip']],
    ['040', 'ana', ['todo', 'wip', 'wfa', 'retake', 'wip', 'wfa']], ['050', null, ['todo']], ['060', 'lee', ['todo', 'wip']],
  ] as const) {
    await task(`sh${n}_anim`, 'blend', 'Shots', 'anim', holder, [...path]);
    await task(`sh${n}_light`, 'blend', 'Shots', 'lighting', n < '030' ? 'lee' : null, n < '030' ? ['todo', 'wip'] : ['todo'], ['night']);
  }
  await owner.api.production.createAsset(p, { collectionId: col.Sets, name: 'moss_albedo', extension: 'exr', kind: 'resource', assetType: 'texture', tags: ['night'] });
  await owner.api.production.addDependency(p, assets.sh040_anim, { targetAssetId: assets.Fox, dependencyType: 'uses' });
  await owner.api.production.addDependency(p, assets.sh040_anim, { targetAssetId: assets.Forest_Floor, dependencyType: 'uses' });
  await owner.api.production.addDependency(p, assets.sh040_anim, { targetCollectionId: col.Props, dependencyType: 'uses' });
  await artie.api.production.requestControl(p, assets.sh020_anim, { message: 'I can finish the blocking today' });
  await sam.api.production.requestControl(p, assets.sh040_anim, { message: 'Taking the retake notes myself' });
  const latest = (await owner.api.browse.asset(p, assets.sh040_anim)).latestCheckpoint!;
  await owner.api.content.createShare(p, latest.id, { expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() });
  const lanternBoard = await owner.api.production.createAsset(lantern.id, { collectionId: null, name: 'Festival Square', extension: 'blend', kind: 'task' });
  await owner.api.production.setStatus(lantern.id, lanternBoard.id, { statusId: (await owner.api.browse.statuses(lantern.id)).statuses[0].id });
  return { studioId: studio.id, owner, vera, projects: { forest: p, lantern: lantern.id, harbour: harbour.id }, collections: col, assets, statuses: st };
}
