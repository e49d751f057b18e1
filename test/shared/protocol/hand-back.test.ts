import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { handBack, handBackDeadClaims, returnToTasks } from '../../../src/shared/protocol/hand-back.js';
import { acquireLease } from '../../../src/shared/protocol/lease.js';
import { startAttempt } from '../../../src/shared/protocol/attempts.js';
import { exists } from '../../../src/shared/fs.js';
import { visible } from '../../helpers.js';
import { ID, rootWithTasks } from './fixture.js';

const TIMING = { leaseUpdateMs: 1000, leaseStaleMs: 5000 };
const attemptsOf = async (dir: string) => (JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as { attempts: number }).attempts;

test('handBack: back to tasks/ with the attempt given back, the lease released, claim and partial output removed', async (t) => {
  const layout = await rootWithTasks(t, 1);
  const id = (await claimNext(layout, 'n1'))!;
  const lease = await acquireLease(layout, id, TIMING, () => {});
  const meta = await startAttempt(layout.processingTask(id), 3);
  await writeFile(join(layout.processingTask(id), 'final.mp4'), 'partial');
  await handBack(layout, id, meta, lease);
  assert.deepEqual(await visible(layout.tasks), [id]);
  assert.deepEqual((await readdir(layout.task(id))).sort(), ['metadata.json']);
  assert.equal(await attemptsOf(layout.task(id)), 0);
  assert.equal(await exists(layout.leaseLock(id)), false, 'the next claimer can take the lease');
});

test('handBackDeadClaims: only this node\'s claims whose process is gone, attempt kept, lease broken', async (t) => {
  const layout = await rootWithTasks(t, 3, 1);
  for (let i = 0; i < 3; i++) await claimNext(layout, 'x');
  const claim = (id: string, node: string, pid: number) => writeFile(join(layout.processingTask(id), 'claim.json'), JSON.stringify({ task_id: id, node, pid, claimed_at: new Date().toISOString() }));
  await claim(ID(1), 'n1', 999_999_1);
  await claim(ID(2), 'n2', 999_999_2);
  await claim(ID(3), 'n1', 999_999_3);
  await mkdir(layout.leaseLock(ID(1)));
  const back = await handBackDeadClaims(layout, 'n1', (pid) => pid === 999_999_3);
  assert.deepEqual(back, [ID(1)], 'task 2 is another node\'s; task 3\'s process is alive');
  assert.deepEqual(await visible(layout.tasks), [ID(1)]);
  assert.deepEqual(await readdir(layout.task(ID(1))), ['metadata.json'], 'the stale claim is gone');
  assert.equal(await attemptsOf(layout.task(ID(1))), 1);
  assert.equal(await exists(layout.leaseLock(ID(1))), false);
  assert.deepEqual((await visible(layout.processing)).sort(), [ID(2), ID(3)]);
});

test('returnToTasks refuses to replace a task of the same id in tasks/', async (t) => {
  const layout = await rootWithTasks(t, 1);
  const id = (await claimNext(layout, 'n1'))!;
  await mkdir(layout.task(id));
  await writeFile(join(layout.task(id), 'metadata.json'), '{}');
  await assert.rejects(returnToTasks(layout, id), /ENOTEMPTY|EEXIST/);
  assert.ok(await exists(layout.processingTask(id)), 'left where it was');
});
