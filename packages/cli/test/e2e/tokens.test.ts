// Access tokens through the CLI, as a pipeline would use them: made after a password sign-in,
// printed once, used by `login --token` on another "machine" (config folder), narrowed to their
// access level, listed with their last use, and dead the moment they are revoked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CliWorld } from './world.js';

let w: CliWorld;
before(async () => {
  w = await CliWorld.start(['artist']);
  await w.project('Forest', { artist: 'artist' });
  await w.login('artist');
});
after(() => w?.stop());

test('a read token made by the CLI signs a script in, reads, is refused more, shows its use, and dies when revoked', async () => {
  const artist = w.users.artist;
  const made = await artist.ok(['tokens', 'create', 'render farm', '--access', 'read', '--days', '7']);
  const secret = made.stdout.trim();
  assert.match(secret, /^blt_\S{20,}$/, 'only the secret on stdout, for scripts');
  assert.match(made.stderr, /shown only now/);

  // The script's machine: its own config folder, signed in with the token alone.
  const farm = { BACKLOT_CONFIG_DIR: join(w.dir, 'config', 'farm') };
  const login = await artist.run(['login', w.url, '--token', secret], { env: farm });
  assert.equal(login.code, 0, login.stderr);
  const who = JSON.parse((await artist.run(['whoami', '--json'], { env: farm })).stdout);
  assert.equal(who.user.email, artist.email);
  assert.equal(JSON.parse((await artist.run(['projects', '--json'], { env: farm })).stdout).projects.length, 1, 'reading works');

  // A token cannot mint tokens: refused with exit 4 and what to do instead.
  const more = await artist.run(['tokens', 'create', 'another'], { env: farm });
  assert.equal(more.code, 4, more.stderr);
  assert.match(more.stderr, /an access token cannot do this/);
  assert.match(more.stderr, /sign in with your password or SSO \(backlot login SERVER\), or use a token with more access/);

  const listed = JSON.parse((await artist.ok(['tokens', 'list', '--json'])).stdout);
  const mine = listed.tokens.find((t: { name: string }) => t.name === 'render farm');
  assert.equal(mine.access, 'read');
  assert.ok(mine.lastUsedAt, 'its use by the script shows');
  assert.ok(!JSON.stringify(listed).includes(secret.slice(4)), 'the secret is never listed');

  await artist.ok(['tokens', 'revoke', 'render farm']);
  const dead = await artist.run(['whoami'], { env: farm });
  assert.equal(dead.code, 1, dead.stderr);
  assert.match(dead.stderr, /did not accept your sign-in/);
});
