// Seeds a freshly started Backlot server through its own HTTP API the way an operator and a studio
// would: the first account via the one-time setup token, a studio, projects, and a studio member
// holding roles in some of them (plus colleagues, so membership tables are not trivially small).
import { BacklotApi } from '@backlot/api';
import type { StartedServer } from '../packages/server/src/server.js';
import { insertUser, prepareSetup } from '../packages/server/src/admin/accounts.js';

export interface ApiFixture {
  url: string;
  /** Bearer token of the studio member the load runs as. */
  token: string;
  memberId: string;
  studioId: string;
  /** A project the member holds a role in. */
  projectId: string;
  projects: number;
  memberProjects: number;
  pid: number;
}

const PASSWORD = 'correct horse battery staple';

export async function seedStudio(server: StartedServer, projects: number): Promise<Omit<ApiFixture, 'pid'>> {
  const setupToken = await prepareSetup(server.deps);
  if (!setupToken) throw new Error('fresh data directory but no setup token');
  // Each api acts as whoever signed in through it: setting up signs this one in as the admin.
  const admin = new BacklotApi({ baseUrl: server.url });
  await admin.auth.setup({ token: setupToken, email: 'admin@bench.test', name: 'Bench Admin', password: PASSWORD });
  const studio = await admin.studios.create({ name: 'Bench Studio' });
  const projectIds: string[] = [];
  for (let i = 0; i < projects; i++) {
    const p = await admin.projects.create(studio.id, { name: `Episode ${String(i + 1).padStart(2, '0')}` });
    projectIds.push(p.id);
  }

  // Sign-up is off by default, so accounts are created directly (as the test harness does), then
  // invited into the studio (existing accounts are added at once) and signed in over HTTP.
  const emails = ['artist@bench.test', ...Array.from({ length: 5 }, (_, i) => `colleague${i}@bench.test`)];
  const userIds: string[] = [];
  for (const email of emails)
    userIds.push(await server.deps.db.transaction().execute((trx) => insertUser(server.deps, trx, { email, name: email.split('@')[0], password: PASSWORD })));
  await admin.invitations.invite(studio.id, { emails, role: 'member' });
  const member = await new BacklotApi({ baseUrl: server.url }).auth.login({ email: emails[0], password: PASSWORD, session: 'bearer' });

  // The member holds a role in every other project; colleagues in three projects out of four.
  const roleCycle = ['artist', 'supervisor', 'vendor', 'assistant_supervisor', 'production_manager'];
  let memberProjects = 0;
  for (const [i, projectId] of projectIds.entries()) {
    const { roles } = await admin.roles.list(projectId);
    const roleId = (key: string) => roles.find((r) => r.key === key)!.id;
    if (i % 2 === 0) {
      await admin.projectMembers.add(projectId, { userIds: [userIds[0]], roleId: roleId(roleCycle[(i / 2) % roleCycle.length]) });
      memberProjects++;
    }
    if (i % 4 !== 3) await admin.projectMembers.add(projectId, { userIds: userIds.slice(1), roleId: roleId('artist') });
  }
  return { url: server.url, token: member.token, memberId: userIds[0], studioId: studio.id, projectId: projectIds[0], projects, memberProjects };
}
