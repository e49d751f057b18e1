// One provider request against a local server: the key only in the Authorization header and in
// no message; 5xx/429 PROVIDER_UNAVAILABLE (Retry-After kept), other 4xx PROVIDER_REJECTED, with
// the status and a byte count but never the answer's text; a request past its timeout and an
// answer past the size limit (announced, or streamed without a length) refused; the key only
// for the base URL's origin, and plain http to another origin refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { providerKey, providerRequest, sameOrigin } from '../../../src/main-worker/shorts/http.js';
import { ClipmillError } from '../../../src/shared/errors.js';
import { fakeServer, hang, json, selfSigned } from './fake-server.js';

const KEY = 'sk-test-secret-0123';
const req = (url: string, extra: Partial<Parameters<typeof providerRequest>[0]> = {}) => providerRequest({ provider: 'test', url: `${url}/x`, baseUrl: url, key: KEY, body: '{}', contentType: 'application/json', timeoutMs: 5000, maxBytes: 1024, ...extra });
const code = (err: unknown) => (err as ClipmillError).code;

test('providerRequest: answers, errors by status, timeout, size limit; the key is sent and never shown; no answer text in messages', async (t) => {
  const { url, seen } = await fakeServer(t, [json(200, { ok: 1 }), json(503, 'busy secret-text', { 'retry-after': '2' }), json(401, `bad key ${'x'.repeat(10)}`), hang, json(200, 'y'.repeat(5000), { 'content-length': '5000' }), json(200, { ok: 2 })]);
  assert.equal((await req(url)).text, '{"ok":1}');
  assert.equal(seen[0]!.auth, `Bearer ${KEY}`);
  for (const [expected, status, body] of [['PROVIDER_UNAVAILABLE', 503, 'busy secret-text'], ['PROVIDER_REJECTED', 401, 'bad key']] as const) {
    const err = await req(url).catch((e: unknown) => e);
    assert.equal(code(err), expected);
    assert.equal((err as ClipmillError).details?.status, status);
    assert.ok(!(err as Error).message.includes(KEY));
    assert.ok(!(err as Error).message.includes(body), (err as Error).message);
    assert.match((err as Error).message, new RegExp(`HTTP ${status}.*\\(\\d+ bytes\\)`));
  }
  const late = await req(url, { timeoutMs: 200 }).catch((e: unknown) => e);
  assert.equal(code(late), 'PROVIDER_UNAVAILABLE');
  assert.match((late as Error).message, /no whole answer within 200 ms/);
  const big = await req(url).catch((e: unknown) => e);
  assert.equal(code(big), 'PROVIDER_UNAVAILABLE');
  assert.match((big as Error).message, /the answer is 5000 bytes, more than the 1024 allowed/);
  assert.equal((await req(url, { key: null })).text, '{"ok":2}');
  assert.equal(seen[seen.length - 1]!.auth, undefined);
  assert.equal(providerKey('CLIPMILL_TEST_NO_SUCH_KEY', {}), null);
  assert.equal(providerKey('K', { K: ' k1 ' }), 'k1');
});

test('providerRequest: a streamed answer without a length is cut at the size limit', async (t) => {
  const { url } = await fakeServer(t, [
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no content-length
      for (let i = 0; i < 8; i++) res.write('z'.repeat(400));
      res.end();
    },
  ]);
  const err = await req(url).catch((e: unknown) => e);
  assert.equal(code(err), 'PROVIDER_UNAVAILABLE');
  assert.match((err as Error).message, /more than the 1024 bytes allowed \(shorts\.providerMaxBytes\)/);
});

test('providerRequest: the key goes to the base URL origin only; plain http to another origin is refused unsent', async (t) => {
  const home = await fakeServer(t, [json(200, { ok: 1 })]);
  const other = await fakeServer(t, [json(200, { ok: 2 })]);
  assert.ok(sameOrigin(`${home.url}/v1/a?b=1`, `${home.url}/`));
  assert.ok(!sameOrigin(`${other.url}/v1/a`, home.url));
  assert.ok(!sameOrigin('https://example.com/x', 'http://example.com'));
  assert.ok(!sameOrigin('not a url', home.url));
  // Its loopback address is allowed here, to reach the scheme check (generation.test.ts refuses it).
  const err = await providerRequest({ provider: 'generation', url: `${other.url}/img.png`, baseUrl: home.url, key: KEY, method: 'GET', binary: true, timeoutMs: 5000, maxBytes: 1024, addressPolicy: () => null }).catch((e: unknown) => e);
  assert.equal(code(err), 'PROVIDER_REJECTED');
  assert.match((err as Error).message, /refused a http URL on another origin/);
  assert.ok(!(err as Error).message.includes(KEY));
  assert.equal(other.connections(), 0, 'not connected to');
  // A provider-supplied URL never receives a POST, a body or another method.
  for (const extra of [{ method: 'POST' as const, body: '{}' }, { body: 'x' }, { method: 'POST' as const }]) {
    const e = await providerRequest({ provider: 'generation', url: `https://127.0.0.1:${new URL(other.url).port}/cb`, baseUrl: home.url, key: KEY, timeoutMs: 5000, maxBytes: 1024, addressPolicy: () => null, ...extra }).catch((x: unknown) => x);
    assert.equal(code(e), 'PROVIDER_INVALID', JSON.stringify(extra));
    assert.match((e as Error).message, /refused a POST.* to a URL on another origin .*only a GET without a body/);
  }
  assert.equal(other.connections(), 0, 'not connected to');
  // The base URL's own origin may be a private address (a self-hosted service).
  assert.equal((await providerRequest({ provider: 'generation', url: `${home.url}/img.png`, baseUrl: `${home.url}/`, key: KEY, method: 'GET', timeoutMs: 5000, maxBytes: 1024 })).text, '{"ok":1}');
  assert.equal(home.seen[0]!.auth, `Bearer ${KEY}`);
});

test('providerRequest: the address connected to is checked again after connecting; its refusal names the setting and says nothing was requested', async (t) => {
  const tls = await selfSigned(t);
  const home = await fakeServer(t, [json(200, { ok: 1 })]);
  const other = await fakeServer(t, [json(200, { ok: 2 })], tls);
  // Allowed when the URL is checked, refused once connected (as a rebinding name would be).
  let checks = 0;
  const err = await providerRequest({ provider: 'generation', url: `${other.url}/img.png`, baseUrl: home.url, key: KEY, method: 'GET', binary: true, timeoutMs: 5000, maxBytes: 1024, addressPolicy: () => (checks++ === 0 ? null : 'not for this test'), testOnlyTrustedCa: tls.cert }).catch((e: unknown) => e);
  assert.equal(code(err), 'PROVIDER_INVALID', (err as Error).message);
  assert.match((err as Error).message, /connected to 127\.0\.0\.1: not for this test \(set shorts\.allowPrivateNetworks to allow it\); nothing requested$/);
  assert.ok(other.connections() >= 1, 'a connection was made');
  assert.equal(other.seen.length, 0, 'no request was sent');
});
