// What a failed request tells the user to do, by what went wrong on the way to the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkError } from '@backlot/api';
import { describeError, EXIT } from '../src/output/exit-codes.js';

const failed = (code: string) => new NetworkError(`GET /api/v1/projects: ${code}`, { cause: Object.assign(new Error(code), { code }) });

test('a network failure exits 5 with a hint that fits its cause', () => {
  const hints = Object.fromEntries(['ECONNREFUSED', 'ENOTFOUND', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ECONNRESET'].map((code) => {
    const d = describeError(failed(code));
    assert.equal(d.exitCode, EXIT.network, code);
    assert.equal(d.message, `GET /api/v1/projects: ${code}`);
    return [code, d.hint];
  }));
  assert.match(hints.ECONNREFUSED!, /^nothing answers at that address: check that the server is running/);
  assert.match(hints.ENOTFOUND!, /^the server's name does not resolve/);
  assert.match(hints.DEPTH_ZERO_SELF_SIGNED_CERT!, /NODE_EXTRA_CA_CERTS/);
  assert.equal(hints.ECONNRESET, 'check the server address and your connection, then run the command again');
});
