// The main worker's sweep of chunks/: each task on its own, an error said once; a published
// task's folder retired to trash/chunks/.
import assert from 'node:assert/strict';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { exists } from '../../../src/shared/fs.js';
import { sweepChunks } from '../../../src/shared/protocol/chunk-sweep.js';
import { parkForChunks, retiredChunkDir } from '../../../src/shared/protocol/chunks.js';
import { claimed, ID, PLAN, visible } from './chunk-fixture.js';
import { quietLog } from './fixture.js';

test('the health sweep: a join with a corrupt metadata.json is logged once and the other tasks are still swept; a published task\'s chunks/<id>/ moves to trash/chunks/', async (t) => {
  const { layout, lease, meta } = await claimed(t);
  await parkForChunks(layout, ID, 'n1', lease, meta, PLAN);
  const OTHER = '1f8fad5b-d9cb-469f-a165-70867728950e';
  await mkdir(layout.chunkJoin(OTHER), { recursive: true });
  await writeFile(join(layout.chunkJoin(OTHER), 'metadata.json'), '{ not json');
  const errors: string[] = [];
  const log = Object.assign(Object.create(quietLog) as typeof quietLog, { error: (...a: unknown[]) => void errors.push(String(a.at(-1))) });
  for (const n of ['0.mp4', '1.mp4', 'audio.m4a']) await writeFile(join(layout.chunkDir(ID), n), 'x');
  assert.deepEqual((await sweepChunks(layout, log)).joins, [ID], 'the corrupt one does not stop the others');
  await sweepChunks(layout, log);
  assert.equal(errors.filter((e) => e.includes(OTHER)).length, 1, 'said once');
  // Joined and published (its worker killed before it retired chunks/<id>/): the sweep does it.
  await mkdir(layout.output, { recursive: true });
  await rename(layout.task(ID), layout.outputTask(ID));
  assert.deepEqual((await sweepChunks(layout, log)).retired, [ID]);
  assert.equal(await exists(layout.chunkDir(ID)), false);
  assert.deepEqual(await visible(retiredChunkDir(layout, ID)), ['0.mp4', '1.mp4', 'audio.m4a']);
  assert.deepEqual(await visible(layout.chunks), [OTHER]);
});
