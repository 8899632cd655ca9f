// A Personal project used offline (no server at all), its history commands, then published to a
// studio with its history; plus sign-in failures a user meets: a stale login, a server that is not
// Backlot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, runCli, CliWorld } from './world.js';

let w: CliWorld;
before(async () => {
  w = await CliWorld.start();
});
after(() => w?.stop());

/** A new Personal project NAME in its own folder, and a runner of commands in it that checks the exit code. */
async function offlineProject(folder: string, name: string) {
  const dir = join(await w.folder('personal'), folder);
  // A config folder with no sign-in at all: nothing may need a server.
  const env = { BACKLOT_CONFIG_DIR: join(w.dir, 'config', 'offline') };
  await runCli(['init', dir, '--name', name], { env });
  const cli = async (args: string[], code = 0) => {
    const r = await runCli(args, { cwd: dir, env });
    assert.equal(r.code, code, `backlot ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  return { dir, cli };
}

test('a Personal project works offline: add, checkpoint, log, show, revert, free, rebuild, mv, rm', async () => {
  const { dir, cli } = await offlineProject('sketches', 'Sketches');
  await mkdir(join(dir, 'art'));
  await writeFile(join(dir, 'idea.txt'), 'first idea');
  await writeFile(join(dir, 'art/pose.psd'), Buffer.alloc(300_000, 7));
  await cli(['add', '.']);
  // "." stands for every file changed (here: added) in the working folder.
  const first = (await cli(['checkpoint', '.', '-m', 'start'])).stderr;
  // One line per new version: its size, and what it added to the folder's store.
  const made = first.split('\n').filter((l) => l.startsWith('checkpoint ')).sort();
  assert.equal(made.length, 2, first);
  assert.match(made[0], /^checkpoint 1 of art\/pose\.psd: 300 KB, [\d.]+ K?B stored$/);
  assert.match(made[1], /^checkpoint 1 of idea\.txt: 10 B, [\d.]+ B stored$/);
  await writeFile(join(dir, 'idea.txt'), 'second idea');
  assert.match((await cli(['status'])).stdout, /modified\s+idea\.txt/);
  assert.match((await cli(['checkpoint', 'art', '-m', 'nothing'])).stderr, /unchanged\s+art \(nothing changed in it/);
  assert.match((await cli(['checkpoint', 'nowhere', '-m', 'typo'], 2)).stderr, /nowhere: no such file or folder in the project/);
  await cli(['checkpoint', 'idea.txt', '-m', 'better']);
  assert.equal(JSON.parse((await cli(['log', 'idea.txt', '--json'])).stdout).checkpoints.length, 2);
  assert.equal((await cli(['show', 'idea.txt@1'])).stdout, 'first idea');
  await writeFile(join(dir, 'idea.txt'), 'unsaved thoughts');
  const refused = await cli(['revert', 'idea.txt@1'], 3);
  assert.match(refused.stderr, /changes no checkpoint holds; checkpoint them first/);
  assert.equal(await readFile(join(dir, 'idea.txt'), 'utf8'), 'unsaved thoughts');
  await cli(['checkpoint', 'idea.txt', '-m', 'thoughts']);
  await cli(['revert', 'idea.txt@1', '-m', 'back to the first']);
  assert.equal(await readFile(join(dir, 'idea.txt'), 'utf8'), 'first idea');
  const opened = JSON.parse((await cli(['open', 'idea.txt@3', '--json'])).stdout).path;
  assert.match(opened, /idea@3\.txt$/);
  assert.equal(await readFile(opened, 'utf8'), 'unsaved thoughts');
  // In a folder of its own that no other account on the machine may enter.
  const openedIn = await stat(dirname(opened));
  assert.equal(openedIn.mode & 0o777, 0o700);
  assert.equal(openedIn.uid, process.getuid!());
  await cli(['free', 'art/pose.psd']);
  await assert.rejects(stat(join(dir, 'art/pose.psd')));
  assert.match((await cli(['status'])).stdout, /rebuild\s+art\/pose\.psd/);
  await cli(['rebuild', 'art/pose.psd']);
  assert.deepEqual(await readFile(join(dir, 'art/pose.psd')), Buffer.alloc(300_000, 7));
  await cli(['mv', 'idea.txt', 'notes/idea.txt']);
  await writeFile(join(dir, 'scratch.txt'), 'temp');
  await cli(['add', 'scratch.txt']);
  await cli(['checkpoint', 'scratch.txt', '-m', 'scratch']);
  await cli(['rm', 'scratch.txt']);
  const st = JSON.parse((await cli(['status', '--json', '--all'])).stdout);
  assert.deepEqual(st.files.map((f: { path: string; state: string }) => `${f.path}:${f.state}`), ['art/pose.psd:normal', 'notes/idea.txt:normal', 'scratch.txt:untracked']);
  const sync = await cli(['sync'], 2);
  assert.match(sync.stderr, /Personal project has nothing to sync with/);

  // Published: the history arrives on the server and another member's clone gets the files.
  await w.login('owner');
  const owner = w.users.owner;
  await owner.ok(['publish', '--name', 'Sketches'], { cwd: dir });
  assert.match((await owner.ok(['status'], { cwd: dir })).stdout, /Project Sketches on http/);
  const log = JSON.parse((await owner.ok(['log', 'notes/idea.txt', '--json'], { cwd: dir })).stdout);
  assert.deepEqual(log.entries.filter((e: { type: string }) => e.type === 'checkpoint').map((e: { checkpoint: { comment: string } }) => e.checkpoint.comment),
    ['start', 'better', 'thoughts', 'back to the first']);
  const copy = join(await w.folder('copy'), 's');
  await owner.ok(['clone', 'Sketches', copy]);
  assert.equal(await readFile(join(copy, 'notes/idea.txt'), 'utf8'), 'first idea');
  assert.deepEqual((await readdir(copy)).sort(), ['.backlot', 'art', 'notes']);
});

test('many files: add and checkpoint list the first ones and count the rest; --json lists every one', async () => {
  const { dir, cli } = await offlineProject('plates', 'Plates');
  await mkdir(join(dir, 'plates'));
  for (let i = 0; i < 30; i++) await writeFile(join(dir, 'plates', `p${String(i).padStart(2, '0')}.txt`), `plate ${i}`.repeat(10));
  const added = (await cli(['add', 'plates'])).stderr.split('\n');
  assert.equal(added.filter((l) => l.startsWith('added ')).length, 19);
  assert.ok(added.includes('… and 11 more added (--json lists them all)'), added.join('\n'));
  const made = (await cli(['checkpoint', 'plates', '-m', 'plates'])).stderr.split('\n');
  assert.equal(made.filter((l) => l.startsWith('checkpoint 1 of plates/')).length, 19);
  assert.ok(made.some((l) => /^… and 11 more; 30 checkpoints in all: [\d.]+ KB, [\d.]+ K?B stored \(--json lists them all\)$/.test(l)), made.join('\n'));
  for (let i = 0; i < 30; i++) await writeFile(join(dir, 'plates', `p${String(i).padStart(2, '0')}.txt`), `plate ${i} again`);
  const json = JSON.parse((await cli(['checkpoint', 'plates', '-m', 'again', '--json'])).stdout);
  assert.equal(json.made.length, 30);
});

test('ignore rules apply to files that are not assets: a rule added later does not hide an asset\'s file', async () => {
  const { dir, cli } = await offlineProject('ignored', 'Ignored');
  await mkdir(join(dir, 'Saved'));
  await writeFile(join(dir, 'cache.tmp'), 'kept on purpose');
  await writeFile(join(dir, 'Saved/level.umap'), 'a level');
  await cli(['add', '.']);
  await cli(['checkpoint', '.', '-m', 'start']);
  // Later the folder ignores both, and new files of the same kinds appear beside them.
  await writeFile(join(dir, '.backlotignore'), '*.tmp\nSaved/\n.backlotignore\n');
  await writeFile(join(dir, 'other.tmp'), 'scratch');
  await writeFile(join(dir, 'Saved/autosave.umap'), 'scratch');
  const files = () => cli(['status', '--all', '--json']).then((r) => JSON.parse(r.stdout).files.map((f: { path: string; state: string }) => `${f.state} ${f.path}`));
  assert.deepEqual(await files(), ['normal Saved/level.umap', 'normal cache.tmp']);
  // Changes to those assets still show and are checkpointed; the ignored new files never are.
  await writeFile(join(dir, 'cache.tmp'), 'kept on purpose, changed');
  await writeFile(join(dir, 'Saved/level.umap'), 'a level, changed');
  assert.deepEqual(await files(), ['modified Saved/level.umap', 'modified cache.tmp']);
  await cli(['checkpoint', '.', '-m', 'changed']);
  assert.deepEqual(await files(), ['normal Saved/level.umap', 'normal cache.tmp']);
  assert.equal(JSON.parse((await cli(['log', 'Saved/level.umap', '--json'])).stdout).checkpoints.length, 2);
});

test('a stale login and a server that is not Backlot get clear messages', async () => {
  await w.login('owner');
  const owner = w.users.owner;
  // Every session of the owner ends (a password change elsewhere ends the others).
  await owner.api.auth.changePassword({ currentPassword: 'correct horse battery staple', newPassword: 'an entirely new passphrase' });
  const stale = await owner.run(['whoami']);
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /did not accept your sign-in.*\n  sign in again: backlot login/);

  const garbage = createServer((_req, res) => res.end('<html>a router login page</html>'));
  await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(garbage.address() as { port: number }).port}`;
  const r = await owner.run(['login', url, '--email', 'x@y.z', '--password-stdin'], { input: 'secret\n' });
  garbage.close();
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /not Backlot's API.*\n  check the server address/);
});

test('a large --json answer read slowly through a pipe arrives whole (the command waits for its reader)', async () => {
  const { dir, cli } = await offlineProject('many', 'Many');
  await mkdir(join(dir, 'frames'));
  await Promise.all(Array.from({ length: 1500 }, (_, i) => writeFile(join(dir, 'frames', `frame_${String(i).padStart(5, '0')}.exr`), `frame ${i}`)));
  await cli(['add', '.']);
  // The reader starts only after the command had time to fill the pipe (64 KiB) and finish.
  const child = spawn(process.execPath, [BIN, 'status', '--json', '--all'], { cwd: dir, env: { ...process.env, BACKLOT_CONFIG_DIR: join(w.dir, 'config', 'offline') }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await Promise.race([exited, new Promise((r) => setTimeout(r, 1500))]);
  const parts: Buffer[] = [];
  for await (const part of child.stdout) parts.push(part as Buffer);
  assert.equal(await exited, 0);
  const out = Buffer.concat(parts);
  assert.ok(out.length > 128 * 1024, `a document larger than a pipe holds (${out.length} B)`);
  assert.equal(JSON.parse(out.toString()).files.length, 1500);
});
