import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { previewExists, publishPreview } from '../../../src/shared/protocol/previews.js';
import { tempDir } from '../../helpers.js';
import { ID, rootWithTasks } from './fixture.js';

test('publishPreview: previews/<id>/ with preview.mp4 and poster.jpg at once; a second one keeps the first; a failed copy leaves nothing', async (t) => {
  const layout = await rootWithTasks(t, 0);
  const dir = await tempDir(t);
  await writeFile(join(dir, 'p.mp4'), 'video');
  await writeFile(join(dir, 'p.jpg'), 'jpeg');
  assert.equal(await previewExists(layout, ID(1)), false);
  assert.equal(await publishPreview(layout, ID(1), join(dir, 'p.mp4'), join(dir, 'p.jpg')), true);
  assert.equal(await previewExists(layout, ID(1)), true);
  assert.deepEqual((await readdir(layout.previewTask(ID(1)))).sort(), ['poster.jpg', 'preview.mp4']);
  await writeFile(join(dir, 'q.mp4'), 'other');
  assert.equal(await publishPreview(layout, ID(1), join(dir, 'q.mp4'), join(dir, 'p.jpg')), false);
  assert.equal(await readFile(join(layout.previewTask(ID(1)), 'preview.mp4'), 'utf8'), 'video', 'the published preview is kept');
  await assert.rejects(publishPreview(layout, ID(2), join(dir, 'missing.mp4'), join(dir, 'p.jpg')), /ENOENT/);
  assert.deepEqual(await readdir(layout.previews), [ID(1)], 'no temporary folder left');
});
