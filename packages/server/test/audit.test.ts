// The audit log through the HTTP API: what an entry carries, filters, cursor pages, exports (JSON
// Lines, CSV), the project log and who may read it, tamper detection (edited, deleted and
// truncated entries), concurrent appends, and the `backlot admin verify-audit` command.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createHarness, dbKinds, type Caller, type Harness } from '@backlot/test-kit/harness';
import { appendAudit } from '../src/audit/log.js';
import { entryHash } from '../src/audit/chain.js';
import { verifyChain } from '../src/audit/verify.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-03-01T09:00:00.000Z'); // the TestClock's start
const iso = (ms: number) => new Date(ms).toISOString();
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CSV_COLUMNS = ['seq', 'at', 'studioId', 'projectId', 'actorId', 'action', 'targetType', 'targetId', 'before', 'after', 'ip', 'hash'];

/** RFC 4180 parsing, strict about stray quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
      } else cell += c;
      continue;
    }
    if (c === '"') {
      assert.ok(cell === '' && !wasQuoted, `stray quote in CSV at ${i}`);
      quoted = true;
      wasQuoted = true;
    } else if (c === ',') {
      row.push(cell); cell = ''; wasQuoted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = ''; wasQuoted = false;
    } else {
      assert.ok(!wasQuoted, `text after a closing quote at ${i}`);
      cell += c;
    }
  }
  assert.ok(!quoted, 'unterminated quoted cell');
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

async function allEntries(h: Harness, caller: Caller, path: string, query = ''): Promise<any[]> {
  const r = await h.as(caller).get(`${path}?limit=1000${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.nextCursor, null, 'more than one page');
  return r.body.entries;
}

async function roleId(h: Harness, caller: Caller, projectId: string, key: string): Promise<string> {
  const r = await h.as(caller).get(`/projects/${projectId}/roles`);
  const role = r.body.roles.find((x: any) => x.key === key);
  assert.ok(role, key);
  return role.id;
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BACKLOT_')));
  const cwd = mkdtempSync(join(tmpdir(), 'backlot-cli-'));
  return new Promise((res) => {
    execFile(process.execPath, [join(REPO, 'packages/cli/bin/backlot.js'), ...args], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
      rmSync(cwd, { recursive: true, force: true });
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : -1) : 0;
      res({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A studio whose chain holds `studio.created` plus `renames` studio.updated entries. */
async function studioWithEntries(h: Harness, renames: number) {
  const admin = await h.setupAdmin();
  const s = await h.as(admin).post('/studios', { name: 'Chain' });
  assert.equal(s.status, 201);
  for (let i = 1; i <= renames; i++) {
    h.clock.advance(60_000);
    const r = await h.as(admin).patch(`/studios/${s.body.id}`, { name: `Chain ${i}` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const ok = await h.as(admin).get(`/studios/${s.body.id}/audit/verify`);
  assert.deepEqual(ok.body, { scope: s.body.id, ok: true, entries: renames + 1 });
  return { admin, studioId: s.body.id as string };
}

for (const kind of dbKinds()) {
  describe(`audit log: entries, filters, pages, exports, project log (${kind})`, () => {
    let h: Harness;
    let admin: Caller, bob: Caller, dave: Caller;
    let S: string, P1: string, P2: string;
    const P1_NAME = 'Smith, "The" Show';
    const P2_NAME = '=SUM(A1:A9)';

    before(async () => {
      h = await createHarness(kind);
      // Day 0: the studio and its people.
      admin = await h.setupAdmin();
      bob = await h.user('bob@studio.test', 'Bob');
      dave = await h.user('dave@studio.test', 'Dave');
      const s = await h.as(admin).post('/studios', { name: 'Kugali' });
      S = s.body.id;
      const inv = await h.as(admin).post(`/studios/${S}/invitations`, { emails: [bob.email, dave.email, 'newcomer@studio.test'], role: 'member' });
      assert.deepEqual(inv.body.results.map((r: any) => r.outcome), ['added', 'added', 'invited']);
      // Day 1: projects with awkward names, a studio rename.
      h.clock.advance(DAY);
      const p1 = await h.as(admin).post(`/studios/${S}/projects`, { name: P1_NAME });
      const p2 = await h.as(admin).post(`/studios/${S}/projects`, { name: P2_NAME });
      assert.equal(p1.status, 201, JSON.stringify(p1.body));
      assert.equal(p2.status, 201, JSON.stringify(p2.body));
      P1 = p1.body.id;
      P2 = p2.body.id;
      assert.equal((await h.as(admin).patch(`/studios/${S}`, { name: 'Kugali Animation' })).status, 200);
      // Day 2: project seats; Bob leaves P2 himself.
      h.clock.advance(DAY);
      assert.equal((await h.as(admin).post(`/projects/${P1}/members`, { userIds: [bob.userId], roleId: await roleId(h, admin, P1, 'artist') })).status, 201);
      assert.equal((await h.as(admin).post(`/projects/${P1}/members`, { userIds: [dave.userId], roleId: await roleId(h, admin, P1, 'production_manager') })).status, 201);
      assert.equal((await h.as(admin).post(`/projects/${P2}/members`, { userIds: [bob.userId], roleId: await roleId(h, admin, P2, 'artist') })).status, 201);
      assert.equal((await h.as(bob).delete(`/projects/${P2}/members/${bob.userId}`)).status, 200);
      // Day 3: refused reads (audited), a rename by the Production Manager.
      h.clock.advance(DAY);
      assert.equal((await h.as(bob).get(`/studios/${S}/audit`)).status, 403);
      assert.equal((await h.as(bob).get(`/projects/${P1}/audit`)).status, 403);
      assert.equal((await h.as(bob).get(`/projects/${P2}/audit`)).status, 404);
      assert.equal((await h.as(dave).patch(`/projects/${P1}`, { name: `${P1_NAME} II` })).status, 200);
    });
    after(async () => { await h.close(); });

    test('entries carry actor, target, before/after, ip and time, newest first', async () => {
      const all = await allEntries(h, admin, `/studios/${S}/audit`);
      assert.deepEqual(all.map((e) => e.seq), all.map((_, i) => all.length - i), 'seq runs N..1 without gaps');
      const known = new Set(['studio.created', 'studio.member.added', 'invitation.created', 'project.created', 'studio.updated', 'project.member.added', 'project.member.left', 'request.refused', 'project.renamed']);
      assert.deepEqual(all.filter((e) => known.has(e.action)).map((e) => e.action).reverse(), [
        'studio.created', 'studio.member.added', 'studio.member.added', 'invitation.created',
        'project.created', 'project.created', 'studio.updated',
        'project.member.added', 'project.member.added', 'project.member.added', 'project.member.left',
        'request.refused', 'request.refused', 'request.refused', 'project.renamed',
      ]);
      const upd = all.find((e) => e.action === 'studio.updated');
      assert.equal(upd.actorId, admin.userId);
      assert.equal(upd.studioId, S);
      assert.equal(upd.projectId, null);
      assert.equal(upd.targetType, 'studio');
      assert.equal(upd.targetId, S);
      assert.deepEqual(upd.before, { name: 'Kugali', allowedEmailDomains: [] });
      assert.deepEqual(upd.after, { name: 'Kugali Animation', allowedEmailDomains: [] });
      assert.equal(upd.ip, '127.0.0.1');
      assert.equal(upd.at, iso(T0 + DAY));
      assert.match(upd.hash, /^[0-9a-f]{64}$/);

      const seat = all.find((e) => e.action === 'project.member.added' && e.targetId === bob.userId && e.projectId === P1);
      assert.ok(seat);
      assert.equal(seat.targetType, 'user');
      assert.equal(seat.after.roleName, 'Artist');
      assert.equal(seat.at, iso(T0 + 2 * DAY));
      const renamed = all.find((e) => e.action === 'project.renamed');
      assert.equal(renamed.actorId, dave.userId);
      assert.deepEqual(renamed.before, { name: P1_NAME });
      assert.deepEqual(renamed.after, { name: `${P1_NAME} II` });
      const refused = all.filter((e) => e.action === 'request.refused');
      assert.ok(refused.every((e) => e.actorId === bob.userId && e.at === iso(T0 + 3 * DAY)));
      assert.deepEqual(refused.map((e) => e.projectId).reverse(), [null, P1, P2]);
    });

    test('filters: actor, action (exact and prefix.*), target, time range', async () => {
      const all = await allEntries(h, admin, `/studios/${S}/audit`);
      const seqs = (xs: any[]) => xs.map((e) => e.seq);
      const q = (query: string) => allEntries(h, admin, `/studios/${S}/audit`, query);

      const byBob = await q(`&actor=${bob.userId}`);
      assert.deepEqual(seqs(byBob), seqs(all.filter((e) => e.actorId === bob.userId)));
      assert.deepEqual(byBob.map((e) => e.action).reverse(), ['project.member.left', 'request.refused', 'request.refused', 'request.refused']);
      const byAdmin = await q(`&actor=${admin.userId}`);
      assert.ok(byAdmin.length > 0 && byAdmin.every((e) => e.actorId === admin.userId));
      assert.deepEqual(seqs(byAdmin), seqs(all.filter((e) => e.actorId === admin.userId)));

      const created = await q('&action=project.created');
      assert.deepEqual(created.map((e) => e.targetId).sort(), [P1, P2].sort());
      const projectStar = await q('&action=project.*');
      assert.deepEqual(seqs(projectStar), seqs(all.filter((e) => e.action.startsWith('project.'))));
      assert.equal(projectStar.length, 7);
      const memberStar = await q('&action=project.member.*');
      assert.deepEqual(memberStar.map((e) => e.action).reverse(), ['project.member.added', 'project.member.added', 'project.member.added', 'project.member.left']);
      const studioStar = await q('&action=studio.*');
      assert.deepEqual(seqs(studioStar), seqs(all.filter((e) => e.action.startsWith('studio.'))));
      assert.ok(!studioStar.some((e) => e.action.startsWith('project.')));
      assert.equal((await q('&action=project')).length, 0, 'an exact action matches exactly');
      assert.equal((await q('&action=proj.*')).length, 0, 'a prefix matches whole segments');
      assert.equal((await q('&action=%25.*')).length, 0, 'LIKE wildcards are not wildcards');
      assert.equal((await q('&action=PROJECT.*')).length, 0, 'actions match case-sensitively, on every database');
      assert.equal((await q('&action=project.member_.*')).length, 0);

      const onP1 = await q(`&targetType=project&targetId=${P1}`);
      assert.deepEqual(onP1.map((e) => e.action), ['project.renamed', 'project.created']);
      const onUsers = await q('&targetType=user');
      assert.deepEqual(seqs(onUsers), seqs(all.filter((e) => e.targetType === 'user')));
      const onBob = await q(`&targetId=${bob.userId}`);
      assert.deepEqual(seqs(onBob), seqs(all.filter((e) => e.targetId === bob.userId)));
      assert.equal(onBob.length, 4);

      const inRange = (from: number, to: number) => seqs(all.filter((e) => Date.parse(e.at) >= from && Date.parse(e.at) < to));
      const day2 = await q(`&from=${iso(T0 + 1.5 * DAY)}&to=${iso(T0 + 2.5 * DAY)}`);
      assert.deepEqual(seqs(day2), inRange(T0 + 1.5 * DAY, T0 + 2.5 * DAY));
      assert.equal(day2.length, 4);
      assert.ok(day2.every((e) => e.at === iso(T0 + 2 * DAY)));
      const since3 = await q(`&from=${encodeURIComponent(iso(T0 + 2.5 * DAY))}`);
      assert.equal(since3.length, 4);
      const until1 = await q(`&to=${iso(T0 + 0.5 * DAY)}`);
      assert.deepEqual(seqs(until1), inRange(0, T0 + 0.5 * DAY));
      assert.deepEqual(until1.map((e) => e.action).reverse(), ['studio.created', 'studio.member.added', 'studio.member.added', 'invitation.created']);
      const dateOnly = await q('&from=2026-03-03&to=2026-03-04');
      assert.equal(dateOnly.length, 4);

      const combined = await q(`&actor=${admin.userId}&action=project.*&from=${iso(T0 + 1.5 * DAY)}`);
      assert.deepEqual(combined.map((e) => e.action), ['project.member.added', 'project.member.added', 'project.member.added']);

      for (const bad of ['&from=yesterday', '&to=2026-13-45T99:00:00Z', '&cursor=abc', '&cursor=0', '&actor=bob', '&limit=-1', '&unknown=1', '&format=xml'])
        assert.equal((await h.as(admin).get(`/studios/${S}/audit?${bad.slice(1)}`)).status, 400, bad);
      // Strings Date.parse would bend into a date: injection-looking text (read as 2001-01-01),
      // a day that does not exist (rolled into March), a time without a zone (server's own zone).
      for (const bad of [`x' OR '1'='1`, '2026-02-30', '2026-02-30T10:00:00Z', '2026-03-01T10:00', 'March 3, 2026', '1', '2026-03-01T24:00:00Z', '+002026-03-01']) {
        const r = await h.as(admin).get(`/studios/${S}/audit?from=${encodeURIComponent(bad)}`);
        assert.equal(r.status, 400, `from=${bad} answered ${r.status}`);
        assert.equal(r.body.error.details.field, 'from');
      }
      assert.equal((await q('&from=2026-03-03T00:00:00%2B00:00&to=2026-03-04T01:00:00%2B01:00')).length, 4, 'offsets are understood');
      // Exports stream lazily: a bad filter must still be a clean 400, not a torn 200.
      for (const format of ['csv', 'jsonl'])
        for (const bad of ['from=yesterday', 'cursor=abc']) {
          const r = await h.as(admin).get(`/studios/${S}/audit?format=${format}&${bad}`);
          assert.equal(r.status, 400, `${format} ${bad}`);
          assert.equal(r.body.error.code, 'validation_failed');
        }
    });

    test('cursor pages return every entry exactly once, newest first', async () => {
      const all = await allEntries(h, admin, `/studios/${S}/audit`);
      for (const [limit, query] of [[1, ''], [4, ''], [7, ''], [2, '&action=project.*'], [3, `&actor=${bob.userId}`]] as const) {
        const want = query ? await allEntries(h, admin, `/studios/${S}/audit`, query) : all;
        const got: number[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const r = await h.as(admin).get(`/studios/${S}/audit?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
          assert.equal(r.status, 200, JSON.stringify(r.body));
          assert.ok(r.body.entries.length <= limit);
          got.push(...r.body.entries.map((e: any) => e.seq));
          cursor = r.body.nextCursor;
          pages++;
          assert.ok(pages <= want.length + 1, 'paging does not end');
        } while (cursor);
        assert.deepEqual(got, want.map((e) => e.seq), `limit ${limit}${query}`);
        assert.equal(new Set(got).size, got.length);
        assert.equal(pages, Math.max(1, Math.ceil(want.length / limit)));
      }
    });

    test('new entries written while paging do not shift or repeat pages', async () => {
      const snapshot = await allEntries(h, admin, `/studios/${S}/audit`);
      const first = await h.as(admin).get(`/studios/${S}/audit?limit=5`);
      assert.equal((await h.as(admin).patch(`/studios/${S}`, { name: 'Kugali Studio' })).status, 200);
      const got = first.body.entries.map((e: any) => e.seq);
      let cursor = first.body.nextCursor;
      while (cursor) {
        const r = await h.as(admin).get(`/studios/${S}/audit?limit=5&cursor=${cursor}`);
        got.push(...r.body.entries.map((e: any) => e.seq));
        cursor = r.body.nextCursor;
      }
      assert.deepEqual(got, snapshot.map((e) => e.seq));
    });

    test('export as JSON Lines: every entry, same content as the API', async () => {
      const all = await allEntries(h, admin, `/studios/${S}/audit`);
      const r = await h.as(admin).get(`/studios/${S}/audit?format=jsonl`);
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /^application\/x-ndjson/);
      assert.match(String(r.headers['content-disposition']), new RegExp(`attachment; filename="audit-${S}\\.jsonl"`));
      assert.ok(r.raw.body.endsWith('\n'));
      const lines = r.raw.body.trimEnd().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(lines, all);
      const filtered = await h.as(admin).get(`/studios/${S}/audit?format=jsonl&action=project.member.*`);
      assert.equal(filtered.raw.body.trimEnd().split('\n').length, 4);
    });

    test('export as CSV: every row, quoting, names with commas and quotes, formula-looking names', async () => {
      const all = await allEntries(h, admin, `/studios/${S}/audit`);
      const r = await h.as(admin).get(`/studios/${S}/audit?format=csv`);
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /^text\/csv/);
      assert.match(String(r.headers['content-disposition']), /attachment; filename=".*\.csv"/);
      const rows = parseCsv(r.raw.body);
      assert.deepEqual(rows[0], CSV_COLUMNS);
      const body = rows.slice(1);
      assert.equal(body.length, all.length);
      const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
      body.forEach((row, i) => {
        assert.equal(row.length, CSV_COLUMNS.length, `row ${i}`);
        assert.deepEqual(row, CSV_COLUMNS.map((c) => cell(all[i][c])), `row ${i}`);
        for (const c of row) assert.ok(!/^[=+\-@\t\r]/.test(c), `a cell starts like a formula: ${c}`);
      });
      const createdRows = body.filter((row) => row[5] === 'project.created');
      const names = createdRows.map((row) => JSON.parse(row[9]).name).sort();
      assert.deepEqual(names, [P1_NAME, P2_NAME].sort());
      assert.ok(r.raw.body.includes('Smith, \\""The\\"" Show'), 'quotes inside a cell are doubled');
      // Every non-header line is fully quoted, so no spreadsheet evaluates any of it.
      for (const line of r.raw.body.trimEnd().split('\n').slice(1)) assert.ok(line.startsWith('"') && line.endsWith('"'), line);

      const projOnly = await h.as(admin).get(`/studios/${S}/audit?format=csv&action=project.*`);
      assert.equal(parseCsv(projOnly.raw.body).length - 1, all.filter((e) => e.action.startsWith('project.')).length);
    });

    test('project log: only that project, needs audit.view', async () => {
      const all = await allEntries(h, admin, `/studios/${S}/audit`);
      const p1 = await allEntries(h, admin, `/projects/${P1}/audit`);
      assert.deepEqual(p1.map((e) => e.seq), all.filter((e) => e.projectId === P1).map((e) => e.seq));
      assert.ok(p1.length >= 5);
      assert.ok(p1.every((e) => e.projectId === P1));
      assert.ok(p1.some((e) => e.action === 'project.created'));
      const p2 = await allEntries(h, admin, `/projects/${P2}/audit`);
      assert.ok(p2.every((e) => e.projectId === P2));
      assert.ok(p2.some((e) => e.action === 'project.member.left'));

      // The Production Manager holds audit.view.
      const asPm = await allEntries(h, dave, `/projects/${P1}/audit`);
      assert.deepEqual(asPm.map((e) => e.seq), p1.map((e) => e.seq));
      const pmFiltered = await allEntries(h, dave, `/projects/${P1}/audit`, '&action=project.member.*');
      assert.deepEqual(pmFiltered.map((e) => e.targetId).sort(), [bob.userId, dave.userId].sort());
      const pmCsv = await h.as(dave).get(`/projects/${P1}/audit?format=csv`);
      assert.equal(pmCsv.status, 200);
      assert.equal(parseCsv(pmCsv.raw.body).length - 1, p1.length);
      const pmPage = await h.as(dave).get(`/projects/${P1}/audit?limit=2`);
      assert.equal(pmPage.body.entries.length, 2);
      const pmNext = await h.as(dave).get(`/projects/${P1}/audit?limit=1000&cursor=${pmPage.body.nextCursor}`);
      assert.deepEqual([...pmPage.body.entries, ...pmNext.body.entries].map((e: any) => e.seq), p1.map((e) => e.seq));

      // An Artist lacks audit.view; a former member and an outsider see nothing.
      const asArtist = await h.as(bob).get(`/projects/${P1}/audit`);
      assert.equal(asArtist.status, 403);
      assert.equal((await h.as(bob).get(`/projects/${P1}/audit?format=csv`)).status, 403);
      assert.equal((await h.as(bob).get(`/projects/${P2}/audit`)).status, 404);
      assert.equal((await h.as(dave).get(`/projects/${P2}/audit`)).status, 404);
      const outsider = await h.user('outsider@else.test');
      assert.equal((await h.as(outsider).get(`/projects/${P1}/audit`)).status, 404);
      assert.equal((await h.request('GET', `/projects/${P1}/audit`)).status, 401);
    });

    test('studio log: members (non-admins) get 403, outsiders 404; admins read and verify', async () => {
      for (const path of [`/studios/${S}/audit`, `/studios/${S}/audit?format=csv`, `/studios/${S}/audit?format=jsonl`, `/studios/${S}/audit/verify`]) {
        const r = await h.as(dave).get(path);
        assert.equal(r.status, 403, path);
        assert.equal(r.body.error.code, 'forbidden');
      }
      const outsider = await h.user('stranger@else.test');
      assert.equal((await h.as(outsider).get(`/studios/${S}/audit`)).status, 404);
      assert.equal((await h.request('GET', `/studios/${S}/audit`)).status, 401);

      // A studio admin (not owner) reads the log.
      const anna = await h.user('anna@studio.test');
      await h.as(admin).post(`/studios/${S}/invitations`, { emails: [anna.email], role: 'admin' });
      assert.equal((await h.as(anna).get(`/studios/${S}/audit`)).status, 200);

      const all = await allEntries(h, admin, `/studios/${S}/audit`);
      const v = await h.as(admin).get(`/studios/${S}/audit/verify`);
      assert.equal(v.status, 200);
      assert.deepEqual(v.body, { scope: S, ok: true, entries: all.length });
    });
  });

  describe(`audit log: tamper detection (${kind})`, () => {
    let h: Harness | undefined;
    after(async () => { await h?.close(); });
    const fresh = async () => {
      await h?.close();
      h = await createHarness(kind);
      return { h, ...(await studioWithEntries(h, 5)) };
    };

    test('an edited `after` column → hash_mismatch at that entry', async () => {
      const { h, admin, studioId } = await fresh();
      await h.deps.db.updateTable('audit_log').set({ after: JSON.stringify({ name: 'Forged' }) }).where('scope', '=', studioId).where('seq', '=', 3).execute();
      const v = await h.as(admin).get(`/studios/${studioId}/audit/verify`);
      assert.equal(v.status, 200);
      assert.equal(v.body.ok, false);
      assert.deepEqual(v.body.broken, { seq: 3, reason: 'hash_mismatch' });
      assert.equal(v.body.entries, 2);
      // Other chains are untouched.
      assert.equal((await verifyChain(h.deps.db, 'instance')).ok, true);
    });

    test('a deleted middle entry → missing_entry at its seq', async () => {
      const { h, admin, studioId } = await fresh();
      await h.deps.db.deleteFrom('audit_log').where('scope', '=', studioId).where('seq', '=', 4).execute();
      const v = await h.as(admin).get(`/studios/${studioId}/audit/verify`);
      assert.equal(v.body.ok, false);
      assert.deepEqual(v.body.broken, { seq: 4, reason: 'missing_entry' });
    });

    test('a deleted last entry → truncated', async () => {
      const { h, admin, studioId } = await fresh();
      await h.deps.db.deleteFrom('audit_log').where('scope', '=', studioId).where('seq', '=', 6).execute();
      const v = await h.as(admin).get(`/studios/${studioId}/audit/verify`);
      assert.equal(v.body.ok, false);
      assert.deepEqual(v.body.broken, { seq: 6, reason: 'truncated' });
      assert.equal(v.body.entries, 5);
    });

    test('an edit with a recomputed hash still breaks the next link', async () => {
      const { h, admin, studioId } = await fresh();
      const row = await h.deps.db.selectFrom('audit_log').selectAll().where('scope', '=', studioId).where('seq', '=', 2).executeTakeFirstOrThrow();
      const { hash: _old, ...fields } = row;
      const forged = { ...fields, seq: Number(fields.seq), actor_id: null, after: JSON.stringify({ name: 'Forged' }) };
      await h.deps.db.updateTable('audit_log').set({ actor_id: null, after: forged.after, hash: entryHash(forged) }).where('scope', '=', studioId).where('seq', '=', 2).execute();
      const v = await h.as(admin).get(`/studios/${studioId}/audit/verify`);
      assert.equal(v.body.ok, false);
      assert.deepEqual(v.body.broken, { seq: 3, reason: 'prev_hash_mismatch' });
    });
  });

  describe(`audit log: a missing chain head (${kind})`, () => {
    let h: Harness;
    before(async () => { h = await createHarness(kind); });
    after(async () => { await h.close(); });

    test('deleting the head along with the last entry is not reported as intact', async () => {
      const { admin, studioId } = await studioWithEntries(h, 2);
      await h.deps.db.deleteFrom('audit_log').where('scope', '=', studioId).where('seq', '=', 3).execute();
      await h.deps.db.deleteFrom('audit_heads').where('scope', '=', studioId).execute();
      const v = await h.as(admin).get(`/studios/${studioId}/audit/verify`);
      assert.equal(v.body.ok, false, JSON.stringify(v.body));
      assert.deepEqual(v.body.broken, { seq: 3, reason: 'truncated' });
    });
  });

  describe(`audit log: concurrent appends (${kind})`, () => {
    let h: Harness;
    before(async () => { h = await createHarness(kind); });
    after(async () => { await h.close(); });

    test('30 mutations in parallel: no duplicate seq, no failure, and the chain verifies', async () => {
      const admin = await h.setupAdmin();
      const member = await h.user('member@studio.test');
      const s = await h.as(admin).post('/studios', { name: 'Busy' });
      const S = s.body.id;
      await h.as(admin).post(`/studios/${S}/invitations`, { emails: [member.email], role: 'member' });
      const p = await h.as(admin).post(`/studios/${S}/projects`, { name: 'Base' });
      const artist = await roleId(h, admin, p.body.id, 'artist');
      const others = await Promise.all([1, 2, 3, 4, 5].map((i) => h.user(`u${i}@studio.test`)));
      await h.as(admin).post(`/studios/${S}/invitations`, { emails: others.map((o) => o.email), role: 'member' });
      const base = (await allEntries(h, admin, `/studios/${S}/audit`)).length;

      const jobs: Promise<{ status: number; body: any }>[] = [];
      for (let i = 0; i < 8; i++) jobs.push(h.as(admin).post(`/studios/${S}/projects`, { name: `Parallel ${i}` }));
      for (let i = 0; i < 8; i++) jobs.push(h.as(admin).post(`/studios/${S}/invitations`, { emails: [`p${i}@studio.test`], role: 'member' }));
      for (let i = 0; i < 5; i++) jobs.push(h.as(admin).patch(`/studios/${S}`, { name: `Busy ${i}` }));
      for (let i = 0; i < 5; i++) jobs.push(h.as(admin).post(`/projects/${p.body.id}/members`, { userIds: [others[i].userId], roleId: artist }));
      for (let i = 0; i < 4; i++) jobs.push(h.as(member).get(`/studios/${S}/audit`));
      const results = await Promise.all(jobs);
      const expected = [...Array(8).fill(201), ...Array(8).fill(201), ...Array(5).fill(200), ...Array(5).fill(201), ...Array(4).fill(403)];
      assert.deepEqual(results.map((r) => r.status), expected, JSON.stringify(results.filter((r) => r.status >= 500).map((r) => r.body)));

      const all = await allEntries(h, admin, `/studios/${S}/audit`);
      assert.equal(all.length, base + 30);
      const seqs = all.map((e) => e.seq);
      assert.equal(new Set(seqs).size, seqs.length, 'duplicate seq');
      assert.deepEqual(seqs, seqs.map((_, i) => seqs.length - i));
      const count = (a: string) => all.filter((e) => e.action === a).length;
      assert.equal(count('project.created'), 9);
      assert.equal(count('invitation.created'), 8);
      assert.equal(count('studio.updated'), 5);
      assert.equal(count('project.member.added'), 5);
      assert.equal(count('request.refused'), 4);

      const v = await h.as(admin).get(`/studios/${S}/audit/verify`);
      assert.deepEqual(v.body, { scope: S, ok: true, entries: all.length });
      const head = await h.deps.db.selectFrom('audit_heads').select(['seq', 'hash']).where('scope', '=', S).executeTakeFirstOrThrow();
      assert.equal(Number(head.seq), all.length);
      assert.equal(head.hash, all[0].hash);
    });
  });

  describe(`audit log: a chain longer than one page (${kind})`, () => {
    let h: Harness;
    before(async () => { h = await createHarness(kind); });
    after(async () => { await h.close(); });

    test('export, paging and verification cross the 1000-entry page boundary', async () => {
      const { admin, studioId } = await studioWithEntries(h, 1);
      await h.deps.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 1205; i++) {
          h.clock.advance(1000);
          await appendAudit(trx, { studioId, actorId: admin.userId, action: 'test.bulk', targetType: 'n', targetId: String(i), after: { i }, ip: '10.0.0.1' }, h.clock.now().toISOString());
        }
      });
      const total = 1207;
      assert.deepEqual((await h.as(admin).get(`/studios/${studioId}/audit/verify`)).body, { scope: studioId, ok: true, entries: total });

      const page1 = await h.as(admin).get(`/studios/${studioId}/audit?limit=1000`);
      assert.equal(page1.body.entries.length, 1000);
      const page2 = await h.as(admin).get(`/studios/${studioId}/audit?limit=1000&cursor=${page1.body.nextCursor}`);
      assert.equal(page2.body.entries.length, total - 1000);
      assert.equal(page2.body.nextCursor, null);

      const jsonl = await h.as(admin).get(`/studios/${studioId}/audit?format=jsonl`);
      const seqs = jsonl.raw.body.trimEnd().split('\n').map((l) => JSON.parse(l).seq);
      assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => total - i));
      const csv = parseCsv((await h.as(admin).get(`/studios/${studioId}/audit?format=csv`)).raw.body);
      assert.equal(csv.length, total + 1);
      assert.equal(new Set(csv.slice(1).map((r) => r[0])).size, total);

      // Breaks on the second verification page are found too.
      await h.deps.db.updateTable('audit_log').set({ ip: '10.9.9.9' }).where('scope', '=', studioId).where('seq', '=', 1100).execute();
      assert.deepEqual((await h.as(admin).get(`/studios/${studioId}/audit/verify`)).body.broken, { seq: 1100, reason: 'hash_mismatch' });
    });
  });

  describe(`audit log: backlot admin verify-audit (${kind})`, () => {
    let h: Harness;
    before(async () => { h = await createHarness(kind); });
    after(async () => { await h.close(); });

    test('exits 0 when intact, 3 with a BROKEN line after tampering', async () => {
      const { studioId } = await studioWithEntries(h, 3);
      let target: string[];
      if (kind === 'sqlite') target = ['--data', h.deps.config.dataDir];
      else {
        const r = await sql<{ name: string }>`select current_database() as name`.execute(h.deps.db);
        const url = new URL(process.env.BACKLOT_TEST_PG!);
        url.pathname = `/${r.rows[0].name}`;
        target = ['--database', url.toString()];
      }
      const ok = await runCli(['admin', 'verify-audit', ...target]);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, new RegExp(`^ok\\s+${studioId}: 4 entries$`, 'm'));
      assert.match(ok.stdout, /^ok\s+instance: \d+ entries$/m);
      assert.doesNotMatch(ok.stdout, /BROKEN/);

      await h.deps.db.updateTable('audit_log').set({ after: JSON.stringify({ name: 'Forged' }) }).where('scope', '=', studioId).where('seq', '=', 2).execute();
      const broken = await runCli(['admin', 'verify-audit', ...target]);
      assert.equal(broken.code, 3, broken.stdout + broken.stderr);
      assert.match(broken.stdout, new RegExp(`^BROKEN\\s+${studioId}: first broken link at entry 2 \\(hash_mismatch\\)$`, 'm'));
      assert.match(broken.stdout, /^ok\s+instance:/m, 'the intact chain is still reported ok');
    });
  });
}
