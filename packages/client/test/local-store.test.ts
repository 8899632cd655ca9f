// The folder's store: chunk files and pristine files read as one store. A pristine file's chunks are
// found through the index, count only once it is no longer the working file, and are checked on
// every read; a damaged file is a miss, never wrong bytes;
// pruning keeps the copies of recorded versions and drops the rest (and a chunk file whose chunk a
// private pristine file holds intact), and what a kill leaves behind is cleaned up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeChunk, ENCODING_RAW, readChunk } from '@backlot/storage';
import { ProjectDb } from '../src/project/project-db.js';
import { LocalStore } from '../src/project/local-store.js';
import { pruneLocalStore } from '../src/sync/prune.js';
import { workingFiles } from '../src/worktree/working-files.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const META = { projectId: 'p1', projectName: 'Forest', personal: false, server: 'http://127.0.0.1:1', studioId: 's1', userId: 'u1' };

/** A version of a file cut into pieces of these sizes: its bytes, hash and [id, size] list. */
function version(sizes: number[]) {
  const pieces = sizes.map((n) => randomBytes(n));
  const bytes = Buffer.concat(pieces);
  return { bytes, pieces, fileHash: sha(bytes), chunks: pieces.map((p) => [sha(p), p.length] as [string, number]) };
}

/** Makes `file` the pristine file of version `fileHash` and records its chunks. */
async function keep(store: LocalStore, file: string, fileHash: string, chunks: [string, number][]): Promise<boolean> {
  if (!(await store.pristine.add(file, fileHash))) return false;
  store.pristine.record([{ fileHash, chunks }]);
  return true;
}

async function withFolder(fn: (root: string, db: ProjectDb, store: LocalStore) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'backlot-store-'));
  const db = ProjectDb.create(root, META);
  try {
    await fn(root, db, new LocalStore(db));
  } finally {
    db.sql.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Saves `bytes` over `path` as DCC tools do: a new file renamed over the old one. */
async function saveByRename(path: string, bytes: Uint8Array): Promise<void> {
  await writeFile(`${path}.saving`, bytes);
  await rename(`${path}.saving`, path);
}

test("a kept version's chunks become the store's once the tool replaced the working file: found, read back checked, listed in order", async () => {
  await withFolder(async (root, db, store) => {
    const v = version([70_000, 1, 120_000]);
    const working = join(root, 'scene.blend');
    await writeFile(working, v.bytes);
    assert.equal(await keep(store, working, v.fileHash, v.chunks), true);
    // A second name of the working file: no bytes written.
    assert.equal((await stat(store.pristine.pathOf(v.fileHash))).ino, (await stat(working)).ino);
    const ids = v.chunks.map(([id]) => id);
    // While it is the working file it is not the store's: a save in place would change it.
    assert.equal((await new LocalStore(db).has(ids)).size, 0);
    await saveByRename(working, randomBytes(1000));
    const after = new LocalStore(db);
    assert.deepEqual([...(await after.has([...ids, sha(Buffer.from('other'))]))].sort(), [...ids].sort());
    for (const [k, id] of ids.entries()) assert.ok((await readChunk(after, id)).equals(v.pieces[k]));
    const own = randomBytes(5000);
    await after.put(sha(own), encodeChunk(own));
    const listed: string[] = [];
    for await (const id of after.list()) listed.push(id);
    assert.deepEqual(listed, [...ids, sha(own)].sort());
  });
});

test('a working file saved in place takes its pristine file with it: nothing of it counts', async () => {
  await withFolder(async (root, db, store) => {
    const v = version([50_000, 50_000]);
    const working = join(root, 'notes.ma');
    await writeFile(working, v.bytes);
    await keep(store, working, v.fileHash, v.chunks);
    const edited = Buffer.from(v.bytes);
    edited[70_000] ^= 1;
    await writeFile(working, edited); // in place: same file
    const after = new LocalStore(db);
    assert.equal((await after.has(v.chunks.map(([id]) => id))).size, 0);
    assert.equal(await after.get(v.chunks[0][0]), null, 'not even the chunk that is still intact');
  });
});

test('a damaged pristine file is a miss for the chunks it no longer holds, and the others still read', async () => {
  await withFolder(async (root, _db, store) => {
    const v = version([40_000, 40_000]);
    await writeFile(join(root, 'a.psd'), v.bytes);
    await keep(store, join(root, 'a.psd'), v.fileHash, v.chunks);
    await rm(join(root, 'a.psd'));
    const damaged = Buffer.from(v.bytes);
    damaged[45_000] ^= 1;
    await writeFile(store.pristine.pathOf(v.fileHash), damaged);
    assert.ok((await readChunk(store, v.chunks[0][0])).equals(v.pieces[0]));
    assert.equal(await store.get(v.chunks[1][0]), null);
    // Cut short: the chunk past the end is a miss too.
    await writeFile(store.pristine.pathOf(v.fileHash), v.bytes.subarray(0, 50_000));
    assert.equal(await store.get(v.chunks[1][0]), null);
  });
});

test("pruning keeps the copy of a file's recorded version and drops a copy nothing names", async () => {
  await withFolder(async (root, db, store) => {
    db.sql.prepare('INSERT INTO items (entity, id, data) VALUES (?, ?, ?)').run('asset', 'a1', JSON.stringify({ id: 'a1', name: 'scene', extension: 'blend', kind: 'resource', assigneeId: null }));
    const old = version([30_000, 30_000]);
    const now = version([30_000, 31_000]);
    for (const v of [old, now]) {
      await writeFile(join(root, 'scene.blend'), v.bytes);
      await keep(store, join(root, 'scene.blend'), v.fileHash, v.chunks);
    }
    workingFiles.put(db, { path: 'scene.blend', assetId: 'a1', checkpointId: 'c2', fileHash: now.fileHash, size: now.bytes.length, mtimeMs: 1, chunks: now.chunks, onServer: true });
    await rm(join(root, 'scene.blend')); // replaced since: the pristine files are their own
    await pruneLocalStore(db, store);
    assert.deepEqual(await readdir(store.pristine.dir), [now.fileHash]);
    assert.equal((await store.has(old.chunks.map(([id]) => id))).size, 0);
    assert.equal((await store.has(now.chunks.map(([id]) => id))).size, 2);
    // Forgetting some of a copy's chunks keeps the file; forgetting the last one deletes it.
    await store.delete([now.chunks[0][0]]);
    assert.deepEqual(await readdir(store.pristine.dir), [now.fileHash]);
    await store.delete([now.chunks[1][0]]);
    assert.deepEqual(await readdir(store.pristine.dir), []);
  });
});

test('a chunk in a chunk file and in a private pristine file: read whole from the pristine file, sent as stored; pruning drops the chunk file once it checked the pristine copy', async () => {
  await withFolder(async (root, db, store) => {
    db.sql.prepare('INSERT INTO items (entity, id, data) VALUES (?, ?, ?)').run('asset', 'a1', JSON.stringify({ id: 'a1', name: 'scene', extension: 'blend', kind: 'resource', assigneeId: null }));
    const v = version([30_000, 30_000]);
    const working = join(root, 'scene.blend');
    await writeFile(working, v.bytes);
    // As a checkpoint leaves it: chunk files (compressed here), and the file as its pristine file.
    for (const [k, [id]] of v.chunks.entries()) await store.put(id, encodeChunk(v.pieces[k]));
    await keep(store, working, v.fileHash, v.chunks);
    workingFiles.put(db, { path: 'scene.blend', assetId: 'a1', checkpointId: 'c1', fileHash: v.fileHash, size: v.bytes.length, mtimeMs: 1, chunks: v.chunks, onServer: true });
    const ids = v.chunks.map(([id]) => id);
    // Still the working file (a save in place would change it): the chunk files stay.
    await pruneLocalStore(db, new LocalStore(db));
    assert.equal((await store.files.has(ids)).size, 2);

    await saveByRename(working, randomBytes(1000));
    const after = new LocalStore(db);
    for (const id of ids) {
      assert.equal((await after.get(id))![0], ENCODING_RAW, 'content is read from the pristine file, nothing to decode');
      assert.ok((await after.stored(id))!.equals((await after.files.get(id))!), 'what is sent is the chunk file');
    }
    // The pristine file is damaged where the second chunk sits: that chunk keeps its chunk file.
    const damaged = Buffer.from(v.bytes);
    damaged[45_000] ^= 1;
    await writeFile(store.pristine.pathOf(v.fileHash), damaged);
    await pruneLocalStore(db, new LocalStore(db));
    const check = new LocalStore(db);
    assert.deepEqual([...(await check.files.has(ids))], [ids[1]]);
    for (const [k, id] of ids.entries()) assert.ok((await readChunk(check, id)).equals(v.pieces[k]));
  });
});

test('what a kill leaves is cleaned up: temp copies of dead writers, and copies no row names once old', async () => {
  await withFolder(async (root, _db, store) => {
    const v = version([10_000]);
    await writeFile(join(root, 'f.bin'), v.bytes);
    await keep(store, join(root, 'f.bin'), v.fileHash, v.chunks);
    const unnamed = sha(Buffer.from('never recorded'));
    const deadTemp = `${unnamed}.999999999.abcdef.tmp`;
    const liveTemp = `${unnamed}.${process.pid}.abcdef.tmp`;
    for (const name of [unnamed, deadTemp, liveTemp]) await writeFile(join(store.pristine.dir, name), 'x');
    assert.equal(await store.cleanTemp({ olderThanMs: 60_000, deadWriters: true }), 1, 'only the dead writer\'s temp file goes at once');
    const long = new Date(Date.now() - 120_000);
    for (const name of [unnamed, liveTemp]) await utimes(join(store.pristine.dir, name), long, long);
    assert.equal(await store.cleanTemp({ olderThanMs: 60_000, deadWriters: true }), 2);
    assert.deepEqual(await readdir(store.pristine.dir), [v.fileHash]);
  });
});
