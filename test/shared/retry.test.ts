import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { ClipmillError } from '../../src/shared/errors.js';
import { abortableSleep, parseRetryAfter, RetryPolicy, retriesByDefault, type RetryInfo } from '../../src/shared/retry.js';

/** A sleep that records what it was asked for and returns at once. */
function recordingSleep() {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      waits.push(ms);
    },
  };
}

const NOW = Date.parse('2030-01-01T00:00:00Z');

test('delay: baseMs × factor^(attempt − 1), capped at maxMs', () => {
  const p = new RetryPolicy({ tries: 10, baseMs: 2000, factor: 2, maxMs: 10 * 60_000 });
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((a) => p.delay(a)), [2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000]);
  assert.equal(p.delay(10), 600_000);
  assert.equal(p.delay(1000), 600_000, 'a huge exponent stays at the cap');
  const fixed = new RetryPolicy({ tries: 6, baseMs: 60_000, factor: 1 });
  assert.deepEqual([1, 2, 5].map((a) => fixed.delay(a)), [60_000, 60_000, 60_000]);
  assert.equal(new RetryPolicy({ tries: 3, baseMs: 100 }).delay(3), 400, 'factor 2 by default');
});

test('jitter takes a random share off the wait, never adds to it (deterministic random)', () => {
  const draws = [0, 0.5, 0.999];
  const p = new RetryPolicy({ tries: 5, baseMs: 1000, factor: 2, maxMs: 3000, jitter: 0.2, random: () => draws.shift()! });
  assert.equal(p.delay(1), 1000);
  assert.equal(p.delay(2), 1800);
  assert.ok(Math.abs(p.delay(3) - 3000 * (1 - 0.2 * 0.999)) < 1e-9, 'capped first, then jittered');
  const full = new RetryPolicy({ tries: 5, baseMs: 1000, jitter: 1, random: () => 0.25 });
  assert.equal(full.delay(1), 750);
});

test('delay honours a Retry-After (seconds, an HTTP date, or ms), capped, without jitter', () => {
  const p = new RetryPolicy({ tries: 5, baseMs: 20, maxMs: 60_000, jitter: 1, random: () => 0.5, now: () => NOW });
  assert.equal(p.delay(1, '1'), 1000);
  assert.equal(p.delay(3, '120'), 60_000, 'capped at maxRetryAfterMs (maxMs by default)');
  assert.equal(p.delay(1, new Date(NOW + 5000).toUTCString()), 5000);
  assert.equal(p.delay(1, new Date(NOW - 5000).toUTCString()), 0, 'a date in the past: at once');
  assert.equal(p.delay(1, 2500), 2500);
  assert.equal(p.delay(1, 'soon'), 10, 'unreadable: the computed wait (jittered)');
  assert.equal(p.delay(1, null), 10);
  const own = new RetryPolicy({ tries: 5, baseMs: 20, maxMs: 100, maxRetryAfterMs: 30_000 });
  assert.equal(own.delay(1, '10'), 10_000, 'its own cap for Retry-After');
  assert.equal(own.delay(1, '60'), 30_000);
});

test('parseRetryAfter: delay-seconds or an HTTP date; anything else is null', () => {
  assert.equal(parseRetryAfter('120', NOW), 120_000);
  assert.equal(parseRetryAfter(' 5 ', NOW), 5000);
  assert.equal(parseRetryAfter('0', NOW), 0);
  assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', NOW), 30_000);
  assert.equal(parseRetryAfter('Tuesday, 01-Jan-30 00:00:30 GMT', NOW), 30_000, 'RFC 850 form');
  assert.equal(parseRetryAfter('Mon, 31 Dec 2029 23:59:00 GMT', NOW), 0);
  for (const bad of [null, undefined, '', 'soon', '1.5', '-1', '2030-01-02']) assert.equal(parseRetryAfter(bad, NOW), null, String(bad));
});

test('exhausted: after `tries` tries, the first included', () => {
  const p = new RetryPolicy({ tries: 3, baseMs: 1 });
  assert.deepEqual([1, 2, 3, 4].map((a) => p.exhausted(a)), [false, false, true, true]);
  assert.equal(new RetryPolicy({ tries: 1, baseMs: 1 }).exhausted(1), true, 'one try: never retried');
  assert.equal(new RetryPolicy({ tries: Number.POSITIVE_INFINITY, baseMs: 1 }).exhausted(1e9), false);
});

test('bad values are refused, naming the option and the value', () => {
  assert.throws(() => new RetryPolicy({ tries: 0, baseMs: 1 }), /tries must be an integer >= 1 or Infinity, got 0/);
  assert.throws(() => new RetryPolicy({ tries: 2.5, baseMs: 1 }), /tries .* got 2\.5/);
  assert.throws(() => new RetryPolicy({ tries: 2, baseMs: -1 }), /baseMs must be a number >= 0, got -1/);
  assert.throws(() => new RetryPolicy({ tries: 2, baseMs: 1, factor: 0.5 }), /factor must be a number >= 1, got 0\.5/);
  assert.throws(() => new RetryPolicy({ tries: 2, baseMs: 1, jitter: 2 }), /jitter must be a number from 0 to 1, got 2/);
  assert.throws(() => new RetryPolicy({ tries: 2, baseMs: 1, maxMs: Number.NaN }), /maxMs/);
});

test('run: tries again after recoverable failures, waiting delay() between tries', async () => {
  const { waits, sleep } = recordingSleep();
  const p = new RetryPolicy({ tries: 5, baseMs: 100, factor: 3, sleep });
  const seen: number[] = [];
  const told: RetryInfo[] = [];
  const result = await p.run(
    async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw new ClipmillError('IO', `disk hiccup ${attempt}`);
      return 'ok';
    },
    { onRetry: (i) => told.push(i) },
  );
  assert.equal(result, 'ok');
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(waits, [100, 300]);
  assert.deepEqual(
    told.map((i) => [i.attempt, i.delayMs, (i.error as Error).message]),
    [
      [1, 100, 'disk hiccup 1'],
      [2, 300, 'disk hiccup 2'],
    ],
  );
});

test('run: rethrows the last error once the tries are used up', async () => {
  const { waits, sleep } = recordingSleep();
  const p = new RetryPolicy({ tries: 3, baseMs: 10, sleep });
  let calls = 0;
  await assert.rejects(
    p.run(async () => {
      calls++;
      throw new Error(`failure ${calls}`);
    }),
    /failure 3/,
  );
  assert.equal(calls, 3);
  assert.deepEqual(waits, [10, 20]);
});

test('run: by default only the catalog class recoverable is retried (fatal and resource are not)', async () => {
  const { sleep } = recordingSleep();
  const p = new RetryPolicy({ tries: 5, baseMs: 1, sleep });
  for (const [err, retried] of [
    [new ClipmillError('PROBE_FAILED', 'not media'), false],
    [new ClipmillError('OUT_OF_MEMORY', 'killed'), false],
    [new ClipmillError('SUBPROCESS_FAILED', 'ffprobe killed'), true],
    [new Error('EIO'), true],
  ] as const) {
    assert.equal(retriesByDefault(err), retried);
    let calls = 0;
    await assert.rejects(
      p.run(async () => {
        calls++;
        throw err;
      }),
      (e) => e === err,
    );
    assert.equal(calls, retried ? 5 : 1, err.message);
  }
});

test('run: shouldRetry and a Retry-After carried by the error', async () => {
  const { waits, sleep } = recordingSleep();
  const p = new RetryPolicy({ tries: 4, baseMs: 50, maxMs: 5000, sleep, now: () => NOW });
  class Busy extends Error {
    constructor(readonly retryAfter: string | null) {
      super('busy');
    }
  }
  let calls = 0;
  await assert.rejects(
    p.run(
      async () => {
        calls++;
        throw calls === 1 ? new Busy('2') : calls === 2 ? new Busy(null) : new ClipmillError('CRAWL_FAILED', 'HTTP 404');
      },
      { shouldRetry: (e) => e instanceof Busy, retryAfter: (e) => (e as Busy).retryAfter },
    ),
    /HTTP 404/,
  );
  assert.equal(calls, 3);
  assert.deepEqual(waits, [2000, 100], 'the server asked for 2 s, then the computed wait for the second retry');
});

test('run: an abort during the wait rejects with the reason at once; no try starts after it', async () => {
  const p = new RetryPolicy({ tries: 5, baseMs: 60_000 });
  const ac = new AbortController();
  let calls = 0;
  const t0 = performance.now();
  const running = p.run(
    async () => {
      calls++;
      throw new Error('down');
    },
    { signal: ac.signal, onRetry: () => setImmediate(() => ac.abort(new Error('shutting down'))) },
  );
  await assert.rejects(running, /shutting down/);
  assert.equal(calls, 1);
  assert.ok(performance.now() - t0 < 5000, 'the minute-long wait ended with the abort');
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'no listener left on the signal');
  // Already aborted: the function is never called.
  await assert.rejects(
    p.run(
      async () => {
        calls++;
      },
      { signal: ac.signal },
    ),
    /shutting down/,
  );
  assert.equal(calls, 1);
  // Aborted while the try ran: its own error comes back, and it is not retried.
  const ac2 = new AbortController();
  await assert.rejects(
    p.run(
      async () => {
        calls++;
        ac2.abort();
        throw new Error('cut short');
      },
      { signal: ac2.signal },
    ),
    /cut short/,
  );
  assert.equal(calls, 2);
});

test('abortableSleep resolves after its time and removes its listener', async () => {
  const ac = new AbortController();
  await abortableSleep(5, ac.signal);
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  await abortableSleep(1);
});
