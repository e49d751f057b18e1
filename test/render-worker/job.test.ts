import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atStage, showStage, stageError } from '../../src/render-worker/job.js';
import { ClipmillError } from '../../src/shared/errors.js';
import { workerEnv } from './env.js';

test('stageError and atStage record where a task failed, without overriding a stage already known', () => {
  const e = stageError('RENDER_STALLED', 'render', 'no progress', { stderr: 'tail' });
  assert.deepEqual([e.code, e.errorClass, e.details.stage, e.details.stderr], ['RENDER_STALLED', 'recoverable', 'render', 'tail']);
  const plain = new ClipmillError('TASK_INVALID', 'bad');
  assert.equal((atStage(plain, 'claim') as ClipmillError).details.stage, 'claim');
  assert.equal((atStage(e, 'claim') as ClipmillError).details.stage, 'render');
  const foreign = new Error('x');
  assert.equal(atStage(foreign, 'claim'), foreign);
});

test('showStage: the task being rendered stays in the heartbeat while the next one downloads', async (t) => {
  const env = await workerEnv(t, 0);
  showStage(env, 'a', 'render');
  showStage(env, 'b', 'download');
  assert.deepEqual([env.heartbeat.current?.task, env.heartbeat.current?.stage, env.heartbeat.state], ['a', 'render', 'working']);
  env.heartbeat.current = null;
  env.heartbeat.state = 'stopping';
  showStage(env, 'b', 'download');
  const now = env.heartbeat as { current: { task: string } | null; state: string };
  assert.deepEqual([now.current?.task, now.state], ['b', 'stopping']);
});
