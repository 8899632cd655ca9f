// The artist's working folder end to end: a real server, the built CLI, four people on one
// project (owner, supervisor, artist, vendor). Clone, add, checkpoint, sync; the soft lock refused
// locally and by the server; a vendor who only ever receives what is assigned to them; removals
// and moves on the server reaching working folders without losing anyone's changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { seededBytes } from '@backlot/test-kit/random';
import { BIN, CliWorld, startProxy } from './world.js';
import { spawn } from 'node:child_process';

let w: CliWorld;
let projectId: string;
const folders: Record<string, string> = {};

before(async () => {
  w = await CliWorld.start(['supervisor', 'artist', 'vendor', 'reviewer']);
  projectId = await w.project('Forest', { supervisor: 'supervisor', artist: 'artist', vendor: 'vendor' });
  for (const k of ['owner', 'supervisor', 'artist', 'vendor', 'reviewer']) await w.login(k);
});
after(() => w?.stop());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function filesOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name === '.backlot') continue;
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)).split('\\').join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

async function status(key: string): Promise<Record<string, string>> {
  const r = await w.users[key].ok(['status', '--json'], { cwd: folders[key] });
  return Object.fromEntries(JSON.parse(r.stdout).files.map((f: { path: string; state: string }) => [f.path, f.state]));
}

const anim = seededBytes(3_000_000, 1);
const layout = seededBytes(1_500_000, 2);
const mood = seededBytes(200_000, 3);

test('the owner starts the project from a folder: clone, add, checkpoint, sync', async () => {
  const owner = w.users.owner;
  const parent = await w.folder('owner');
  await owner.ok(['clone', 'Forest', 'forest'], { cwd: parent });
  folders.owner = join(parent, 'forest');
  await mkdir(join(folders.owner, 'shots/sh010'), { recursive: true });
  await mkdir(join(folders.owner, 'refs'), { recursive: true });
  await writeFile(join(folders.owner, 'shots/sh010/anim.blend'), anim);
  await writeFile(join(folders.owner, 'shots/sh010/layout.blend'), layout);
  await writeFile(join(folders.owner, 'refs/mood.png'), mood);
  await writeFile(join(folders.owner, 'shots/sh010/anim.blend1'), 'a blender backup'); // ignored by the blender preset? not on: stays untracked
  assert.deepEqual(await status('owner'), {
    'refs/mood.png': 'untracked', 'shots/sh010/anim.blend': 'untracked', 'shots/sh010/anim.blend1': 'untracked', 'shots/sh010/layout.blend': 'untracked',
  });
  await writeFile(join(folders.owner, '.backlotignore'), '#preset blender\n.backlotignore\n');
  await owner.ok(['add', 'shots', '--task'], { cwd: folders.owner });
  await owner.ok(['add', 'refs/mood.png'], { cwd: folders.owner });
  const st = await status('owner');
  assert.equal(st['shots/sh010/anim.blend'], 'added');
  assert.equal(st['shots/sh010/anim.blend1'], undefined, 'ignored by the blender preset');
  // The server does not know a task added here until a sync: say so rather than "not found".
  const early = await owner.run(['assign', 'shots/sh010/anim.blend', 'me'], { cwd: folders.owner });
  assert.equal(early.code, 1);
  assert.match(early.stderr, /^backlot: shots\/sh010\/anim\.blend was added in this folder and is not on the server yet\n  run `backlot sync` first/);
  await owner.ok(['checkpoint', 'shots/sh010/anim.blend', 'shots/sh010/layout.blend', 'refs/mood.png', '-m', 'first versions'], { cwd: folders.owner });
  const sync = JSON.parse((await owner.ok(['sync', '--json'], { cwd: folders.owner })).stdout);
  assert.equal(sync.refused.length, 0);
  assert.ok(sync.uploadedBytes > 4_000_000, `uploaded ${sync.uploadedBytes}`);
  assert.deepEqual(await status('owner'), { 'refs/mood.png': 'normal', 'shots/sh010/anim.blend': 'normal', 'shots/sh010/layout.blend': 'normal' });
  const tasks = JSON.parse((await owner.ok(['status', '--json'], { cwd: folders.owner })).stdout).tasks;
  assert.deepEqual(tasks.map((t: { path: string }) => t.path), ['shots/sh010/anim.blend', 'shots/sh010/layout.blend']);
  // Once synced, the same path names the server's task.
  const view = JSON.parse((await owner.ok(['assign', 'shots/sh010/anim.blend', 'me', '--json'], { cwd: folders.owner })).stdout);
  assert.equal(view.assigneeId, owner.id);
});

test('each member clones what they may see, byte for byte; the soft lock is refused locally and nothing is lost', async () => {
  const { owner, supervisor, artist } = w.users;
  const refs = (await owner.api.browse.collections(projectId)).collections.find((c) => c.name === 'refs')!;
  await owner.api.production.updateCollection(projectId, refs.id, { shared: true });
  folders.artist = join(await w.folder('artist'), 'Forest');
  await artist.ok(['clone', 'Forest', folders.artist]);
  assert.deepEqual(await filesOf(folders.artist), ['refs/mood.png'], 'an artist sees shared collections and their own tasks');
  folders.supervisor = join(await w.folder('supervisor'), 'Forest');
  await supervisor.ok(['clone', 'Forest', folders.supervisor]);
  assert.deepEqual(await filesOf(folders.supervisor), ['refs/mood.png', 'shots/sh010/anim.blend', 'shots/sh010/layout.blend']);
  assert.equal(sha(await readFile(join(folders.supervisor, 'shots/sh010/anim.blend'))), sha(anim));

  // The supervisor edits the owner's task: refused here, before anything is sent; the file stays.
  const theirs = Buffer.concat([anim.subarray(0, 10), Buffer.from('supervisor notes')]);
  await writeFile(join(folders.supervisor, 'shots/sh010/anim.blend'), theirs);
  assert.equal((await status('supervisor'))['shots/sh010/anim.blend'], 'modified');
  const told = (await supervisor.ok(['status'], { cwd: folders.supervisor })).stdout;
  assert.match(told, /modified\s+shots\/sh010\/anim\.blend \(held by Olivia Owner\)/, 'status names who holds a changed task');
  assert.match(told, /only a task's holder may checkpoint it; ask for it with backlot request PATH/);
  assert.doesNotMatch(told, /\(modified: checkpoint with/, 'no "checkpoint it" hint for a file only its holder may checkpoint');
  const refused = await supervisor.run(['checkpoint', 'shots/sh010/anim.blend', '-m', 'mine'], { cwd: folders.supervisor });
  assert.equal(refused.code, 4, refused.stderr);
  assert.match(refused.stderr, /held by Olivia Owner; only its assignee may checkpoint it \(ask for it: backlot request/);
  assert.equal(sha(await readFile(join(folders.supervisor, 'shots/sh010/anim.blend'))), sha(theirs), 'the working file is untouched');
  // Named through its folder, the same file is skipped by name, and nothing else is checkpointed.
  const viaFolder = await supervisor.run(['checkpoint', 'shots', '-m', 'mine'], { cwd: folders.supervisor });
  assert.equal(viaFolder.code, 0, viaFolder.stderr);
  assert.match(viaFolder.stderr, /skipped\s+shots\/sh010\/anim\.blend \(a task held by Olivia Owner; only its assignee may checkpoint it\)/);
  assert.doesNotMatch(viaFolder.stderr, /checkpoint \d+ of/);

  // The owner hands the task to the artist: it appears in the artist's folder at the next sync.
  const asset = (await owner.api.browse.assets(projectId, { text: 'anim' })).items[0];
  await owner.api.production.handOff(projectId, asset.id, { toUserId: artist.id });
  await artist.ok(['sync'], { cwd: folders.artist });
  assert.deepEqual(await filesOf(folders.artist), ['refs/mood.png', 'shots/sh010/anim.blend']);
  const edited = Buffer.concat([anim.subarray(0, 1_000_000), seededBytes(50_000, 9), anim.subarray(1_000_000)]);
  await writeFile(join(folders.artist, 'shots/sh010/anim.blend'), edited);
  await artist.ok(['checkpoint', 'shots/sh010/anim.blend', '-m', 'blocking', '--status', 'wip', '--sync'], { cwd: folders.artist });
  assert.equal((await status('artist'))['shots/sh010/anim.blend'], 'normal');

  // The owner's copy is outdated until they sync; the new version reuses the old file's chunks.
  assert.equal((await status('owner'))['shots/sh010/anim.blend'], 'normal', 'nothing is known before a sync');
  await owner.ok(['sync'], { cwd: folders.owner });
  assert.equal(sha(await readFile(join(folders.owner, 'shots/sh010/anim.blend'))), sha(edited));
  // The supervisor's changed copy is never overwritten: it is diverged now.
  const sv = JSON.parse((await supervisor.ok(['sync', '--json'], { cwd: folders.supervisor })).stdout);
  assert.deepEqual(sv.skippedModified, ['shots/sh010/anim.blend']);
  assert.equal((await status('supervisor'))['shots/sh010/anim.blend'], 'diverged');
  assert.equal(sha(await readFile(join(folders.supervisor, 'shots/sh010/anim.blend'))), sha(theirs));
});

test('an incremental sync moves only the changed chunks', async () => {
  const { owner, artist } = w.users;
  const base = await readFile(join(folders.artist, 'shots/sh010/anim.blend'));
  const edited = Buffer.concat([base.subarray(0, 2_000_000), seededBytes(30_000, 11), base.subarray(2_000_000)]);
  await writeFile(join(folders.artist, 'shots/sh010/anim.blend'), edited);
  const png = join(folders.artist, '..', 'preview.png');
  await writeFile(png, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==', 'base64'));
  await artist.ok(['checkpoint', 'shots/sh010/anim.blend', '-m', 'polish', '--preview', png, '--sync'], { cwd: folders.artist });
  const animId = (await owner.api.browse.assets(projectId, { text: 'anim' })).items[0].id;
  const newest = (await owner.api.browse.checkpoints(projectId, animId)).checkpoints[0];
  assert.equal((await owner.api.content.getPreview(projectId, newest.id)).type, 'image/png', 'the preview reached the server');
  assert.equal((await status('owner'))['shots/sh010/anim.blend'], 'normal');
  const sync = JSON.parse((await owner.ok(['sync', '--json'], { cwd: folders.owner })).stdout);
  assert.deepEqual(sync.written, ['shots/sh010/anim.blend']);
  assert.ok(sync.fetchedBytes < 600_000, `fetched ${sync.fetchedBytes} bytes for a 30 KB insertion into 3 MB`);
  assert.ok(sync.reusedBytes > 2_400_000, `reused ${sync.reusedBytes}`);
  assert.equal(sha(await readFile(join(folders.owner, 'shots/sh010/anim.blend'))), sha(edited));
});

test('a vendor receives only the task assigned to them, and loses it again when it is reassigned', async () => {
  const vendor = w.users.vendor;
  const layoutAsset = (await w.users.owner.api.browse.assets(projectId, { text: 'layout' })).items[0];
  await w.users.owner.api.production.assignTask(projectId, layoutAsset.id, { assigneeId: vendor.id });
  const parent = await w.folder('vendor');
  await vendor.ok(['clone', 'Forest', 'f'], { cwd: parent });
  folders.vendor = join(parent, 'f');
  assert.deepEqual(await filesOf(folders.vendor), ['shots/sh010/layout.blend']);
  // The folder keeps its file's version as its pristine copy (what the next checkpoint is patched
  // against): the file itself under a second name, and nothing else.
  const chunkFiles: string[] = [];
  for (const fan of await readdir(join(folders.vendor, '.backlot/chunks'))) if (fan !== '.tmp') chunkFiles.push(...(await readdir(join(folders.vendor, '.backlot/chunks', fan))));
  assert.deepEqual(chunkFiles, [], 'no chunk files: the download is kept whole');
  const latest = (await vendor.api.browse.checkpoints(projectId, layoutAsset.id)).checkpoints[0];
  const manifest = await vendor.api.content.manifest(projectId, latest.id);
  assert.deepEqual(await readdir(join(folders.vendor, '.backlot/pristine')), [manifest.fileHash], 'only their own file is kept');
  const working = join(folders.vendor, 'shots/sh010/layout.blend');
  const pristine = join(folders.vendor, '.backlot/pristine', manifest.fileHash!);
  assert.equal((await stat(pristine)).ino, (await stat(working)).ino, 'a link: no bytes written');
  // Reassigned away: the unchanged file leaves the vendor's folder at the next sync.
  await w.users.owner.api.production.assignTask(projectId, layoutAsset.id, { assigneeId: w.users.owner.id });
  const r = JSON.parse((await vendor.ok(['sync', '--json'], { cwd: folders.vendor })).stdout);
  assert.equal(r.reset, true);
  assert.deepEqual(r.deleted, ['shots/sh010/layout.blend']);
  assert.deepEqual(await filesOf(folders.vendor), []);
  assert.deepEqual(await readdir(join(folders.vendor, '.backlot/pristine')), [], 'its copy went with it');
  assert.deepEqual((await readdir(folders.vendor)).sort(), ['.backlot'], 'and so did the folders it left empty');
});

test('a role that sees files it may not download: the clone finishes and says which, status shows them as restricted, rebuild is refused with exit 4, and once the role may download a sync brings them', async () => {
  const { owner, reviewer } = w.users;
  const role = await owner.api.roles.create(projectId, { name: 'Reviewer (metadata)', permissions: ['collection.view_all', 'asset.view_all', 'checkpoint.view'] });
  await owner.api.projectMembers.add(projectId, { userIds: [reviewer.id], roleId: role.id });
  const parent = await w.folder('reviewer');
  const text = await reviewer.ok(['clone', 'Forest', 'f'], { cwd: parent });
  folders.reviewer = join(parent, 'f');
  assert.match(text.stderr, /3 files visible to you but not downloadable with your role/);
  assert.deepEqual(await filesOf(folders.reviewer), []);
  const st = await status('reviewer');
  assert.deepEqual(Object.keys(st).sort(), ['refs/mood.png', 'shots/sh010/anim.blend', 'shots/sh010/layout.blend']);
  assert.ok(Object.values(st).every((s) => s === 'restricted'), JSON.stringify(st));
  const shown = await reviewer.ok(['status'], { cwd: folders.reviewer });
  assert.match(shown.stdout, /restricted\s+refs\/mood\.png/);
  assert.match(shown.stdout, /may see these files but not download them/);
  const r = JSON.parse((await reviewer.ok(['sync', '--json'], { cwd: folders.reviewer })).stdout);
  assert.deepEqual(r.notDownloaded.map((n: { path: string; code: string }) => [n.path, n.code]).sort(), [
    ['refs/mood.png', 'forbidden'], ['shots/sh010/anim.blend', 'forbidden'], ['shots/sh010/layout.blend', 'forbidden'],
  ]);
  const refused = await reviewer.ok(['rebuild', 'refs/mood.png'], { cwd: folders.reviewer, code: 4 });
  assert.match(refused.stderr, /content\.download/);
  assert.deepEqual(await filesOf(folders.reviewer), []);

  // The role may download now: the next sync brings the files, and they are ordinary files again.
  await owner.api.roles.update(projectId, role.id, { permissions: ['collection.view_all', 'asset.view_all', 'checkpoint.view', 'content.download_all'] });
  const after = JSON.parse((await reviewer.ok(['sync', '--json'], { cwd: folders.reviewer })).stdout);
  assert.deepEqual(after.notDownloaded, []);
  assert.deepEqual(Object.values(await status('reviewer')), ['normal', 'normal', 'normal']);
});

test('removed and moved on the server: unchanged files follow, changed ones are kept', async () => {
  const { owner, artist, supervisor } = w.users;
  const moodAsset = (await owner.api.browse.assets(projectId, { text: 'mood' })).items[0];
  await writeFile(join(folders.artist, 'refs/mood.png'), 'my notes on the mood board');
  await owner.api.production.deleteAsset(projectId, moodAsset.id);
  const layoutAsset = (await owner.api.browse.assets(projectId, { text: 'layout' })).items[0];
  await owner.api.production.updateAsset(projectId, layoutAsset.id, { name: 'layout_v2' });
  await writeFile(join(folders.owner, 'refs/new.png'), 'a new reference');
  await owner.ok(['add', 'refs/new.png'], { cwd: folders.owner });
  await owner.ok(['checkpoint', 'refs/new.png', '-m', 'new', '--sync'], { cwd: folders.owner });
  // Before a sync, `status --fetch` tells what it will do: bring, remove, move; a changed file stays.
  const ahead = JSON.parse((await supervisor.ok(['status', '--fetch', '--json'], { cwd: folders.supervisor })).stdout);
  const byPath = Object.fromEntries(ahead.files.map((f: { path: string }) => [f.path, f]));
  assert.equal(byPath['refs/new.png'].state, 'incoming');
  assert.equal(byPath['refs/mood.png'].state, 'removed');
  assert.deepEqual([byPath['shots/sh010/layout.blend'].state, byPath['shots/sh010/layout.blend'].movedTo], ['moved', 'shots/sh010/layout_v2.blend']);
  assert.equal(byPath['shots/sh010/layout_v2.blend'], undefined, 'listed once, where it is now');
  const text = (await supervisor.ok(['status'], { cwd: folders.supervisor })).stdout;
  assert.match(text, /^  moved      shots\/sh010\/layout\.blend -> shots\/sh010\/layout_v2\.blend$/m);
  assert.match(text, /\(incoming: new on the server, or moved here on it: backlot sync brings it\)/);
  await artist.ok(['status', '--fetch'], { cwd: folders.artist });
  assert.equal((await status('artist'))['refs/mood.png'], 'untracked', 'changed here: the sync keeps it');
  const ra = JSON.parse((await artist.ok(['sync', '--json'], { cwd: folders.artist })).stdout);
  assert.deepEqual(ra.keptChanged, ['refs/mood.png']);
  assert.equal(await readFile(join(folders.artist, 'refs/mood.png'), 'utf8'), 'my notes on the mood board');
  assert.equal((await status('artist'))['refs/mood.png'], 'untracked');
  const rs = JSON.parse((await supervisor.ok(['sync', '--json'], { cwd: folders.supervisor })).stdout);
  assert.deepEqual(rs.deleted, ['refs/mood.png']);
  assert.deepEqual(rs.moved, [{ from: 'shots/sh010/layout.blend', to: 'shots/sh010/layout_v2.blend' }]);
  assert.equal((await status('supervisor'))['shots/sh010/layout_v2.blend'], 'normal');
});

test('a name conflict stops the sync with a list; rename keeps both, merge stacks on the server file', async () => {
  const owner = w.users.owner;
  const second = w.users.owner; // the same person on a second machine, cloned before the first one adds files
  folders.owner2 = join(await w.folder('owner2'), 'Forest');
  await second.ok(['clone', 'Forest', folders.owner2]);
  await writeFile(join(folders.owner, 'refs/a.png'), 'owner a');
  await writeFile(join(folders.owner, 'refs/b.png'), 'owner b');
  await owner.ok(['add', 'refs/a.png', 'refs/b.png'], { cwd: folders.owner });
  await owner.ok(['checkpoint', 'refs/a.png', 'refs/b.png', '-m', 'owner', '--sync'], { cwd: folders.owner });
  await mkdir(join(folders.owner2, 'refs'), { recursive: true }); // nothing visible in it was cloned
  await writeFile(join(folders.owner2, 'refs/a.png'), 'second a');
  await writeFile(join(folders.owner2, 'refs/b.png'), 'second b');
  await second.ok(['add', 'refs/a.png', 'refs/b.png'], { cwd: folders.owner2 });
  await second.ok(['checkpoint', 'refs/a.png', 'refs/b.png', '-m', 'second'], { cwd: folders.owner2 });
  const stopped = await second.run(['sync'], { cwd: folders.owner2 });
  assert.equal(stopped.code, 3, stopped.stderr);
  assert.match(stopped.stderr, /2 name conflicts\n  refs\/a\.png: .*\n  refs\/b\.png: /);
  assert.match(stopped.stderr, /backlot sync --rename refs\/a\.png=a_2\.png/);
  await second.ok(['sync', '--rename', 'refs/a.png=a_second.png', '--merge', 'refs/b.png'], { cwd: folders.owner2 });
  assert.equal(await readFile(join(folders.owner2, 'refs/a_second.png'), 'utf8'), 'second a');
  assert.equal(await readFile(join(folders.owner2, 'refs/a.png'), 'utf8'), 'owner a');
  assert.equal(await readFile(join(folders.owner2, 'refs/b.png'), 'utf8'), 'second b');
  await owner.ok(['sync'], { cwd: folders.owner });
  assert.equal(await readFile(join(folders.owner, 'refs/a_second.png'), 'utf8'), 'second a');
  assert.equal(await readFile(join(folders.owner, 'refs/b.png'), 'utf8'), 'second b', 'merged: the second machine\'s checkpoint is the newest of b.png');
  const b = (await owner.api.browse.assets(projectId, { text: 'b' })).items.find((a) => a.name === 'b')!;
  assert.equal((await owner.api.browse.checkpoints(projectId, b.id)).checkpoints.length, 2);
});

test('an item the server refuses to create stays in the folder as the user\'s file', async () => {
  const artist = w.users.artist;
  await writeFile(join(folders.artist, 'refs/sketch.png'), 'an idea');
  await artist.ok(['add', 'refs/sketch.png'], { cwd: folders.artist });
  await artist.ok(['checkpoint', 'refs/sketch.png', '-m', 'idea'], { cwd: folders.artist });
  const r = await artist.run(['sync'], { cwd: folders.artist });
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /refused    refs\/sketch\.png \(asset\.create\): missing permission asset\.create/, "the refusal names the file");
  assert.match(r.stderr, /sent 0 changes \(0 B\)/, 'the creation was answered before the file\'s bytes went up');
  // Its checkpoint is refused with it, and not reported as a second refusal.
  assert.doesNotMatch(r.stderr, /checkpoint\.create/);
  assert.match(r.stderr, /; 1 refused/);
  assert.equal(await readFile(join(folders.artist, 'refs/sketch.png'), 'utf8'), 'an idea');
  assert.equal((await status('artist'))['refs/sketch.png'], 'untracked');
});

test('a refused file whose path the server filled meanwhile: kept as the user\'s change to the server\'s file, said in one line', async () => {
  const { owner, artist } = w.users;
  // Added only, and added and checkpointed: the same outcome, told the same way.
  for (const [file, checkpointed] of [['refs/idea.png', false], ['refs/idea2.png', true]] as const) {
    await writeFile(join(folders.owner, file), 'the owner\'s idea');
    await owner.ok(['add', file], { cwd: folders.owner });
    await owner.ok(['checkpoint', file, '-m', 'idea', '--sync'], { cwd: folders.owner });
    await writeFile(join(folders.artist, file), 'the artist\'s idea');
    await artist.ok(['add', file], { cwd: folders.artist });
    if (checkpointed) await artist.ok(['checkpoint', file, '-m', 'mine'], { cwd: folders.artist });
    const r = await artist.run(['sync'], { cwd: folders.artist });
    assert.equal(r.code, 4, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.includes(file));
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], /^refused    refs\/idea2?\.png \(asset\.create\): missing permission asset\.create/);
    assert.equal(lines[1], `kept       ${file} (the server did not take yours and has its own file here: yours shows as a change to it; checkpoint or revert it)`);
    assert.equal(await readFile(join(folders.artist, file), 'utf8'), 'the artist\'s idea');
    assert.equal((await status('artist'))[file], 'modified');
  }
});

test('log is a table, newest first; status names the moves and trashings waiting to sync; the trash shows where each item was, and restore takes that path', async () => {
  const owner = w.users.owner;
  const log = (await owner.ok(['log', 'refs/b.png'], { cwd: folders.owner })).stdout.split('\n');
  assert.match(log[0], /^#\s+WHEN\s+WHO\s+SIZE\s+STATUS\s+COMMENT$/);
  assert.match(log[1], /^#2\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Olivia Owner\s+8 B\s+second$/);
  assert.match(log[2], /^#1\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Olivia Owner\s+7 B\s+owner$/);
  await owner.ok(['rm', 'refs/a_second.png'], { cwd: folders.owner });
  await owner.ok(['mv', 'refs/new.png', 'refs/new_ref.png'], { cwd: folders.owner });
  // Before the sync, status names the moves and trashings waiting for it, not only their count.
  const waiting = (await owner.ok(['status'], { cwd: folders.owner })).stdout;
  assert.match(waiting, /^2 changes made here wait to sync \(backlot sync\):\n  trashing   refs\/a_second\.png\n  moving     refs\/new\.png -> refs\/new_ref\.png$/m);
  const pending = JSON.parse((await owner.ok(['status', '--json'], { cwd: folders.owner })).stdout).pendingChanges;
  assert.deepEqual(pending, [{ kind: 'trashed', path: 'refs/a_second.png' }, { kind: 'moved', from: 'refs/new.png', to: 'refs/new_ref.png' }]);
  await owner.ok(['sync'], { cwd: folders.owner });
  assert.deepEqual(JSON.parse((await owner.ok(['status', '--json'], { cwd: folders.owner })).stdout).pendingChanges, []);
  const trash = (await owner.ok(['trash'], { cwd: folders.owner })).stdout;
  assert.match(trash, /^KIND\s+PATH\s+DELETED/);
  assert.match(trash, /^asset\s+refs\/a_second\.png\s/m);
  const back = await owner.ok(['restore', 'refs/a_second.png'], { cwd: folders.owner });
  assert.match(back.stderr, /Restored asset refs\/a_second\.png/);
  await owner.ok(['sync'], { cwd: folders.owner });
  assert.equal(await readFile(join(folders.owner, 'refs/a_second.png'), 'utf8'), 'second a');
});

test('a checkpoint stacked on one made meanwhile elsewhere is said so at sync; both stay in the history', async () => {
  const owner = w.users.owner; // in two folders: the same person on two machines
  await owner.ok(['sync'], { cwd: folders.owner2 });
  await writeFile(join(folders.owner, 'refs/b.png'), 'edited on the first machine');
  await owner.ok(['checkpoint', 'refs/b.png', '-m', 'first machine', '--sync'], { cwd: folders.owner });
  await writeFile(join(folders.owner2, 'refs/b.png'), 'edited on the second machine');
  await owner.ok(['checkpoint', 'refs/b.png', '-m', 'second machine'], { cwd: folders.owner2 });
  // Before the sync, a status that asks the server already says so.
  assert.match((await owner.ok(['status'], { cwd: folders.owner2 })).stdout, /^  normal     refs\/b\.png \(1 checkpoint to sync\)$/m);
  const ahead = (await owner.ok(['status', '--fetch'], { cwd: folders.owner2 })).stdout;
  assert.match(ahead, /^  normal     refs\/b\.png \(1 checkpoint to sync, on top of #3 made meanwhile elsewhere\)$/m);
  // log numbers it on top of the server's newest, and it is the user's own.
  assert.match((await owner.ok(['log', 'refs/b.png'], { cwd: folders.owner2 })).stdout, /^#4\s+\(not synced yet\)\s+Olivia Owner\s+28 B\s+second machine$/m);
  const r = await owner.ok(['sync'], { cwd: folders.owner2 });
  assert.match(r.stderr, /^stacked    refs\/b\.png: yours is #4, on top of #3, which was checkpointed meanwhile elsewhere and stays in its history \(backlot log refs\/b\.png\)$/m);
  const log = (await owner.ok(['log', 'refs/b.png'], { cwd: folders.owner2 })).stdout;
  assert.match(log, /^#4 .* second machine$/m);
  assert.match(log, /^#3 .* first machine$/m);
  // Only when something came in between.
  await writeFile(join(folders.owner2, 'refs/b.png'), 'edited again');
  const again = JSON.parse((await owner.ok(['checkpoint', 'refs/b.png', '-m', 'again', '--sync', '--json'], { cwd: folders.owner2 })).stdout);
  assert.equal(again.pushed, 1);
  assert.deepEqual(again.stacked, []);
  await owner.ok(['sync'], { cwd: folders.owner });
  assert.equal(await readFile(join(folders.owner, 'refs/b.png'), 'utf8'), 'edited again');
});

test('a sync killed during its upload: the file made here still shows as the project\'s (not untracked), and the next sync finishes', async () => {
  // A proxy in front of the server that can hold chunk uploads, or pulls (never answer them).
  let hold: RegExp | null = null;
  let held: () => void = () => {};
  const holding = (what: RegExp) => {
    hold = what;
    return new Promise<void>((r) => (held = r));
  };
  const proxy = await startProxy(w.url, (request) => {
    if (!hold?.test(request)) return false;
    held();
    return true;
  });
  try {
    const owner = w.users.owner;
    const configDir = await w.signedInThrough(owner, proxy.url, 'owner-behind-proxy');
    const env = { BACKLOT_CONFIG_DIR: configDir };
    const dir = join(await w.folder('owner-proxy'), 'Forest');
    await owner.ok(['clone', 'Forest', dir], { env });
    await mkdir(join(dir, 'refs'), { recursive: true });
    await writeFile(join(dir, 'refs/held.bin'), seededBytes(2_000_000, 9));
    await owner.ok(['add', 'refs/held.bin'], { cwd: dir, env });
    const uploadSeen = holding(/^POST .*\/chunks$/);
    const child = spawn(process.execPath, [BIN, 'checkpoint', 'refs/held.bin', '-m', 'held', '--sync'], { cwd: dir, env: { ...process.env, ...env }, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    await uploadSeen; // the file's creation went ahead of its bytes, and was applied
    const during = JSON.parse((await owner.ok(['status', '--json'], { cwd: dir, env })).stdout).files.find((f: { path: string }) => f.path === 'refs/held.bin');
    assert.deepEqual([during.state, during.unsynced], ['normal', 1], 'the server\'s file, with a checkpoint to send');
    child.kill('SIGKILL');
    await exited;
    const after = JSON.parse((await owner.ok(['status', '--json'], { cwd: dir, env })).stdout).files.find((f: { path: string }) => f.path === 'refs/held.bin');
    assert.deepEqual([after.state, after.unsynced], ['normal', 1]);
    hold = null;
    await owner.ok(['sync'], { cwd: dir, env });
    const done = JSON.parse((await owner.ok(['status', '--json'], { cwd: dir, env })).stdout);
    assert.equal(done.pendingOps, 0);
    assert.equal(done.files.find((f: { path: string }) => f.path === 'refs/held.bin').state, 'normal');
    const asset = (await owner.api.browse.assets(projectId, { text: 'held' })).items.find((a) => a.name === 'held')!;
    assert.equal((await owner.api.browse.checkpoints(projectId, asset.id)).checkpoints.length, 1);

    // Killed after the server took a checkpoint, before the pull: the file is that checkpoint
    // (normal), not a change to checkpoint again.
    await writeFile(join(dir, 'refs/held.bin'), seededBytes(2_000_000, 10));
    const pullSeen = holding(/^GET .*\/changes/);
    const second = spawn(process.execPath, [BIN, 'checkpoint', 'refs/held.bin', '-m', 'held again', '--sync'], { cwd: dir, env: { ...process.env, ...env }, stdio: 'ignore' });
    const secondExited = new Promise((r) => second.on('exit', r));
    await pullSeen;
    second.kill('SIGKILL');
    await secondExited;
    const killed = JSON.parse((await owner.ok(['status', '--json'], { cwd: dir, env })).stdout);
    assert.equal(killed.pendingOps, 0, 'the checkpoint was acknowledged');
    assert.deepEqual(killed.files.find((f: { path: string }) => f.path === 'refs/held.bin'), { path: 'refs/held.bin', state: 'normal', assetId: asset.id, kind: 'resource', latest: 2, size: 2_000_000 });
    hold = null;
    await owner.ok(['sync'], { cwd: dir, env });
    assert.equal((await owner.api.browse.checkpoints(projectId, asset.id)).checkpoints.length, 2);
  } finally {
    await proxy.close();
  }
});

test('bad input: a path outside the folder, an unknown project, a command outside a folder', async () => {
  const artist = w.users.artist;
  const outside = await artist.run(['add', '../elsewhere.txt'], { cwd: folders.artist });
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /outside the working folder/);
  const unknown = await artist.run(['clone', 'Nope'], { cwd: await w.folder('x') });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no project "Nope".*\n  list them with: backlot projects/);
  const nofolder = await artist.run(['status'], { cwd: await w.folder('y') });
  assert.equal(nofolder.code, 2);
  assert.match(nofolder.stderr, /not a Backlot working folder/);
  await rm(join(folders.artist, 'nothing'), { force: true });
});
