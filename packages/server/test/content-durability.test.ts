// Records of stored chunks never outlive their bytes (docs/content.md, "Rows without bytes"),
// against real servers on one data folder (SQLite + the fs chunk store), stopped and started:
// - a chunk file lost while the server was down: start-up drops its record, `check` asks for it,
//   a checkpoint listing it is refused until it is uploaded again, then everything downloads;
// - a chunk file lost while the server runs: the checkpoint is refused, the record dropped, the
//   client's retry uploads it;
// - temp files of killed writers are removed at start-up (dead writer) and by garbage collection.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, rm, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsChunkStore } from '@backlot/storage';
import { loadConfig } from '../src/config/config.js';
import { startServer, type StartedServer } from '../src/server.js';
import { CaptureMailer, Harness, TestClock, type Caller } from '@backlot/test-kit/harness';
import { check, chunkOf, commitFile, frames, must, post, prose, raw, refused, sampleFile, upload } from '@backlot/test-kit/content-world';

describe('content durability across restarts (sqlite + fs store)', () => {
  let dataDir: string;
  let server: StartedServer;
  let h: Harness;
  const clock = new TestClock();
  let owner: Caller;
  let pid: string;
  let open: string;

  async function start() {
    const config = loadConfig({ dataDir, port: 0, host: '127.0.0.1' }, {});
    server = await startServer(config, { clock, mailer: new CaptureMailer(), print: () => {}, logger: false });
    h = new Harness('sqlite', server.app, server.deps, clock, new CaptureMailer(), async () => {});
  }
  const stop = () => server.close();
  const chunkPath = (id: string) => new FsChunkStore({ dir: join(dataDir, 'chunks'), namespace: pid }).pathOf(id);
  const asset = async (name: string) => must(await post(h, owner, `/projects/${pid}/assets`, { collectionId: open, name, extension: 'psd' }), 201).id as string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'backlot-durable-'));
    await start();
    owner = await h.setupAdmin();
    const studio = must(await h.as(owner).post('/studios', { name: 'S' }), 201).id;
    pid = must(await h.as(owner).post(`/studios/${studio}/projects`, { name: 'P' }), 201).id;
    open = must(await post(h, owner, `/projects/${pid}/collections`, { parentId: null, name: 'Open', shared: true }), 201).id;
  });
  after(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a chunk lost while the server was down is asked for again; nothing lists it until it is back', async () => {
    const data = prose(9000, 1);
    const c = chunkOf(data);
    must(await upload(h, owner, pid, frames([c])), 200);
    assert.deepEqual(must(await check(h, owner, pid, [c.id]), 200).missing, []);
    const keep = await commitFile(h, owner, pid, await asset('kept'), sampleFile(2));
    await stop();
    await rm(chunkPath(c.id));
    await start();

    assert.deepEqual(must(await check(h, owner, pid, [c.id]), 200).missing, [c.id], 'start-up dropped the record of the lost chunk');
    const aid = await asset('lost');
    const body = { fileHash: c.id, size: data.length, chunks: [c.id] };
    refused(await post(h, owner, `/projects/${pid}/assets/${aid}/checkpoints`, body), 409, 'missing_chunks');
    must(await upload(h, owner, pid, frames([c])), 200);
    const cp = must(await post(h, owner, `/projects/${pid}/assets/${aid}/checkpoints`, body), 201);
    const file = await raw(h, 'GET', `/projects/${pid}/checkpoints/${cp.id}/content`, owner);
    assert.equal(file.status, 200);
    assert.ok(file.bytes.equals(data));
    // Checkpoints whose chunks were all there are untouched.
    const kept = await raw(h, 'GET', `/projects/${pid}/checkpoints/${keep.checkpoint.id}/content`, owner);
    assert.equal(kept.status, 200);
    assert.ok(kept.bytes.equals(sampleFile(2)));
  });

  test('an acknowledged checkpoint whose chunk is lost is whole again after the retry uploads it', async () => {
    const data = sampleFile(3);
    const done = await commitFile(h, owner, pid, await asset('acknowledged'), data);
    const victim = done.manifest.chunks[1].id;
    await stop();
    await rm(chunkPath(victim));
    await start();
    refused(await raw(h, 'GET', `/projects/${pid}/checkpoints/${done.checkpoint.id}/content`, owner), 409, 'corrupt_chunk');
    // The client publishing that file again is told the chunk is missing and sends it.
    const ids = done.manifest.chunks.map((x) => x.id);
    assert.deepEqual(must(await check(h, owner, pid, ids), 200).missing, [victim]);
    const lost = done.chunks.find((x) => x.id === victim)!;
    must(await upload(h, owner, pid, frames([lost])), 200);
    const file = await raw(h, 'GET', `/projects/${pid}/checkpoints/${done.checkpoint.id}/content`, owner);
    assert.equal(file.status, 200);
    assert.ok(file.bytes.equals(data));
  });

  test('a chunk lost while the server runs: the checkpoint is refused and the record dropped, so the retry sends it', async () => {
    const data = prose(7000, 4);
    const c = chunkOf(data);
    must(await upload(h, owner, pid, frames([c])), 200);
    await rm(chunkPath(c.id));
    const aid = await asset('running');
    const body = { fileHash: c.id, size: data.length, chunks: [c.id] };
    const e = refused(await post(h, owner, `/projects/${pid}/assets/${aid}/checkpoints`, body), 409, 'missing_chunks');
    assert.deepEqual(e.details.missing, [c.id]);
    let missing: string[] = [];
    for (let i = 0; i < 50 && !missing.length; i++) {
      await new Promise((r) => setTimeout(r, 20)); // the record is dropped once the refused op rolled back
      missing = must(await check(h, owner, pid, [c.id]), 200).missing;
    }
    assert.deepEqual(missing, [c.id]);
    must(await upload(h, owner, pid, frames([c])), 200);
    must(await post(h, owner, `/projects/${pid}/assets/${aid}/checkpoints`, body), 201);
  });

  test('a revert is refused while the old checkpoint has lost bytes', async () => {
    const data = prose(6000, 5);
    const aid = await asset('revert');
    const first = await commitFile(h, owner, pid, aid, data);
    await commitFile(h, owner, pid, aid, prose(6000, 6));
    await rm(chunkPath(first.manifest.chunks[0].id));
    const r = await h.as(owner).post(`/projects/${pid}/checkpoints/${first.checkpoint.id}/revert`, {});
    refused(r, 409, 'missing_chunks');
  });

  test('temp files of killed writers: removed at start-up when their writer is gone, by garbage collection when old', async () => {
    // Beside the chunks (<id>.<pid>.<random>.tmp), and in the temp folder of stores written before.
    const fanDir = join(dataDir, 'chunks', pid, 'aa');
    const tmpDir = join(dataDir, 'chunks', pid, '.tmp');
    await mkdir(fanDir, { recursive: true });
    await mkdir(tmpDir, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const dead = join(fanDir, `${'a'.repeat(64)}.${gone}.000000000000.tmp`);
    const deadBefore = join(tmpDir, `${'a'.repeat(64)}.${gone}.000000000001`);
    const live = join(fanDir, `${'a'.repeat(63)}b.${process.pid}.000000000000.tmp`);
    await writeFile(dead, 'half a chunk');
    await writeFile(deadBefore, 'half a chunk, older layout');
    await writeFile(live, 'being written');
    await stop();
    await start();
    const left = [...(await readdir(fanDir)), ...(await readdir(tmpDir))].filter((n) => n.includes(`.${gone}.`) || n.includes(`.${process.pid}.`));
    assert.deepEqual(left, [`${'a'.repeat(63)}b.${process.pid}.000000000000.tmp`], 'the dead writer\'s temp files are gone, the live one kept');
    // Two hours old: garbage collection removes it whoever wrote it.
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(live, old, old);
    must(await post(h, owner, `/projects/${pid}/gc`, {}), 200);
    await assert.rejects(stat(live), /ENOENT/);
  });
});
