// The providers' breaker (the render worker's Breaker around each call): open after N failures
// in a row (PROVIDER_PAUSED without calling), one call let through after the cooldown, closed by
// its success; an aborted call counts for nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProviderBreaker } from '../../../src/main-worker/shorts/provider-breaker.js';
import { ClipmillError } from '../../../src/shared/errors.js';

test('ProviderBreaker: opens, pauses, half-opens, closes', async () => {
  let now = 1000;
  const b = new ProviderBreaker('transcription', 2, 500, () => now);
  let calls = 0;
  const fail = () => b.run('s', async () => {
    calls++;
    throw new ClipmillError('PROVIDER_UNAVAILABLE', 'down');
  });
  await assert.rejects(fail(), /down/);
  assert.equal(b.status().state, 'closed');
  await assert.rejects(fail(), /down/);
  assert.deepEqual(b.status(), { provider: 'transcription', state: 'open', failures: 2, reopens_at: new Date(1500).toISOString() });
  await assert.rejects(fail(), (err: ClipmillError) => err.code === 'PROVIDER_PAUSED' && /left alone until 1970-01-01T00:00:01.500Z/.test(err.message));
  assert.equal(calls, 2, 'nothing is sent while it is open');
  now = 1600;
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(b.run('s', async () => { throw new Error('aborted'); }, ac.signal));
  assert.equal(b.status().failures, 2, 'an aborted call is not a failure');
  assert.equal(await b.run('s', async () => 'ok'), 'ok');
  assert.deepEqual(b.status(), { provider: 'transcription', state: 'closed', failures: 0, reopens_at: null });
});
