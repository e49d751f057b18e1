import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { cancelTask } from '../../../src/shared/protocol/cancel.js';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { visible } from '../../helpers.js';
import { ID, rootWithTasks, writeTaskFolder } from './fixture.js';

test('cancelTask: a waiting task moves whole to trash/cancelled/; a claimed or unknown one is refused; a second cancel of a re-published id gets <id>.2', async (t) => {
  const layout = await rootWithTasks(t, 2);
  const claimed = (await claimNext(layout, 'n1'))!;
  const waiting = claimed === ID(1) ? ID(2) : ID(1);
  assert.deepEqual(await cancelTask(layout, waiting.toUpperCase()), { cancelled: `trash/cancelled/${waiting}` });
  assert.deepEqual(await readdir(layout.trashCancelled + '/' + waiting), ['metadata.json']);
  assert.deepEqual(await visible(layout.tasks), []);
  const r = await cancelTask(layout, claimed);
  assert.ok('refused' in r && /processing\//.test(r.refused), JSON.stringify(r));
  assert.deepEqual(await cancelTask(layout, ID(9)), { refused: `no task ${ID(9)}` });
  await assert.rejects(cancelTask(layout, '../tasks'), (e: unknown) => isClipmillError(e, 'USAGE'));
  await writeTaskFolder(layout.task(waiting), waiting);
  assert.deepEqual(await cancelTask(layout, waiting), { cancelled: `trash/cancelled/${waiting}.2` });
  assert.deepEqual((await visible(layout.trashCancelled)).sort(), [waiting, `${waiting}.2`]);
});
