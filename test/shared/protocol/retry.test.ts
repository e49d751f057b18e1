import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ClipmillError, isClipmillError } from '../../../src/shared/errors.js';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { failTask } from '../../../src/shared/protocol/fail.js';
import { latestFailures, retryFailed } from '../../../src/shared/protocol/retry.js';
import { visible } from '../../helpers.js';
import { ID, rootWithTasks, writeTaskFolder } from './fixture.js';

test('retryFailed: the latest failure of an id back to tasks/, attempts reset, failure files gone', async (t) => {
  const layout = await rootWithTasks(t, 1, 2);
  const id = (await claimNext(layout, 'n1'))!;
  const fail = () => failTask(layout, id, layout.processingTask(id), { error: new ClipmillError('RENDER_FAILED', 'boom', { details: { stage: 'render', stderr: 'boom' } }), attempts: 3, node: 'n1', encoder: 'libx264' });
  await fail();
  await writeTaskFolder(layout.processingTask(id), id, 3);
  await fail();
  assert.deepEqual(await latestFailures(layout), [`${id}.2`]);
  assert.deepEqual(await latestFailures(layout, [id.toUpperCase()]), [`${id}.2`]);
  await assert.rejects(latestFailures(layout, [ID(7)]), (e: unknown) => isClipmillError(e, 'USAGE'));
  const r = await retryFailed(layout, `${id}.2`);
  assert.deepEqual(r, { id, code: 'RENDER_FAILED', message: 'boom' });
  assert.deepEqual(await readdir(layout.task(id)), ['metadata.json']);
  assert.equal((JSON.parse(await readFile(join(layout.task(id), 'metadata.json'), 'utf8')) as { attempts: number }).attempts, 0);
  assert.deepEqual(await visible(layout.trashFailed), [id], 'the earlier failure stays');
  await assert.rejects(retryFailed(layout, id), (e: unknown) => isClipmillError(e, 'USAGE') && /already in tasks/.test((e as Error).message));
});
