import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { prepare } from '../../src/render-worker/prepare.js';
import { claimNext } from '../../src/shared/protocol/claim.js';
import { writeTaskFolder } from '../shared/protocol/fixture.js';
import { visible } from '../helpers.js';
import { workerEnv } from './env.js';

const errorOf = async (dir: string) => JSON.parse(await readFile(join(dir, 'error.json'), 'utf8')) as Record<string, unknown>;

test('prepare: a task whose inputs are missing fails at claim with TASK_INVALID, its attempt counted', async (t) => {
  const env = await workerEnv(t, 1);
  const id = (await claimNext(env.layout, env.node))!;
  assert.equal(await prepare(env, id), 'failed');
  const error = await errorOf(env.layout.failedTask(id));
  assert.deepEqual([error.code, error.stage, error.attempts], ['TASK_INVALID', 'claim', 1]);
  assert.match(String(error.message), /is missing \(or a link to a missing file\)/);
});

test('prepare: a task with no attempt left fails at claim with TOO_MANY_ATTEMPTS, the refused attempt recorded', async (t) => {
  const env = await workerEnv(t, 0, { tasks: { maxAttempts: 2 } });
  await writeTaskFolder(env.layout.task('0f8fad5b-d9cb-469f-a165-708677289501'), '0f8fad5b-d9cb-469f-a165-708677289501', 2);
  const id = (await claimNext(env.layout, env.node))!;
  assert.equal(await prepare(env, id), 'failed');
  const error = await errorOf(env.layout.failedTask(id));
  assert.deepEqual([error.code, error.stage, error.attempts], ['TOO_MANY_ATTEMPTS', 'claim', 3]);
  assert.deepEqual(await visible(env.layout.processing), []);
});
