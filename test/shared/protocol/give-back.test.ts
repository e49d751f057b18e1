import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { giveBackAttempts } from '../../../src/shared/protocol/give-back.js';
import { readMetadata } from '../../../src/shared/protocol/task-files.js';
import { visible } from '../../helpers.js';
import { ID, rootWithTasks, writeTaskFolder } from './fixture.js';

const failure = (id: string, node: string, at: string) => ({ task_id: id, code: 'RENDER_FAILED', class: 'fatal', stage: 'render', message: 'x', attempts: 1, node, encoder: 'libx264', failed_at: at });

test('giveBackAttempts: waiting tasks lose the attempts and the backoff the run charged; this run\'s failures come back from trash/failed; others are left alone', async (t) => {
  const layout = await rootWithTasks(t, 2, 2);
  for (const id of [ID(1), ID(2)]) {
    const p = join(layout.task(id), 'metadata.json');
    await writeFile(p, JSON.stringify({ ...JSON.parse(await readFile(p, 'utf8')), not_before: '2030-01-01T00:00:00Z', last_failure: { code: 'IO', class: 'recoverable', message: 'm', node: 'bad', at: '2026-01-01T00:00:00Z' } }));
  }
  const since = Date.parse('2026-11-29T00:00:00Z');
  // In trash/failed: one failed by this node during the run, one by another node, one before the run.
  for (const [n, node, at] of [[3, 'bad', '2026-11-29T00:00:01Z'], [4, 'other', '2026-11-29T00:00:01Z'], [5, 'bad', '2026-11-28T00:00:00Z']] as const) {
    await writeTaskFolder(layout.failedTask(ID(n)), ID(n), 1);
    await writeFile(join(layout.failedTask(ID(n)), 'error.json'), JSON.stringify(failure(ID(n), node, at)));
    await writeFile(join(layout.failedTask(ID(n)), 'stderr.log'), 'boom');
  }
  // Claimed by another node meanwhile: its own now.
  await writeTaskFolder(layout.processingTask(ID(6)), ID(6), 1);
  const charged = new Map([[ID(1), 2], [ID(2), 1], [ID(3), 1], [ID(4), 1], [ID(5), 1], [ID(6), 1], [ID(7), 1]]);
  const given = await giveBackAttempts(layout, 'bad', charged, since);
  assert.deepEqual(given, [
    { id: ID(1), from: 'tasks', attempts: 0 },
    { id: ID(2), from: 'tasks', attempts: 1 },
    { id: ID(3), from: 'trash/failed', attempts: 0 },
  ]);
  assert.deepEqual(await visible(layout.tasks), [ID(1), ID(2), ID(3)]);
  const m1 = await readMetadata(layout.task(ID(1)));
  assert.deepEqual([m1.not_before, m1.last_failure], [undefined, undefined]);
  assert.deepEqual(await visible(layout.task(ID(1))), ['metadata.json'], 'no claim.json left');
  assert.deepEqual(await visible(layout.task(ID(3))), ['metadata.json'], 'error.json and stderr.log gone');
  assert.deepEqual(await visible(layout.trashFailed), [ID(4), ID(5)]);
  assert.deepEqual(await visible(layout.processing), [ID(6)]);
  assert.equal((await readMetadata(layout.processingTask(ID(6)))).attempts, 1);
  assert.equal((await readMetadata(layout.task(ID(3)))).breaker_returns, 1, 'a fatal verdict taken back is counted');
});

test('giveBackAttempts: a fatal verdict is taken back from trash/failed once only (a bad task does not travel from breaker to breaker)', async (t) => {
  const layout = await rootWithTasks(t, 0, 2);
  const since = Date.parse('2026-11-29T00:00:00Z');
  await writeTaskFolder(layout.failedTask(ID(1)), ID(1), 1);
  const p = join(layout.failedTask(ID(1)), 'metadata.json');
  await writeFile(p, JSON.stringify({ ...JSON.parse(await readFile(p, 'utf8')), breaker_returns: 1 }));
  await writeFile(join(layout.failedTask(ID(1)), 'error.json'), JSON.stringify(failure(ID(1), 'bad', '2026-11-29T00:00:01Z')));
  await writeTaskFolder(layout.failedTask(ID(2)), ID(2), 1);
  await writeFile(join(layout.failedTask(ID(2)), 'error.json'), JSON.stringify({ ...failure(ID(2), 'bad', '2026-11-29T00:00:01Z'), class: 'recoverable', code: 'RENDER_STALLED' }));
  const given = await giveBackAttempts(layout, 'bad', new Map([[ID(1), 1], [ID(2), 1]]), since);
  assert.deepEqual(given, [{ id: ID(2), from: 'trash/failed', attempts: 0 }]);
  assert.deepEqual(await visible(layout.trashFailed), [ID(1)]);
  assert.equal((await readMetadata(layout.task(ID(2)))).breaker_returns, undefined);
});
