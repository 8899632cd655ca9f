// The crash scenario: a real server process is killed (SIGKILL) at random moments while a client
// publishes file versions the way the sync protocol does (check, upload the missing chunks in
// frames, checkpoint.create with an op id, retry everything after a failure), and restarted on the
// same data folder. Every checkpoint the server acknowledged must then download byte-identical,
// and no temp file of a killed writer may be left behind. Most versions are DCC-style re-saves
// sent as patches against the previous version, so kills also land in patch verification and in
// the background rebase that follows each checkpoint (content/rebase.ts): old versions, re-encoded
// as patches on newer ones, must download too. Meanwhile older versions are trashed and purged
// and garbage collections run, so kills also land in collections: one cut off mid-way must never
// take a chunk a surviving checkpoint, or a stored patch's base, still needs. Each restart moves
// the server's clock two hours on, past the collection's grace period.
//
// Used by crash.test.ts (CI-sized) and by `npm run crash` (longer runs).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chunkFile, encodePatch, VersionAligner } from '@backlot/storage';
import { seededRng, type Rng } from '@backlot/test-kit/random';

export interface CrashOptions {
  /** How many times the server is killed. */
  kills: number;
  seed: number;
  /** Progress lines (optional). */
  log?: (line: string) => void;
}

export interface CrashReport {
  kills: number;
  publishes: number;
  acknowledged: number;
  retries: number;
  /** Chunks uploaded as patches against the previous version. */
  patchesSent: number;
  /** Acknowledged checkpoints that did not download byte-identical (must be empty). */
  broken: { checkpointId: string; reason: string }[];
  /** Temp files left in the chunk store after the last start (must be 0). */
  leftoverTempFiles: number;
  /** Checkpoints whose purge the server acknowledged. */
  purged: number;
  /** Garbage collections that answered, and the chunks they deleted. */
  collections: number;
  collected: number;
}

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const FILE_SIZE = 3 * 1024 * 1024;
const MAX_UPLOAD = 8 * 1024 * 1024;
/** Each restart runs the server's clock this much further ahead: past GC_GRACE_MS, so what was uploaded before may be collected. */
const CLOCK_STEP_MS = 2 * 60 * 60 * 1000;

interface Running {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** `clockOffsetMs`: how far ahead of the wall clock the server's clock runs (ages blobs for collection). */
async function startServer(dataDir: string, clockOffsetMs = 0): Promise<Running & { setupToken: string | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, dataDir, String(clockOffsetMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    void exited.then(() => reject(new Error('the server exited before it was ready')));
  });
  const { url, setupToken } = JSON.parse(line) as { url: string; setupToken: string | null };
  return { url, child, exited, setupToken };
}

class ServerDown extends Error {}

/** Fetch that turns a refused or cut connection into ServerDown. */
async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    const res = await fetch(url, init);
    // The body is read here: a connection cut mid-answer must count as down, not as an answer.
    const body = Buffer.from(await res.arrayBuffer());
    return new Response(body, { status: res.status, headers: res.headers });
  } catch (err) {
    throw new ServerDown((err as Error).message);
  }
}

async function json(url: string, token: string | null, method: string, body?: unknown): Promise<any> {
  const res = await call(url, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = await res.json().catch(() => null);
  if (res.status >= 500) throw new ServerDown(`HTTP ${res.status}`);
  if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

function frame(id: string, encoded: Buffer): Buffer {
  const header = Buffer.alloc(36);
  header.write(id, 0, 32, 'hex');
  header.writeUInt32BE(encoded.length, 32);
  return Buffer.concat([header, encoded]);
}

/** The next version of a file: new random bytes, a re-save (scattered 4-byte fields), or some regions rewritten. */
function nextVersion(rng: Rng, last: Buffer | undefined): Buffer {
  const noise = (n: number) => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) b.writeUInt32LE((rng.next() * 2 ** 32) >>> 0, Math.min(i, n - 4));
    return b;
  };
  if (!last || rng.chance(0.2)) return noise(FILE_SIZE);
  const out = Buffer.from(last);
  if (rng.chance(0.6)) {
    for (let o = 100; o + 4 <= out.length; o += 128) if (rng.chance(1 / 28)) out.writeUInt32LE((rng.next() * 2 ** 32) >>> 0, o);
    return out;
  }
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const len = 64 * 1024 + rng.int(512 * 1024);
    const at = rng.int(out.length - len);
    noise(len).copy(out, at);
  }
  return out;
}

interface Version {
  data: Buffer;
  chunks: [string, number][];
}

/** The new version's chunks that patch well against the previous version (as a client sends them). */
function patchesAgainst(data: Buffer, chunks: readonly { id: string; size: number }[], previous: Version): Map<string, Buffer> {
  const offsets = new Map<string, number>();
  let at = 0;
  for (const [id, size] of previous.chunks) {
    if (!offsets.has(id)) offsets.set(id, at);
    at += size;
  }
  const sizeOf = new Map(previous.chunks);
  const aligner = new VersionAligner(previous.chunks);
  const out = new Map<string, Buffer>();
  let start = 0;
  for (const c of chunks) {
    const raw = data.subarray(start, start + c.size);
    const bases = aligner.next(c.id, start, c.size).map((id) => ({ id, raw: previous.data.subarray(offsets.get(id)!, offsets.get(id)! + sizeOf.get(id)!), depth: 0 }));
    start += c.size;
    const patch = bases.length ? encodePatch(raw, bases) : null;
    if (patch && patch.length < c.size / 4) out.set(c.id, patch);
  }
  return out;
}

export async function runCrashScenario(options: CrashOptions): Promise<CrashReport> {
  const log = options.log ?? (() => {});
  const rng = seededRng(options.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'backlot-crash-'));
  let server: Running | null = null;
  let up!: Promise<Running>;
  let markUp!: (r: Running) => void;
  const resetUp = () => {
    up = new Promise((resolve) => (markUp = resolve));
  };
  resetUp();
  const report: CrashReport = {
    kills: 0, publishes: 0, acknowledged: 0, retries: 0, patchesSent: 0, broken: [], leftoverTempFiles: 0, purged: 0, collections: 0, collected: 0,
  };
  try {
    // ---- world: an administrator, a studio, a project, assets in a shared collection
    const first = await startServer(dataDir);
    server = first;
    markUp(first);
    const base = `${first.url}/api/v1`;
    const admin = await json(`${base}/setup`, null, 'POST', { token: first.setupToken, email: 'crash@studio.test', name: 'Crash', password: 'correct horse battery' });
    const token = admin.token as string;
    const studio = await json(`${base}/studios`, token, 'POST', { name: 'Crash studio' });
    const project = await json(`${base}/studios/${studio.id}/projects`, token, 'POST', { name: 'Crash project' });
    const pid = project.id as string;
    const shared = await json(`${base}/projects/${pid}/collections`, token, 'POST', { parentId: null, name: 'Shots', shared: true });
    const assets: string[] = [];
    for (let i = 0; i < 4; i++) assets.push((await json(`${base}/projects/${pid}/assets`, token, 'POST', { collectionId: shared.id, name: `shot-${i}`, extension: 'exr' })).id);

    const acknowledged: { checkpointId: string; assetId: string; data: Buffer }[] = [];
    const lastVersion = new Map<string, Version>();
    let killing = true;

    /** Publishes one version of a file; retried from the start after any failure. */
    const publish = async (n: number) => {
      const assetId = assets[n % assets.length];
      const previous = lastVersion.get(assetId);
      const data = nextVersion(rng, previous?.data);
      const manifest = await chunkFile((async function* () { yield data; })(), { workers: 0, keepEncoded: true });
      lastVersion.set(assetId, { data, chunks: manifest.chunks.map((c) => [c.id, c.size]) });
      const whole = new Map(manifest.chunks.map((c) => [c.id, c.encoded!]));
      const patched = previous ? patchesAgainst(data, manifest.chunks, previous) : new Map<string, Buffer>();
      let encoded = new Map([...whole].map(([id, enc]) => [id, patched.get(id) ?? enc]));
      const ids = [...encoded.keys()];
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) report.retries++;
        const { url } = await up;
        const api = `${url}/api/v1/projects/${pid}`;
        try {
          const { missing } = await json(`${api}/chunks/check`, token, 'POST', { ids });
          for (let i = 0; i < missing.length;) {
            const parts: Buffer[] = [];
            let size = 0;
            for (; i < missing.length && size < MAX_UPLOAD; i++) {
              const f = frame(missing[i], encoded.get(missing[i])!);
              if (encoded.get(missing[i])![0] === 2) report.patchesSent++;
              parts.push(f);
              size += f.length;
            }
            const res = await call(`${api}/chunks`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` }, body: Buffer.concat(parts) });
            if (res.status >= 500) throw new ServerDown(`upload answered ${res.status}`);
            const answer = await res.text();
            // A base whose upload a kill cut off is not on the server: send the chunks whole.
            if (res.status === 400 && answer.includes('base_missing')) {
              encoded = whole;
              throw new ServerDown('retry with whole chunks');
            }
            if (res.status !== 200) throw new Error(`upload answered ${res.status}: ${answer}`);
          }
          const op = { type: 'checkpoint.create', assetId, fileHash: manifest.fileHash, size: manifest.size, chunks: manifest.chunks.map((c) => c.id) };
          const { results } = await json(`${api}/ops`, token, 'POST', { ops: [{ opId: `publish-${n}`, op }] });
          const r = results[0];
          if (r.status === 'applied') {
            acknowledged.push({ checkpointId: r.result.id, assetId, data });
            return;
          }
          // The server lost chunks it had recorded (or a stale answer): ask again, upload, retry.
          if (r.code !== 'missing_chunks') throw new Error(`checkpoint answered ${JSON.stringify(r)}`);
        } catch (err) {
          if (!(err instanceof ServerDown)) throw err;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };

    const client = (async () => {
      for (let n = 0; killing || n < 8; n++) {
        await publish(n);
        report.publishes++;
      }
    })();

    // ---- the purger: an older version to the trash, purged, then a collection, over and over
    const purged = new Set<string>();
    /** Trashed or purged, but a kill cut the answer off: either way it need not download. */
    const uncertain = new Set<string>();
    const auth = { authorization: `Bearer ${token}` };
    const purger = (async () => {
      while (killing) {
        await new Promise((resolve) => setTimeout(resolve, 50 + rng.int(150)));
        const newest = new Map(acknowledged.map((a) => [a.assetId, a.checkpointId]));
        const old = acknowledged.filter((a) => newest.get(a.assetId) !== a.checkpointId && !purged.has(a.checkpointId) && !uncertain.has(a.checkpointId));
        const { url } = await up;
        const api = `${url}/api/v1/projects/${pid}`;
        try {
          if (old.length > 1) {
            const victim = old[rng.int(old.length)].checkpointId;
            uncertain.add(victim);
            for (const [method, path] of [['DELETE', `checkpoints/${victim}`], ['DELETE', `trash/${victim}`]]) {
              const res = await call(`${api}/${path}`, { method, headers: auth });
              if (res.status >= 500) throw new ServerDown(`${path} answered ${res.status}`);
              if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
            }
            uncertain.delete(victim);
            purged.add(victim);
          }
          const res = await call(`${api}/gc`, { method: 'POST', headers: auth });
          if (res.status >= 500) throw new ServerDown(`gc answered ${res.status}`);
          if (res.status !== 200) throw new Error(`gc answered ${res.status}: ${await res.text()}`);
          report.collections++;
          report.collected += ((await res.json()) as { deleted: number }).deleted;
        } catch (err) {
          if (!(err instanceof ServerDown)) throw err;
        }
      }
    })();

    // ---- the killer: SIGKILL at a random moment, restart on the same folder
    for (let k = 0; k < options.kills; k++) {
      await new Promise((resolve) => setTimeout(resolve, 40 + rng.int(400)));
      const victim = server!;
      resetUp();
      victim.child.kill('SIGKILL');
      await victim.exited;
      report.kills++;
      server = await startServer(dataDir, (k + 1) * CLOCK_STEP_MS);
      markUp(server);
      log(`kill ${k + 1}/${options.kills}: ${acknowledged.length} checkpoints acknowledged, ${report.retries} retries`);
    }
    killing = false;
    await Promise.all([client, purger]);
    report.purged = purged.size;

    // ---- every acknowledged checkpoint downloads byte-identical
    const { url } = await up;
    for (const { checkpointId, data } of acknowledged) {
      const res = await call(`${url}/api/v1/projects/${pid}/checkpoints/${checkpointId}/content`, { headers: { authorization: `Bearer ${token}` } });
      const body = Buffer.from(await res.arrayBuffer());
      const gone = purged.has(checkpointId) || uncertain.has(checkpointId);
      if (gone && res.status === 404) continue;
      if (purged.has(checkpointId)) report.broken.push({ checkpointId, reason: `purged, yet it answered HTTP ${res.status}` });
      else if (res.status !== 200) report.broken.push({ checkpointId, reason: `HTTP ${res.status}: ${body.toString().slice(0, 200)}` });
      else if (!body.equals(data)) report.broken.push({ checkpointId, reason: 'content differs' });
    }
    report.acknowledged = acknowledged.length;
    // Temp files sit beside the chunks (<id>.<pid>.<random>.tmp; a store written before this layout
    // kept them in .tmp): none may outlive the restart.
    const storeDir = join(dataDir, 'chunks', pid);
    const namesIn = (dir: string) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    };
    report.leftoverTempFiles = namesIn(storeDir)
      .filter((d) => d === '.tmp' || /^[0-9a-f]{2}$/.test(d))
      .flatMap((d) => namesIn(join(storeDir, d)).filter((n) => d === '.tmp' || n.endsWith('.tmp'))).length;
    return report;
  } finally {
    if (server) {
      server.child.stdin?.end();
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
