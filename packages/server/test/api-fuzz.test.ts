// A fuzz test of the HTTP API driven by the published OpenAPI document: every documented route,
// called as a signed-in Admin with wrong types, huge and odd strings, bad ids and cursors, bad
// content types, truncated and malformed bodies, drawn from a seeded generator. Whatever comes
// in, the answer is a 4xx (or a 2xx), never a 5xx, and the server keeps answering.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { seededRng, type Rng } from '@backlot/test-kit/random';
import { createHarness, dbKinds, type Caller, type Harness } from '@backlot/test-kit/harness';
import { commitFile, contentWorld, must, post, prose } from '@backlot/test-kit/content-world';

/** Cases per documented operation (the PostgreSQL run is slower per request). */
const CASES = { sqlite: 16, postgres: 8 } as const;

type Schema = {
  type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema;
  anyOf?: Schema[]; oneOf?: Schema[]; enum?: unknown[]; const?: unknown; pattern?: string; minLength?: number; maxLength?: number;
};
interface Operation {
  method: string;
  path: string;
  params: { name: string; in: 'path' | 'query'; schema: Schema }[];
  body?: { type: string; schema?: Schema };
}

const ODD_STRINGS = [
  '', ' ', 'null', '-1', '0', '1e309', 'NaN', 'true', '../../etc/passwd', '..%2F..%2Fetc', 'a'.repeat(5000), '\u0000x', '\u202eevil',
  '😀'.repeat(50), "x' OR '1'='1", '__proto__', 'constructor', 'toString', '{"$gt":""}', '<script>alert(1)</script>', '2026-02-30',
  '9'.repeat(40), '00000000-0000-0000-0000-000000000000', 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ', '1.AAAAAAAAAAAAAAAA', '999999999999999.AAAAAAAAAAAAAAAA',
];
const ODD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53 + 10, 1e308, -1e308, '', 'x'.repeat(100_000), [], [null], {}, [[[[[]]]]], { a: { b: { c: {} } } }, ...ODD_STRINGS];
const CONTENT_TYPES = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'image/png', ''];

/** Path segments that may not be valid UTF-8 or may not encode at all. */
function pathValue(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80'; // a lone surrogate, as raw bytes
  }
}

function operations(doc: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      const content = op.requestBody?.content ?? {};
      const type = Object.keys(content)[0];
      out.push({
        method: method.toUpperCase(), path,
        params: (op.parameters ?? []).filter((p: any) => p.in === 'path' || p.in === 'query').map((p: any) => ({ name: p.name, in: p.in, schema: p.schema ?? {} })),
        body: type ? { type, schema: content[type].schema } : undefined,
      });
    }
  }
  // What ends a session or removes the world goes last, so the rest reaches real objects.
  const late = (o: Operation) => (o.method === 'DELETE' ? 2 : 0) + (/logout|password|deactivate|sessions/.test(o.path) ? 3 : 0);
  return out.sort((a, b) => late(a) - late(b));
}

/** A plausible value for a schema (ids from the seeded world where the name says which). */
function plausible(schema: Schema | undefined, name: string, ids: Record<string, string>, rng: Rng, depth = 0): unknown {
  if (!schema || depth > 4) return 'x';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return rng.pick(schema.enum);
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt) return plausible(rng.pick(alt), name, ids, rng, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (ids[name]) return ids[name];
      if (/id$/i.test(name)) return rng.pick(Object.values(ids));
      if (/email/i.test(name)) return `fuzz${rng.int(1000)}@studio.test`;
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    case 'integer':
    case 'number':
      return rng.int(10);
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    case 'array':
      return [plausible(schema.items, name.replace(/s$/, ''), ids, rng, depth + 1)];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(schema.properties ?? {}))
        if (schema.required?.includes(k) || rng.chance(0.5)) out[k] = plausible(s, k, ids, rng, depth + 1);
      return out;
    }
    default:
      // An untyped field (a sync op): sometimes shaped like one, with an odd type name.
      return rng.chance(0.5) ? { type: rng.pick(ODD_STRINGS), id: rng.pick(Object.values(ids)) } : rng.pick(ODD_VALUES);
  }
}

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** One hostile request for `op`. */
function hostile(op: Operation, ids: Record<string, string>, token: string, rng: Rng): Call {
  let url = op.path;
  const query: string[] = [];
  for (const p of op.params) {
    const real = plausible(p.schema, p.name, ids, rng);
    const value = rng.chance(0.6) ? String(real) : String(rng.pick(ODD_STRINGS));
    if (p.in === 'path') url = url.replace(`{${p.name}}`, pathValue(value));
    else if (rng.chance(0.6)) query.push(`${encodeURIComponent(p.name)}=${pathValue(value)}`);
  }
  if (rng.chance(0.2)) query.push(`${rng.pick(['__proto__', 'constructor', 'unknown', 'since', 'limit'])}=${pathValue(String(rng.pick(ODD_STRINGS)))}`);
  if (rng.chance(0.05)) query.push('limit=1&limit=2');
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  const call: Call = { method: op.method, url: `${url}${query.length ? `?${query.join('&')}` : ''}`, headers };
  if (!op.body && !rng.chance(0.2)) return call;
  const type = op.body?.type ?? 'application/json';
  const dice = rng.int(10);
  if (type !== 'application/json' || dice === 0) {
    // Binary routes (chunk frames, previews) and wrong content types: bytes of any shape.
    const bytes = Buffer.alloc(rng.int(3) === 0 ? 0 : 1 + rng.int(2000));
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    if (rng.chance(0.3) && bytes.length >= 36) bytes.writeUInt32BE(rng.chance(0.5) ? 0xffffffff : rng.int(5000), 32);
    headers['content-type'] = rng.chance(0.7) ? type : rng.pick(CONTENT_TYPES);
    call.payload = bytes;
    return call;
  }
  headers['content-type'] = 'application/json';
  const body = plausible(op.body?.schema, 'body', ids, rng) as Record<string, unknown>;
  let text: string;
  if (dice === 1) text = JSON.stringify(body).slice(0, Math.max(1, rng.int(JSON.stringify(body).length))); // truncated
  else if (dice === 2) text = rng.pick(['{', '[', '{"a":', 'nul', '{"a":1,}', "{'a':1}", '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}']);
  else if (dice === 3) text = `${'['.repeat(5000)}${']'.repeat(5000)}`; // deep nesting
  else if (dice === 4) text = JSON.stringify(rng.pick(ODD_VALUES)); // not an object at all
  else if (dice === 5) {
    headers['content-type'] = rng.pick(CONTENT_TYPES);
    text = JSON.stringify(body);
  } else {
    // A plausible body with one field made wrong, removed, or added.
    const keys = Object.keys(body && typeof body === 'object' && !Array.isArray(body) ? body : {});
    const mutated: Record<string, unknown> = { ...(body as object) };
    if (keys.length && rng.chance(0.8)) {
      const k = rng.pick(keys);
      if (rng.chance(0.2)) delete mutated[k];
      else mutated[k] = rng.pick(ODD_VALUES);
    } else mutated[rng.pick(['extra', 'constructor', 'toString', 'id', 'type'])] = rng.pick(ODD_VALUES);
    text = JSON.stringify(mutated);
  }
  call.payload = text;
  return call;
}

for (const kind of dbKinds()) {
  describe(`API fuzz from the OpenAPI document (${kind})`, () => {
    let h: Harness;
    let admin: Caller;
    const ids: Record<string, string> = {};
    before(async () => {
      h = await createHarness(kind);
      const w = await contentWorld(h);
      admin = w.owner;
      const open = must(await post(h, admin, `/projects/${w.pid}/collections`, { parentId: null, name: 'Open', shared: true }), 201).id;
      const asset = must(await post(h, admin, `/projects/${w.pid}/assets`, { collectionId: open, name: 'plate', kind: 'task', assigneeId: admin.userId }), 201).id;
      const other = must(await post(h, admin, `/projects/${w.pid}/assets`, { collectionId: open, name: 'ref' }), 201).id;
      const cp = (await commitFile(h, admin, w.pid, asset, prose(5000, 3))).checkpoint.id;
      const dep = must(await post(h, admin, `/projects/${w.pid}/assets/${asset}/dependencies`, { targetAssetId: other, dependencyType: 'uses' }), 201).id;
      const share = must(await post(h, admin, `/projects/${w.pid}/checkpoints/${cp}/shares`, {}), 201).id;
      const statuses = must(await h.as(admin).get(`/projects/${w.pid}/statuses`), 200).statuses;
      const request = must(await post(h, w.by.artist, `/projects/${w.pid}/assets/${asset}/control-requests`, {}), 201).id;
      const invitation = must(await post(h, admin, `/studios/${w.studioId}/invitations`, { emails: ['fuzz-invitee@studio.test'], role: 'member' }), 201).invitations?.[0]?.id ?? randomUUID();
      const sessions = must(await h.as(admin).get('/auth/sessions'), 200).sessions;
      Object.assign(ids, {
        studioId: w.studioId, projectId: w.pid, userId: w.by.artist.userId, roleId: w.roles.artist, collectionId: open, parentId: open,
        assetId: asset, targetAssetId: other, checkpointId: cp, dependencyId: dep, shareId: share, statusId: statuses[1].id,
        replacementId: statuses[0].id, requestId: request, invitationId: invitation, itemId: other, sessionId: sessions[0].id,
        replacementRoleId: w.roles.vendor, assigneeId: w.by.artist.userId, toUserId: w.by.vendor.userId, collection: open,
      });
    });
    after(async () => { await h.close(); });

    test('no documented route answers a 5xx to hostile input', async () => {
      const doc = must(await h.request('GET', '/openapi.json'), 200);
      const ops = operations(doc);
      assert.ok(ops.length >= 90, `the document lists ${ops.length} operations`);
      const rng = seededRng(4242);
      const failures: string[] = [];
      let sent = 0;
      const statuses = new Map<number, number>();
      for (const op of ops) {
        for (let i = 0; i < CASES[kind]; i++) {
          const c = hostile(op, ids, admin.token!, rng);
          const res = await h.app.inject({ method: c.method as 'GET', url: c.url, headers: c.headers, ...(c.payload !== undefined ? { payload: c.payload } : {}) });
          sent++;
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode >= 500)
            failures.push(`${c.method} ${c.url.slice(0, 200)} [${c.headers['content-type'] ?? ''}] ${String(c.payload ?? '').slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`);
        }
      }
      // The cases reach past authentication and routing into the handlers: most answers are
      // validation refusals, and some requests are good enough to succeed.
      const count = (pred: (s: number) => boolean) => [...statuses].filter(([s]) => pred(s)).reduce((n, [, k]) => n + k, 0);
      assert.ok(count((s) => s === 400) > sent / 4, JSON.stringify([...statuses]));
      assert.ok(count((s) => s < 300) > 20, JSON.stringify([...statuses]));
      assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${sent} requests answered 5xx`);
      assert.equal((await h.request('GET', '/health')).status, 200, 'the server still answers');
    });
  });
}
