// A tampered working folder gains nothing: the artist edits their local project database directly
// (makes themselves Admin, takes a task, sets a status, queues checkpoints on someone else's task,
// points a checkpoint at chunks of content they may not see, rewrites an author). Each pushed op
// is refused by the server and audited, nothing invisible is downloaded, and the next sync puts
// the server's truth back without losing the artist's own work.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seededBytes } from '@backlot/test-kit/random';
import { CliWorld } from './world.js';

let w: CliWorld;
let projectId: string;
let ownerDir: string;
let artistDir: string;
const secret = seededBytes(400_000, 77);
const artistTask = seededBytes(300_000, 78);

before(async () => {
  w = await CliWorld.start(['artist']);
  projectId = await w.project('Harbor', { artist: 'artist' });
  await w.login('owner');
  await w.login('artist');
  const { owner, artist } = w.users;
  ownerDir = join(await w.folder('owner'), 'Harbor');
  await owner.ok(['clone', 'Harbor', ownerDir]);
  for (const d of ['shared', 'shots', 'secret']) await mkdir(join(ownerDir, d));
  await writeFile(join(ownerDir, 'shared/ref.png'), seededBytes(100_000, 75));
  await writeFile(join(ownerDir, 'shared/owner_task.blend'), seededBytes(200_000, 76));
  await writeFile(join(ownerDir, 'shots/artist_task.blend'), artistTask);
  await writeFile(join(ownerDir, 'secret/plan.psd'), secret);
  await owner.ok(['add', 'shared/ref.png', 'secret/plan.psd'], { cwd: ownerDir });
  await owner.ok(['add', 'shared/owner_task.blend', 'shots/artist_task.blend', '--task'], { cwd: ownerDir });
  await owner.ok(['checkpoint', 'shared/ref.png', 'secret/plan.psd', 'shared/owner_task.blend', 'shots/artist_task.blend', '-m', 'v1', '--sync'], { cwd: ownerDir });
  const shared = (await owner.api.browse.collections(projectId)).collections.find((c) => c.name === 'shared')!;
  await owner.api.production.updateCollection(projectId, shared.id, { shared: true });
  await owner.api.production.assignTask(projectId, await assetId('artist_task'), { assigneeId: artist.id });
  artistDir = join(await w.folder('artist'), 'Harbor');
  await artist.ok(['clone', 'Harbor', artistDir]);
});
after(() => w?.stop());

async function assetId(name: string): Promise<string> {
  return (await w.users.owner.api.browse.assets(projectId, { text: name })).items.find((a) => a.name === name)!.id;
}

/** Runs `fn` on the artist's project database, as a user with a SQLite shell would. */
function tamper<T>(fn: (sql: Database.Database) => T): T {
  const sql = new Database(join(artistDir, '.backlot/project.db'));
  try {
    return fn(sql);
  } finally {
    sql.close();
  }
}

const mirrored = (entity: string, id: string) =>
  tamper((sql) => JSON.parse((sql.prepare('SELECT data FROM items WHERE entity = ? AND id = ?').get(entity, id) as { data: string }).data));

const queue = (op: object) =>
  tamper((sql) => sql.prepare('INSERT INTO outbox (op_id, type, op, created_at) VALUES (?, ?, ?, ?)').run(randomUUID(), (op as { type: string }).type, JSON.stringify(op), new Date().toISOString()));

async function refusedCount(): Promise<number> {
  const page = await w.users.owner.api.audit.project(projectId, { action: 'sync.op_refused', actor: w.users.artist.id });
  return page.entries.length;
}

async function sync(args: string[] = []) {
  return w.users.artist.run(['sync', '--json', ...args], { cwd: artistDir });
}

test('the artist sees only what they may: no byte of the secret file is in their folder', async () => {
  const files = await readdir(artistDir, { recursive: true });
  assert.ok(!files.some((f) => String(f).includes('plan.psd')));
  await assertNoSecretBytes();
});

test('granting oneself Admin in the local database: the delete it allows locally is refused, audited and undone', async () => {
  const { roles } = await w.users.owner.api.roles.list(projectId);
  const admin = roles.find((r) => r.key === 'admin')!;
  const artistRole = mirrored('member', w.users.artist.id).roleId;
  tamper((sql) => sql.prepare("UPDATE items SET data = json_set(data, '$.roleId', ?) WHERE entity = 'member' AND id = ?").run(admin.id, w.users.artist.id));
  const before = await refusedCount();
  await w.users.artist.ok(['rm', 'shared/ref.png'], { cwd: artistDir });
  const r = await sync();
  assert.equal(r.code, 4, r.stderr + r.stdout);
  assert.equal(JSON.parse(r.stdout).refused[0].code, 'forbidden');
  assert.equal(JSON.parse(r.stdout).refused[0].path, 'shared/ref.png', 'the refusal names the file');
  assert.equal(await refusedCount(), before + 1);
  assert.equal(mirrored('member', w.users.artist.id).roleId, artistRole, 'the server\'s role is back');
  assert.equal((await readFile(join(artistDir, 'shared/ref.png'))).length, 100_000, 'the file came back with the server\'s truth');
});

test('assigning oneself someone else\'s task: the checkpoint is refused and audited; the artist\'s file stays as they made it', async () => {
  const taskId = await assetId('owner_task');
  tamper((sql) => sql.prepare("UPDATE items SET data = json_set(data, '$.assigneeId', ?) WHERE entity = 'asset' AND id = ?").run(w.users.artist.id, taskId));
  await writeFile(join(artistDir, 'shared/owner_task.blend'), 'my unauthorised changes');
  await w.users.artist.ok(['checkpoint', 'shared/owner_task.blend', '-m', 'sneaky'], { cwd: artistDir });
  const before = await refusedCount();
  const r = await sync();
  assert.equal(r.code, 4, r.stderr);
  assert.match(JSON.parse(r.stdout).refused[0].message, /holds this task|soft lock|assignee/i);
  assert.equal(JSON.parse(r.stdout).refused[0].path, 'shared/owner_task.blend');
  assert.equal(await refusedCount(), before + 1);
  assert.equal(mirrored('asset', taskId).assigneeId, w.users.owner.id);
  assert.equal(await readFile(join(artistDir, 'shared/owner_task.blend'), 'utf8'), 'my unauthorised changes');
  const st = JSON.parse((await w.users.artist.ok(['status', '--json'], { cwd: artistDir })).stdout);
  assert.equal(st.files.find((f: { path: string }) => f.path === 'shared/owner_task.blend').state, 'modified');
  const history = await w.users.owner.api.browse.checkpoints(projectId, taskId);
  assert.equal(history.checkpoints.length, 1, 'the server has only the owner\'s checkpoint');
});

test('queued ops written by hand (a status on someone else\'s task, a checkpoint there, an author field) are refused', async () => {
  const taskId = await assetId('owner_task');
  const done = (await w.users.owner.api.browse.statuses(projectId)).statuses.find((s) => s.key === 'done')!;
  const mine = tamper((sql) => JSON.parse((sql.prepare("SELECT data FROM items WHERE entity = 'checkpoint' AND json_extract(data, '$.assetId') = ?").get(taskId) as { data: string }).data));
  tamper((sql) => sql.prepare("UPDATE items SET data = json_set(data, '$.statusId', ?) WHERE entity = 'asset' AND id = ?").run(done.id, taskId));
  queue({ type: 'task.status', assetId: taskId, statusId: done.id });
  queue({ type: 'checkpoint.create', id: randomUUID(), assetId: taskId, fileHash: mine.fileHash, size: mine.size, chunks: [] });
  queue({ type: 'checkpoint.create', id: randomUUID(), assetId: await assetId('artist_task'), fileHash: mine.fileHash, size: mine.size, chunks: [], authorId: w.users.owner.id });
  const before = await refusedCount();
  const r = await sync();
  assert.equal(r.code, 4, r.stderr);
  const refused = JSON.parse(r.stdout).refused;
  assert.equal(refused.length, 3, JSON.stringify(refused));
  assert.equal(refused[2].code, 'validation_failed');
  assert.equal(await refusedCount(), before + 2, 'the two forbidden ops are audited');
  assert.equal(mirrored('asset', taskId).statusId, (await w.users.owner.api.browse.asset(projectId, taskId)).statusId);
  assert.equal((await w.users.owner.api.browse.checkpoints(projectId, taskId)).checkpoints.length, 1);
});

test('a checkpoint pointed at chunks of invisible content downloads nothing; sync --full repairs it', async () => {
  const ownerDb = new Database(join(ownerDir, '.backlot/project.db'), { readonly: true });
  const rec = ownerDb.prepare("SELECT file_hash, size, chunks FROM files WHERE path = 'secret/plan.psd'").get() as { file_hash: string; size: number; chunks: string };
  ownerDb.close();
  const chunks = JSON.parse(rec.chunks) as [string, number][];
  const taskId = await assetId('artist_task');
  tamper((sql) =>
    sql.prepare("UPDATE items SET data = json_set(data, '$.chunks', json(?), '$.chunkSizes', json(?), '$.fileHash', ?, '$.size', ?) WHERE entity = 'checkpoint' AND json_extract(data, '$.assetId') = ?")
      .run(JSON.stringify(chunks.map((c) => c[0])), JSON.stringify(chunks.map((c) => c[1])), rec.file_hash, rec.size, taskId),
  );
  await rm(join(artistDir, 'shots/artist_task.blend'));
  const r = await w.users.artist.run(['rebuild', 'shots/artist_task.blend'], { cwd: artistDir });
  assert.notEqual(r.code, 0, 'the server refuses chunks the artist may not see');
  await assertNoSecretBytes();
  assert.equal(JSON.parse((await sync(['--full'])).stdout).refused.length, 0);
  await w.users.artist.ok(['rebuild', 'shots/artist_task.blend'], { cwd: artistDir });
  assert.deepEqual(await readFile(join(artistDir, 'shots/artist_task.blend')), artistTask);
  await assertNoSecretBytes();
});

test('a rewritten author and time are the server\'s again after sync --full', async () => {
  const taskId = await assetId('artist_task');
  tamper((sql) => sql.prepare("UPDATE items SET data = json_set(data, '$.authorId', ?, '$.createdAt', '2001-01-01T00:00:00.000Z') WHERE entity = 'checkpoint' AND json_extract(data, '$.assetId') = ?").run(w.users.artist.id, taskId));
  await sync(['--full']);
  const cp = tamper((sql) => JSON.parse((sql.prepare("SELECT data FROM items WHERE entity = 'checkpoint' AND json_extract(data, '$.assetId') = ?").get(taskId) as { data: string }).data));
  assert.equal(cp.authorId, w.users.owner.id);
  assert.notEqual(cp.createdAt, '2001-01-01T00:00:00.000Z');
});

/** No 64-byte window of the secret file appears anywhere under the artist's folder (files and .backlot). */
async function assertNoSecretBytes(): Promise<void> {
  const probes = [0, 100_000, 250_000, 399_000].map((o) => secret.subarray(o, o + 64));
  for (const f of await readdir(artistDir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    const bytes = await readFile(join(f.parentPath ?? (f as unknown as { path: string }).path, f.name));
    for (const p of probes) assert.equal(bytes.indexOf(p), -1, `secret bytes found in ${f.name}`);
  }
}
