// Control requests (exclusive edit control) through the HTTP API: request, accept, decline,
// cancel, hand-off, take-over, self-assign, and the automatic transfer of a departing assignee's
// tasks to the most senior pending requester, each step in the audit log.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createHarness, dbKinds, type Harness } from '@backlot/test-kit/harness';
import { As, audit, byId, makeProject, makeWorld, must, refused, type Project, type World } from '@backlot/test-kit/production-world';

for (const kind of dbKinds()) {
  describe(`control requests (${kind})`, () => {
    let h: Harness;
    let w: World;
    before(async () => {
      h = await createHarness(kind);
      w = await makeWorld(h, ['Adm', 'PM', 'Sup', 'Sup2', 'Art', 'Art2', 'Art3', 'Ven', 'Quit']);
    });
    after(async () => { await h.close(); });

    const as = (who: string, pid: string) => new As(h, who === 'owner' ? w.owner : w.u[who], pid);
    const uid = (who: string) => (who === 'owner' ? w.owner.userId : w.u[who].userId);

    /**
     * A project with a shared collection (every member but the Vendor sees its tasks), a hidden
     * one, and inside the shared one a collection assigned to the Vendor: the Vendor sees only
     * what is explicitly assigned to it (PRODUCT.md), so its tasks there are visible to everyone.
     */
    async function setup(extra: Record<string, any> = {}) {
      const p = await makeProject(w, {
        Adm: 'admin', PM: 'production_manager', Sup: 'supervisor', Sup2: 'supervisor', Art: 'artist', Art2: 'artist', Art3: 'artist', Ven: 'vendor', ...extra,
      });
      const A = as('owner', p.id);
      const shared = must(await A.collection({ name: 'Shared', shared: true }), 201);
      const hidden = must(await A.collection({ name: 'Hidden' }), 201);
      const vendors = must(await A.collection({ parentId: shared.id, name: 'Vendor work' }), 201);
      must(await A.r('PUT', `/collections/${vendors.id}/assignee`, { assigneeId: uid('Ven') }), 200, 'assign the collection to the vendor');
      let n = 0;
      const task = async (assignee: string | null, collectionId = shared.id) =>
        must(await A.asset({ collectionId, name: `task ${++n}`, kind: 'task', ...(assignee && { assigneeId: uid(assignee) }) }), 201);
      return { p, A, shared, hidden, vendors, task };
    }
    const assigneeOf = async (p: Project, taskId: string) =>
      (await h.deps.db.selectFrom('assets').select('assignee_id').where('id', '=', taskId).executeTakeFirstOrThrow()).assignee_id;
    const requestRow = (id: string) => h.deps.db.selectFrom('control_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const canCheckpoint = async (who: string, pid: string, taskId: string) => (await as(who, pid).checkpoint(taskId)).status;

    test('request: must see the task, not one\'s own, not twice, only tasks; no permission needed', async () => {
      const { p, task, hidden, shared, vendors } = await setup();
      const t = await task('Art2', vendors.id);
      const secret = await task('Art2', hidden.id);
      const free = await task(null);
      const res = must(await as('owner', p.id).asset({ collectionId: shared.id, name: 'res' }), 201);

      refused(await as('Art', p.id).request(secret.id), 404, 'not_found', 'invisible task');
      refused(await as('Art', p.id).request(randomUUID()), 404, 'not_found', 'unknown task');
      const own = refused(await as('Art2', p.id).request(t.id), 409, 'conflict', 'own task');
      assert.equal(own.details.reason, 'already_assignee');
      assert.equal(refused(await as('Art', p.id).request(free.id), 409, 'conflict', 'unassigned task').details.reason, 'unassigned');
      refused(await as('Art', p.id).request(res.id), 400, 'bad_request', 'a resource');
      // the Vendor sees only what is assigned to it: a shared task is unknown to it
      const sharedOnly = await task('Art2');
      refused(await as('Ven', p.id).request(sharedOnly.id), 404, 'not_found', 'vendor: a shared task not assigned to it');

      const r1 = must(await as('Art', p.id).request(t.id, { message: 'I can finish it today' }), 201);
      assert.equal(r1.status, 'pending');
      assert.equal(r1.requesterId, uid('Art'));
      assert.equal(r1.assetId, t.id);
      assert.equal(r1.message, 'I can finish it today');
      const dup = refused(await as('Art', p.id).request(t.id), 409, 'conflict', 'duplicate pending');
      assert.equal(dup.details.existingId, r1.id);
      // several people may ask for the same task; "a member who can see a task may request it",
      // the Production Manager too, though it cannot checkpoint
      must(await as('Ven', p.id).request(t.id), 201);
      must(await as('Sup', p.id).request(t.id), 201);
      const pmr = must(await as('PM', p.id).request(t.id), 201);
      assert.equal(pmr.requesterId, uid('PM'));
      // requesting changes nothing yet: the assignee still holds the soft lock
      assert.equal(await assigneeOf(p, t.id), uid('Art2'));
      assert.equal(await canCheckpoint('Art', p.id, t.id), 403);
      assert.equal(await canCheckpoint('Art2', p.id, t.id), 201);
      // the sync push knows the same rules
      const pushed = must(await as('Art', p.id).push([['rq', { type: 'control.request', assetId: t.id }], ['rq2', { type: 'control.request', assetId: secret.id }]]), 200);
      assert.equal(pushed.results[0].status, 'conflict');
      assert.equal(pushed.results[0].existingId, r1.id);
      assert.equal(pushed.results[1].status, 'rejected');
      assert.equal(pushed.results[1].code, 'not_found');
      const requested = (await audit(w, 'control.requested')).filter((e) => e.projectId === p.id);
      assert.equal(requested.length, 4);
      assert.ok(requested.every((e) => e.targetId === t.id && e.after.assigneeId === uid('Art2')));
    });

    test('accept moves the task to the requester: their right to checkpoint starts, the old assignee\'s ends', async () => {
      const { p, task } = await setup();
      const t = await task('Art2');
      const r = must(await as('Art', p.id).request(t.id), 201);
      const other = must(await as('Art3', p.id).request(t.id), 201);
      refused(await as('Art', p.id).accept(r.id), 403, 'forbidden', 'the requester cannot accept');
      refused(await as('Art3', p.id).accept(r.id), 403, 'forbidden', 'a bystander cannot accept');
      refused(await as('owner', p.id).accept(r.id), 403, 'forbidden', 'not even the Admin');
      refused(await as('Art2', p.id).accept(randomUUID()), 404, 'not_found');
      assert.equal(await canCheckpoint('Art2', p.id, t.id), 201);

      const acc = must(await as('Art2', p.id).accept(r.id), 200);
      assert.equal(acc.status, 'accepted');
      assert.equal(acc.resolvedBy, uid('Art2'));
      assert.equal(await assigneeOf(p, t.id), uid('Art'));
      assert.equal(await canCheckpoint('Art', p.id, t.id), 201, 'the requester may checkpoint now');
      assert.equal(await canCheckpoint('Art2', p.id, t.id), 403, 'the old assignee may not');
      assert.equal(refused(await as('Art2', p.id).accept(r.id), 409, 'conflict').details.reason, 'not_pending');
      // the other request stays pending, now addressed to the new assignee
      assert.equal((await requestRow(other.id)).status, 'pending');
      refused(await as('Art2', p.id).accept(other.id), 403, 'forbidden', 'the old assignee can no longer answer');
      must(await as('Art', p.id).decline(other.id), 200);
      // a snapshot shows the move
      const snap = await as('owner', p.id).snapshot();
      assert.equal(byId(snap.assets, t.id).assigneeId, uid('Art'));
      assert.equal(snap.controlRequests.length, 0);

      const accepted = (await audit(w, 'control.accepted')).find((e) => e.projectId === p.id);
      assert.equal(accepted.actorId, uid('Art2'));
      assert.equal(accepted.after.requesterId, uid('Art'));
      const moved = (await audit(w, 'task.transferred')).find((e) => e.targetId === t.id);
      assert.deepEqual([moved.before.assigneeId, moved.after.assigneeId], [uid('Art2'), uid('Art')]);
    });

    test('decline keeps the assignee; cancel only by the requester', async () => {
      const { p, task } = await setup();
      const t = await task('Art2');
      const r = must(await as('Art', p.id).request(t.id), 201);
      refused(await as('Art', p.id).decline(r.id), 403, 'forbidden', 'the requester cannot decline');
      const dec = must(await as('Art2', p.id).decline(r.id), 200);
      assert.equal(dec.status, 'declined');
      assert.equal(await assigneeOf(p, t.id), uid('Art2'));
      assert.equal(await canCheckpoint('Art', p.id, t.id), 403);
      refused(await as('Art2', p.id).accept(r.id), 409, 'conflict', 'declined is final');
      // asking again after a decline is fine
      const r2 = must(await as('Art', p.id).request(t.id), 201);
      refused(await as('Art2', p.id).cancel(r2.id), 403, 'forbidden', 'the assignee cannot cancel');
      refused(await as('Art3', p.id).cancel(r2.id), 403, 'forbidden', 'a bystander cannot cancel');
      refused(await as('owner', p.id).cancel(r2.id), 403, 'forbidden', 'nor the Admin');
      const can = must(await as('Art', p.id).cancel(r2.id), 200);
      assert.equal(can.status, 'cancelled');
      refused(await as('Art2', p.id).accept(r2.id), 409, 'conflict');
      refused(await as('Art', p.id).cancel(r2.id), 409, 'conflict');
      assert.equal(await assigneeOf(p, t.id), uid('Art2'));
      const steps = (await audit(w, 'control.*')).filter((e) => e.projectId === p.id).map((e) => [e.action, e.actorId]).reverse();
      assert.deepEqual(steps, [
        ['control.requested', uid('Art')], ['control.declined', uid('Art2')], ['control.requested', uid('Art')], ['control.cancelled', uid('Art')],
      ]);
    });

    test('hand-off: the assignee gives their task to another member', async () => {
      const { p, task, hidden, vendors } = await setup();
      const t = await task('Art', vendors.id);
      const secret = await task('Art', hidden.id);
      const vr = must(await as('Ven', p.id).request(t.id), 201);
      refused(await as('Art2', p.id).handoff(t.id, uid('Art2')), 403, 'forbidden', 'only the assignee hands off');
      refused(await as('owner', p.id).handoff(t.id, uid('owner')), 403, 'forbidden', 'the Admin takes over instead');
      refused(await as('Art', p.id).handoff(t.id, uid('Quit')), 400, 'validation_failed', 'not a project member');
      refused(await as('Art', p.id).handoff(t.id, randomUUID()), 400, 'validation_failed', 'no such user');
      must(await as('Art', p.id).handoff(t.id, uid('Ven')), 200);
      assert.equal(await assigneeOf(p, t.id), uid('Ven'));
      assert.equal(await canCheckpoint('Ven', p.id, t.id), 201);
      assert.equal(await canCheckpoint('Art', p.id, t.id), 403);
      assert.equal((await requestRow(vr.id)).status, 'superseded', 'the new holder\'s own request is moot');
      // a hidden task handed to the vendor becomes visible to them, and gone for the artist
      refused(await as('Ven', p.id).checkpoint(secret.id), 404, 'not_found');
      must(await as('Art', p.id).handoff(secret.id, uid('Ven')), 200);
      assert.equal(await canCheckpoint('Ven', p.id, secret.id), 201);
      assert.equal(await canCheckpoint('Art', p.id, secret.id), 404);
      const handed = (await audit(w, 'task.handed_off')).filter((e) => e.projectId === p.id);
      assert.equal(handed.length, 2);
      assert.ok(handed.every((e) => e.actorId === uid('Art') && e.before.assigneeId === uid('Art') && e.after.assigneeId === uid('Ven')));
    });

    test('take over with assignment.take_over; self-assign only unassigned tasks', async () => {
      const { p, task, hidden, vendors } = await setup();
      const t = await task('Art', vendors.id);
      const free = await task(null, vendors.id);
      const secretFree = await task(null, hidden.id);
      const put = (who: string, id: string, assignee: string | null) => as(who, p.id).assign(id, assignee === null ? null : uid(assignee));

      // an Artist cannot take someone else's task, nor hand it to others
      refused(await put('Art2', t.id, 'Art2'), 403, 'forbidden', 'artist take-over');
      refused(await put('Art2', t.id, 'Art3'), 403, 'forbidden', 'artist reassign');
      refused(await put('Art2', t.id, null), 403, 'forbidden', 'artist unassigning someone else');
      refused(await put('Ven', t.id, 'Ven'), 403, 'forbidden', 'vendor take-over');
      assert.equal(await assigneeOf(p, t.id), uid('Art'));
      // a Supervisor takes over at once; pending requests of the supervisor are superseded
      const sr = must(await as('Sup', p.id).request(t.id), 201);
      must(await put('Sup', t.id, 'Sup'), 200);
      assert.equal(await assigneeOf(p, t.id), uid('Sup'));
      assert.equal((await requestRow(sr.id)).status, 'superseded');
      assert.equal(await canCheckpoint('Art', p.id, t.id), 403);
      assert.equal(await canCheckpoint('Sup', p.id, t.id), 201);
      // and may assign it on
      must(await put('Sup', t.id, 'Art3'), 200);
      assert.equal(await canCheckpoint('Art3', p.id, t.id), 201);
      // the PM takes over too (it cannot checkpoint, but holds the task)
      must(await put('PM', t.id, 'PM'), 200);
      assert.equal(await canCheckpoint('Art3', p.id, t.id), 403);

      // self-assign: an Artist on a visible unassigned task
      must(await put('Art2', free.id, 'Art2'), 200);
      assert.equal(await canCheckpoint('Art2', p.id, free.id), 201);
      refused(await put('Art3', free.id, 'Art3'), 403, 'forbidden', 'no longer unassigned');
      refused(await put('Art3', secretFree.id, 'Art3'), 404, 'not_found', 'cannot self-assign an invisible task');
      refused(await put('Ven', secretFree.id, 'Ven'), 404, 'not_found');
      refused(await put('Ven', (await task(null)).id, 'Ven'), 404, 'not_found', 'vendor: a shared task not assigned to it');
      // the assignee may give it up, then a vendor (no self_assign) cannot take it
      must(await put('Art2', free.id, null), 200);
      refused(await put('Ven', free.id, 'Ven'), 403, 'forbidden', 'vendor lacks assignment.self_assign');
      must(await put('Art3', free.id, 'Art3'), 200);

      const actions = (await audit(w, 'task.*')).filter((e) => e.projectId === p.id && [t.id, free.id].includes(e.targetId)).map((e) => [e.action, e.actorId, e.after.assigneeId]).reverse();
      assert.deepEqual(actions, [
        ['task.assigned', uid('owner'), uid('Art')], // created with an assignee
        ['task.taken_over', uid('Sup'), uid('Sup')],
        ['task.assigned', uid('Sup'), uid('Art3')],
        ['task.taken_over', uid('PM'), uid('PM')],
        ['task.self_assigned', uid('Art2'), uid('Art2')],
        ['task.unassigned', uid('Art2'), null],
        ['task.self_assigned', uid('Art3'), uid('Art3')],
      ]);
    });

    test('leaving the project: each task goes to the most senior pending requester who can checkpoint, or becomes unassigned', async () => {
      const { p, task, vendors } = await setup();
      const t1 = await task('Art');
      const t2 = await task('Art', vendors.id); // where the vendor sees it
      const t3 = await task('Art');
      const t4 = await task('Art');
      const t5 = await task('Art3');
      const t6 = await task('Art');
      // t1: Artist, Supervisor and Admin ask; the Admin wins whatever the order
      must(await as('Art2', p.id).request(t1.id), 201);
      h.clock.advance(1000);
      const supOnT1 = must(await as('Sup', p.id).request(t1.id), 201);
      h.clock.advance(1000);
      const admOnT1 = must(await as('Adm', p.id).request(t1.id), 201);
      // t2: a vendor asked first, then a supervisor: the supervisor wins
      must(await as('Ven', p.id).request(t2.id), 201);
      h.clock.advance(1000);
      must(await as('Sup2', p.id).request(t2.id), 201);
      // t3: nobody asked
      // t4: a supervisor asked, then became Production Manager (no checkpoint.create): skipped
      must(await as('Sup', p.id).request(t4.id), 201);
      h.clock.advance(1000);
      const art2OnT4 = must(await as('Art2', p.id).request(t4.id), 201);
      // the leaver's own request on t5 ends with their seat
      const artOnT5 = must(await as('Art', p.id).request(t5.id), 201);
      // t6: the Production Manager (senior, but it cannot checkpoint) asked, then an Artist: the Artist wins
      const pmOnT6 = must(await as('PM', p.id).request(t6.id), 201);
      h.clock.advance(1000);
      must(await as('Art3', p.id).request(t6.id), 201);
      must(await h.as(w.owner).patch(`/projects/${p.id}/members/${uid('Sup')}`, { roleId: p.roles.production_manager }), 200);

      // Art leaves on their own
      must(await h.as(w.u.Art).delete(`/projects/${p.id}/members/${uid('Art')}`), 200);
      assert.equal(await assigneeOf(p, t1.id), uid('Adm'));
      assert.equal(await assigneeOf(p, t2.id), uid('Sup2'));
      assert.equal(await assigneeOf(p, t3.id), null);
      assert.equal(await assigneeOf(p, t4.id), uid('Art2'));
      assert.equal(await assigneeOf(p, t5.id), uid('Art3'));
      assert.equal(await assigneeOf(p, t6.id), uid('Art3'), 'the Production Manager is skipped');
      assert.equal((await requestRow(pmOnT6.id)).status, 'pending', 'the skipped request stays, addressed to the new holder');
      assert.equal((await requestRow(admOnT1.id)).status, 'accepted');
      assert.equal((await requestRow(art2OnT4.id)).status, 'accepted');
      assert.equal((await requestRow(supOnT1.id)).status, 'pending', 'other requests stay, addressed to the new holder');
      assert.equal((await requestRow(artOnT5.id)).status, 'cancelled');
      // rights follow at once
      assert.equal(await canCheckpoint('Adm', p.id, t1.id), 201);
      assert.equal(await canCheckpoint('Sup2', p.id, t2.id), 201);
      assert.equal(await canCheckpoint('Art2', p.id, t4.id), 201);
      refused(await as('Art', p.id).checkpoint(t1.id), 404, 'not_found', 'the leaver has no project');
      refused(await as('Art', p.id).pull(), 404, 'not_found');
      // audited, every step
      const moved = (await audit(w, 'task.*')).filter((e) => e.projectId === p.id && e.action.endsWith('_on_leave'));
      const byTask = Object.fromEntries(moved.map((e) => [e.targetId, e]));
      assert.equal(moved.length, 5);
      assert.equal(byTask[t1.id].action, 'task.transferred_on_leave');
      assert.equal(byTask[t1.id].after.assigneeId, uid('Adm'));
      assert.equal(byTask[t1.id].before.assigneeId, uid('Art'));
      assert.equal(byTask[t2.id].after.assigneeId, uid('Sup2'));
      assert.equal(byTask[t3.id].action, 'task.unassigned_on_leave');
      assert.equal(byTask[t3.id].after.assigneeId, null);
      assert.equal(byTask[t4.id].after.assigneeId, uid('Art2'));
      assert.equal(byTask[t6.id].after.assigneeId, uid('Art3'));
      assert.ok((await audit(w, 'project.member.left')).some((e) => e.projectId === p.id && e.targetId === uid('Art')));
      // the change log tells the others: a pull shows the new holders
      const snap = await as('Adm', p.id).snapshot();
      assert.equal(byId(snap.assets, t1.id).assigneeId, uid('Adm'));
      assert.equal(byId(snap.assets, t3.id).assigneeId, null);
      assert.ok(!snap.members.some((m: any) => m.userId === uid('Art')));
    });

    test('removal by an admin, and a senior requester who is suspended in the studio is skipped', async () => {
      const { p, task } = await setup();
      const t1 = await task('Art3');
      const t2 = await task('Art3');
      must(await as('Sup', p.id).request(t1.id), 201);
      must(await as('Art2', p.id).request(t1.id), 201);
      must(await as('Sup', p.id).request(t2.id), 201);
      must(await h.as(w.owner).patch(`/studios/${w.studioId}/members/${uid('Sup')}`, { status: 'suspended' }), 200);
      try {
        must(await h.as(w.owner).delete(`/projects/${p.id}/members/${uid('Art3')}`), 200, 'remove the assignee');
        assert.equal(await assigneeOf(p, t1.id), uid('Art2'), 'the suspended supervisor is passed over');
        assert.equal(await assigneeOf(p, t2.id), null);
        assert.ok((await audit(w, 'project.member.removed')).some((e) => e.projectId === p.id && e.targetId === uid('Art3') && e.actorId === uid('owner')));
      } finally {
        must(await h.as(w.owner).patch(`/studios/${w.studioId}/members/${uid('Sup')}`, { status: 'active' }), 200);
      }
    });

    test('removal from the studio passes tasks on in every project of the studio', async () => {
      const a = await setup({ Quit: 'artist' });
      const b = await setup({ Quit: 'vendor' });
      const a1 = await a.task('Quit');
      const a2 = await a.task('Quit');
      const b1 = await b.task('Quit', b.vendors.id);
      must(await as('Art2', a.p.id).request(a1.id), 201);
      must(await as('Adm', a.p.id).request(a1.id), 201);
      must(await as('Ven', b.p.id).request(b1.id), 201);
      // the only requester of a2 becomes Production Manager (cannot checkpoint): skipped
      must(await as('Sup2', a.p.id).request(a2.id), 201);
      must(await h.as(w.owner).patch(`/projects/${a.p.id}/members/${uid('Sup2')}`, { roleId: a.p.roles.production_manager }), 200);
      // Quit's own pending request in project b ends with the seat (a vendor there: it sees the
      // task as a dependency of its own)
      const t = await b.task('Art');
      must(await b.A.dep(b1.id, { targetAssetId: t.id, dependencyType: 'uses' }), 201);
      const quitsOwn = must(await as('Quit', b.p.id).request(t.id), 201);

      const r = await h.as(w.owner).delete(`/studios/${w.studioId}/members/${uid('Quit')}`);
      assert.equal(r.status, 204, JSON.stringify(r.body));
      assert.equal(await assigneeOf(a.p, a1.id), uid('Adm'));
      assert.equal(await assigneeOf(a.p, a2.id), null, 'the only requester cannot checkpoint any more');
      assert.equal(await assigneeOf(b.p, b1.id), uid('Ven'));
      assert.equal((await requestRow(quitsOwn.id)).status, 'cancelled');
      assert.equal(await canCheckpoint('Adm', a.p.id, a1.id), 201);
      assert.equal(await canCheckpoint('Ven', b.p.id, b1.id), 201);
      const onLeave = (await audit(w, 'task.*')).filter((e) => e.action.endsWith('_on_leave') && [a1.id, a2.id, b1.id].includes(e.targetId));
      assert.deepEqual(onLeave.map((e) => e.action).sort(), ['task.transferred_on_leave', 'task.transferred_on_leave', 'task.unassigned_on_leave']);
      assert.ok((await audit(w, 'studio.member.removed')).some((e) => e.targetId === uid('Quit')));
      // they are gone from both projects
      assert.equal((await h.deps.db.selectFrom('project_members').select('project_id').where('user_id', '=', uid('Quit')).execute()).length, 0);
    });
  });
}
