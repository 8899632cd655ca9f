// Child process for the production benchmark (bench/production.ts): a real Backlot server
// (`startServer`, embedded SQLite in a temporary data directory, logger off) holding the large
// project of bench/browse.ts (100,000 assets, 5,000 collections, 300,000 dependency edges) with 50
// members in a realistic role mix. Prints one JSON line (`ProductionFixture`) on stdout once ready,
// then serves until SIGTERM/SIGINT or until stdin closes, and removes its data.
//
//   node --import tsx bench/production-server.ts [--assets=100000] [--edges=300000] [--analyze] [--pragma=NAME=VALUE …]
//
// Members (50): the Admin (who created the project), a Production Manager, a Supervisor, two
// Assistant Supervisors, the lead (Artist role, ten top-level collections assigned: tens of
// thousands of visible assets), the bench Artist (every 400th asset's task), 33 more Artists and 10
// Vendors (assigned-only) holding most of the ~42,000 assigned tasks. Rows are inserted directly
// (as bench/browse.ts does); accounts, studio, project and memberships go through the HTTP API.
// With --analyze, `ANALYZE` runs once after seeding (to measure what statistics would change).
// Lines `profile-start` / `profile-stop FILE` on stdin record a CPU profile of what runs between.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { BacklotApi } from '@backlot/api';
import { loadConfig } from '../packages/server/src/config/config.js';
import { startServer } from '../packages/server/src/server.js';
import { insertUser, prepareSetup } from '../packages/server/src/admin/accounts.js';
import { seedBigProject, type SeedEnv } from './browse.js';

export interface Member {
  userId: string;
  token: string;
  email: string;
}

export interface ProductionFixture {
  url: string;
  dbFile: string;
  pid: number;
  projectId: string;
  studioId: string;
  /** Members who sign in: the load runs as them. */
  admin: Member;
  artist: Member;
  lead: Member;
  vendor: Member;
  pm: Member;
  roles: Record<string, string>;
  statuses: string[];
  /** Member count by role key. */
  roleMix: Record<string, number>;
  members: number;
  /** Artists and Vendors holding tasks (task.assign targets). */
  pool: string[];
  artistPool: string[];
  /** Tasks assigned to pool members other than the bench Artist and Vendor (for others' ops). */
  tasks: { id: string; statusId: string; assigneeId: string }[];
  /** Tasks assigned to the bench Artist. */
  artistTasks: { id: string; statusId: string }[];
  /** Leaf collections of the shared library (visible to every non-vendor) and elsewhere. */
  libraryLeaves: string[];
  leaves: string[];
  assets: number;
  collections: number;
  edges: number;
  seedSeconds: number;
  analyzed: boolean;
  pragmas: string[];
}

const arg = (name: string, fallback: number) => {
  const m = process.argv.find((a) => a.startsWith(`--${name}=`));
  return m ? Number(m.split('=')[1]) : fallback;
};
const PASSWORD = 'correct horse battery staple';

const dataDir = mkdtempSync(join(tmpdir(), 'backlot-bench-prod-'));
const config = loadConfig({ dataDir, port: 0, host: '127.0.0.1' }, {});
const server = await startServer(config, { logger: false, print: () => {} });

let closing = false;
async function shutdown(code = 0) {
  if (closing) return;
  closing = true;
  try {
    await server.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  }
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

/** The server's API acting as a member who signed in (or, without a token, as nobody yet). */
const apiAs = (token?: string) => new BacklotApi({ baseUrl: server.url, ...(token && { auth: { kind: 'bearer', token } }) });

async function login(email: string, name: string): Promise<Member> {
  const userId = await server.deps.db.transaction().execute((trx) => insertUser(server.deps, trx, { email, name, password: PASSWORD }));
  const { token } = await apiAs().auth.login({ email, password: PASSWORD, session: 'bearer' });
  return { userId, token, email };
}

try {
  const db = server.deps.db;
  const env: SeedEnv = {
    db,
    now: () => new Date().toISOString(),
    async setupAdmin() {
      const token = await prepareSetup(server.deps);
      if (!token) throw new Error('fresh data directory but no setup token');
      const admin = await apiAs().auth.setup({ token, email: 'admin@bench.test', name: 'Bench Admin', password: PASSWORD });
      return { userId: admin.userId, token: admin.token, email: 'admin@bench.test' };
    },
    user: (email, name) => login(email, name),
    api: (who) => apiAs(who.token),
  };

  // Accounts that only hold tasks are inserted directly (no password to hash); the Vendor and the
  // Production Manager sign in, the load runs as them.
  const direct = async (email: string, name: string) => {
    const id = crypto.randomUUID();
    await db.insertInto('users').values({ id, email, name, password_hash: null, is_instance_admin: 0, deactivated_at: null, created_at: new Date().toISOString(), last_active_at: null }).execute();
    return id;
  };
  let vendor!: Member;
  let pm!: Member;
  const artists: string[] = [];
  const vendors: string[] = [];
  const seniors: Record<string, string[]> = { supervisor: [], assistant_supervisor: [] };
  const seed = await seedBigProject(env, {
    assets: arg('assets', 100_000),
    edges: arg('edges', 300_000),
    async others() {
      vendor = await login('vendor@bench.test', 'Vendor');
      pm = await login('pm@bench.test', 'Production Manager');
      for (let i = 0; i < 33; i++) artists.push(await direct(`artist${i}@bench.test`, `Artist ${i}`));
      vendors.push(vendor.userId);
      for (let i = 0; i < 9; i++) vendors.push(await direct(`vendor${i}@bench.test`, `Vendor ${i}`));
      seniors.supervisor.push(await direct('supervisor@bench.test', 'Supervisor'));
      for (let i = 0; i < 2; i++) seniors.assistant_supervisor.push(await direct(`assistant${i}@bench.test`, `Assistant ${i}`));
      // Tasks go to these uniformly at random: each Artist and Vendor holds about 1,000.
      return [...artists, ...vendors];
    },
  });
  const { pid: projectId, admin, roles } = seed;

  // Memberships over the API: studio invitations (existing accounts join at once), then project roles.
  const emails = (await db.selectFrom('users').select('email').where('email', 'like', '%@bench.test').execute()).map((u) => u.email)
    .filter((e) => !['admin@bench.test', 'artist@bench.test', 'lead@bench.test'].includes(e));
  const asAdmin = apiAs(admin.token);
  await asAdmin.invitations.invite(seed.studioId, { emails, role: 'member' });
  const add = (userIds: string[], key: string) => asAdmin.projectMembers.add(projectId, { userIds, roleId: roles[key] });
  await add(artists, 'artist');
  await add(vendors, 'vendor');
  await add([pm.userId], 'production_manager');
  await add(seniors.supervisor, 'supervisor');
  await add(seniors.assistant_supervisor, 'assistant_supervisor');

  const memberRows = await db.selectFrom('project_members as pm').innerJoin('roles as r', 'r.id', 'pm.role_id').select(['r.key']).where('pm.project_id', '=', projectId).execute();
  const roleMix: Record<string, number> = {};
  for (const m of memberRows) roleMix[m.key ?? 'custom'] = (roleMix[m.key ?? 'custom'] ?? 0) + 1;

  let analyzed = false;
  if (process.argv.includes('--analyze')) {
    await sql`ANALYZE`.execute(db);
    analyzed = true;
  }
  // Trying SQLite settings without changing the server: --pragma=cache_size=-65536 (repeatable).
  const pragmas = process.argv.filter((a) => a.startsWith('--pragma=')).map((a) => a.slice('--pragma='.length));
  for (const p of pragmas) {
    if (!/^[a-z_]+=-?\w+$/.test(p)) throw new Error(`bad --pragma ${p}`);
    await sql.raw(`PRAGMA ${p}`).execute(db);
  }

  const pool = [...artists, ...vendors];
  const others = new Set(pool.filter((id) => id !== vendor.userId));
  const fixture: ProductionFixture = {
    url: server.url,
    dbFile: join(dataDir, 'backlot.db'),
    pid: process.pid,
    projectId,
    studioId: seed.studioId,
    admin: { ...admin, token: admin.token! },
    artist: { ...seed.artist, token: seed.artist.token! },
    lead: { ...seed.lead, token: seed.lead.token! },
    vendor,
    pm,
    roles,
    statuses: seed.statuses,
    roleMix,
    members: memberRows.length,
    pool,
    artistPool: artists,
    tasks: seed.assets.filter((a) => a.kind === 'task' && a.assignee_id && others.has(a.assignee_id)).slice(0, 4000)
      .map((a) => ({ id: a.id, statusId: a.status_id!, assigneeId: a.assignee_id! })),
    artistTasks: seed.assets.filter((a) => a.assignee_id === seed.artist.userId).map((a) => ({ id: a.id, statusId: a.status_id! })),
    libraryLeaves: seed.leaves.filter((l) => l.top === 0).map((l) => l.id),
    leaves: seed.leaves.filter((l) => l.top !== 0).map((l) => l.id),
    assets: seed.assets.length,
    collections: seed.collections,
    edges: seed.edges,
    seedSeconds: seed.seconds,
    analyzed,
    pragmas,
  };
  process.stdout.write(`${JSON.stringify(fixture)}\n`);
  // Profiling on request (for finding where a route's time goes): a line `profile-start` on stdin
  // starts V8's sampling profiler, `profile-stop FILE` writes the profile to FILE and answers
  // `profiled FILE` on stdout. The parent going away (stdin closing) ends us.
  const lines = createInterface({ input: process.stdin });
  let profiler: Session | null = null;
  lines.on('line', (line) => void (async () => {
    if (line === 'profile-start' && !profiler) {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 250 });
      await profiler.post('Profiler.start');
      process.stdout.write('profiling\n');
    } else if (line.startsWith('profile-stop ') && profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(line.slice('profile-stop '.length), JSON.stringify(profile));
      profiler.disconnect();
      profiler = null;
      process.stdout.write(`profiled ${line.slice('profile-stop '.length)}\n`);
    }
  })());
  lines.on('close', () => void shutdown());
} catch (err) {
  process.stderr.write(`production-server: ${(err as Error).stack ?? err}\n`);
  await shutdown(1);
}
