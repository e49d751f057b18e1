// A chunk task that will not finish (failed for good, cancelled) fails the task waiting for it; a
// retry of that task sends the chunk back.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ClipmillError } from '../../../src/shared/errors.js';
import { exists } from '../../../src/shared/fs.js';
import { cancelTask } from '../../../src/shared/protocol/cancel.js';
import { sweepChunks } from '../../../src/shared/protocol/chunk-sweep.js';
import { artifactTaskId, chunkedStatus, parkForChunks, planArtifacts } from '../../../src/shared/protocol/chunks.js';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { failTask } from '../../../src/shared/protocol/fail.js';
import { acquireLease } from '../../../src/shared/protocol/lease.js';
import { retryFailed } from '../../../src/shared/protocol/retry.js';
import { readMetadata } from '../../../src/shared/protocol/task-files.js';
import { testConfig } from '../../helpers.js';
import { claimed, ID, PLAN } from './chunk-fixture.js';
import { quietLog } from './fixture.js';

test('a chunk failed for good fails the waiting task with CHUNK_FAILED naming it; a retry of the task splits again and sends that chunk back', async (t) => {
  const { layout, lease, meta } = await claimed(t);
  const ids = planArtifacts(ID, PLAN).map(artifactTaskId);
  await parkForChunks(layout, ID, 'n1', lease, meta, PLAN);
  await lease.release();
  // Chunk 1 failed for good (as the render worker or the recovery of a dead node fails it).
  const bad = (await claimNext(layout, 'n1'))!;
  assert.ok(ids.includes(bad));
  await failTask(layout, bad, layout.processingTask(bad), { error: new ClipmillError('RENDER_FAILED', 'ffmpeg said no'), attempts: 3, node: 'n1', encoder: 'libx264' });
  const swept = await sweepChunks(layout, quietLog);
  assert.deepEqual(swept.failed, [ID]);
  assert.equal(await exists(layout.chunkJoin(ID)), false, 'no longer waiting forever');
  const error = JSON.parse(await readFile(join(layout.failedTask(ID), 'error.json'), 'utf8')) as { code: string; message: string; details: { chunk: string } };
  assert.equal(error.code, 'CHUNK_FAILED');
  assert.equal(error.details.chunk, bad);
  assert.match(error.message, new RegExp(`chunk task ${bad} failed for good \\(RENDER_FAILED: ffmpeg said no\\)`));
  assert.equal((await chunkedStatus(layout, ID))!.state, 'failed');
  assert.deepEqual((await sweepChunks(layout, quietLog)).failed, [], 'once');

  // clipmill retry <task>: claimed again, it splits again: the failed chunk goes back to tasks/, attempts reset.
  await retryFailed(layout, ID);
  assert.equal(await claimNext(layout, 'n2'), ID);
  const again = await acquireLease(layout, ID, testConfig().health, () => {});
  t.after(() => again.release());
  assert.deepEqual(await parkForChunks(layout, ID, 'n2', again, await readMetadata(layout.processingTask(ID)), PLAN), [bad]);
  assert.equal((await readMetadata(layout.task(bad))).attempts, 0);
  assert.equal(await exists(layout.failedTask(bad)), false);
});

test('a chunk task cancelled fails the waiting task too', async (t) => {
  const { layout, lease, meta } = await claimed(t);
  const ids = planArtifacts(ID, PLAN).map(artifactTaskId);
  await parkForChunks(layout, ID, 'n1', lease, meta, PLAN);
  assert.ok('cancelled' in (await cancelTask(layout, ids[2]!)));
  assert.deepEqual((await sweepChunks(layout, quietLog)).failed, [ID]);
  assert.match(JSON.parse(await readFile(join(layout.failedTask(ID), 'error.json'), 'utf8')).message as string, /cancelled/);
});
