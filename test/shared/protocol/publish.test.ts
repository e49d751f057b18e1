import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanPublishTemps, findTask, publishTask } from '../../../src/shared/protocol/publish.js';
import { visible } from '../../helpers.js';
import { ID, rootWithTasks } from './fixture.js';

test('publishTask: built under a temporary name, then one rename; null when the id exists; a failed build leaves nothing', async (t) => {
  const layout = await rootWithTasks(t, 0);
  let seenDuringBuild: string[] = [];
  const dir = await publishTask(layout, ID(1), async (tmp) => {
    await writeFile(join(tmp, 'metadata.json'), '{}');
    seenDuringBuild = await visible(layout.tasks);
  });
  assert.equal(dir, layout.task(ID(1)));
  assert.deepEqual(seenDuringBuild, [], 'a reader never sees the half-made folder');
  assert.deepEqual(await readdir(layout.task(ID(1))), ['metadata.json']);
  assert.equal(await publishTask(layout, ID(1), async (tmp) => writeFile(join(tmp, 'metadata.json'), '{}')), null);
  await assert.rejects(publishTask(layout, ID(2), async () => Promise.reject(new Error('disk full'))), /disk full/);
  assert.deepEqual((await readdir(layout.tasks)).filter((n) => n !== '.ledger'), [ID(1)]);
  assert.equal(await findTask(layout, ID(1)), layout.task(ID(1)));
  assert.equal(await findTask(layout, ID(2)), null);
});

test('cleanPublishTemps removes what a crash left half-built, nothing else', async (t) => {
  const layout = await rootWithTasks(t, 1);
  await mkdir(join(layout.tasks, `.tmp-${ID(2)}-abcd`));
  assert.equal(await cleanPublishTemps(layout), 1);
  assert.deepEqual(await visible(layout.tasks), [ID(1)]);
});
