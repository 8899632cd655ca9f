// The artist's machine misbehaving: a disk that fills up during a clone and during a checkpoint,
// and a working file another program holds (made immutable) when a sync wants to replace or
// delete it. Each stops with a clear message, leaves the folder consistent (no half-written
// file, nothing recorded that did not happen), and the next command after the cause is gone
// finishes the job. Needs root (mount, chattr), as CI has; skipped with the reason otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { seededBytes } from '@backlot/test-kit/random';
import { CliWorld } from './world.js';

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });

/** Whether this machine lets the test mount a small tmpfs (root in a container that allows it). */
function canMount(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'backlot-mount-probe-'));
  try {
    if (sh('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status !== 0) return false;
    sh('umount', [probe]);
    return true;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Whether files here can be made immutable (root on ext4/xfs/btrfs). */
function canChattr(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'backlot-chattr-probe-'));
  const f = join(dir, 'f');
  writeFileSync(f, 'x');
  try {
    if (sh('chattr', ['+i', f]).status !== 0) return false;
    sh('chattr', ['-i', f]);
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MOUNT = canMount();
const CHATTR = canChattr();

let w: CliWorld;
const mounts: string[] = [];
const immutable: string[] = [];

before(async () => {
  w = await CliWorld.start(['supervisor']);
  await w.project('Disk', { supervisor: 'supervisor' });
  for (const k of ['owner', 'supervisor']) await w.login(k);
});
after(async () => {
  for (const f of immutable) sh('chattr', ['-i', f]);
  for (const m of mounts) {
    sh('umount', ['-l', m]);
    rmSync(m, { recursive: true, force: true }); // the empty mount point
  }
  await w?.stop();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under `dir` (the .backlot folder too), so leftovers of a half-done write show. */
async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  await walk(dir);
  return out.sort();
}

const tempFiles = async (dir: string) => (await allFiles(dir)).filter((f) => /\.backlot-[0-9a-f]+\.tmp$/.test(f));

async function states(dir: string, key = 'supervisor'): Promise<Record<string, string>> {
  const r = await w.users[key].ok(['status', '--json'], { cwd: dir });
  return Object.fromEntries(JSON.parse(r.stdout).files.map((f: { path: string; state: string }) => [f.path, f.state]));
}

/** A tmpfs of `mb` MiB; `resize` changes its size in place. */
function smallDisk(mb: number): { dir: string; resize: (mb: number) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'backlot-small-disk-'));
  assert.equal(sh('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir]).status, 0);
  mounts.push(dir);
  return { dir, resize: (size) => assert.equal(sh('mount', ['-o', `remount,size=${size}m`, dir]).status, 0) };
}

const first = { a: seededBytes(3_000_000, 21), b: seededBytes(3_000_000, 22), c: seededBytes(3_000_000, 23) };
let ownerDir = '';

test('the owner publishes three files', async () => {
  const owner = w.users.owner;
  ownerDir = join(await w.folder('owner'), 'Disk');
  await owner.ok(['clone', 'Disk', ownerDir]);
  mkdirSync(join(ownerDir, 'plates'));
  for (const [name, bytes] of Object.entries(first)) await writeFile(join(ownerDir, 'plates', `${name}.exr`), bytes);
  await owner.ok(['add', 'plates'], { cwd: ownerDir });
  await owner.ok(['checkpoint', 'plates/a.exr', 'plates/b.exr', 'plates/c.exr', '-m', 'plates', '--sync'], { cwd: ownerDir });
});

test('a full disk stops a clone cleanly; a sync there finishes it', { skip: !MOUNT && 'needs root to mount a small tmpfs' }, async () => {
  const sup = w.users.supervisor;
  const disk = smallDisk(5); // room for one file and a bit, not for three
  const dir = join(disk.dir, 'Disk');
  const r = await sup.run(['clone', 'Disk', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /the disk is full/);
  assert.match(r.stderr, /finish the clone with: cd ".*Disk" && backlot sync/);
  assert.deepEqual(await tempFiles(dir), [], 'no half-written file is left');
  const st = await states(dir);
  assert.deepEqual(Object.keys(st).sort(), ['plates/a.exr', 'plates/b.exr', 'plates/c.exr']);
  for (const [path, state] of Object.entries(st)) {
    assert.ok(state === 'normal' || state === 'incoming', `${path}: ${state}`);
    if (state === 'normal') assert.equal(sha(await readFile(join(dir, path))), sha(first[path.slice(7, 8) as 'a']));
  }
  assert.ok(Object.values(st).includes('incoming'), 'the disk did stop the clone (what it did not write, a sync brings)');

  disk.resize(64);
  await sup.ok(['sync'], { cwd: dir });
  for (const name of ['a', 'b', 'c'] as const) assert.equal(sha(await readFile(join(dir, 'plates', `${name}.exr`))), sha(first[name]));
  assert.deepEqual(Object.values(await states(dir)), ['normal', 'normal', 'normal']);
});

test('a full disk stops a checkpoint: nothing is recorded, the file is untouched, the next checkpoint works', { skip: !MOUNT && 'needs root to mount a small tmpfs' }, async () => {
  const sup = w.users.supervisor;
  const disk = smallDisk(64);
  const dir = join(disk.dir, 'Disk');
  await sup.ok(['clone', 'Disk', dir]);
  const edited = seededBytes(3_000_000, 24); // all new chunks
  await writeFile(join(dir, 'plates/a.exr'), edited);
  // Leave about 1 MiB free: the checkpoint's chunks (about 3 MB) do not fit.
  const free = Number(sh('df', ['--output=avail', '-B1', disk.dir]).stdout.trim().split('\n')[1]);
  await writeFile(join(disk.dir, 'filler'), Buffer.alloc(free - 1024 * 1024));
  const r = await sup.run(['checkpoint', 'plates/a.exr', '-m', 'regrade'], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /the disk is full/);
  assert.equal(sha(await readFile(join(dir, 'plates/a.exr'))), sha(edited), 'the working file is untouched');
  assert.equal((await states(dir))['plates/a.exr'], 'modified', 'no checkpoint was recorded');
  const log = JSON.parse((await sup.ok(['log', 'plates/a.exr', '--json'], { cwd: dir })).stdout);
  assert.deepEqual(log.unsynced, [], 'no checkpoint waits to sync');

  await rm(join(disk.dir, 'filler'));
  await sup.ok(['checkpoint', 'plates/a.exr', '-m', 'regrade', '--sync'], { cwd: dir });
  assert.equal((await states(dir))['plates/a.exr'], 'normal');
  await w.users.owner.ok(['sync'], { cwd: ownerDir });
  assert.equal(sha(await readFile(join(ownerDir, 'plates/a.exr'))), sha(edited), 'the checkpoint reached the other folder');
});

test('a file another program holds is left alone with a clear message; the next sync finishes', { skip: !CHATTR && 'needs root and a file system with chattr' }, async () => {
  const { owner, supervisor: sup } = w.users;
  const dir = join(await w.folder('supervisor-held'), 'Disk');
  await sup.ok(['clone', 'Disk', dir]);
  // New versions of b and c, and a removed on the server.
  const next = { b: seededBytes(2_000_000, 25), c: seededBytes(2_000_000, 26) };
  await owner.ok(['sync'], { cwd: ownerDir });
  await writeFile(join(ownerDir, 'plates/b.exr'), next.b);
  await writeFile(join(ownerDir, 'plates/c.exr'), next.c);
  await owner.ok(['checkpoint', 'plates/b.exr', 'plates/c.exr', '-m', 'v2', '--sync'], { cwd: ownerDir });
  await owner.ok(['rm', 'plates/a.exr'], { cwd: ownerDir });
  await owner.ok(['sync'], { cwd: ownerDir });

  const before = { a: await readFile(join(dir, 'plates/a.exr')), b: await readFile(join(dir, 'plates/b.exr')) };
  for (const f of ['plates/a.exr', 'plates/b.exr']) {
    assert.equal(sh('chattr', ['+i', join(dir, f)]).status, 0);
    immutable.push(join(dir, f));
  }
  const r = await sup.run(['sync'], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /not updated plates\/a\.exr \(in use or not writable \(EPERM\): close the program using it, then backlot sync again\)/);
  assert.match(r.stderr, /not updated plates\/b\.exr \(in use or not writable/);
  assert.match(r.stderr, /2 files held by another program/);
  // The held files are as they were; the free one is updated; nothing half-written anywhere.
  assert.equal(sha(await readFile(join(dir, 'plates/a.exr'))), sha(before.a));
  assert.equal(sha(await readFile(join(dir, 'plates/b.exr'))), sha(before.b));
  assert.equal(sha(await readFile(join(dir, 'plates/c.exr'))), sha(next.c));
  assert.deepEqual(await tempFiles(dir), []);
  assert.equal((await states(dir))['plates/b.exr'], 'outdated');

  for (const f of immutable.splice(0)) sh('chattr', ['-i', f]);
  const done = JSON.parse((await sup.ok(['sync', '--json'], { cwd: dir })).stdout);
  assert.deepEqual(done.locked, []);
  assert.deepEqual(done.deleted, ['plates/a.exr']);
  assert.deepEqual(done.written, ['plates/b.exr']);
  assert.equal(sha(await readFile(join(dir, 'plates/b.exr'))), sha(next.b));
  assert.deepEqual(await states(dir), { 'plates/b.exr': 'normal', 'plates/c.exr': 'normal' });
});

test('a folder on another device (a mount inside the working folder): a checkpoint there makes no copy of the file for its pristine file, and works', { skip: !MOUNT && 'needs root to mount a tmpfs' }, async () => {
  const owner = w.users.owner;
  const sim = join(ownerDir, 'sim');
  mkdirSync(sim);
  assert.equal(sh('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', sim]).status, 0);
  mounts.push(sim);
  const cache = seededBytes(2_000_000, 31);
  await writeFile(join(sim, 'fluid.vdb'), cache);
  await owner.ok(['add', 'sim/fluid.vdb'], { cwd: ownerDir });
  await owner.ok(['checkpoint', 'sim/fluid.vdb', '-m', 'first bake', '--sync'], { cwd: ownerDir });
  // No link across devices, and no copy instead: the chunk store already holds the version.
  const pristine = await readdir(join(ownerDir, '.backlot', 'pristine')).catch(() => [] as string[]);
  assert.ok(!pristine.includes(sha(cache)), 'no pristine copy of a file on another device');
  const rebaked = Buffer.from(cache);
  rebaked.write('rebaked', 1_000_000);
  await writeFile(join(sim, 'fluid.vdb'), rebaked);
  await owner.ok(['checkpoint', 'sim/fluid.vdb', '-m', 'second bake', '--sync'], { cwd: ownerDir });
  assert.equal((await states(ownerDir, 'owner'))['sim/fluid.vdb'], 'normal');
  const shown = join(ownerDir, 'first.vdb');
  await owner.ok(['show', 'sim/fluid.vdb@1', '--output', shown], { cwd: ownerDir });
  assert.equal(sha(await readFile(shown)), sha(cache));
  await rm(shown);
});
