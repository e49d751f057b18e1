import assert from 'node:assert/strict';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { claimOrder, readEntry, TaskIndex } from '../../../src/shared/protocol/queue.js';
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

test('claimOrder is a total order', () => {
  const e = (id: string, priority: number, createdMs: number) => ({ id, priority, createdMs, notBeforeMs: 0, avoid: [] });
  assert.ok(claimOrder(e('a', 1, 5), e('b', 0, 1)) < 0);
  assert.ok(claimOrder(e('a', 0, 5), e('b', 0, 1)) > 0);
  assert.ok(claimOrder(e('a', 0, 1), e('b', 0, 1)) < 0);
});

test('readEntry: a metadata.json that is a FIFO or a link is offered at priority 0 (failed when claimed), never waited on or followed', async (t) => {
  const layout = await rootWithTasks(t, 0);
  const fifo = layout.task(ID(1));
  await mkdir(fifo);
  await execa('mkfifo', [join(fifo, 'metadata.json')]);
  const link = layout.task(ID(2));
  await mkdir(link);
  await writeFile(join(link, 'target.json'), JSON.stringify({ priority: 9 }));
  await symlink('target.json', join(link, 'metadata.json'));
  for (const [dir, id] of [[fifo, ID(1)], [link, ID(2)]] as const) {
    const e = await readEntry(dir, id);
    assert.deepEqual([e?.id, e?.priority, e?.notBeforeMs], [id, 0, 0]);
  }
});

test('chunk tasks and joins: a claim made ahead (render.prefetch) stops at one and takes nothing, not even a task after it; chunks of one task longest first, the audio last', async (t) => {
  const layout = await rootWithTasks(t, 0);
  const parent = ID(9);
  const chunk = (kind: 'video' | 'audio', start: number, to: number) => ({ of: parent, kind, ...(kind === 'video' ? { range: { index: 0, from_frame: start, to_frame: to, start_frame: start, segment: 0 } } : {}) });
  const made: [number, Record<string, unknown>][] = [
    [1, { priority: 0, created_at: '2030-01-01T00:00:00Z' }],
    [2, { priority: 10, created_at: '2020-01-01T00:00:00Z', chunk: chunk('audio', 0, 0) }],
    [3, { priority: 10, created_at: '2020-01-01T00:00:00Z', chunk: chunk('video', 0, 30) }],
    [4, { priority: 10, created_at: '2020-01-01T00:00:00Z', chunk: chunk('video', 30, 90) }],
  ];
  for (const [n, over] of made) {
    await writeTaskFolder(layout.task(ID(n)), ID(n));
    await setMeta(layout.task(ID(n)), over);
  }
  assert.equal(await claimNext(layout, 'busy', undefined, undefined, true), null, 'the head is a chunk: nothing claimed ahead, not the older-priority task behind it');
  const order: string[] = [];
  for (let id = await claimNext(layout, 'n1'); id; id = await claimNext(layout, 'n1')) order.push(id);
  assert.deepEqual(order, [4, 3, 2, 1].map(ID), 'the 60-frame chunk, the 30-frame one, the audio, then the other task');
  // A join waiting (its chunks done) is not claimed ahead either; an ordinary task at the head is.
  await writeTaskFolder(layout.task(parent), parent);
  await setMeta(layout.task(parent), { priority: 5, join: { fps: 30, frames: 90, chunks: [], audio: true } });
  await writeTaskFolder(layout.task(ID(5)), ID(5));
  assert.equal(await claimNext(layout, 'busy', undefined, undefined, true), null);
  assert.equal(await claimNext(layout, 'n1'), parent);
  assert.equal(await claimNext(layout, 'busy', undefined, undefined, true), ID(5));
});
