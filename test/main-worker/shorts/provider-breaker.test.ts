// The providers' breaker (the render worker's Breaker around each call): open after N failures
// in a row (PROVIDER_PAUSED without calling), one call let through after the cooldown, closed by
// its success; an aborted call counts for nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProviderBreaker, providerFault } from '../../../src/main-worker/shorts/provider-breaker.js';
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

test('ProviderBreaker: only a provider fault counts; a machine failure frees a half-open trial without opening or closing', async () => {
  assert.equal(providerFault(new ClipmillError('PROVIDER_UNAVAILABLE', 'x')), true);
  assert.equal(providerFault(new ClipmillError('PROVIDER_REJECTED', 'x')), true);
  assert.equal(providerFault(new ClipmillError('PROVIDER_INVALID', 'x')), true);
  assert.equal(providerFault(new ClipmillError('IO', 'ENOSPC')), false, 'a full disk is this machine\'s');
  assert.equal(providerFault(Object.assign(new Error('EACCES'), { code: 'EACCES' })), false);
  let now = 0;
  const b = new ProviderBreaker('generation', 1, 100, () => now);
  const io = () => b.run('s', async () => { throw new ClipmillError('IO', 'ENOSPC writing scanned/.generating'); }, undefined, providerFault);
  await assert.rejects(io(), /ENOSPC/);
  await assert.rejects(io(), /ENOSPC/);
  assert.deepEqual(b.status(), { provider: 'generation', state: 'closed', failures: 0, reopens_at: null }, 'IO errors never open it');
  await assert.rejects(b.run('s', async () => { throw new ClipmillError('PROVIDER_UNAVAILABLE', 'down'); }, undefined, providerFault), /down/);
  assert.equal(b.status().state, 'open');
  now = 200;
  await assert.rejects(io(), /ENOSPC/, 'the half-open trial runs');
  assert.equal(b.status().state, 'half-open', 'a machine failure neither closes nor reopens it');
  assert.equal(b.status().failures, 1);
  assert.equal(await b.run('s', async () => 'ok', undefined, providerFault), 'ok', 'the trial was freed: the next call goes through');
  assert.equal(b.status().state, 'closed');
});
