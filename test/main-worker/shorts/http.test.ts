// One provider request against a local server: the key only in the Authorization header and in
// no message; 5xx/429 PROVIDER_UNAVAILABLE (Retry-After kept), other 4xx PROVIDER_REJECTED; a
// request past its timeout and an answer past the size limit refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { providerKey, providerRequest } from '../../../src/main-worker/shorts/http.js';
import { ClipmillError } from '../../../src/shared/errors.js';
import { fakeServer, hang, json } from './fake-server.js';

const KEY = 'sk-test-secret-0123';
const req = (url: string, extra: Partial<Parameters<typeof providerRequest>[0]> = {}) => providerRequest({ provider: 'test', url: `${url}/x`, key: KEY, body: '{}', contentType: 'application/json', timeoutMs: 2000, maxBytes: 1024, ...extra });
const code = (err: unknown) => (err as ClipmillError).code;

test('providerRequest: answers, errors by status, timeout, size limit; the key is sent and never shown', async (t) => {
  const { url, seen } = await fakeServer(t, [json(200, { ok: 1 }), json(503, 'busy', { 'retry-after': '2' }), json(401, `bad key ${'x'.repeat(10)}`), hang, json(200, 'y'.repeat(5000)), json(200, { ok: 2 })]);
  assert.equal((await req(url)).text, '{"ok":1}');
  assert.equal(seen[0]!.auth, `Bearer ${KEY}`);
  for (const [expected, status] of [['PROVIDER_UNAVAILABLE', 503], ['PROVIDER_REJECTED', 401]] as const) {
    const err = await req(url).catch((e: unknown) => e);
    assert.equal(code(err), expected);
    assert.equal((err as ClipmillError).details?.status, status);
    assert.ok(!(err as Error).message.includes(KEY));
  }
  const late = await req(url, { timeoutMs: 200 }).catch((e: unknown) => e);
  assert.equal(code(late), 'PROVIDER_UNAVAILABLE');
  assert.match((late as Error).message, /no whole answer within 200 ms/);
  const big = await req(url).catch((e: unknown) => e);
  assert.equal(code(big), 'PROVIDER_UNAVAILABLE');
  assert.match((big as Error).message, /more than the 1024 bytes allowed/);
  assert.equal((await req(url, { key: null })).text, '{"ok":2}');
  assert.equal(seen[seen.length - 1]!.auth, undefined);
  assert.equal(providerKey('CLIPMILL_TEST_NO_SUCH_KEY', {}), null);
  assert.equal(providerKey('K', { K: ' k1 ' }), 'k1');
});
