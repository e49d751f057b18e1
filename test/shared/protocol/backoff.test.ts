// Failure routing by class (shared/protocol/backoff.ts): the backoff, the node a memory
// failure sets aside, the last attempt at draft quality; with the claim index and fake timers.
import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mock, test } from 'node:test';
import { ClipmillError } from '../../../src/shared/errors.js';
import { afterFailure, backoffDelay, reducedQuality, shouldRequeue } from '../../../src/shared/protocol/backoff.js';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { TaskIndex } from '../../../src/shared/protocol/queue.js';
import { voiceOverTimeline } from '../../../src/shared/timeline/from-metadata.js';
import { sampleMetadata } from '../../fixtures.js';
import { ID, rootWithTasks } from './fixture.js';

test('shouldRequeue: recoverable and resource failures while attempts are left; never a fatal one', () => {
  const meta = { ...sampleMetadata(), attempts: 2 };
  assert.equal(shouldRequeue(new ClipmillError('RENDER_STALLED', 'x'), meta, 3), true);
  assert.equal(shouldRequeue(new ClipmillError('OUT_OF_MEMORY', 'x'), meta, 3), true);
  assert.equal(shouldRequeue(new ClipmillError('RENDER_FAILED', 'x'), meta, 3), false);
  assert.equal(shouldRequeue(new ClipmillError('IO', 'x'), { ...meta, attempts: 3 }, 3), false, 'the last attempt failed');
  assert.equal(shouldRequeue(new ClipmillError('IO', 'x'), null, 3), false, 'no metadata read');
});

test('backoff: 1, 2, 4, 8 s ... capped at tasks.retryMaxMs', () => {
  const s = { retryBaseMs: 1000, retryMaxMs: 5000 };
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, s)), [1000, 2000, 4000, 5000, 5000, 5000]);
});

test('backoff with fake timers: a failed task is not claimed before its not_before, then it is', async (t) => {
  mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-11-29T00:00:00Z') });
  t.after(() => mock.timers.reset());
  const layout = await rootWithTasks(t, 1, 2);
  const meta = { ...sampleMetadata(), task_id: ID(1), attempts: 2 };
  const error = new ClipmillError('RENDER_STALLED', 'stalled');
  const next = afterFailure(meta, error, 'n1', { retryBaseMs: 1000, retryMaxMs: 60_000, resourceAvoidMs: 600_000, maxAttempts: 3 }, Date.now());
  assert.equal(next.not_before, '2026-11-29T00:00:02.000Z', 'second attempt failed: 2 s');
  assert.deepEqual(next.last_failure, { code: 'RENDER_STALLED', class: 'recoverable', message: 'stalled', node: 'n1', at: '2026-11-29T00:00:00.000Z' });
  assert.equal(next.avoid_nodes, undefined, 'a recoverable failure leaves no node aside');
  await writeFile(join(layout.task(ID(1)), 'metadata.json'), JSON.stringify(next));
  const idx = await new TaskIndex(layout, { rescanMs: 60_000, watch: false }).open();
  assert.equal(await claimNext(layout, 'n1', undefined, idx), null);
  mock.timers.tick(1999);
  assert.equal(await claimNext(layout, 'n1', undefined, idx), null);
  mock.timers.tick(1);
  assert.equal(await claimNext(layout, 'n1', undefined, idx), ID(1));
});

test('a resource failure: the failing node leaves the task to others until resourceAvoidMs; its last attempt renders a draft (never after ENOSPC)', async (t) => {
  mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-11-29T00:00:00Z') });
  t.after(() => mock.timers.reset());
  const layout = await rootWithTasks(t, 1);
  const s = { retryBaseMs: 1000, retryMaxMs: 60_000, resourceAvoidMs: 600_000, maxAttempts: 3 };
  const oom = new ClipmillError('OUT_OF_MEMORY', 'killed by SIGKILL');
  const next = afterFailure({ ...sampleMetadata(), task_id: ID(1), attempts: 1 }, oom, 'big', s, Date.now());
  assert.deepEqual(next.avoid_nodes, [{ node: 'big', until: '2026-11-29T00:10:00.000Z' }]);
  await writeFile(join(layout.task(ID(1)), 'metadata.json'), JSON.stringify(next));
  await utimes(layout.task(ID(1)), new Date(), new Date());
  const idx = await new TaskIndex(layout, { rescanMs: 60_000, watch: false }).open();
  mock.timers.tick(1000);
  assert.equal(await claimNext(layout, 'big', undefined, idx), null, 'not by the node that ran out of memory');
  assert.equal(await claimNext(layout, 'other', undefined, idx), ID(1), 'another node takes it');

  const tl = voiceOverTimeline(sampleMetadata());
  const last = { ...next, attempts: 3 };
  assert.deepEqual(reducedQuality(last, tl, 3)?.quality, { from: 'normal', to: 'draft' });
  assert.match(reducedQuality(last, tl, 3)!.reason, /last attempt \(3 of 3\) after OUT_OF_MEMORY on big/);
  assert.equal(reducedQuality({ ...last, attempts: 2 }, tl, 3), null, 'not before the last attempt');
  const enospc = afterFailure({ ...sampleMetadata(), attempts: 2 }, new ClipmillError('IO', 'No space left on device', { details: { errno: 'ENOSPC' } }), 'big', s, Date.now());
  assert.equal(reducedQuality({ ...enospc, attempts: 3 }, tl, 3), null, 'ENOSPC never lowers quality');
});

