import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { test } from 'node:test';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { requeueTask } from '../../../src/shared/protocol/requeue.js';
import { visible } from '../../helpers.js';
import { ID, quietLog, rootWithTasks } from './fixture.js';

test('requeueTask: refuses a fresh lease unless forced; refuses a task not in processing/', async (t) => {
  const layout = await rootWithTasks(t, 1);
  const id = (await claimNext(layout, 'n1'))!;
  await mkdir(layout.leaseLock(id));
  const opts = { maxAttempts: 3, leaseStaleMs: 5000, log: quietLog };
  const refused = await requeueTask(layout, id, { ...opts, force: false });
  assert.ok('refused' in refused && /lease is fresh/.test(refused.refused));
  assert.deepEqual(await requeueTask(layout, id, { ...opts, force: true }), { ok: 'requeued' });
  assert.deepEqual(await visible(layout.tasks), [id]);
  const missing = await requeueTask(layout, ID(9), { ...opts, force: true });
  assert.ok('refused' in missing && /no task .* in processing/.test(missing.refused));
});
