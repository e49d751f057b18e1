import assert from 'node:assert/strict';
import { readFile, rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mock, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClipmillError } from '../../../src/shared/errors.js';
import { afterFailure, backoffDelay, reducedQuality } from '../../../src/shared/protocol/backoff.js';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { claimOrder, TaskIndex } from '../../../src/shared/protocol/queue.js';
import { voiceOverTimeline } from '../../../src/shared/timeline/from-metadata.js';
import { sampleMetadata } from '../../fixtures.js';
import { ID, rootWithTasks, writeTaskFolder } from './fixture.js';

async function setMeta(dir: string, over: Record<string, unknown>): Promise<void> {
  const p = join(dir, 'metadata.json');
  await writeFile(p, JSON.stringify({ ...JSON.parse(await readFile(p, 'utf8')), ...over }));
}

test('claim order: highest priority first, then the oldest (created_at), then the id; priority absent is 0', async (t) => {
  const layout = await rootWithTasks(t, 0);
  const made: [number, number | undefined, string][] = [
    [1, undefined, '2026-01-01T00:00:03Z'],
    [2, 5, '2026-01-01T00:00:04Z'],
    [3, 0, '2026-01-01T00:00:01Z'],
    [4, 5, '2026-01-01T00:00:02Z'],
    [5, -2, '2026-01-01T00:00:00Z'],
    [6, 10, '2026-01-01T00:00:09Z'],
  ];
  for (const [n, priority, created] of made) {
    await writeTaskFolder(layout.task(ID(n)), ID(n));
    await setMeta(layout.task(ID(n)), { created_at: created, ...(priority === undefined ? {} : { priority }) });
  }
  const order: string[] = [];
  for (let id = await claimNext(layout, 'n1'); id; id = await claimNext(layout, 'n1')) order.push(id);
  assert.deepEqual(order, [6, 4, 2, 3, 1, 5].map(ID));
});

test('the index: current as tasks come and go (watch), a task is claimed once among racing workers each with its own index', async (t) => {
  const layout = await rootWithTasks(t, 3);
  const indexes = await Promise.all([1, 2, 3].map(() => new TaskIndex(layout, { rescanMs: 60_000 }).open()));
  t.after(() => indexes.forEach((i) => i.close()));
  assert.equal(indexes[0]!.size, 3);
  // A task published after the index was built, with a higher priority: offered first.
  const tmp = join(layout.tasks, '.tmp-x');
  await writeTaskFolder(tmp, ID(9));
  await setMeta(tmp, { priority: 3 });
  await rename(tmp, layout.task(ID(9)));
  await sleep(50); // inotify delivers the event; without it the claim would list tasks/ anyway
  assert.equal(await claimNext(layout, 'a', undefined, indexes[0]), ID(9));
  const got = await Promise.all(indexes.flatMap((idx, i) => [claimNext(layout, `n${i}`, undefined, idx), claimNext(layout, `m${i}`, undefined, idx)]));
  const ids = got.filter((x): x is string => x !== null);
  assert.deepEqual(ids.sort(), [ID(1), ID(2), ID(3)]);
  assert.equal(await claimNext(layout, 'late', undefined, indexes[1]), null);
});

test('an index entry gone stale without an event (another host on NFS) is read again before the claim', async (t) => {
  const layout = await rootWithTasks(t, 2);
  const idx = await new TaskIndex(layout, { rescanMs: 60_000, watch: false }).open();
  // ID(1) gets a backoff the index has not seen: the claim reads it and takes ID(2).
  await setMeta(layout.task(ID(1)), { not_before: new Date(Date.now() + 60_000).toISOString() });
  assert.equal(await claimNext(layout, 'n1', undefined, idx), ID(2));
  assert.equal(await claimNext(layout, 'n1', undefined, idx), null);
  assert.equal(idx.list()[0]?.id, ID(1));
  assert.ok(idx.nextDue()! > Date.now());
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

test('claimOrder is a total order', () => {
  const e = (id: string, priority: number, createdMs: number) => ({ id, priority, createdMs, notBeforeMs: 0, avoid: [] });
  assert.ok(claimOrder(e('a', 1, 5), e('b', 0, 1)) < 0);
  assert.ok(claimOrder(e('a', 0, 5), e('b', 0, 1)) > 0);
  assert.ok(claimOrder(e('a', 0, 1), e('b', 0, 1)) < 0);
});
