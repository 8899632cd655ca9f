// Invitations through the HTTP API: bulk invites (existing accounts added at once, new addresses
// invited), per-email refusals, allowed domains, delivery with and without SMTP (a real SMTP
// server on loopback), and the life cycle (lookup, accept, expiry, re-send, revoke) on the
// injected clock, with every step checked in the audit log.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createHarness, dbKinds, CaptureMailer, type Caller, type Harness } from '@backlot/test-kit/harness';
import { createMailer } from '../src/mail/mailer.js';

const DAY = 24 * 60 * 60 * 1000;

interface Fixture {
  owner: Caller;
  studioId: string;
  p1: string;
  p2: string;
  artist1: string;
  supervisor2: string;
}

async function studioWithProjects(h: Harness, opts: { allowedEmailDomains?: string[] } = {}): Promise<Fixture> {
  const owner = await h.setupAdmin('owner@studio.test');
  const s = await h.as(owner).post('/studios', { name: 'Kugali', ...opts });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  const p1 = await h.as(owner).post(`/studios/${s.body.id}/projects`, { name: 'Iwaju' });
  const p2 = await h.as(owner).post(`/studios/${s.body.id}/projects`, { name: 'Anansi' });
  assert.equal(p1.status, 201);
  assert.equal(p2.status, 201);
  const roleId = async (projectId: string, key: string) => {
    const r = await h.as(owner).get(`/projects/${projectId}/roles`);
    const role = r.body.roles.find((x: any) => x.key === key);
    assert.ok(role, `role ${key}`);
    return role.id as string;
  };
  return {
    owner, studioId: s.body.id, p1: p1.body.id, p2: p2.body.id,
    artist1: await roleId(p1.body.id, 'artist'), supervisor2: await roleId(p2.body.id, 'supervisor'),
  };
}

function tokenFromLink(text: string): string {
  const m = /\/invite#token=([A-Za-z0-9_-]{20,})/.exec(text);
  assert.ok(m, `no invitation link in: ${text}`);
  return m[1];
}

/** The token mailed to `email` (the newest message, when there are several). */
function mailedToken(h: Harness, email: string): string {
  const mails = (h.mailer as CaptureMailer).sent.filter((m) => m.to === email);
  assert.ok(mails.length > 0, `no mail to ${email}`);
  return tokenFromLink(mails[mails.length - 1].text);
}

async function auditEntries(h: Harness, caller: Caller, studioId: string, query = '') {
  const r = await h.as(caller).get(`/studios/${studioId}/audit?limit=1000${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.entries as any[];
}

async function projectRoleOf(h: Harness, caller: Caller, projectId: string, userId: string): Promise<string | undefined> {
  const r = await h.as(caller).get(`/projects/${projectId}/members`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.members.find((m: any) => m.userId === userId)?.roleId;
}

async function studioRoleOf(h: Harness, caller: Caller, studioId: string, userId: string): Promise<string | undefined> {
  const r = await h.as(caller).get(`/studios/${studioId}/members`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.members.find((m: any) => m.userId === userId)?.role;
}

/** Minimal MIME body decoding for the one text part nodemailer sends. */
function decodeMail(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).toLowerCase();
  const body = raw.slice(split + 4);
  if (head.includes('content-transfer-encoding: quoted-printable'))
    return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  if (head.includes('content-transfer-encoding: base64')) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

for (const kind of dbKinds()) {
  describe(`invitations: bulk invite (${kind})`, () => {
    let h: Harness;
    let f: Fixture;
    before(async () => {
      h = await createHarness(kind);
      f = await studioWithProjects(h);
    });
    after(async () => { await h.close(); });

    test('existing accounts are added with their project seats, new addresses are invited, bad ones refused per email', async () => {
      const bob = await h.user('bob@studio.test');
      const r = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, {
        emails: ['Bob@Studio.test', 'New.Person@Studio.test', 'not-an-email', ' new.person@studio.test ', 'carol@studio.test', 'a b@studio.test'],
        role: 'member',
        projects: [{ projectId: f.p1, roleId: f.artist1 }],
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const by = (email: string) => r.body.results.filter((x: any) => x.email === email);

      // The existing account joins at once, with the project seat.
      assert.equal(by('bob@studio.test').length, 1);
      assert.equal(by('bob@studio.test')[0].outcome, 'added');
      assert.equal(await studioRoleOf(h, f.owner, f.studioId, bob.userId), 'member');
      assert.equal(await projectRoleOf(h, f.owner, f.p1, bob.userId), f.artist1);
      assert.equal(await projectRoleOf(h, f.owner, f.p2, bob.userId), undefined, 'no seat in a project not named');
      const mine = await h.as(bob).get(`/studios/${f.studioId}/projects`);
      assert.deepEqual(mine.body.projects.map((p: any) => p.id), [f.p1]);

      // A new address is invited once, however often (and in whatever case) it was listed.
      assert.equal(by('new.person@studio.test').length, 1, JSON.stringify(r.body.results));
      assert.equal(by('new.person@studio.test')[0].outcome, 'invited');
      assert.equal(by('new.person@studio.test')[0].delivered, 'email');
      assert.equal(by('carol@studio.test')[0].outcome, 'invited');

      // Invalid addresses are refused one by one, without failing the others.
      for (const bad of ['not-an-email', 'a b@studio.test']) {
        const res = by(bad);
        assert.equal(res.length, 1, bad);
        assert.equal(res[0].outcome, 'rejected');
        assert.match(res[0].reason, /valid email/);
      }

      // With SMTP configured the link goes by mail only: never back to the inviter.
      const mailer = h.mailer as CaptureMailer;
      assert.deepEqual(mailer.sent.map((m) => m.to).sort(), ['carol@studio.test', 'new.person@studio.test']);
      for (const x of r.body.results) assert.equal(x.link, undefined);
      const token = mailedToken(h, 'new.person@studio.test');
      assert.ok(!JSON.stringify(r.body).includes(token));
      assert.match(mailer.sent[0].subject, /Kugali/);

      const pending = await h.as(f.owner).get(`/studios/${f.studioId}/invitations?status=pending`);
      assert.deepEqual(pending.body.invitations.map((i: any) => i.email).sort(), ['carol@studio.test', 'new.person@studio.test']);
      const inv = pending.body.invitations.find((i: any) => i.email === 'new.person@studio.test');
      assert.deepEqual(inv.projects, [{ projectId: f.p1, roleId: f.artist1 }]);
      assert.equal(inv.studioRole, 'member');
      assert.equal(inv.expiresAt, new Date(h.clock.now().getTime() + 7 * DAY).toISOString());
      const accepted = await h.as(f.owner).get(`/studios/${f.studioId}/invitations?status=accepted`);
      assert.deepEqual(accepted.body.invitations.map((i: any) => i.email), ['bob@studio.test']);

      // Audit: the direct add and each invitation.
      const entries = await auditEntries(h, f.owner, f.studioId);
      const added = entries.filter((e) => e.action === 'studio.member.added');
      assert.equal(added.length, 1);
      assert.equal(added[0].targetId, bob.userId);
      assert.equal(added[0].actorId, f.owner.userId);
      assert.equal(added[0].after.role, 'member');
      assert.ok(entries.some((e) => e.action === 'project.member.added' && e.targetId === bob.userId && e.projectId === f.p1));
      const created = entries.filter((e) => e.action === 'invitation.created');
      assert.deepEqual(created.map((e) => e.after.email).sort(), ['carol@studio.test', 'new.person@studio.test']);
      assert.ok(created.every((e) => e.actorId === f.owner.userId && e.targetType === 'invitation'));
    });

    test('inviting a member again answers already_member; inviting a pending address again replaces the old link', async () => {
      const again = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, { emails: ['bob@studio.test', 'carol@studio.test'], role: 'admin' });
      assert.equal(again.status, 201);
      assert.deepEqual(again.body.results.map((x: any) => [x.email, x.outcome]), [['bob@studio.test', 'already_member'], ['carol@studio.test', 'invited']]);
      const bobs = (await h.as(f.owner).get(`/studios/${f.studioId}/members`)).body.members.find((m: any) => m.email === 'bob@studio.test');
      assert.equal(bobs.role, 'member', 'an invitation does not change an existing seat');
      const carolMails = (h.mailer as CaptureMailer).sent.filter((m) => m.to === 'carol@studio.test');
      assert.equal(carolMails.length, 2);
      const oldToken = tokenFromLink(carolMails[0].text);
      const newToken = tokenFromLink(carolMails[1].text);
      const old = await h.request('POST', '/invitations/lookup', { body: { token: oldToken } });
      assert.ok([404, 410].includes(old.status), `old link still works: ${old.status}`);
      const fresh = await h.request('POST', '/invitations/lookup', { body: { token: newToken } });
      assert.equal(fresh.status, 200);
      assert.equal(fresh.body.studioRole, 'admin');
      const pending = await h.as(f.owner).get(`/studios/${f.studioId}/invitations?status=pending`);
      assert.equal(pending.body.invitations.filter((i: any) => i.email === 'carol@studio.test').length, 1);
    });

    test('unknown projects or roles from another project are refused as a whole', async () => {
      const r = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, { emails: ['x1@studio.test'], role: 'member', projects: [{ projectId: f.p2, roleId: f.artist1 }] });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      const other = await h.as(f.owner).post('/studios', { name: 'Other' });
      const op = await h.as(f.owner).post(`/studios/${other.body.id}/projects`, { name: 'Elsewhere' });
      const r2 = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, { emails: ['x1@studio.test'], role: 'member', projects: [{ projectId: op.body.id, roleId: f.artist1 }] });
      assert.equal(r2.status, 400, JSON.stringify(r2.body));
      const list = await h.as(f.owner).get(`/studios/${f.studioId}/invitations`);
      assert.ok(!list.body.invitations.some((i: any) => i.email === 'x1@studio.test'));
    });
  });

  describe(`invitations: allowed email domains (${kind})`, () => {
    let h: Harness;
    let f: Fixture;
    before(async () => {
      h = await createHarness(kind);
      f = await studioWithProjects(h, { allowedEmailDomains: ['Studio.test', '@kugali.test'] });
    });
    after(async () => { await h.close(); });

    test('other domains are refused per email, also for existing accounts', async () => {
      const outsider = await h.user('ext@gmail.test');
      const insider = await h.user('in@kugali.test');
      const r = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, {
        emails: ['a@studio.test', 'b@gmail.test', 'ext@gmail.test', 'in@kugali.test', 'c@sub.studio.test'], role: 'member',
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const outcome = Object.fromEntries(r.body.results.map((x: any) => [x.email, x.outcome]));
      assert.deepEqual(outcome, {
        'a@studio.test': 'invited', 'b@gmail.test': 'rejected', 'ext@gmail.test': 'rejected', 'in@kugali.test': 'added', 'c@sub.studio.test': 'rejected',
      });
      const rejected = r.body.results.find((x: any) => x.email === 'b@gmail.test');
      assert.match(rejected.reason, /kugali\.test/);
      assert.equal(await studioRoleOf(h, f.owner, f.studioId, outsider.userId), undefined);
      assert.equal(await studioRoleOf(h, f.owner, f.studioId, insider.userId), 'member');
      assert.deepEqual((h.mailer as CaptureMailer).sent.map((m) => m.to), ['a@studio.test']);
    });
  });

  describe(`invitations: without SMTP the link goes to the inviter (${kind})`, () => {
    let h: Harness;
    let f: Fixture;
    before(async () => {
      h = await createHarness(kind, { mailer: createMailer(undefined, 'x') });
      f = await studioWithProjects(h);
    });
    after(async () => { await h.close(); });

    test('invite and re-send answer the link; the link works', async () => {
      const r = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, { emails: ['nosmtp@studio.test'], role: 'member' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const res = r.body.results[0];
      assert.equal(res.outcome, 'invited');
      assert.equal(res.delivered, 'link');
      const token = tokenFromLink(res.link);
      const look = await h.request('POST', '/invitations/lookup', { body: { token } });
      assert.equal(look.status, 200, JSON.stringify(look.body));
      assert.equal(look.body.email, 'nosmtp@studio.test');

      const rs = await h.as(f.owner).post(`/studios/${f.studioId}/invitations/${res.invitationId}/resend`);
      assert.equal(rs.status, 200, JSON.stringify(rs.body));
      assert.equal(rs.body.delivered, 'link');
      const token2 = tokenFromLink(rs.body.link);
      assert.notEqual(token2, token);
      assert.equal((await h.request('POST', '/invitations/lookup', { body: { token: token2 } })).status, 200);
    });
  });

  describe(`invitations: real SMTP delivery (${kind})`, () => {
    let h: Harness;
    let f: Fixture;
    let smtp: SMTPServer;
    const received: { from: string; to: string[]; raw: string }[] = [];
    before(async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((x) => x.address),
              raw: Buffer.concat(chunks).toString('utf8'),
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
      const port = (smtp.server.address() as AddressInfo).port;
      h = await createHarness(kind, { mailer: createMailer(`smtp://127.0.0.1:${port}?ignoreTLS=true`, 'Backlot <b@x.test>') });
      f = await studioWithProjects(h);
    });
    after(async () => {
      await h.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    });

    test('the invitation arrives by mail with the link, and the link is not in the API answer', async () => {
      const r = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, { emails: ['mailme@studio.test'], role: 'member', projects: [{ projectId: f.p1, roleId: f.artist1 }] });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const res = r.body.results[0];
      assert.equal(res.outcome, 'invited');
      assert.equal(res.delivered, 'email', JSON.stringify(res));
      assert.equal(res.link, undefined);
      assert.equal(received.length, 1);
      const mail = received[0];
      assert.deepEqual(mail.to, ['mailme@studio.test']);
      assert.equal(mail.from, 'b@x.test');
      assert.match(mail.raw, /Subject: You are invited to Kugali on Backlot/);
      const token = tokenFromLink(decodeMail(mail.raw));
      assert.ok(!r.raw.body.includes(token), 'the token leaked into the API answer');
      assert.ok(!r.raw.body.includes('#token='));
      // The mailed link is the real one.
      const acc = await h.request('POST', '/invitations/accept', { body: { token, name: 'Mail Me', password: 'correct horse battery' } });
      assert.equal(acc.status, 200, JSON.stringify(acc.body));
      assert.equal(await projectRoleOf(h, f.owner, f.p1, acc.body.userId), f.artist1);
    });

    test('re-send mails a fresh link and keeps it out of the answer', async () => {
      const r = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, { emails: ['again@studio.test'], role: 'member' });
      const before = received.length;
      const rs = await h.as(f.owner).post(`/studios/${f.studioId}/invitations/${r.body.results[0].invitationId}/resend`);
      assert.equal(rs.status, 200, JSON.stringify(rs.body));
      assert.equal(rs.body.delivered, 'email');
      assert.equal(rs.body.link, undefined);
      assert.equal(received.length, before + 1);
      const token = tokenFromLink(decodeMail(received[received.length - 1].raw));
      assert.ok(!rs.raw.body.includes(token));
      assert.equal((await h.request('POST', '/invitations/lookup', { body: { token } })).status, 200);
    });
  });

  describe(`invitations: SMTP failure falls back to the link (${kind})`, () => {
    let h: Harness;
    let f: Fixture;
    before(async () => {
      // A port that was free a moment ago: nothing listens, the send fails at once.
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      h = await createHarness(kind, { mailer: createMailer(`smtp://127.0.0.1:${port}?ignoreTLS=true&connectionTimeout=2000`, 'Backlot <b@x.test>') });
      f = await studioWithProjects(h);
    });
    after(async () => { await h.close(); });

    test('the invitation stays, and the inviter gets the link to share', async () => {
      const r = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, { emails: ['down@studio.test'], role: 'member' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const res = r.body.results[0];
      assert.equal(res.outcome, 'invited');
      assert.equal(res.delivered, 'link');
      assert.match(res.reason, /could not be sent/);
      assert.equal((await h.request('POST', '/invitations/lookup', { body: { token: tokenFromLink(res.link) } })).status, 200);
    });
  });

  describe(`invitations: life cycle (${kind})`, () => {
    let h: Harness;
    let f: Fixture;
    before(async () => {
      h = await createHarness(kind);
      f = await studioWithProjects(h);
    });
    after(async () => { await h.close(); });

    const invite = async (email: string, role = 'member', projects?: unknown, caller?: Caller) => {
      const r = await h.as(caller ?? f.owner).post(`/studios/${f.studioId}/invitations`, { emails: [email], role, ...(projects ? { projects } : {}) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.results[0].outcome, 'invited', JSON.stringify(r.body));
      return { id: r.body.results[0].invitationId as string, token: mailedToken(h, email) };
    };
    const lookup = (token: string) => h.request('POST', '/invitations/lookup', { body: { token } });
    const accept = (token: string, extra: Record<string, unknown> = {}, caller?: Caller) =>
      h.request('POST', '/invitations/accept', { token: caller?.token, body: { token, ...extra } });
    const account = { name: 'New Person', password: 'correct horse battery' };

    test('lookup, accept (account + session + studio + projects), accept twice → 410', async () => {
      const inv = await invite('newbie@studio.test', 'member', [{ projectId: f.p1, roleId: f.artist1 }, { projectId: f.p2, roleId: f.supervisor2 }]);
      const look = await lookup(inv.token);
      assert.equal(look.status, 200, JSON.stringify(look.body));
      assert.equal(look.body.studioName, 'Kugali');
      assert.equal(look.body.email, 'newbie@studio.test');
      assert.equal(look.body.studioRole, 'member');
      assert.equal(look.body.hasAccount, false);
      assert.equal((await lookup('x'.repeat(43))).status, 404);

      const noAccount = await accept(inv.token);
      assert.equal(noAccount.status, 400, 'a new account needs a name and password');
      const ok = await accept(inv.token, account);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.studioId, f.studioId);
      assert.ok(ok.body.token, 'a session is returned');
      const me = await h.as(ok.body.token).get('/auth/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.email, 'newbie@studio.test');
      assert.equal(me.body.id, ok.body.userId);
      const studios = await h.as(ok.body.token).get('/studios');
      assert.deepEqual(studios.body.studios.map((s: any) => [s.id, s.myRole]), [[f.studioId, 'member']]);
      assert.equal(await projectRoleOf(h, f.owner, f.p1, ok.body.userId), f.artist1);
      assert.equal(await projectRoleOf(h, f.owner, f.p2, ok.body.userId), f.supervisor2);
      const projects = await h.as(ok.body.token).get(`/studios/${f.studioId}/projects`);
      assert.equal(projects.body.projects.length, 2);

      const twice = await accept(inv.token, account);
      assert.equal(twice.status, 410, JSON.stringify(twice.body));
      assert.equal(twice.body.error.code, 'gone');
      assert.match(twice.body.error.message, /accepted/);
      const lookAgain = await lookup(inv.token);
      assert.equal(lookAgain.status, 410, JSON.stringify(lookAgain.body));

      const accepted = await h.as(f.owner).get(`/studios/${f.studioId}/invitations?status=accepted`);
      const row = accepted.body.invitations.find((i: any) => i.id === inv.id);
      assert.ok(row);
      assert.equal(row.acceptedAt, h.clock.now().toISOString());

      const entries = await auditEntries(h, f.owner, f.studioId);
      const acc = entries.find((e) => e.action === 'invitation.accepted' && e.targetId === inv.id);
      assert.ok(acc, 'invitation.accepted audited');
      assert.equal(acc.actorId, ok.body.userId);
      assert.equal(acc.after.userId, ok.body.userId);
      const seats = entries.filter((e) => e.action === 'project.member.added' && e.targetId === ok.body.userId);
      assert.deepEqual(seats.map((e) => e.projectId).sort(), [f.p1, f.p2].sort());
      assert.ok(entries.some((e) => e.action === 'invitation.created' && e.targetId === inv.id));
    });

    test('expiry after 7 days → 410 with a clear message; re-send renews link and expiry', async () => {
      const inv = await invite('late@studio.test');
      h.clock.advance(7 * DAY - 60_000);
      assert.equal((await lookup(inv.token)).status, 200, 'still valid just before 7 days');
      h.clock.advance(2 * 60_000);
      const look = await lookup(inv.token);
      assert.equal(look.status, 410, JSON.stringify(look.body));
      assert.match(look.body.error.message, /expired/);
      const acc = await accept(inv.token, account);
      assert.equal(acc.status, 410, JSON.stringify(acc.body));
      assert.match(acc.body.error.message, /expired/);
      assert.equal(acc.body.error.details.status, 'expired');

      const expired = await h.as(f.owner).get(`/studios/${f.studioId}/invitations?status=expired`);
      assert.deepEqual(expired.body.invitations.map((i: any) => i.id), [inv.id]);
      const pendingBefore = await h.as(f.owner).get(`/studios/${f.studioId}/invitations?status=pending`);
      assert.ok(!pendingBefore.body.invitations.some((i: any) => i.id === inv.id));

      const rs = await h.as(f.owner).post(`/studios/${f.studioId}/invitations/${inv.id}/resend`);
      assert.equal(rs.status, 200, JSON.stringify(rs.body));
      assert.equal(rs.body.status, 'pending');
      assert.equal(rs.body.sentCount, 2);
      assert.equal(rs.body.expiresAt, new Date(h.clock.now().getTime() + 7 * DAY).toISOString());
      const fresh = mailedToken(h, 'late@studio.test');
      assert.notEqual(fresh, inv.token);
      const old = await lookup(inv.token);
      assert.ok(old.status === 404 || old.status === 410, `the old link must stop working (${old.status})`);
      assert.equal((await accept(inv.token, account)).status >= 400, true);
      assert.equal((await lookup(fresh)).status, 200);

      const pending = await h.as(f.owner).get(`/studios/${f.studioId}/invitations?status=pending`);
      assert.ok(pending.body.invitations.some((i: any) => i.id === inv.id));

      const entries = await auditEntries(h, f.owner, f.studioId, '&action=invitation.resent');
      assert.equal(entries.length, 1);
      assert.equal(entries[0].targetId, inv.id);
      assert.equal(entries[0].after.expiresAt, rs.body.expiresAt);
      assert.ok(entries[0].before.expiresAt < entries[0].after.expiresAt);

      // The renewed link works for the full new 7 days.
      h.clock.advance(6 * DAY);
      const ok = await accept(fresh, { name: 'Late', password: 'correct horse battery' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    test('revoke → the link gives 410; re-sending a revoked invitation is refused', async () => {
      const inv = await invite('revoked@studio.test');
      const del = await h.as(f.owner).delete(`/studios/${f.studioId}/invitations/${inv.id}`);
      assert.equal(del.status, 204);
      const look = await lookup(inv.token);
      assert.equal(look.status, 410, JSON.stringify(look.body));
      assert.match(look.body.error.message, /revoked/);
      const acc = await accept(inv.token, account);
      assert.equal(acc.status, 410, JSON.stringify(acc.body));
      const users = await h.deps.db.selectFrom('users').select('id').where('email', '=', 'revoked@studio.test').execute();
      assert.equal(users.length, 0, 'no account was created');
      const rs = await h.as(f.owner).post(`/studios/${f.studioId}/invitations/${inv.id}/resend`);
      assert.equal(rs.status, 409);
      const revoked = await h.as(f.owner).get(`/studios/${f.studioId}/invitations?status=revoked`);
      assert.ok(revoked.body.invitations.some((i: any) => i.id === inv.id && i.revokedAt));
      const entries = await auditEntries(h, f.owner, f.studioId, '&action=invitation.revoked');
      assert.equal(entries.length, 1);
      assert.equal(entries[0].targetId, inv.id);
      assert.equal(entries[0].actorId, f.owner.userId);
    });

    test('list by status: pending, expired, accepted, revoked', async () => {
      const all = await h.as(f.owner).get(`/studios/${f.studioId}/invitations`);
      assert.equal(all.status, 200);
      const counts: Record<string, number> = {};
      for (const i of all.body.invitations) counts[i.status] = (counts[i.status] ?? 0) + 1;
      for (const status of ['pending', 'expired', 'accepted', 'revoked']) {
        const r = await h.as(f.owner).get(`/studios/${f.studioId}/invitations?status=${status}`);
        assert.equal(r.status, 200);
        assert.ok(r.body.invitations.every((i: any) => i.status === status));
        assert.equal(r.body.invitations.length, counts[status] ?? 0, status);
      }
      assert.ok((counts.accepted ?? 0) >= 2 && (counts.revoked ?? 0) >= 1);
      const bad = await h.as(f.owner).get(`/studios/${f.studioId}/invitations?status=whatever`);
      assert.equal(bad.status, 400);
    });

    test('an existing account must sign in to accept, and only as the invited address', async () => {
      const inv = await invite('later@studio.test');
      const later = await h.user('later@studio.test');
      const other = await h.user('other@studio.test');
      const look = await lookup(inv.token);
      assert.equal(look.body.hasAccount, true);
      const anon = await accept(inv.token, account);
      assert.equal(anon.status, 401, JSON.stringify(anon.body));
      const wrong = await accept(inv.token, {}, other);
      assert.equal(wrong.status, 403, JSON.stringify(wrong.body));
      assert.equal(await studioRoleOf(h, f.owner, f.studioId, other.userId), undefined);
      const right = await accept(inv.token, {}, later);
      assert.equal(right.status, 200, JSON.stringify(right.body));
      assert.equal(right.body.userId, later.userId);
      assert.equal(right.body.token, undefined, 'no new session for a signed-in user');
      assert.equal(await studioRoleOf(h, f.owner, f.studioId, later.userId), 'member');
      const entries = await auditEntries(h, f.owner, f.studioId, `&actor=${later.userId}`);
      assert.ok(entries.some((e) => e.action === 'invitation.accepted' && e.targetId === inv.id));
    });

    test('only owners invite owners; admins manage non-owner invitations; members cannot invite', async () => {
      const admin = await h.user('admin2@studio.test');
      const member = await h.user('member2@studio.test');
      const add = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, { emails: [admin.email, member.email], role: 'member' });
      assert.deepEqual(add.body.results.map((x: any) => x.outcome), ['added', 'added']);
      const promote = await h.as(f.owner).patch(`/studios/${f.studioId}/members/${admin.userId}`, { role: 'admin' });
      assert.equal(promote.status, 200, JSON.stringify(promote.body));

      const adminOwner = await h.as(admin).post(`/studios/${f.studioId}/invitations`, { emails: ['would-be-owner@studio.test'], role: 'owner' });
      assert.equal(adminOwner.status, 403, JSON.stringify(adminOwner.body));
      const adminAdmin = await h.as(admin).post(`/studios/${f.studioId}/invitations`, { emails: ['new-admin@studio.test'], role: 'admin', projects: [{ projectId: f.p1, roleId: f.artist1 }] });
      assert.equal(adminAdmin.status, 201, JSON.stringify(adminAdmin.body));
      assert.equal(adminAdmin.body.results[0].outcome, 'invited');

      const ownerOwner = await h.as(f.owner).post(`/studios/${f.studioId}/invitations`, { emails: ['co-owner@studio.test'], role: 'owner' });
      assert.equal(ownerOwner.status, 201, JSON.stringify(ownerOwner.body));
      const ownerInv = ownerOwner.body.results[0].invitationId;
      assert.equal((await h.as(admin).post(`/studios/${f.studioId}/invitations/${ownerInv}/resend`)).status, 403);
      assert.equal((await h.as(admin).delete(`/studios/${f.studioId}/invitations/${ownerInv}`)).status, 403);

      const memberInvite = await h.as(member).post(`/studios/${f.studioId}/invitations`, { emails: ['friend@studio.test'], role: 'member' });
      assert.equal(memberInvite.status, 403, JSON.stringify(memberInvite.body));
      assert.equal((await h.as(member).get(`/studios/${f.studioId}/invitations`)).status, 403);
      assert.equal((await h.as(member).post(`/studios/${f.studioId}/invitations/${ownerInv}/resend`)).status, 403);
      const outsider = await h.user('outsider@studio.test');
      assert.equal((await h.as(outsider).post(`/studios/${f.studioId}/invitations`, { emails: ['friend@studio.test'], role: 'member' })).status, 404);
      assert.equal((await h.request('POST', `/studios/${f.studioId}/invitations`, { body: { emails: ['friend@studio.test'], role: 'member' } })).status, 401);

      // None of the refused attempts created an invitation.
      const list = await h.as(f.owner).get(`/studios/${f.studioId}/invitations`);
      const emails = list.body.invitations.map((i: any) => i.email);
      assert.ok(!emails.includes('would-be-owner@studio.test'));
      assert.ok(!emails.includes('friend@studio.test'));

      // The co-owner invitation makes an owner on acceptance; the admin's invitee joins p1 through
      // the admin's (studio-level) right to add anyone to any project.
      const co = await accept(mailedToken(h, 'co-owner@studio.test'), { name: 'Co Owner', password: 'correct horse battery' });
      assert.equal(co.status, 200, JSON.stringify(co.body));
      assert.equal(await studioRoleOf(h, f.owner, f.studioId, co.body.userId), 'owner');
      const na = await accept(mailedToken(h, 'new-admin@studio.test'), { name: 'New Admin', password: 'correct horse battery' });
      assert.equal(na.status, 200, JSON.stringify(na.body));
      assert.equal(await studioRoleOf(h, f.owner, f.studioId, na.body.userId), 'admin');
      assert.equal(await projectRoleOf(h, f.owner, f.p1, na.body.userId), f.artist1);

      // Refusals are audited too.
      const refused = await auditEntries(h, f.owner, f.studioId, '&action=request.refused');
      assert.ok(refused.some((e) => e.actorId === member.userId));
      assert.ok(refused.some((e) => e.actorId === admin.userId));
    });

    test('two simultaneous accepts of one link: exactly one account, one acceptance', async () => {
      const inv = await invite('racer@studio.test');
      const both = await Promise.all([accept(inv.token, account), accept(inv.token, account)]);
      const statuses = both.map((r) => r.status).sort();
      assert.equal(statuses[0], 200, JSON.stringify(both.map((r) => r.body)));
      assert.ok([409, 410].includes(statuses[1]), JSON.stringify(both.map((r) => r.body)));
      const users = await h.deps.db.selectFrom('users').select('id').where('email', '=', 'racer@studio.test').execute();
      assert.equal(users.length, 1);
      const entries = await auditEntries(h, f.owner, f.studioId, '&action=invitation.accepted');
      assert.equal(entries.filter((e) => e.targetId === inv.id).length, 1);
    });

    test('the whole life cycle is in the audit log, and the chain verifies', async () => {
      const entries = await auditEntries(h, f.owner, f.studioId, '&action=invitation.*');
      const actions = new Set(entries.map((e) => e.action));
      for (const a of ['invitation.created', 'invitation.resent', 'invitation.revoked', 'invitation.accepted']) assert.ok(actions.has(a), a);
      assert.ok(entries.every((e) => e.ip === '127.0.0.1' && typeof e.at === 'string'));
      const added = await auditEntries(h, f.owner, f.studioId, '&action=studio.member.added');
      assert.equal(added.length, 2);
      const verify = await h.as(f.owner).get(`/studios/${f.studioId}/audit/verify`);
      assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
    });
  });
}
