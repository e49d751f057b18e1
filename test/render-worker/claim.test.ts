import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { claimNext, handBackDeadClaims } from '../../src/render-worker/claim.js';
import { Layout } from '../../src/shared/layout.js';
import { tempDir, visible } from '../helpers.js';

const ID = (n: number) => `0f8fad5b-d9cb-469f-a165-7086772895${String(n).padStart(2, '0')}`;

test('claims: one winner per task; a dead worker of this node has its claims handed back', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  for (const n of [1, 2]) await mkdir(layout.task(ID(n)));
  const results = await Promise.all(Array.from({ length: 8 }, () => claimNext(layout, 'n1')));
  assert.deepEqual(results.filter(Boolean).sort(), [ID(1), ID(2)], 'each task claimed exactly once');
  assert.deepEqual(await visible(layout.tasks), []);
  // Task 1's claim now belongs to a dead process of n1, task 2's to another node.
  await writeFile(join(layout.processingTask(ID(1)), 'claim.json'), JSON.stringify({ task_id: ID(1), node: 'n1', pid: 2 ** 22 + 7, claimed_at: '' }));
  await writeFile(join(layout.processingTask(ID(2)), 'claim.json'), JSON.stringify({ task_id: ID(2), node: 'n2', pid: 2 ** 22 + 7, claimed_at: '' }));
  const back = await handBackDeadClaims(layout, 'n1', () => false);
  assert.deepEqual(back, [ID(1)]);
  assert.deepEqual(await visible(layout.tasks), [ID(1)]);
  assert.deepEqual(await readdir(layout.task(ID(1))), [], 'the stale claim is gone');
  assert.deepEqual(await readdir(layout.processing), [ID(2)]);
});
