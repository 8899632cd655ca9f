// The read side of production tracking through the HTTP API: board, asset list and detail,
// collection tree, trail, checkpoint history, control requests, trash, statuses and settings.
// Every route is checked for visibility (an Artist or Vendor never sees an invisible name or
// count; parents seen by name only show only their names), every filter alone and combined,
// pagination (each item exactly once, stable order) under every search strategy.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, dbKinds, type Caller, type Harness, type Reply } from '@backlot/test-kit/harness';

const HASH = (c: string) => c.repeat(64).slice(0, 64);

function ok(r: Reply, status = 200, what = ''): any {
  assert.equal(r.status, status, `${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

function refused(r: Reply, status: number, code: string, what = '') {
  assert.equal(r.status, status, `${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body?.error?.code, code, `${what}: ${JSON.stringify(r.body)}`);
}

/** Names the fixture hides from the Artist (and, but for hero/rock, from the Vendor). */
const HIDDEN_FROM_ARTIST = ['villain', 'herorig', 'rock', 'plan', 'readme', 'Hidden', 'Chars', 'Deep', 'Secret'];
/** A Vendor sees only what is assigned to them and its dependencies: not even shared collections. */
const HIDDEN_FROM_VENDOR = ['villain', 'herorig', 'plan', 'readme', 'Deep', 'sword', 'shield', 'lamp', 'dup', 'b00', 'Shared', 'Props', 'Bulk'];

for (const kind of dbKinds()) {
  describe(`browse: board, lists, trail, trash (${kind})`, () => {
    let h: Harness;
    let admin: Caller, pm: Caller, sup: Caller, artist: Caller, art2: Caller, vendor: Caller, outsider: Caller;
    let pid: string;
    let roles: Record<string, string>;
    let st: Record<string, string>;
    const col: Record<string, string> = {};
    const as: Record<string, string> = {};
    const nameOf = new Map<string, string>();

    const get = async (who: Caller, path: string, status = 200) => ok(await h.as(who).get(`/projects/${pid}${path}`), status, `GET ${path}`);
    const put = async (who: Caller, path: string, body: unknown) => ok(await h.request('PUT', `/projects/${pid}${path}`, { token: who.token, body }), 200, `PUT ${path}`);
    const post = async (who: Caller, path: string, body: unknown, status = 201) => ok(await h.as(who).post(`/projects/${pid}${path}`, body), status, `POST ${path}`);
    const tick = (ms = 1000) => h.clock.advance(ms);
    /**
     * A checkpoint by `who`: its chunks and preview are made present for them first, as if they
     * had uploaded them (the upload route is the content suite's business).
     */
    const checkpoint = async (who: Caller, assetId: string, body: { chunks: string[]; previewHash?: string; [k: string]: unknown }) => {
      const at = h.clock.now().toISOString();
      h.pretendStored(pid, body.chunks);
      for (const id of new Set([...body.chunks, ...(body.previewHash ? [body.previewHash] : [])]))
        await (h.deps.db as any).insertInto('project_chunks')
          .values({ project_id: pid, chunk_id: id, size: 10, stored_size: 10, created_at: at, created_by: who.userId })
          .onConflict((oc: any) => oc.columns(['project_id', 'chunk_id']).doUpdateSet({ created_by: who.userId }))
          .execute();
      return post(who, `/assets/${assetId}/checkpoints`, { fileHash: body.chunks[0], size: 10 * body.chunks.length, ...body });
    };

    /** Every page of a list query, in order. */
    async function walk(who: Caller, path: string, limit: number): Promise<any[]> {
      const out: any[] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 500; guard++) {
        const sep = path.includes('?') ? '&' : '?';
        const body = await get(who, `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        assert.ok(body.items.length <= limit);
        out.push(...body.items);
        cursor = body.nextCursor;
        if (!cursor) return out;
      }
      throw new Error('pagination did not end');
    }
    const names = (items: any[]) => items.map((a) => a.name).sort();

    before(async () => {
      h = await createHarness(kind);
      admin = await h.setupAdmin();
      pm = await h.user('pm@studio.test', 'Pat PM');
      sup = await h.user('sup@studio.test', 'Sue Supervisor');
      artist = await h.user('artist@studio.test', 'Ari Artist');
      art2 = await h.user('art2@studio.test', 'Bea Artist');
      vendor = await h.user('vendor@studio.test', 'Val Vendor');
      outsider = await h.user('outsider@studio.test', 'Olly Outsider');
      const s = ok(await h.as(admin).post('/studios', { name: 'S' }), 201);
      ok(await h.as(admin).post(`/studios/${s.id}/invitations`, { emails: [pm, sup, artist, art2, vendor, outsider].map((c) => c.email), role: 'member' }), 201);
      pid = ok(await h.as(admin).post(`/studios/${s.id}/projects`, { name: 'P' }), 201).id;
      roles = Object.fromEntries(ok(await h.as(admin).get(`/projects/${pid}/roles`)).roles.map((x: any) => [x.key, x.id]));
      const seat = async (c: Caller, role: string) => ok(await h.as(admin).post(`/projects/${pid}/members`, { userIds: [c.userId], roleId: roles[role] }), 201);
      await seat(pm, 'production_manager');
      await seat(sup, 'supervisor');
      await seat(artist, 'artist');
      await seat(art2, 'artist');
      await seat(vendor, 'vendor');
      st = Object.fromEntries((await get(admin, '/statuses')).statuses.map((x: any) => [x.key, x.id]));

      const mkCol = async (name: string, parent: string | null, shared = false) => {
        col[name] = (await post(admin, '/collections', { parentId: parent ? col[parent] : null, name, shared })).id;
      };
      await mkCol('Shared', null, true);
      await mkCol('Props', 'Shared');
      await mkCol('Bulk', 'Shared');
      await mkCol('Hidden', null);
      await mkCol('Chars', 'Hidden');
      await mkCol('Deep', 'Chars');
      await mkCol('Secret', null);
      ok(await h.request('PATCH', `/projects/${pid}/settings`, { token: admin.token, body: { tags: ['hero', 'metal'] } }));

      const mk = async (key: string, body: Record<string, unknown>, place: string | null) => {
        tick(10);
        const a = await post(admin, '/assets', { collectionId: place ? col[place] : null, ...body });
        as[key] = a.id;
        nameOf.set(a.id, key);
        return a;
      };
      await mk('sword', { name: 'sword', extension: 'blend', kind: 'task', assetType: 'Model', tags: ['hero', 'metal'], assigneeId: artist.userId }, 'Shared');
      await mk('shield', { name: 'shield', extension: 'blend', kind: 'task', assetType: 'Model', tags: ['metal'] }, 'Props');
      await mk('lamp', { name: 'lamp', extension: 'png', assetType: 'Texture' }, 'Shared');
      await mk('hero', { name: 'hero', extension: 'blend', kind: 'task', assetType: 'Model', assigneeId: vendor.userId }, 'Chars');
      await mk('villain', { name: 'villain', extension: 'ma', kind: 'task', assetType: 'Rig', tags: ['hero'] }, 'Chars');
      await mk('herorig', { name: 'herorig', extension: 'blend', kind: 'task', assetType: 'Rig', assigneeId: art2.userId }, 'Deep');
      await mk('rock', { name: 'rock', extension: 'obj', assetType: 'Model' }, 'Secret');
      await mk('plan', { name: 'plan', extension: 'txt', kind: 'task', assetType: 'Concept' }, 'Secret');
      await mk('readme', { name: 'readme', extension: 'txt' }, null);
      // Same name in three places: only the id tells them apart in a name sort.
      for (const place of ['Shared', 'Props', 'Bulk']) await mk(`dup-${place}`, { name: 'dup', extension: 'png' }, place);
      // Twelve tasks; some created in the same millisecond (ties on created/updated).
      for (let i = 0; i < 12; i++) {
        if (i % 3 === 0) tick(10);
        const a = await post(admin, '/assets', { collectionId: col.Bulk, name: `b${String(i).padStart(2, '0')}`, extension: 'psd', kind: 'task', assetType: 'Concept', tags: i % 2 ? ['metal'] : [] });
        as[`b${i}`] = a.id;
        nameOf.set(a.id, a.name);
      }
      tick(10);
      await post(admin, `/assets/${as.hero}/dependencies`, { targetAssetId: as.rock, dependencyType: 'uses' });
      await post(admin, `/assets/${as.lamp}/dependencies`, { targetAssetId: as.shield, dependencyType: 'references' });
      tick(10);
      await put(admin, `/assets/${as.sword}/status`, { statusId: st.wip });
      await put(admin, `/assets/${as.plan}/status`, { statusId: st.wfa });
      for (const i of [1, 4, 7]) await put(admin, `/assets/${as[`b${i}`]}/status`, { statusId: st.wip });
      await put(admin, `/assets/${as.b2}/status`, { statusId: st.done });
    });
    after(async () => {
      await h.close();
    });

    // Visible sets, written out by hand from PRODUCT.md's rules (not computed by the server's code).
    const bulk = Array.from({ length: 12 }, (_, i) => `b${String(i).padStart(2, '0')}`);
    const sharedNames = ['sword', 'shield', 'lamp', 'dup', 'dup', 'dup', ...bulk];
    const visible = () => ({
      admin: [...sharedNames, 'hero', 'villain', 'herorig', 'rock', 'plan', 'readme'].sort(),
      artist: [...sharedNames].sort(),
      vendor: ['hero', 'rock'],
      art2: [...sharedNames, 'herorig'].sort(),
    });

    test('non-members and unknown projects get the same 404 on every read route', async () => {
      const routes = ['/board', '/assets', `/assets/${as.sword}`, `/assets/${as.sword}/trail`, `/assets/${as.sword}/checkpoints`, '/collections',
        `/collections/${col.Shared}`, '/control-requests?scope=mine', '/trash', '/statuses', '/settings'];
      for (const path of routes) {
        refused(await h.as(outsider).get(`/projects/${pid}${path}`), 404, 'not_found', `outsider ${path}`);
        refused(await h.as(admin).get(`/projects/${crypto.randomUUID()}${path}`), 404, 'not_found', `unknown project ${path}`);
        refused(await h.as(undefined).get(`/projects/${pid}${path}`), 401, 'unauthenticated', `anonymous ${path}`);
      }
    });

    test(`asset list: visibility and every filter`, async () => {
      const v = visible();
      const people = { admin, artist, vendor, art2 } as const;
      for (const [who, caller] of Object.entries(people)) {
        const items = await walk(caller, '/assets', 7);
        assert.deepEqual(names(items), v[who as keyof typeof v], `${who} sees exactly their visible set`);
      }
      const q = async (who: Caller, query: string) => names(await walk(who, `/assets?${query}`, 5));
      // views
      assert.deepEqual(await q(artist, 'view=my'), ['sword']);
      assert.deepEqual(await q(vendor, 'view=my'), ['hero']);
      assert.deepEqual(await q(admin, 'view=assigned'), ['hero', 'herorig', 'sword']);
      assert.deepEqual(await q(artist, 'view=assigned'), ['sword']);
      assert.deepEqual(await q(vendor, 'view=assigned'), ['hero']);
      assert.deepEqual(await q(artist, 'view=unassigned'), [...bulk, 'shield'].sort());
      assert.deepEqual(await q(admin, 'view=unassigned'), [...bulk, 'plan', 'shield', 'villain'].sort());
      // single filters
      assert.deepEqual(await q(admin, `assignee=${vendor.userId}`), ['hero']);
      assert.deepEqual(await q(artist, `assignee=${vendor.userId},${art2.userId}`), [], 'others\' invisible tasks stay invisible');
      assert.deepEqual(await q(admin, `assignee=${vendor.userId},${art2.userId}`), ['hero', 'herorig']);
      assert.deepEqual(await q(admin, `status=${st.wip}`), ['b01', 'b04', 'b07', 'sword']);
      assert.deepEqual(await q(admin, `status=${st.wfa}`), ['plan']);
      assert.deepEqual(await q(artist, `status=${st.wfa}`), []);
      assert.deepEqual(await q(artist, `status=${st.todo},none`), [...bulk.filter((b) => !['b01', 'b02', 'b04', 'b07'].includes(b)), 'dup', 'dup', 'dup', 'lamp', 'shield'].sort());
      assert.deepEqual(await q(vendor, `status=${st.todo},none`), ['hero', 'rock']);
      assert.deepEqual(await q(admin, 'type=Rig'), ['herorig', 'villain']);
      assert.deepEqual(await q(vendor, 'type=Rig'), []);
      assert.deepEqual(await q(admin, 'tag=hero'), ['sword', 'villain']);
      assert.deepEqual(await q(artist, 'tag=hero'), ['sword']);
      assert.deepEqual(await q(admin, 'tag=Hero'), [], 'tags match exactly');
      assert.deepEqual(await q(admin, 'tag=metal'), ['b01', 'b03', 'b05', 'b07', 'b09', 'b11', 'shield', 'sword']);
      assert.deepEqual(await q(admin, 'extension=blend'), ['hero', 'herorig', 'shield', 'sword']);
      assert.deepEqual(await q(artist, 'extension=.BLEND'), ['shield', 'sword']);
      assert.deepEqual(await q(admin, 'kind=resource'), ['dup', 'dup', 'dup', 'lamp', 'readme', 'rock']);
      assert.deepEqual(await q(vendor, 'kind=resource'), ['rock']);
      assert.deepEqual(await q(artist, 'kind=resource'), ['dup', 'dup', 'dup', 'lamp']);
      assert.deepEqual(await q(admin, `collection=${col.Hidden}`), ['hero', 'herorig', 'villain']);
      assert.deepEqual(await q(vendor, `collection=${col.Hidden}`), ['hero'], 'a collection seen by name only can be searched; only visible items show');
      assert.deepEqual(await q(artist, `collection=${col.Shared}`), v.artist);
      assert.deepEqual(await q(admin, `collection=${col.Props}`), ['dup', 'shield']);
      assert.deepEqual(await q(admin, `folder=${col.Shared}`), ['dup', 'lamp', 'sword']);
      assert.deepEqual(await q(admin, 'folder=root'), ['readme']);
      assert.deepEqual(await q(artist, 'folder=root'), []);
      // text: names, tags and types, case-insensitive
      assert.deepEqual(await q(admin, 'text=HER'), ['hero', 'herorig', 'sword', 'villain'], 'names hero*, tag hero');
      assert.deepEqual(await q(artist, 'text=HER'), ['sword']);
      assert.deepEqual(await q(vendor, 'text=her'), ['hero']);
      assert.deepEqual(await q(admin, 'text=textu'), ['lamp'], 'type Texture');
      assert.deepEqual(await q(admin, 'text=%25'), [], 'LIKE wildcards are plain characters');
      assert.deepEqual(await q(admin, 'text=_'), []);
      assert.deepEqual(await q(admin, 'text=%C3%A9p%C3%A9e'), [], 'non-ASCII text is fine');
      // combinations
      assert.deepEqual(await q(admin, `type=Model&tag=metal&status=${st.wip}`), ['sword']);
      assert.deepEqual(await q(admin, `view=unassigned&tag=metal&collection=${col.Shared}`), ['b01', 'b03', 'b05', 'b07', 'b09', 'b11', 'shield']);
      assert.deepEqual(await q(artist, `extension=blend&kind=task&text=e`), ['shield', 'sword']);
      assert.deepEqual(await q(vendor, `extension=blend&kind=task&text=e`), ['hero']);
      assert.deepEqual(await q(admin, `collection=${col.Hidden}&assignee=${art2.userId}&text=rig`), ['herorig']);
      assert.deepEqual(await q(admin, `folder=${col.Bulk}&status=${st.wip},${st.done}&tag=metal`), ['b01', 'b07']);
      // invisible or unknown collections answer alike
      for (const c of [col.Secret, col.Deep, crypto.randomUUID()]) {
        refused(await h.as(artist).get(`/projects/${pid}/assets?collection=${c}`), 404, 'not_found');
      }
      refused(await h.as(vendor).get(`/projects/${pid}/assets?folder=${col.Deep}`), 404, 'not_found');
    });

    test(`pagination: every item once, stable order, for each sort`, async () => {
      for (const who of [admin, artist, vendor]) {
        for (const sort of ['name', 'updated', 'created', 'status']) {
          for (const order of ['asc', 'desc']) {
            const base = `/assets?sort=${sort}&order=${order}`;
            const whole = (await get(who, `${base}&limit=200`)).items;
            for (const size of [2, 7]) {
              const paged = await walk(who, base, size);
              assert.deepEqual(paged.map((a) => a.id), whole.map((a: any) => a.id), `${sort} ${order} by ${size}`);
            }
            assert.equal(new Set(whole.map((a: any) => a.id)).size, whole.length);
            // The order is the one asked for, ties broken by id.
            const sign = order === 'asc' ? -1 : 1;
            const statusRank = new Map(Object.values(st).map((id, i) => [id, i]));
            const key = (a: any) => (sort === 'name' ? a.name : sort === 'updated' ? a.updatedAt : sort === 'created' ? a.createdAt : a.statusId === null ? 99 : statusRank.get(a.statusId)!);
            for (let i = 1; i < whole.length; i++) {
              const [x, y] = [whole[i - 1], whole[i]];
              const c = key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : x.id < y.id ? -1 : 1;
              assert.equal(c, sign, `${sort} ${order}: ${x.name} before ${y.name}`);
            }
          }
        }
      }
      const items = await walk(artist, '/assets?sort=name', 3);
      assert.deepEqual(items.filter((a) => a.name === 'dup').map((a) => a.id), [as['dup-Shared'], as['dup-Props'], as['dup-Bulk']].sort(), 'same names: by id');
    });

    test(`board: columns, counts, cards, views and column pages`, async () => {
      const counts = (b: any) => Object.fromEntries(b.columns.map((c: any) => [c.status?.key ?? 'none', c.count]));
      const cardNames = (b: any) => Object.fromEntries(b.columns.map((c: any) => [c.status?.key ?? 'none', c.cards.map((x: any) => x.name).sort()]));
      const a = await get(admin, '/board');
      assert.equal(a.revision, (await get(admin, '')).revision, 'the board says which project revision it was read at');
      assert.deepEqual(a.columns.map((c: any) => c.status.key), ['todo', 'wip', 'wfa', 'retake', 'done'], 'columns in status order; tasks only, so no "none"');
      assert.deepEqual(counts(a), { todo: 12, wip: 4, wfa: 1, retake: 0, done: 1 });
      const art = await get(artist, '/board');
      assert.deepEqual(counts(art), { todo: 9, wip: 4, wfa: 0, retake: 0, done: 1 }, 'invisible tasks are not counted');
      const ven = await get(vendor, '/board?limit=200');
      assert.deepEqual(counts(ven), { todo: 1, wip: 0, wfa: 0, retake: 0, done: 0 });
      assert.deepEqual(cardNames(ven).todo, ['hero']);
      const artAll = await get(artist, '/board?limit=200');
      assert.deepEqual(cardNames(artAll).wip, ['b01', 'b04', 'b07', 'sword']);
      for (const name of HIDDEN_FROM_VENDOR) assert.ok(!JSON.stringify(ven).includes(`"${name}"`), `vendor board leaks ${name}`);
      for (const name of HIDDEN_FROM_ARTIST) assert.ok(!JSON.stringify(artAll).includes(`"${name}"`), `artist board leaks ${name}`);
      assert.ok(!artAll.columns.some((c: any) => c.cards.some((x: any) => x.name === 'hero')), 'hero (also a tag) is not a card');

      // cards
      const sword = art.columns[1].cards.find((c: any) => c.name === 'sword');
      assert.equal(sword.assigneeName, 'Ari Artist');
      assert.equal(sword.assigneeId, artist.userId);
      assert.equal(sword.latestCheckpoint, null);
      assert.equal(sword.cover, null);
      assert.deepEqual(sword.tags, ['hero', 'metal']);

      // views
      assert.deepEqual(counts(await get(artist, '/board?view=my')), { todo: 0, wip: 1, wfa: 0, retake: 0, done: 0 });
      assert.deepEqual(counts(await get(admin, '/board?view=assigned')), { todo: 2, wip: 1, wfa: 0, retake: 0, done: 0 });
      assert.deepEqual(counts(await get(vendor, '/board?view=assigned')), { todo: 1, wip: 0, wfa: 0, retake: 0, done: 0 });
      assert.deepEqual(counts(await get(admin, '/board?view=unassigned')), { todo: 10, wip: 3, wfa: 1, retake: 0, done: 1 });
      // filters on the board
      assert.deepEqual(counts(await get(admin, '/board?tag=metal')), { todo: 5, wip: 3, wfa: 0, retake: 0, done: 0 });
      assert.deepEqual(counts(await get(artist, '/board?text=HER')), { todo: 0, wip: 1, wfa: 0, retake: 0, done: 0 });
      assert.deepEqual(counts(await get(admin, '/board?text=HER')), { todo: 3, wip: 1, wfa: 0, retake: 0, done: 0 });
      assert.deepEqual(counts(await get(admin, `/board?collection=${col.Hidden}`)), { todo: 3, wip: 0, wfa: 0, retake: 0, done: 0 });
      const only = await get(admin, `/board?status=${st.wip},none`);
      assert.deepEqual(only.columns.map((c: any) => c.status?.key ?? 'none'), ['wip', 'none']);
      assert.deepEqual(counts(only), { wip: 4, none: 0 });
      assert.deepEqual(counts(await get(admin, '/board?kind=resource')), { todo: 0, wip: 0, wfa: 0, retake: 0, done: 0, none: 6 });

      // a column page by page
      for (const who of [admin, artist]) {
        const first = await get(who, '/board?limit=2&sort=name');
        const todo = first.columns[0];
        assert.equal(todo.cards.length, 2);
        const seen = todo.cards.map((c: any) => c.id);
        let cursor = todo.nextCursor;
        while (cursor) {
          const next = await get(who, `/board?limit=2&sort=name&status=${st.todo}&cursor=${cursor}`);
          assert.equal(next.columns.length, 1);
          seen.push(...next.columns[0].cards.map((c: any) => c.id));
          cursor = next.columns[0].nextCursor;
        }
        assert.equal(seen.length, todo.count, 'the column pages add up to its count');
        assert.equal(new Set(seen).size, seen.length);
        const whole = await get(who, `/assets?kind=task&status=${st.todo}&sort=name&limit=200`);
        assert.deepEqual(seen, whole.items.map((x: any) => x.id), 'board column order = list order');
      }
    });

    test('bad query parameters are refused with 400', async () => {
      const bad = [
        '/assets?bogus=1', '/assets?limit=0', '/assets?limit=201', '/assets?limit=abc', '/assets?sort=size', '/assets?order=up', '/assets?view=mine',
        '/assets?kind=folder', '/assets?status=todo', `/assets?status=${crypto.randomUUID()}`, '/assets?assignee=me', '/assets?collection=x',
        '/assets?cursor=%20', '/assets?cursor=abc', '/assets?text=', '/assets?limit=1&limit=2', '/board?cursor=abc', `/board?status=${st?.todo}&cursor=e30`,
        '/assets/not-a-uuid', `/assets/${as.sword}?x=1`, `/assets/${as.sword}/trail?x=1`, `/assets/${as.sword}/checkpoints?cursor=x`,
        '/collections?parentId=x', '/control-requests', '/control-requests?scope=all', '/control-requests?scope=task',
        `/control-requests?scope=mine&assetId=${as.sword}`, '/trash?cursor=@@', '/trash?limit=500', '/statuses?x=1', '/settings?x=1',
      ];
      for (const path of bad) {
        const r = await h.as(admin).get(`/projects/${pid}${path}`);
        assert.equal(r.status, 400, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
        assert.ok(r.body.error.code, path);
      }
      // A cursor continues only the query it came from.
      const page = await get(admin, '/assets?limit=2&sort=name');
      refused(await h.as(admin).get(`/projects/${pid}/assets?limit=2&sort=updated&cursor=${page.nextCursor}`), 400, 'validation_failed');
      refused(await h.as(admin).get(`/projects/${pid}/assets?limit=2&sort=name&tag=metal&cursor=${page.nextCursor}`), 400, 'validation_failed');
      refused(await h.as(admin).get(`/projects/${pid}/board?cursor=${page.nextCursor}`), 400, 'validation_failed', 'board cursor without one status');
      ok(await h.as(admin).get(`/projects/${pid}/assets?limit=2&sort=name&cursor=${page.nextCursor}`));
    });

    test('asset detail: visible assets only, with path, dependencies and dependents', async () => {
      for (const [who, hidden] of [[artist, ['hero', 'villain', 'herorig', 'rock', 'plan', 'readme']], [vendor, ['villain', 'herorig', 'plan', 'readme']]] as const) {
        for (const name of hidden) refused(await h.as(who).get(`/projects/${pid}/assets/${as[name]}`), 404, 'not_found', name);
      }
      refused(await h.as(artist).get(`/projects/${pid}/assets/${crypto.randomUUID()}`), 404, 'not_found');
      const hero = await get(vendor, `/assets/${as.hero}`);
      assert.equal(hero.name, 'hero');
      assert.equal(hero.assigneeName, 'Val Vendor');
      assert.equal(hero.canDownload, true);
      assert.deepEqual(hero.path, [
        { id: col.Hidden, parentId: null, name: 'Hidden', nameOnly: true },
        { id: col.Chars, parentId: col.Hidden, name: 'Chars', nameOnly: true },
      ]);
      // Cards carry the same path as one folder text (the board tells same-named files apart by it).
      assert.equal(hero.folder, 'Hidden/Chars');
      const vendorList = await get(vendor, '/assets?limit=200');
      assert.equal(vendorList.items.find((a: any) => a.id === as.hero).folder, 'Hidden/Chars');
      assert.equal(vendorList.items.find((a: any) => a.id === as.rock).folder, 'Secret');
      assert.deepEqual(hero.dependencies.map((d: any) => [d.type, d.target.kind, d.target.name]), [['uses', 'asset', 'rock']]);
      const rock = await get(vendor, `/assets/${as.rock}`);
      assert.deepEqual(rock.dependents.map((d: any) => d.source.name), ['hero']);
      assert.deepEqual(rock.path.map((p: any) => [p.name, p.nameOnly]), [['Secret', true]]);
      // shield is referenced by lamp (visible) for everyone
      assert.deepEqual((await get(artist, `/assets/${as.shield}`)).dependents.map((d: any) => d.source.name), ['lamp']);
      const adminRock = await get(admin, `/assets/${as.rock}`);
      assert.deepEqual(adminRock.path.map((p: any) => [p.name, p.nameOnly]), [['Secret', false]]);
      assert.deepEqual(adminRock.dependents.map((d: any) => d.source.name), ['hero']);
      // The Artist sees shield, whose dependents include only what the Artist can see.
      const shield = await get(artist, `/assets/${as.shield}`);
      assert.equal(JSON.stringify(shield).includes('hero"'), false);
    });

    test('collections: children, name-only parents, detail', async () => {
      const top = (await get(vendor, '/collections')).collections;
      assert.deepEqual(top.map((c: any) => [c.name, !!c.nameOnly]), [['Hidden', true], ['Secret', true]]);
      for (const c of top.filter((x: any) => x.nameOnly)) assert.deepEqual(Object.keys(c).sort(), ['id', 'name', 'nameOnly', 'parentId'], 'names only');
      assert.deepEqual((await get(artist, '/collections')).collections.map((c: any) => c.name), ['Shared']);
      assert.deepEqual((await get(admin, '/collections?parentId=')).collections.map((c: any) => c.name), ['Hidden', 'Secret', 'Shared']);
      const inHidden = await get(vendor, `/collections?parentId=${col.Hidden}`);
      assert.deepEqual(inHidden.parent, { id: col.Hidden, parentId: null, name: 'Hidden', nameOnly: true });
      assert.deepEqual(inHidden.collections.map((c: any) => [c.name, !!c.nameOnly]), [['Chars', true]], 'Deep holds nothing the vendor sees');
      assert.deepEqual((await get(admin, `/collections?parentId=${col.Chars}`)).collections.map((c: any) => c.name), ['Deep']);
      const inShared = await get(artist, `/collections?parentId=${col.Shared}`);
      assert.equal(inShared.parent.shared, true);
      assert.deepEqual(inShared.collections.map((c: any) => c.name), ['Bulk', 'Props']);
      for (const c of [col.Hidden, col.Secret, col.Deep, crypto.randomUUID()]) {
        refused(await h.as(artist).get(`/projects/${pid}/collections/${c}`), 404, 'not_found');
        refused(await h.as(artist).get(`/projects/${pid}/collections?parentId=${c}`), 404, 'not_found');
      }
      refused(await h.as(vendor).get(`/projects/${pid}/collections/${col.Deep}`), 404, 'not_found');
      const chars = await get(vendor, `/collections/${col.Chars}`);
      assert.deepEqual(chars, { id: col.Chars, parentId: col.Hidden, name: 'Chars', nameOnly: true, path: [{ id: col.Hidden, parentId: null, name: 'Hidden', nameOnly: true }] });
      const props = await get(artist, `/collections/${col.Props}`);
      assert.equal(props.name, 'Props');
      assert.equal(props.shared, false);
      assert.deepEqual(props.path.map((p: any) => [p.name, p.nameOnly]), [['Shared', false]]);
      const deep = await get(admin, `/collections/${col.Deep}`);
      assert.deepEqual(deep.path.map((p: any) => p.name), ['Hidden', 'Chars']);
    });

    test('statuses and settings for any member', async () => {
      for (const who of [vendor, artist, admin]) {
        const s = await get(who, '/statuses');
        assert.deepEqual(s.statuses.map((x: any) => x.key), ['todo', 'wip', 'wfa', 'retake', 'done']);
        assert.deepEqual(Object.keys(s.statuses[0]).sort(), ['category', 'color', 'id', 'key', 'name', 'order', 'shortLabel']);
        const settings = await get(who, '/settings');
        assert.deepEqual(settings.settings.tags, ['hero', 'metal']);
        assert.ok(settings.settings.dependencyTypes.includes('uses'));
      }
    });

    test('trail: status changes and checkpoints in time order, with who, when and preview', async () => {
      const task = (await post(admin, '/assets', { collectionId: col.Shared, name: 'trail', extension: 'png', kind: 'task', assigneeId: artist.userId })).id;
      tick(60_000);
      await put(artist, `/assets/${task}/status`, { statusId: st.wip });
      tick(60_000);
      const cp1 = await checkpoint(artist, task, { chunks: [HASH('1')], comment: 'first pass', statusId: st.wfa, previewHash: HASH('e') });
      tick(60_000);
      await put(sup, `/assets/${task}/status`, { statusId: st.retake });
      tick(60_000);
      const cp2 = await checkpoint(artist, task, { chunks: [HASH('2'), HASH('2')], comment: 'fixed', previewHash: HASH('f') });
      tick(60_000);
      await put(artist, `/assets/${task}/status`, { statusId: st.wfa });

      const trail = await get(art2, `/assets/${task}/trail`);
      assert.equal(trail.checkpoints, true);
      const summary = trail.entries.map((e: any) => e.type === 'status'
        ? `${e.actor.name}: ${e.from?.name ?? '-'}→${e.to.name}${e.checkpoint ? ` #${e.checkpoint.number}` : ''}`
        : `${e.actor.name}: #${e.checkpoint.number} ${e.checkpoint.comment} (${e.checkpoint.status?.name})`);
      assert.deepEqual(summary, [
        'Ari Artist: Todo→WIP',
        'Ari Artist: #1 first pass (WFA)',
        'Ari Artist: WIP→WFA #1',
        'Sue Supervisor: WFA→Retake',
        'Ari Artist: #2 fixed (Retake)',
        'Ari Artist: Retake→WFA',
      ]);
      const wfa = trail.entries[2];
      assert.equal(wfa.checkpoint.previewHash, HASH('e'), '"WFA with this image"');
      assert.equal(wfa.checkpoint.id, cp1.id);
      assert.equal(trail.entries[4].checkpoint.id, cp2.id);
      const times = trail.entries.map((e: any) => e.at);
      assert.deepEqual([...times].sort(), times);
      assert.ok(times[3] > times[2] && times[5] > times[4]);

      // Card and history
      const card = (await get(artist, `/assets?folder=${col.Shared}&text=trail`)).items[0];
      assert.deepEqual(card.latestCheckpoint, { id: cp2.id, number: 2, createdAt: cp2.createdAt, previewHash: HASH('f') });
      assert.deepEqual(card.cover, { checkpointId: cp2.id, previewHash: HASH('f') });
      const history = await get(artist, `/assets/${task}/checkpoints`);
      assert.deepEqual(history.checkpoints.map((c: any) => [c.number, c.author.name, c.previewHash]), [[2, 'Ari Artist', HASH('f')], [1, 'Ari Artist', HASH('e')]]);
      assert.equal(history.nextCursor, null);
      const p1 = await get(artist, `/assets/${task}/checkpoints?limit=1`);
      assert.deepEqual(p1.checkpoints.map((c: any) => c.number), [2]);
      const p2 = await get(artist, `/assets/${task}/checkpoints?limit=1&cursor=${p1.nextCursor}`);
      assert.deepEqual(p2.checkpoints.map((c: any) => c.number), [1]);
      assert.equal(p2.nextCursor, null);
      assert.equal(JSON.stringify(history).includes('chunks'), false, 'chunk lists stay out of listings');

      // A trashed checkpoint leaves the history; the status change keeps its place without it.
      tick(1000);
      ok(await h.as(admin).delete(`/projects/${pid}/checkpoints/${cp2.id}`));
      const after2 = await get(artist, `/assets/${task}/trail`);
      assert.equal(after2.entries.filter((e: any) => e.type === 'checkpoint').length, 1);
      assert.deepEqual((await get(artist, `/assets/${task}/checkpoints`)).checkpoints.map((c: any) => c.number), [1]);
      const card2 = (await get(artist, `/assets?folder=${col.Shared}&text=trail`)).items[0];
      assert.equal(card2.latestCheckpoint.number, 1);
      assert.equal(card2.cover.previewHash, HASH('e'));

      // Invisible: 404 like an unknown asset, on both routes.
      for (const path of [`/assets/${as.villain}/trail`, `/assets/${as.villain}/checkpoints`, `/assets/${crypto.randomUUID()}/trail`])
        refused(await h.as(vendor).get(`/projects/${pid}${path}`), 404, 'not_found', path);

      // Without checkpoint.view: the trail has status changes only, the history is refused.
      const reviewerRole = ok(await h.as(admin).post(`/projects/${pid}/roles`, { name: 'Status watcher', permissions: ['asset.view_all', 'collection.view_all'] }), 201);
      const watcher = await h.user('watcher@studio.test', 'Wes Watcher');
      const studioId = ok(await h.as(admin).get(`/projects/${pid}`)).studioId;
      ok(await h.as(admin).post(`/studios/${studioId}/invitations`, { emails: [watcher.email], role: 'member' }), 201);
      ok(await h.as(admin).post(`/projects/${pid}/members`, { userIds: [watcher.userId], roleId: reviewerRole.id }), 201);
      const watched = await get(watcher, `/assets/${task}/trail`);
      assert.equal(watched.checkpoints, false);
      assert.deepEqual(watched.entries.map((e: any) => e.type), ['status', 'status', 'status', 'status']);
      assert.ok(watched.entries.every((e: any) => e.checkpoint === null));
      refused(await h.as(watcher).get(`/projects/${pid}/assets/${task}/checkpoints`), 403, 'forbidden');
      const wcard = (await get(watcher, `/assets?folder=${col.Shared}&text=trail`)).items[0];
      assert.equal(wcard.latestCheckpoint, null);
      assert.equal(wcard.cover, null);
    });

    test('control requests: mine, to me, per task; never on invisible tasks', async () => {
      const task = (await post(admin, '/assets', { collectionId: col.Shared, name: 'wanted', extension: 'blend', kind: 'task', assigneeId: artist.userId })).id;
      tick(1000);
      const r1 = await post(art2, `/assets/${task}/control-requests`, { message: 'may I?' });
      tick(1000);
      const r2 = await post(sup, `/assets/${task}/control-requests`, {});
      tick(1000);
      // On herorig (art2's, invisible to artist and vendor), from the supervisor.
      const r3 = await post(sup, `/assets/${as.herorig}/control-requests`, {});
      const ids = (b: any) => b.requests.map((x: any) => x.id);
      const toArtist = await get(artist, '/control-requests?scope=to-me');
      assert.deepEqual(ids(toArtist), [r1.id, r2.id]);
      assert.equal(toArtist.requests[0].requester.name, 'Bea Artist');
      assert.equal(toArtist.requests[0].message, 'may I?');
      assert.equal(toArtist.requests[0].asset.name, 'wanted');
      assert.equal(toArtist.requests[0].asset.assigneeName, 'Ari Artist');
      assert.equal(toArtist.requests[0].asset.folder, 'Shared', 'the folder, as on its card');
      assert.deepEqual(ids(await get(art2, '/control-requests?scope=mine')), [r1.id]);
      assert.deepEqual(ids(await get(art2, '/control-requests?scope=to-me')), [r3.id]);
      assert.deepEqual(ids(await get(sup, '/control-requests?scope=mine')), [r2.id, r3.id]);
      assert.deepEqual(ids(await get(art2, `/control-requests?scope=task&assetId=${task}`)), [r1.id, r2.id]);
      refused(await h.as(vendor).get(`/projects/${pid}/control-requests?scope=task&assetId=${task}`), 404, 'not_found', 'shared, but not for a Vendor');
      assert.deepEqual(ids(await get(admin, `/control-requests?scope=task&assetId=${as.herorig}`)), [r3.id]);
      refused(await h.as(vendor).get(`/projects/${pid}/control-requests?scope=task&assetId=${as.herorig}`), 404, 'not_found');
      refused(await h.as(artist).get(`/projects/${pid}/control-requests?scope=task&assetId=${crypto.randomUUID()}`), 404, 'not_found');
      assert.deepEqual(ids(await get(artist, '/control-requests?scope=mine')), []);
      // The asset page lists them too; resolved ones leave every list.
      assert.deepEqual((await get(art2, `/assets/${task}`)).pendingRequests.map((x: any) => x.requester.name), ['Bea Artist', 'Sue Supervisor']);
      ok(await h.as(artist).post(`/projects/${pid}/control-requests/${r1.id}/decline`, {}));
      assert.deepEqual(ids(await get(artist, '/control-requests?scope=to-me')), [r2.id]);
      assert.deepEqual(ids(await get(art2, '/control-requests?scope=mine')), []);
    });

    test('trash: roots with who/when and counts; restore/purge holders only; visibility kept', async () => {
      // Trash a small subtree, an asset and a checkpoint.
      const box = (await post(admin, '/collections', { parentId: col.Shared, name: 'Box' })).id;
      const inner = (await post(admin, '/collections', { parentId: box, name: 'Inner' })).id;
      await post(admin, '/assets', { collectionId: box, name: 'a1', extension: 'png' });
      await post(admin, '/assets', { collectionId: inner, name: 'a2', extension: 'png' });
      const loose = (await post(admin, '/assets', { collectionId: col.Shared, name: 'loose', extension: 'png' })).id;
      const secretOne = (await post(admin, '/assets', { collectionId: col.Secret, name: 'classified', extension: 'png' })).id;
      const cp = await checkpoint(admin, loose, { chunks: [HASH('3')], previewHash: HASH('d') });
      tick(1000);
      ok(await h.as(admin).delete(`/projects/${pid}/checkpoints/${cp.id}`));
      tick(1000);
      ok(await h.as(admin).delete(`/projects/${pid}/collections/${box}`));
      tick(1000);
      ok(await h.as(admin).delete(`/projects/${pid}/assets/${secretOne}`));
      tick(1000);
      ok(await h.as(admin).delete(`/projects/${pid}/assets/${loose}`));

      const trash = await get(admin, '/trash');
      const summary = trash.items.map((x: any) => `${x.kind}:${x.name ?? x.assetName}`);
      // The trail test trashed a checkpoint earlier; it is older than these.
      assert.deepEqual(summary.slice(0, 4), ['asset:loose', 'asset:classified', 'collection:Box', 'checkpoint:loose']);
      const boxItem = trash.items.find((x: any) => x.kind === 'collection');
      assert.deepEqual(boxItem.items, { collections: 1, assets: 2 });
      assert.equal(boxItem.deletedBy.name, 'Instance Admin');
      assert.ok(boxItem.deletedAt);
      assert.equal(trash.items.find((x: any) => x.kind === 'checkpoint' && x.assetId === loose).previewHash, HASH('d'));

      // Pages
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await get(admin, `/trash?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.items.map((x: any) => x.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, trash.items.map((x: any) => x.id));

      // Production Manager (restore) sees it; Supervisor, Artist and Vendor may not.
      assert.deepEqual((await get(pm, '/trash')).items.map((x: any) => x.id), trash.items.map((x: any) => x.id));
      for (const who of [sup, artist, vendor]) refused(await h.as(who).get(`/projects/${pid}/trash`), 403, 'forbidden');

      // A keeper without view_all sees only what was trashed from places they fully see.
      const keeperRole = ok(await h.as(admin).post(`/projects/${pid}/roles`, { name: 'Keeper', permissions: ['trash.purge'] }), 201);
      const keeper = await h.user('keeper@studio.test', 'Kim Keeper');
      const studioId = ok(await h.as(admin).get(`/projects/${pid}`)).studioId;
      ok(await h.as(admin).post(`/studios/${studioId}/invitations`, { emails: [keeper.email], role: 'member' }), 201);
      ok(await h.as(admin).post(`/projects/${pid}/members`, { userIds: [keeper.userId], roleId: keeperRole.id }), 201);
      const kept = await get(keeper, '/trash');
      const keptNames = kept.items.map((x: any) => `${x.kind}:${x.name ?? x.assetName}`);
      assert.ok(keptNames.includes('collection:Box') && keptNames.includes('asset:loose') && keptNames.includes('checkpoint:loose'));
      assert.ok(!JSON.stringify(kept).includes('classified'), 'trashed from Secret: not shown');

      // Trashed items leave every other listing.
      const list = names(await walk(admin, '/assets', 50));
      for (const gone of ['a1', 'a2', 'loose', 'classified']) assert.ok(!list.includes(gone), gone);
      assert.ok(!(await get(admin, `/collections?parentId=${col.Shared}`)).collections.some((c: any) => c.name === 'Box'));
      refused(await h.as(admin).get(`/projects/${pid}/collections/${box}`), 404, 'not_found');
      refused(await h.as(admin).get(`/projects/${pid}/assets/${loose}`), 404, 'not_found');
    });

    test('a role change is seen by the very next read', async () => {
      ok(await h.request('PATCH', `/projects/${pid}/members/${artist.userId}`, { token: admin.token, body: { roleId: roles.supervisor } }));
      try {
        assert.ok(names(await walk(artist, '/assets', 50)).includes('villain'), 'view_all now');
        ok(await h.request('PATCH', `/projects/${pid}/members/${artist.userId}`, { token: admin.token, body: { roleId: roles.artist } }));
        assert.ok(!names(await walk(artist, '/assets', 50)).includes('villain'), 'and gone again');
      } finally {
        await h.request('PATCH', `/projects/${pid}/members/${artist.userId}`, { token: admin.token, body: { roleId: roles.artist } });
      }
      ok(await h.as(admin).delete(`/projects/${pid}/members/${vendor.userId}`));
      refused(await h.as(vendor).get(`/projects/${pid}/board`), 404, 'not_found', 'removed member');
    });
  });
}
