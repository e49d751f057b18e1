import assert from 'node:assert/strict';
import { mkdir, readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { recoverStaleClaims, recoverTask } from '../../../src/shared/protocol/recover.js';
import { visible } from '../../helpers.js';
import { ID, quietLog, rootWithTasks } from './fixture.js';

const OPTS = { maxAttempts: 3, leaseStaleMs: 5000, log: quietLog };
const read = async (p: string) => JSON.parse(await readFile(p, 'utf8')) as Record<string, unknown>;

test('recoverStaleClaims: stale leases back to tasks/ with the attempt counted; live ones left alone', async (t) => {
  const layout = await rootWithTasks(t, 2);
  for (let i = 0; i < 2; i++) await claimNext(layout, 'n1');
  const old = new Date(Date.now() - 10_000);
  for (const id of [ID(1), ID(2)]) await mkdir(layout.leaseLock(id));
  await utimes(layout.leaseLock(ID(1)), old, old);
  const r = await recoverStaleClaims(layout, OPTS);
  assert.deepEqual(r, { recovered: [ID(1)], failed: [] });
  assert.deepEqual(await visible(layout.tasks), [ID(1)]);
  assert.equal((await read(join(layout.task(ID(1)), 'metadata.json'))).attempts, 1, 'a worker that died before counting still used an attempt');
  assert.deepEqual(await visible(layout.processing), [ID(2)]);
});

test('recoverTask: the last attempt spent goes to trash/failed with TOO_MANY_ATTEMPTS; a live lease is skipped', async (t) => {
  const layout = await rootWithTasks(t, 2, 3);
  for (let i = 0; i < 2; i++) await claimNext(layout, 'n1');
  assert.equal(await recoverTask(layout, ID(1), { ...OPTS, why: 'test' }), 'failed');
  const error = await read(join(layout.failedTask(ID(1)), 'error.json'));
  assert.deepEqual([error.code, error.class, error.stage, error.attempts, error.node, error.encoder], ['TOO_MANY_ATTEMPTS', 'fatal', 'claim', 3, 'n1', null]);
  await mkdir(layout.leaseLock(ID(2)));
  assert.equal(await recoverTask(layout, ID(2), { ...OPTS, why: 'test' }), 'skipped', 'its lease is fresh');
  assert.deepEqual(await visible(layout.processing), [ID(2)]);
});
