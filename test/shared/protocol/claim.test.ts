import assert from 'node:assert/strict';
import { readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { claimNext, listTasks, taskIds } from '../../../src/shared/protocol/claim.js';
import { visible } from '../../helpers.js';
import { ID, rootWithTasks } from './fixture.js';

test('claimNext: one winner per task among racing workers, each with its claim.json', async (t) => {
  const layout = await rootWithTasks(t, 2);
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claimNext(layout, `n${i}`)));
  assert.deepEqual(results.filter(Boolean).sort(), [ID(1), ID(2)], 'each task claimed exactly once');
  assert.deepEqual(await visible(layout.tasks), []);
  for (const id of [ID(1), ID(2)]) {
    const claim = JSON.parse(await readFile(join(layout.processingTask(id), 'claim.json'), 'utf8')) as { task_id: string; node: string; pid: number };
    assert.equal(claim.task_id, id);
    assert.equal(claim.pid, process.pid);
    assert.equal(results.indexOf(id), Number(claim.node.slice(1)), 'the claim names the worker that won the rename');
  }
  assert.equal(await claimNext(layout, 'late'), null, 'nothing left');
});

test('listTasks: oldest first; only UUID names (temporaries and the ledger are not tasks)', async (t) => {
  const layout = await rootWithTasks(t, 3);
  await utimes(layout.task(ID(1)), new Date(3000), new Date(3000));
  await utimes(layout.task(ID(2)), new Date(1000), new Date(1000));
  await utimes(layout.task(ID(3)), new Date(2000), new Date(2000));
  assert.deepEqual(await listTasks(layout), [ID(2), ID(3), ID(1)]);
  assert.deepEqual((await taskIds(layout.tasks)).sort(), [ID(1), ID(2), ID(3)]);
  assert.deepEqual(await taskIds(join(layout.root, 'nowhere')), []);
});
