// Dormant seats through the HTTP API: the members list shows last activity; owners (only) list
// seats idle for N days and suspend them in one step, audited, never themselves; suspended
// members lose the studio at once; bad input changes nothing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Caller, type Harness } from '@backlot/test-kit/harness';
import { must, refused } from '@backlot/test-kit/production-world';

const DAY = 24 * 60 * 60 * 1000;

for (const kind of dbKinds()) {
  describe(`dormant seats (${kind})`, () => {
    let h: Harness;
    let owner: Caller, busy: Caller, idle: Caller, admin: Caller;
    let studioId: string;
    let signedIn: string;

    before(async () => {
      // Sessions outlive the idle periods here (the clock jumps months).
      h = await createHarness(kind, { sessionDays: 400 });
      owner = await h.setupAdmin();
      busy = await h.user('busy@seats.test');
      idle = await h.user('idle@seats.test');
      admin = await h.user('admin@seats.test');
      studioId = must(await h.as(owner).post('/studios', { name: 'Seats' }), 201).id;
      must(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: [busy.email, idle.email], role: 'member' }), 201);
      must(await h.as(owner).post(`/studios/${studioId}/invitations`, { emails: [admin.email], role: 'admin' }), 201);
      signedIn = h.clock.now().toISOString();
      h.clock.advance(40 * DAY);
      must(await h.as(busy).get(`/studios/${studioId}`), 200);
      must(await h.as(owner).get(`/studios/${studioId}`), 200);
    });
    after(async () => { await h.close(); });

    test('the members list shows last activity', async () => {
      const members = must(await h.as(owner).get(`/studios/${studioId}/members`), 200).members as any[];
      assert.equal(members.find((m) => m.userId === busy.userId).lastActiveAt, h.clock.now().toISOString());
      assert.equal(members.find((m) => m.userId === idle.userId).lastActiveAt, signedIn, 'signing in is the last activity, 40 days ago');
    });

    test('owners list seats idle for N days; admins and members may not', async () => {
      refused(await h.as(admin).get(`/studios/${studioId}/seats/dormant?days=30`), 403, 'forbidden');
      refused(await h.as(busy).get(`/studios/${studioId}/seats/dormant?days=30`), 403, 'forbidden');
      refused(await h.as(owner).get(`/studios/${studioId}/seats/dormant?days=0`), 400, 'validation_failed');
      refused(await h.as(owner).get(`/studios/${studioId}/seats/dormant?days=abc`), 400, 'validation_failed');
      const seats = must(await h.as(owner).get(`/studios/${studioId}/seats/dormant?days=30`), 200).seats as any[];
      // The admin's refused request just now is activity too: only the idle member is listed.
      assert.deepEqual(seats.map((s) => s.email), [idle.email]);
      assert.deepEqual(must(await h.as(owner).get(`/studios/${studioId}/seats/dormant?days=60`), 200).seats, []);
    });

    test('suspending idle seats in one step: audited, effective at once, the active and the caller kept', async () => {
      refused(await h.as(owner).post(`/studios/${studioId}/seats/suspend-dormant`, { days: 0 }), 400, 'validation_failed');
      refused(await h.as(admin).post(`/studios/${studioId}/seats/suspend-dormant`, { days: 30 }), 403, 'forbidden');
      const suspendedBefore = await h.deps.db.selectFrom('studio_members').select('user_id').where('suspended_at', 'is not', null).execute();
      assert.deepEqual(suspendedBefore, [], 'refusals changed nothing');
      const r = must(await h.as(owner).post(`/studios/${studioId}/seats/suspend-dormant`, { days: 30 }), 200);
      assert.deepEqual(r.suspended, [idle.userId]);
      refused(await h.as(idle).get(`/studios/${studioId}`), 404, 'not_found', 'a suspended seat');
      must(await h.as(busy).get(`/studios/${studioId}`), 200);
      const audit = await h.deps.db.selectFrom('audit_log').select(['action', 'target_id']).where('studio_id', '=', studioId)
        .where('action', 'in', ['studio.member.suspended', 'studio.dormant_seats_suspended']).execute();
      assert.equal(audit.filter((a) => a.action === 'studio.member.suspended').length, 1);
      assert.equal(audit.filter((a) => a.action === 'studio.dormant_seats_suspended').length, 1);
      const members = must(await h.as(owner).get(`/studios/${studioId}/members`), 200).members as any[];
      assert.equal(members.find((m) => m.userId === idle.userId).status, 'suspended');
      // Months later everyone else is idle; the owner sweeping is active by that very request.
      h.clock.advance(100 * DAY);
      const again = must(await h.as(owner).post(`/studios/${studioId}/seats/suspend-dormant`, { days: 30 }), 200);
      assert.ok(!again.suspended.includes(owner.userId));
      must(await h.as(owner).get(`/studios/${studioId}`), 200);
      assert.deepEqual([...again.suspended].sort(), [admin.userId, busy.userId].sort());
    });
  });
}
