import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ClipmillError } from '../../../src/shared/errors.js';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { asTaskError, failTask } from '../../../src/shared/protocol/fail.js';
import { visible } from '../../helpers.js';
import { ID, rootWithTasks, writeTaskFolder } from './fixture.js';

test('failTask: error.json with code, class and stage, stderr.log, then trash/failed/<id>, <id>.2 the second time', async (t) => {
  const layout = await rootWithTasks(t, 1);
  const id = (await claimNext(layout, 'n1'))!;
  await writeFile(join(layout.processingTask(id), 'final.mp4'), 'partial');
  const error = new ClipmillError('RENDER_FAILED', 'ffmpeg failed (exit code 1): boom', { details: { stage: 'render', stderr: 'line 1\nboom\n' } });
  const dest = await failTask(layout, id, layout.processingTask(id), { error, attempts: 1, node: 'n1', encoder: 'libx264' });
  assert.equal(dest, layout.failedTask(id));
  assert.deepEqual((await readdir(dest)).sort(), ['claim.json', 'error.json', 'metadata.json', 'stderr.log']);
  const file = JSON.parse(await readFile(join(dest, 'error.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual({ ...file, failed_at: 'x' }, { task_id: id, code: 'RENDER_FAILED', class: 'fatal', stage: 'render', message: 'ffmpeg failed (exit code 1): boom', attempts: 1, node: 'n1', encoder: 'libx264', failed_at: 'x' });
  assert.equal(await readFile(join(dest, 'stderr.log'), 'utf8'), 'line 1\nboom\n');
  // The same id fails again (retried by hand): its own folder, nothing overwritten.
  await writeTaskFolder(layout.processingTask(ID(1)), ID(1), 2);
  const again = await failTask(layout, id, layout.processingTask(id), { error: asTaskError(new Error('EIO: i/o error')), attempts: 2, node: 'n1', encoder: null });
  assert.equal(again, `${layout.failedTask(id)}.2`);
  const second = JSON.parse(await readFile(join(again, 'error.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual([second.code, second.class, second.stage], ['IO', 'recoverable', 'publish'], 'a foreign error is the machine\'s');
  assert.deepEqual(await visible(layout.processing), []);
});
