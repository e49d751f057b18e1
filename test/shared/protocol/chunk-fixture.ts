// The chunked task of the protocol tests (chunks, chunk-failures, chunk-sweep): a task claimed
// by node n1, with a plan of two video chunks and the audio.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { acquireLease } from '../../../src/shared/protocol/lease.js';
import { readMetadata, writeMetadata } from '../../../src/shared/protocol/task-files.js';
import type { JoinField } from '../../../src/shared/task.js';
import { testConfig } from '../../helpers.js';
import { colorMeta } from '../../render-worker/color-task.js';
import { rootWithTasks } from './fixture.js';

export const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
export const PLAN: JoinField = {
  fps: 30,
  frames: 60,
  chunks: [
    { index: 0, from_frame: 0, to_frame: 30, start_frame: 0, segment: 0 },
    { index: 1, from_frame: 30, to_frame: 60, start_frame: 0, segment: 0 },
  ],
  audio: true,
};
export const copy = async (src: string, dst: string) => writeFile(dst, await readFile(src));
export const visible = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();

export async function claimed(t: Parameters<typeof rootWithTasks>[0]) {
  const layout = await rootWithTasks(t, 0);
  await mkdir(layout.task(ID));
  await writeMetadata(layout.task(ID), { ...colorMeta(ID), attempts: 0 });
  await writeFile(join(layout.task(ID), 'logo.png'), 'png');
  assert.equal(await claimNext(layout, 'n1'), ID);
  const lease = await acquireLease(layout, ID, testConfig().health, () => {});
  t.after(() => lease.release());
  return { layout, lease, meta: { ...(await readMetadata(layout.processingTask(ID))), attempts: 1 } };
}

