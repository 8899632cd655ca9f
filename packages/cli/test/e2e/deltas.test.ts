// Delta checkpoints end to end: a DCC-style re-save (a few bytes rewritten all over the file)
// goes up and comes down as patches against the previous version, the server stores it as one,
// and every version (the newest through its chain, the oldest whole) restores byte-identical for
// someone who never had any of them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { seededBytes } from '@backlot/test-kit/random';
import { CliWorld } from './world.js';

let w: CliWorld;
let projectId: string;
const folders: Record<string, string> = {};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A Blender-like re-save: one pointer-sized field in about every 28 records of 128 bytes changes. */
function resave(prev: Buffer, seed: number): Buffer {
  const out = Buffer.from(prev);
  const noise = seededBytes(Math.ceil(out.length / 32) + 8, seed);
  for (let o = 100, k = 0; o + 4 <= out.length; o += 128, k += 4) if (noise[k] % 28 === 0) out.writeUInt32LE(noise.readUInt32LE(k), o);
  return out;
}

const SCENE = 'shots/sh010/scene.blend';

/** Saves as Blender does: a new file, renamed over the old one. */
async function saveByRename(path: string, bytes: Buffer): Promise<void> {
  await writeFile(`${path}@`, bytes);
  await rename(`${path}@`, path);
}

/** The project's stored bytes once the server's background re-encoding (rebase.ts) has settled. */
async function settledUsage(): Promise<number> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const now = (await w.users.owner.api.content.projectUsage(projectId)).usedBytes;
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 150));
  }
  return last;
}
const versions: Buffer[] = [seededBytes(6_000_000, 21)];

before(async () => {
  w = await CliWorld.start(['supervisor', 'late']);
  projectId = await w.project('Deltas', { supervisor: 'supervisor', late: 'supervisor' });
  for (const k of ['owner', 'supervisor', 'late']) await w.login(k);
});
after(() => w?.stop());

test('a re-saved scene goes up as a patch and comes down as one', async () => {
  const { owner, supervisor } = w.users;
  folders.owner = join(await w.folder('owner'), 'deltas');
  await owner.ok(['clone', 'Deltas', folders.owner]);
  await mkdir(join(folders.owner, 'shots/sh010'), { recursive: true });
  await writeFile(join(folders.owner, SCENE), versions[0]);
  await owner.ok(['add', SCENE], { cwd: folders.owner });
  await owner.ok(['checkpoint', SCENE, '-m', 'v1', '--sync'], { cwd: folders.owner });
  const firstUsage = await settledUsage();

  folders.supervisor = join(await w.folder('supervisor'), 'deltas');
  await supervisor.ok(['clone', 'Deltas', folders.supervisor]);

  versions.push(resave(versions[0], 1));
  await writeFile(join(folders.owner, SCENE), versions[1]);
  await owner.ok(['checkpoint', SCENE, '-m', 'v2'], { cwd: folders.owner });
  const up = JSON.parse((await owner.ok(['sync', '--json'], { cwd: folders.owner })).stdout);
  assert.ok(up.uploadedBytes > 0 && up.uploadedBytes < 0.05 * versions[0].length, `uploaded ${up.uploadedBytes} bytes for a re-save of 6 MB`);
  const grown = (await settledUsage()) - firstUsage;
  assert.ok(grown < 0.05 * versions[0].length, `the server stored ${grown} more bytes`);

  const down = JSON.parse((await supervisor.ok(['sync', '--json'], { cwd: folders.supervisor })).stdout);
  assert.deepEqual(down.written, [SCENE]);
  assert.ok(down.fetchedBytes < 0.05 * versions[0].length, `fetched ${down.fetchedBytes} bytes for a re-save of 6 MB`);
  assert.equal(sha(await readFile(join(folders.supervisor, SCENE))), sha(versions[1]));
});

test('a long history: each re-save stays small, and every version restores for a newcomer', async () => {
  const { owner, late } = w.users;
  for (let v = 2; v < 12; v++) {
    versions.push(resave(versions[v - 1], v));
    await writeFile(join(folders.owner, SCENE), versions[v]);
    await owner.ok(['checkpoint', SCENE, '-m', `v${v + 1}`], { cwd: folders.owner });
    // Some syncs carry two versions at once: the second is a patch on the first, in one push.
    if (v % 3 !== 0) {
      const up = JSON.parse((await owner.ok(['sync', '--json'], { cwd: folders.owner })).stdout);
      assert.ok(up.uploadedBytes < 0.1 * versions[0].length, `v${v + 1}: uploaded ${up.uploadedBytes}`);
    }
  }
  await owner.ok(['sync'], { cwd: folders.owner });
  const used = await settledUsage();
  assert.ok(used < 3 * versions[0].length, `12 versions of a 6 MB scene stored in ${used} bytes`);

  folders.late = join(await w.folder('late'), 'deltas');
  await late.ok(['clone', 'Deltas', folders.late]);
  assert.equal(sha(await readFile(join(folders.late, SCENE))), sha(versions[11]), 'the newest version, rebuilt through its chain');
  for (const n of [1, 2, 7, 11]) {
    const shown = await late.ok(['show', `${SCENE}@${n}`, '--output', join(folders.late, `v${n}.bin`)], { cwd: folders.late });
    assert.equal(shown.code, 0);
    assert.equal(sha(await readFile(join(folders.late, `v${n}.bin`))), sha(versions[n - 1]), `version ${n}`);
  }
  // The server's own reconstruction (web downloads, share links) walks the same chains.
  const asset = (await owner.api.browse.assets(projectId, { text: 'scene' })).items[0];
  const cps = (await owner.api.browse.checkpoints(projectId, asset.id)).checkpoints;
  const newest = await owner.api.content.download(projectId, cps[0].id);
  const parts: Buffer[] = [];
  for await (const part of newest.body) parts.push(Buffer.from(part));
  assert.equal(sha(Buffer.concat(parts)), sha(versions[11]));
});

test('someone who downloaded the newest version patches against it too, and a user several versions behind fetches little', async () => {
  const { supervisor, owner } = w.users;
  // The supervisor is at v2; ten versions came since. Their sync fetches patches against v2 (or
  // the chain's bases), not the whole scene ten times.
  const behind = JSON.parse((await supervisor.ok(['sync', '--json'], { cwd: folders.supervisor })).stdout);
  assert.equal(sha(await readFile(join(folders.supervisor, SCENE))), sha(versions[11]));
  assert.ok(behind.fetchedBytes < 1.2 * versions[0].length, `fetched ${behind.fetchedBytes} bytes ten versions behind`);
  // What they downloaded is their pristine file: their re-save (a new file renamed over the old
  // one, as Blender saves) goes up as a patch.
  versions.push(resave(versions[11], 99));
  await saveByRename(join(folders.supervisor, SCENE), versions[12]);
  await supervisor.ok(['checkpoint', SCENE, '-m', 'supervisor notes'], { cwd: folders.supervisor });
  const up = JSON.parse((await supervisor.ok(['sync', '--json'], { cwd: folders.supervisor })).stdout);
  assert.ok(up.uploadedBytes < 0.05 * versions[0].length, `uploaded ${up.uploadedBytes} bytes after downloading the version re-saved`);
  const back = JSON.parse((await owner.ok(['sync', '--json'], { cwd: folders.owner })).stdout);
  assert.ok(back.fetchedBytes < 0.05 * versions[0].length, `the owner fetched ${back.fetchedBytes}`);
  assert.equal(sha(await readFile(join(folders.owner, SCENE))), sha(versions[12]));

  // A tool that saves in place overwrites the downloaded version along with the working file: the
  // first checkpoint after the download goes up whole (and right); the next one is a patch again,
  // against the chunks that checkpoint left in the folder.
  for (const [n, seed] of [[13, 101], [14, 102]] as const) {
    versions.push(resave(versions[n - 1], seed));
    await writeFile(join(folders.owner, SCENE), versions[n]);
    await owner.ok(['checkpoint', SCENE, '-m', `owner v${n + 1}, saved in place`], { cwd: folders.owner });
    const sent = JSON.parse((await owner.ok(['sync', '--json'], { cwd: folders.owner })).stdout).uploadedBytes;
    if (n === 13) assert.ok(sent > 0.9 * versions[0].length, `uploaded ${sent} bytes: the base was saved over`);
    else assert.ok(sent < 0.05 * versions[0].length, `uploaded ${sent} bytes on the second save in place`);
    await supervisor.ok(['sync'], { cwd: folders.supervisor });
    assert.equal(sha(await readFile(join(folders.supervisor, SCENE))), sha(versions[n]));
  }
});

/** The chunk files in a folder's .backlot/chunks. */
async function chunkFiles(folder: string): Promise<Set<string>> {
  const names = await readdir(join(folder, '.backlot', 'chunks'), { recursive: true });
  return new Set(names.map((n) => basename(n)).filter((n) => /^[0-9a-f]{64}$/.test(n)));
}

test("an artist's own checkpoint becomes a pristine file: the next re-save is patched against it whole, and its chunk files go", async () => {
  const { supervisor, owner } = w.users;
  const scene = join(folders.supervisor, SCENE);
  versions.push(resave(versions[14], 201));
  await saveByRename(scene, versions[15]);
  const before = await chunkFiles(folders.supervisor);
  await supervisor.ok(['checkpoint', SCENE, '-m', 'v16', '--sync'], { cwd: folders.supervisor });
  // A second name of the file just checkpointed: no bytes written.
  const pristine = join(folders.supervisor, '.backlot', 'pristine', sha(versions[15]));
  assert.equal((await stat(pristine)).ino, (await stat(scene)).ino);
  const madeHere = [...(await chunkFiles(folders.supervisor))].filter((id) => !before.has(id));
  assert.ok(madeHere.length > 0, 'the checkpoint stored its new chunks (patches) in .backlot/chunks');

  versions.push(resave(versions[15], 202));
  await saveByRename(scene, versions[16]);
  const up = JSON.parse((await supervisor.ok(['checkpoint', SCENE, '-m', 'v17', '--sync', '--json'], { cwd: folders.supervisor })).stdout);
  assert.ok(up.uploadedBytes < 0.05 * versions[0].length, `uploaded ${up.uploadedBytes} bytes for a re-save`);
  // v16 now lives only in its pristine file (one name since the rename): its chunk files went.
  assert.equal((await stat(pristine)).nlink, 1);
  const left = await chunkFiles(folders.supervisor);
  assert.deepEqual(madeHere.filter((id) => left.has(id)), [], 'no chunk file of the replaced version is left');
  await owner.ok(['sync'], { cwd: folders.owner });
  assert.equal(sha(await readFile(join(folders.owner, SCENE))), sha(versions[16]));
  for (const n of [16, 17]) {
    await owner.ok(['show', `${SCENE}@${n}`, '--output', join(folders.owner, `v${n}.bin`)], { cwd: folders.owner });
    assert.equal(sha(await readFile(join(folders.owner, `v${n}.bin`))), sha(versions[n - 1]), `version ${n}`);
  }
});
