import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { MainContext } from '../../src/main-worker/context.js';
import { CONVERT_RETRY, ConvertQueue } from '../../src/main-worker/convert-queue.js';
import type { ConvertJob, convertOriginal } from '../../src/main-worker/ingest/convert.js';
import { emptyTotals } from '../../src/main-worker/metrics.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { RetryPolicy } from '../../src/shared/retry.js';
import { testConfig } from '../helpers.js';

type Answer = Awaited<ReturnType<typeof convertOriginal>>;
const job = (id: string): ConvertJob => ({ kind: 'video', category: 'c', original: `/farm/scanned/video/c/original/${id}.mov`, id });

function setup(answer: (job: ConvertJob, n: number) => Promise<Answer> | Answer, over: { policy?: RetryPolicy; retryLater?: boolean } = {}) {
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const ctx: MainContext = { config: testConfig({ ingest: { convertConcurrency: 1 } }), layout: new Layout('/farm'), log, bins: null as never };
  const totals = emptyTotals();
  const calls: { id: string; lastTry: boolean }[] = [];
  const converted: string[] = [];
  const convert: typeof convertOriginal = async (_ctx, j, _signal, opts = {}) => {
    calls.push({ id: j.id, lastTry: opts.lastTry === true });
    return answer(j, calls.length);
  };
  const queue = new ConvertQueue({ ctx, totals, metrics: null, converted: (d) => converted.push(d), retryLater: () => over.retryLater ?? true, convert, ...(over.policy ? { policy: over.policy } : {}) });
  return { queue, totals, calls, converted, lines };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(5);
  }
}

test('the convert retry policy: 5 retries a minute apart, the sixth try is the last', () => {
  assert.deepEqual([1, 2, 5].map((a) => CONVERT_RETRY.delay(a)), [60_000, 60_000, 60_000]);
  assert.equal(CONVERT_RETRY.exhausted(5), false);
  assert.equal(CONVERT_RETRY.exhausted(6), true);
});

test('a conversion that failed for a machine reason is queued again after the wait; the last try may reject it', async () => {
  const answers: Answer[] = [{ status: 'retry' }, { status: 'retry' }, { status: 'failed' }];
  const s = setup(() => answers.shift()!, { policy: new RetryPolicy({ tries: 3, baseMs: 10, factor: 1 }) });
  s.queue.enqueue(job('a'));
  await until(() => s.calls.length === 3);
  await s.queue.idle();
  assert.deepEqual(
    s.calls.map((c) => c.lastTry),
    [false, false, true],
  );
  assert.equal(s.totals.errors, 2);
  assert.equal(s.totals.rejected, 1);
  assert.equal(s.queue.retriesWaiting, 0);
});

test('--once (retryLater false): no retry is scheduled; the next start resumes it', async () => {
  const s = setup(() => ({ status: 'retry' }), { retryLater: false, policy: new RetryPolicy({ tries: 3, baseMs: 1, factor: 1 }) });
  s.queue.enqueue(job('a'));
  await s.queue.idle();
  await sleep(20);
  assert.equal(s.calls.length, 1);
  assert.equal(s.queue.retriesWaiting, 0);
});

test('done, failed and thrown; an original already queued is not queued twice', async () => {
  const s = setup((j) => {
    if (j.id === 'boom') throw new Error('EIO');
    return j.id === 'bad' ? { status: 'failed' } : { status: 'done', dest: `/farm/scanned/video/c/mp4_w160_h90/1.0_${j.id}.mp4` };
  });
  assert.equal(s.queue.enqueue(job('a')), true);
  assert.equal(s.queue.enqueue(job('a')), false);
  s.queue.enqueue(job('bad'));
  s.queue.enqueue(job('boom'));
  assert.deepEqual([...s.queue.originals()].length, 3);
  assert.ok(s.queue.depth() >= 2);
  await s.queue.idle();
  assert.deepEqual([...s.queue.originals()], []);
  assert.deepEqual(s.converted, ['/farm/scanned/video/c/mp4_w160_h90/1.0_a.mp4']);
  assert.deepEqual({ converted: s.totals.converted, rejected: s.totals.rejected, errors: s.totals.errors }, { converted: 1, rejected: 1, errors: 1 });
  assert.match(s.lines.join(''), /Could not convert scanned\/video\/c\/original\/boom\.mov: EIO/);
});

test('stop(): drops the retries waiting for their time and takes no new conversion', async () => {
  const s = setup(() => ({ status: 'retry' }));
  s.queue.enqueue(job('a'));
  await s.queue.idle();
  assert.equal(s.queue.retriesWaiting, 1, 'CONVERT_RETRY: a minute from now');
  s.queue.stop();
  assert.equal(s.queue.retriesWaiting, 0);
  assert.equal(s.queue.enqueue(job('b')), false);
  assert.equal(s.calls.length, 1);
});
