// The CLI's sign-in commands against a real server: login (password on stdin, token), whoami,
// studios, projects, logout; credentials kept with mode 0600 and never printed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliWorld } from './world.js';

let w: CliWorld;
before(async () => {
  w = await CliWorld.start(['artist']);
});
after(() => w?.stop());

test('login with a password, whoami, studios and projects, as JSON and as text', async () => {
  const artist = w.users.artist;
  const projectId = await w.project('Forest', { artist: 'artist' });
  await w.login('artist');
  const file = join(artist.configDir, 'credentials.json');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const who = JSON.parse((await artist.ok(['whoami', '--json'])).stdout);
  assert.equal(who.user.email, artist.email);
  assert.equal(who.server, w.url);
  assert.equal(who.studioId, w.studioId, 'a single studio becomes the current one');
  const text = (await artist.ok(['whoami'])).stdout;
  const token = JSON.parse(await readFile(file, 'utf8')).servers[w.url].token;
  assert.ok(!text.includes(token), 'the token is never printed');
  const projects = JSON.parse((await artist.ok(['projects', '--json'])).stdout).projects;
  assert.deepEqual(projects.map((p: { id: string }) => p.id), [projectId]);
  assert.match((await artist.ok(['studios'])).stdout, /\*\s+Studio\s+member/);
});

test('a wrong password is refused with a clear message and exit 1, and nothing is saved', async () => {
  const r = await w.users.artist.run(['login', w.url, '--email', w.users.artist.email, '--password-stdin', '--server', w.url], {
    input: 'wrong\n', env: { BACKLOT_CONFIG_DIR: join(w.dir, 'config', 'nobody') },
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^backlot: the server did not accept the email and password for artist@studio\.test\n  check them and run: backlot login http/);
  await assert.rejects(stat(join(w.dir, 'config', 'nobody', 'credentials.json')));
});

test('login with a token, a server that is not there, and logout', async () => {
  const owner = w.users.owner;
  const bad = await owner.run(['login', w.url, '--token', 'not-a-token'], { env: { BACKLOT_CONFIG_DIR: join(w.dir, 'config', 'nobody') } });
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /^backlot: the server did not accept this token \(wrong, revoked or expired\)\n  make a new one/);
  await owner.ok(['login', w.url, '--token', owner.api.session.token!]);
  assert.equal(JSON.parse((await owner.ok(['whoami', '--json'])).stdout).user.email, owner.email);
  const nobody = await owner.run(['login', 'http://127.0.0.1:9', '--email', owner.email, '--password-stdin'], { input: 'x\n', env: { BACKLOT_CONFIG_DIR: join(w.dir, 'config', 'nobody') } });
  assert.equal(nobody.code, 5, nobody.stderr);
  assert.match(nobody.stderr, /\n  nothing answers at that address: check http:\/\/127\.0\.0\.1:9 \(is the server running there\?\), then sign in again$/m);
  const down = await owner.run(['whoami', '--server', 'http://127.0.0.1:9']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /not signed in to http:\/\/127\.0\.0\.1:9/);
  await owner.ok(['logout']);
  const gone = await owner.run(['whoami']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /not signed in/);
});

test('usage mistakes exit 2', async () => {
  const r = await w.users.artist.run(['login']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing required argument/);
});
