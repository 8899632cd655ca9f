// Production tracking through the real CLI against a real server: the task list and board, assign
// and status, control requests (request, accept, decline, handoff, take-over), members and roles,
// invitations, the audit log, share links, the trash, live events, and references that do not
// resolve. One studio, one project "Forest" with an owner (Admin), a supervisor, an artist and a
// vendor; the tasks live in a shared collection so the artist sees them (the vendor sees only
// what it is assigned). Commands name the project with --project: there is no working folder here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publishFile } from '@backlot/client';
import { closeSharedWorkerPool } from '@backlot/storage';
import { CliWorld, startFollowed, startProxy } from './world.js';

let w: CliWorld;
let projectId = '';
const ids: Record<string, string> = {};
const P = ['--project', 'Forest'];

before(async () => {
  w = await CliWorld.start(['supervisor', 'artist', 'vendor']);
  projectId = await w.project('Forest', { supervisor: 'supervisor', artist: 'artist', vendor: 'vendor' });
  const api = w.users.owner.api;
  const shots = await api.production.createCollection(projectId, { parentId: null, name: 'shots', shared: true });
  for (const name of ['shot010', 'shot020', 'shot030', 'shot040']) {
    ids[name] = (await api.production.createAsset(projectId, { collectionId: shots.id, name, extension: 'blend', kind: 'task' })).id;
  }
  ids.ref = (await api.production.createAsset(projectId, { collectionId: shots.id, name: 'moodboard', extension: 'png', kind: 'resource' })).id;
  for (const key of ['owner', 'supervisor', 'artist', 'vendor']) await w.login(key);
});
after(async () => {
  await w?.stop();
  await closeSharedWorkerPool(); // publishFile's compression threads
});

const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const asset = async (name: string) => w.users.owner.api.browse.asset(projectId, ids[name]);

test('a supervisor assigns and sets a status; tasks lists and filters them (--mine, --status), as a table and JSON', async () => {
  const { supervisor, artist } = w.users;
  const assigned = await supervisor.ok(['assign', 'shot010', 'Artist', ...P]);
  assert.match(assigned.stderr, /Assigned shots\/shot010\.blend to Artist/);
  await supervisor.ok(['set-status', 'shot010', 'wfa', ...P]);
  const a = await asset('shot010');
  assert.equal(a.assigneeId, artist.id);
  assert.equal(a.assigneeName, 'Artist');

  const all = json(await artist.ok(['tasks', '--json', ...P]));
  assert.equal(all.projectId, projectId);
  assert.deepEqual(all.assets.map((x: { name: string }) => x.name), ['shot010', 'shot020', 'shot030', 'shot040'], 'tasks only, by name');
  const mine = json(await artist.ok(['tasks', '--mine', '--json', ...P]));
  assert.deepEqual(mine.assets.map((x: { id: string }) => x.id), [ids.shot010]);
  const wfa = json(await supervisor.ok(['tasks', '--status', 'WFA', '--json', ...P]));
  assert.deepEqual(wfa.assets.map((x: { id: string }) => x.id), [ids.shot010]);
  const both = json(await supervisor.ok(['tasks', '--kind', 'all', '--search', 'mood', '--json', ...P]));
  assert.deepEqual(both.assets.map((x: { id: string }) => x.id), [ids.ref]);

  const table = (await artist.ok(['tasks', ...P])).stdout;
  assert.match(table, /^PATH\s+STATUS\s+ASSIGNEE\s+TYPE\s+UPDATED/);
  assert.match(table, /^shots\/shot010\.blend\s+WFA\s+Artist/m, 'paths from the server\'s folders outside a working folder');
  assert.match(table, /^shots\/shot020\.blend\s+TODO\s+-/m);
});

test('board: status columns with counts, as text and as the API\'s JSON', async () => {
  const board = json(await w.users.supervisor.ok(['board', '--json', ...P]));
  assert.ok(Array.isArray(board.columns));
  const wfa = board.columns.find((c: { status: { key: string } | null }) => c.status?.key === 'wfa');
  assert.equal(wfa.count, 1);
  assert.equal(wfa.cards[0].id, ids.shot010);
  const text = (await w.users.supervisor.ok(['board', ...P])).stdout;
  assert.match(text, /^WFA · 1\n  shots\/shot010\.blend\s+Artist$/m);
  assert.ok(text.split('\n').every((l) => l.length <= 80), 'fits 80 columns');
});

test('the artist requests a task, the assignee sees it and accepts; another request is declined; handoff', async () => {
  const { supervisor, artist, vendor } = w.users;
  await supervisor.ok(['assign', 'shot020', 'me', ...P]);
  const asked = await artist.ok(['request', 'shot020', '-m', 'I can finish the layout today', ...P]);
  assert.match(asked.stderr, /Asked Supervisor for shots\/shot020\.blend/);

  const pending = json(await supervisor.ok(['requests', '--json', ...P]));
  assert.equal(pending.toMe.length, 1);
  assert.equal(pending.toMe[0].asset.id, ids.shot020);
  assert.equal(pending.toMe[0].message, 'I can finish the layout today');
  assert.equal(json(await artist.ok(['requests', '--json', ...P])).mine[0].asset.id, ids.shot020);
  assert.match((await supervisor.ok(['requests', ...P])).stdout, /to you\s+shots\/shot020\.blend\s+from Artist/);

  const accepted = await supervisor.ok(['accept', 'shot020', ...P]);
  assert.match(accepted.stderr, /Handed shots\/shot020\.blend to Artist/);
  assert.equal((await asset('shot020')).assigneeId, artist.id);

  // The vendor holds shot030; the artist asks for it; the vendor declines the one request it has.
  await supervisor.ok(['assign', 'shot030', 'vendor@studio.test', ...P]);
  await artist.ok(['request', 'shot030', ...P]);
  const none = await artist.run(['accept', ...P]);
  assert.equal(none.code, 1, none.stderr);
  assert.match(none.stderr, /no control requests are waiting for you\n  see all pending/);
  const declined = await vendor.ok(['decline', ...P]);
  assert.match(declined.stderr, /Declined Artist's request for shots\/shot030\.blend/);
  assert.equal((await asset('shot030')).assigneeId, vendor.id);
  assert.deepEqual(json(await vendor.ok(['requests', '--json', ...P])).toMe, []);

  // Two requests waiting and no argument: listed, exit 2.
  await artist.ok(['request', 'shot030', ...P]);
  await supervisor.ok(['request', 'shot030', ...P]);
  const two = await vendor.run(['accept', ...P]);
  assert.equal(two.code, 2, two.stderr);
  assert.match(two.stderr, /2 requests are waiting for you:\n.*shots\/shot030\.blend.*\n.*shots\/shot030\.blend/);

  const handed = await artist.ok(['handoff', 'shot020', 'Supervisor', ...P]);
  assert.match(handed.stderr, /Handed shots\/shot020\.blend to Supervisor/);
  assert.equal((await asset('shot020')).assigneeId, supervisor.id);
});

test('take-over: refused for the artist (exit 4), allowed for the owner', async () => {
  const refused = await w.users.artist.run(['take-over', 'shot020', ...P]);
  assert.equal(refused.code, 4, refused.stderr);
  assert.match(refused.stderr, /^backlot: .+\n  ask a project admin for the permission\n$/);
  assert.equal((await asset('shot020')).assigneeId, w.users.supervisor.id);
  const done = await w.users.owner.ok(['take-over', 'shot020', ...P]);
  assert.match(done.stderr, /You hold shots\/shot020\.blend now \(it was Supervisor's\)/);
  assert.equal((await asset('shot020')).assigneeId, w.users.owner.id);
  await w.users.owner.ok(['unassign', 'shot020', ...P]);
  assert.equal((await asset('shot020')).assigneeId, null);
});

test('members and roles as JSON and tables', async () => {
  const { members } = json(await w.users.artist.ok(['members', '--json', ...P]));
  const byName = Object.fromEntries(members.map((m: { name: string; roleName: string }) => [m.name, m.roleName]));
  assert.deepEqual(byName, { 'Olivia Owner': 'Admin', Supervisor: 'Supervisor', Artist: 'Artist', Vendor: 'Vendor' });
  assert.match((await w.users.artist.ok(['members', ...P])).stdout, /^NAME\s+EMAIL\s+ROLE\n(.*\n)*Artist\s+artist@studio\.test\s+Artist$/m);
  const { roles } = json(await w.users.artist.ok(['roles', '--json', ...P]));
  assert.deepEqual(roles.map((r: { key: string }) => r.key), ['admin', 'production_manager', 'supervisor', 'assistant_supervisor', 'artist', 'vendor']);
  assert.ok(roles.find((r: { key: string }) => r.key === 'artist').permissions.includes('assignment.self_assign'));
  const perms = (await w.users.artist.ok(['roles', '--permissions', ...P])).stdout;
  assert.match(perms, /^Artist \(rank 4, 1 member\)\n(\s{4}\S.*\n)*?\s{4}.*assignment\.self_assign/m);
});

test('invite prints the link when the server sends no email, and adds to the project with --project-role', async () => {
  const r = await w.users.owner.ok(['invite', 'newcomer@studio.test', '--project-role', 'artist', ...P]);
  assert.match(r.stdout, /^newcomer@studio\.test: invited; send them this link:\n  http:\/\/\S+#token=\S+\n$/);
  const again = json(await w.users.owner.ok(['invite', 'artist@studio.test', '--json']));
  assert.equal(again.results[0].outcome, 'already_member');
  const { invitations } = await w.users.owner.api.invitations.list(w.studioId);
  const inv = invitations.find((i) => i.email === 'newcomer@studio.test')!;
  assert.equal(inv.projects[0].projectId, projectId);
  const bad = await w.users.owner.run(['invite', 'x@studio.test', '--project-role', 'wizard', ...P]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no role "wizard" in this project\n  use one of: admin, production_manager/);
});

test('audit as JSON shows the assignment; a table by default; refused without audit.view', async () => {
  const { entries } = json(await w.users.owner.ok(['audit', '--action', 'task.assigned', '--json', ...P]));
  const e = entries.find((x: { targetId: string }) => x.targetId === ids.shot010);
  assert.ok(e, 'the assignment of shot010 is logged');
  assert.equal(e.actorId, w.users.supervisor.id);
  assert.deepEqual(e.after, { assigneeId: w.users.artist.id });
  const mine = json(await w.users.owner.ok(['audit', '--actor', 'Supervisor', '--since', '1d', '--json', ...P]));
  assert.ok(mine.entries.length > 0 && mine.entries.every((x: { actorId: string }) => x.actorId === w.users.supervisor.id));
  const table = (await w.users.owner.ok(['audit', '--limit', '5', ...P])).stdout;
  assert.match(table, /^TIME\s+ACTOR\s+ACTION\s+TARGET\n/);
  assert.equal(table.trim().split('\n').length, 6);
  const refused = await w.users.artist.run(['audit', ...P]);
  assert.equal(refused.code, 4, refused.stderr);
});

test('share a checkpoint: the link works, is listed, and stops working when revoked', async () => {
  const owner = w.users.owner;
  const nothing = await owner.run(['share', 'moodboard', ...P]);
  assert.equal(nothing.code, 1);
  assert.match(nothing.stderr, /moodboard\.png has no checkpoints yet/);
  const file = join(w.dir, 'moodboard.png');
  await writeFile(file, 'not really a png, but bytes all the same');
  await publishFile(owner.api, projectId, ids.ref, file, { comment: 'first look' });

  const made = await owner.ok(['share', 'moodboard.png', '--expires', '7d', ...P]);
  const url = made.stdout.trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/s\/\S+$/);
  assert.match(made.stderr, /checkpoint 1, until/);
  assert.equal((await fetch(url)).status, 200);
  const missing = await owner.run(['share', 'moodboard', '--checkpoint', '9', ...P]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /has no checkpoint 9/);

  const { shares } = json(await owner.ok(['shares', '--json', ...P]));
  assert.equal(shares.length, 1);
  assert.equal(shares[0].state, 'active');
  assert.equal(shares[0].fileName, 'moodboard.png');
  assert.equal(shares[0].checkpointNumber, 1);
  assert.equal(shares[0].folder, 'shots');
  assert.match((await owner.ok(['shares', ...P])).stdout, /^\S{8}\s+shots\/moodboard\.png\s+#1\s+active\s/m, 'path and version outside a working folder');
  const revoked = await owner.ok(['unshare', shares[0].id.slice(0, 8), ...P]);
  assert.match(revoked.stderr, /^Revoked the share link of shots\/moodboard\.png #1 \(/);
  assert.match((await owner.ok(['audit', '--action', 'share.created', ...P])).stdout, /share\.created\s+share_link \S{8} of shots\/moodboard\.png$/m);
  assert.equal(json(await owner.ok(['shares', '--json', ...P])).shares[0].state, 'revoked');
  assert.notEqual((await fetch(url)).status, 200);
});

test('trash lists what the owner deleted and restore brings it back', async () => {
  const owner = w.users.owner;
  await owner.api.production.deleteAsset(projectId, ids.shot040);
  const { items } = json(await owner.ok(['trash', '--json', ...P]));
  assert.equal(items[0].id, ids.shot040);
  assert.equal(items[0].kind, 'asset');
  assert.match((await owner.ok(['trash', ...P])).stdout, /^asset\s+shot040\.blend\s/m);
  const gone = json(await owner.ok(['tasks', '--json', ...P])).assets.map((a: { id: string }) => a.id);
  assert.ok(!gone.includes(ids.shot040));
  const r = await owner.ok(['restore', 'shot040.blend', ...P]);
  assert.match(r.stderr, /Restored asset shot040\.blend/);
  const back = json(await owner.ok(['tasks', '--json', ...P])).assets.map((a: { id: string }) => a.id);
  assert.ok(back.includes(ids.shot040));
  assert.deepEqual(json(await owner.ok(['trash', '--json', ...P])).items, []);
});

test('watch prints a line per change, and JSON lines with --json', async () => {
  const sup = w.users.supervisor;
  for (const mode of ['text', 'json'] as const) {
    const watch = startFollowed(['watch', ...P, ...(mode === 'json' ? ['--json'] : [])], { BACKLOT_CONFIG_DIR: sup.configDir });
    try {
      await watch.seen((o) => /Watching \d+ assets? /.test(o.stderr), 'start message');
      const status = mode === 'text' ? 'wip' : 'todo';
      const { statuses } = await w.users.owner.api.browse.statuses(projectId);
      await w.users.owner.api.production.setStatus(projectId, ids.shot030, { statusId: statuses.find((s) => s.key === status)!.id });
      if (mode === 'text') {
        await watch.seen((o) => /shot030\.blend/.test(o.stdout), 'line about shot030');
        assert.match(watch.out.stdout, /^\d\d:\d\d:\d\d  asset\s+shots\/shot030\.blend now WIP \(by Olivia Owner\)$/m, "assets are named by their path");
      } else {
        await watch.seen((o) => o.stdout.split('\n').some((l) => l.includes(ids.shot030)), 'JSON line about shot030');
        const line = watch.out.stdout.split('\n').find((l) => l.includes(ids.shot030))!;
        const event = JSON.parse(line);
        assert.equal(event.type, 'change');
        assert.equal(event.entity, 'asset');
        assert.equal(event.id, ids.shot030);
        assert.equal(event.actorId, w.users.owner.id);
      }
    } finally {
      await watch.stop();
    }
  }
});

test('watch exits 5 when the live connection cannot be opened', async () => {
  // A proxy that passes the API through but hangs up on every WebSocket handshake.
  const proxy = await startProxy(w.url);
  proxy.server.on('upgrade', (_req, socket) => socket.destroy());
  try {
    const sup = w.users.supervisor;
    const configDir = await w.signedInThrough(sup, proxy.url, 'behind-proxy');
    const r = await sup.run(['watch', ...P], { env: { BACKLOT_CONFIG_DIR: configDir } });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /^backlot: could not open live events on http:\/\/127\.0\.0\.1:\d+.*\n  check that the server is running/);
  } finally {
    await proxy.close();
  }
});

test('references that do not resolve: unknown names exit 1 with a hint, ambiguous ones exit 2 with the matches', async () => {
  const { supervisor } = w.users;
  const unknown = await supervisor.run(['assign', 'nosuchtask', 'Artist', ...P]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^backlot: no task or asset "nosuchtask" that you can see in this project\n  give a name from `backlot tasks --kind all`/);
  const many = await supervisor.run(['set-status', 'shot0', 'wip', ...P]);
  assert.equal(many.code, 2);
  assert.match(many.stderr, /"shot0" matches 4 assets:\n  shots\/shot010\.blend/);
  assert.match(many.stderr, /give its path as listed, or its id/);
  const nobody = await supervisor.run(['assign', 'shot010', 'Nobody', ...P]);
  assert.equal(nobody.code, 1);
  assert.match(nobody.stderr, /no member "Nobody" in this project\n  list them with: backlot members/);
  const status = await supervisor.run(['set-status', 'shot010', 'finished', ...P]);
  assert.equal(status.code, 1);
  assert.match(status.stderr, /no status "finished" in this project\n  use one of: todo, wip, wfa, retake, done/);
  const byId = await supervisor.ok(['assign', ids.shot040, 'me', ...P]);
  assert.match(byId.stderr, /Assigned shots\/shot040\.blend to Supervisor/);
  const gone = await supervisor.run(['assign', '00000000-0000-4000-8000-000000000000', 'me', ...P]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /no task or asset with id/);
});

test('a path names one place: resolved folder by folder on the server, never a same-named file elsewhere', async () => {
  const { owner, supervisor } = w.users;
  const other = await owner.api.production.createCollection(projectId, { parentId: null, name: 'other', shared: true });
  const twin = (await owner.api.production.createAsset(projectId, { collectionId: other.id, name: 'lonely', extension: 'blend', kind: 'task' })).id;
  const byPath = await supervisor.ok(['assign', 'other/lonely.blend', 'me', ...P]);
  assert.match(byPath.stderr, /Assigned other\/lonely\.blend to Supervisor/);
  assert.equal((await owner.api.browse.asset(projectId, twin)).assigneeId, supervisor.id);
  // The same file name in a folder that has no such file: an error, not the file in "other".
  const elsewhere = await supervisor.run(['unassign', 'shots/lonely.blend', ...P]);
  assert.equal(elsewhere.code, 1, elsewhere.stderr);
  assert.match(elsewhere.stderr, /^backlot: no task or asset at shots\/lonely\.blend that you can see in this project\n/);
  const noFolder = await supervisor.run(['unassign', 'nowhere/lonely.blend', ...P]);
  assert.equal(noFolder.code, 1);
  assert.equal((await owner.api.browse.asset(projectId, twin)).assigneeId, supervisor.id, 'nothing changed');
});

test('set-kind turns a resource into a task and back; assign on a resource says how', async () => {
  const { owner, artist } = w.users;
  const refused = await owner.run(['assign', 'shots/moodboard.png', 'Artist', ...P]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /this asset is not a task\n  only tasks have an assignee and a status: make it one with backlot set-kind ASSET task/);
  const made = await owner.ok(['set-kind', 'shots/moodboard.png', 'task', ...P]);
  assert.match(made.stderr, /shots\/moodboard\.png is a task now \(Todo\): only its assignee may checkpoint it\nNext: backlot assign shots\/moodboard\.png USER/);
  await owner.ok(['assign', 'shots/moodboard.png', 'Artist', ...P]);
  assert.equal((await asset('ref')).assigneeId, artist.id);
  const notAllowed = await artist.run(['set-kind', 'shots/moodboard.png', 'resource', ...P]);
  assert.equal(notAllowed.code, 4, notAllowed.stderr);
  const back = json(await owner.ok(['set-kind', 'shots/moodboard.png', 'resource', '--json', ...P]));
  assert.equal(back.kind, 'resource');
  const a = await asset('ref');
  assert.deepEqual([a.kind, a.assigneeId, a.statusId], ['resource', null, null]);
  const wrong = await owner.run(['set-kind', 'shots/moodboard.png', 'folder', ...P]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /the kind is task or resource \(got "folder"\)/);
  // The audit log names a checkpoint by its file and number.
  assert.match((await owner.ok(['audit', '--action', 'checkpoint.*', ...P])).stdout, /checkpoint\.created\s+checkpoint shots\/moodboard\.png #1/);
  assert.match((await owner.ok(['audit', '--action', 'asset.converted', ...P])).stdout, /asset\.converted\s+asset shots\/moodboard\.png/);
});
