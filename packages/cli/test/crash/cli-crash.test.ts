// kill -9 of the CLI at random moments of `checkpoint`, `sync` and a clone's downloads, against a
// real server. After each kill the folder must open (`status` works and is right), the next
// commands must complete, no file may be half-written, and no checkpoint a command acknowledged
// (exit 0) may be lost. BACKLOT_CLI_KILLS sets the number of kill points (default 100: CI size);
// BACKLOT_CRASH_SEED replays a run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { seededBytes, seededRng } from '@backlot/test-kit/random';
import { BIN, CliWorld } from '../e2e/world.js';

const KILLS = Number(process.env.BACKLOT_CLI_KILLS ?? 100);
const SEED = Number(process.env.BACKLOT_CRASH_SEED ?? 20261203);
const FILES = ['a.bin', 'b.bin', 'shots/c.bin', 'shots/d.bin'];

let w: CliWorld;
let writer: string;
let reader: string;
before(async () => {
  w = await CliWorld.start();
  await w.project('Crash');
  await w.login('owner');
  writer = join(await w.folder('writer'), 'Crash');
  reader = join(await w.folder('reader'), 'Crash');
  await w.users.owner.ok(['clone', 'Crash', writer]);
  await w.users.owner.ok(['clone', 'Crash', reader]);
});
after(() => w?.stop());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Runs the CLI in `cwd` and kills it with SIGKILL after `killAfterMs` (if still running). */
function runKilled(args: string[], cwd: string, killAfterMs: number): Promise<{ code: number | null; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, BACKLOT_CONFIG_DIR: w.users.owner.configDir }, stdio: 'ignore' });
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.kill('SIGKILL');
    }, killAfterMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, killed: killed && code === null });
    });
  });
}

async function tempFiles(dir: string): Promise<string[]> {
  const all = await readdir(dir, { recursive: true });
  return all.map(String).filter((f) => /\.backlot-[0-9a-f]+\.tmp$/.test(f) && !f.startsWith('.backlot'));
}

test(`kill -9 at ${KILLS} random points of checkpoint and sync: nothing acknowledged is lost, nothing half-written`, { timeout: 60 * 60_000 }, async () => {
  const rng = seededRng(SEED);
  const owner = w.users.owner;
  const contents = new Map<string, Buffer>();
  /** (path, fileHash) of every checkpoint a command acknowledged. */
  const acknowledged = new Set<string>();
  await mkdir(join(writer, 'shots'), { recursive: true });
  for (const [i, f] of FILES.entries()) {
    contents.set(f, seededBytes(300_000 + i * 200_000, SEED + i));
    await writeFile(join(writer, f), contents.get(f)!);
  }
  await owner.ok(['add', '.'], { cwd: writer });
  // Kill moments are drawn over how long the commands take on this machine (timed once here),
  // so most kills land inside a running command whether the machine is fast or slow.
  let t = Date.now();
  await owner.ok(['checkpoint', ...FILES, '-m', 'start', '--sync'], { cwd: writer });
  const writerMs = Math.max(400, Date.now() - t);
  for (const f of FILES) acknowledged.add(`${f}:${sha(contents.get(f)!)}`);
  t = Date.now();
  await owner.ok(['sync'], { cwd: reader });
  const readerMs = Math.max(400, Date.now() - t);
  let kills = 0;
  let killedMidway = 0;
  for (let round = 0; kills < KILLS; round++) {
    // An edit of two files, as a save in a DCC tool: bytes inserted somewhere.
    for (const f of [rng.pick(FILES), rng.pick(FILES)]) {
      const old = contents.get(f)!;
      const at = rng.int(old.length);
      const next = Buffer.concat([old.subarray(0, at), seededBytes(1_000 + rng.int(60_000), SEED * 7 + round), old.subarray(at)]);
      contents.set(f, next);
      await writeFile(join(writer, f), next);
    }
    // Writer: checkpoint + sync, killed somewhere in it.
    const r = await runKilled(['checkpoint', ...FILES, '-m', `round ${round}`, '--sync'], writer, rng.int(writerMs));
    kills++;
    if (r.killed) killedMidway++;
    else if (r.code === 0) for (const f of FILES) acknowledged.add(`${f}:${sha(contents.get(f)!)}`);
    // The folder opens and tells the truth: every file is either checkpointed or modified.
    const st = JSON.parse((await owner.ok(['status', '--json'], { cwd: writer })).stdout);
    for (const f of st.files) assert.ok(['normal', 'modified'].includes(f.state), `round ${round}: ${f.path} is ${f.state}`);
    // Recovery: checkpoint what is left, sync; then everything is on the server.
    const again = await owner.run(['checkpoint', ...FILES, '-m', `round ${round} again`, '--sync'], { cwd: writer });
    assert.equal(again.code, 0, again.stderr);
    for (const f of FILES) acknowledged.add(`${f}:${sha(contents.get(f)!)}`);
    assert.deepEqual(await tempFiles(writer), []);

    // Reader: a sync that brings the new versions, killed somewhere; then a full sync.
    const rr = await runKilled(['sync'], reader, rng.int(readerMs));
    kills++;
    if (rr.killed) killedMidway++;
    for (const f of FILES) {
      // Never half-written: whatever is there is a whole version the server has.
      const bytes = await readFile(join(reader, f)).catch(() => null);
      if (bytes) assert.ok([...acknowledged].some((k) => k === `${f}:${sha(bytes)}`), `round ${round}: ${f} in the reader is no acknowledged version`);
    }
    await owner.ok(['sync'], { cwd: reader });
    for (const f of FILES) assert.equal(sha(await readFile(join(reader, f))), sha(contents.get(f)!), `round ${round}: ${f} differs after the reader's sync`);
    assert.deepEqual(await tempFiles(reader), []);
  }
  // Every acknowledged checkpoint is in the server's history.
  const { items } = await owner.api.browse.assets((await owner.api.projects.list(w.studioId)).projects[0].id, { kind: 'resource', limit: 200 });
  const projectId = (await owner.api.projects.list(w.studioId)).projects[0].id;
  const onServer = new Set<string>();
  for (const a of items) {
    const path = FILES.find((f) => f.endsWith(`${a.name}.${a.extension}`))!;
    for (let cursor: string | null | undefined = undefined; ;) {
      const page = await owner.api.browse.checkpoints(projectId, a.id, { cursor: cursor ?? undefined, limit: 200 });
      for (const c of page.checkpoints) onServer.add(`${path}:${c.fileHash}`);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
  }
  for (const k of acknowledged) assert.ok(onServer.has(k), `acknowledged checkpoint ${k} is not on the server`);
  process.stderr.write(`cli crash test: ${kills} kills (${killedMidway} while the command ran), ${acknowledged.size} acknowledged versions, seed ${SEED}\n`);
  assert.ok(killedMidway >= kills / 3, `only ${killedMidway} of ${kills} kills hit a running command`);
});
