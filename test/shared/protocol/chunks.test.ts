// The protocol of chunked tasks, without rendering (files stand in for the artifacts): a split
// publishes each chunk task once and parks the task; splitting again publishes only what is
// missing; an artifact published twice keeps the first; the join moves to tasks/ only when
// every artifact is there, once, whoever sees it first.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { chunkedStatus, parkForChunks, planArtifacts, publishChunk, publishJoinIfReady, artifactTaskId, retiredChunkDir } from '../../../src/shared/protocol/chunks.js';
import { sweepChunks } from '../../../src/shared/protocol/chunk-sweep.js';
import { failTask } from '../../../src/shared/protocol/fail.js';
import { retryFailed } from '../../../src/shared/protocol/retry.js';
import { ClipmillError } from '../../../src/shared/errors.js';
import { cancelTask } from '../../../src/shared/protocol/cancel.js';
import { quietLog } from './fixture.js';
import { acquireLease } from '../../../src/shared/protocol/lease.js';
import { readMetadata, writeMetadata } from '../../../src/shared/protocol/task-files.js';
import type { JoinField } from '../../../src/shared/task.js';
import { testConfig } from '../../helpers.js';
import { colorMeta } from '../../render-worker/color-task.js';
import { rootWithTasks } from './fixture.js';
import { rename } from 'node:fs/promises';
import { exists } from '../../../src/shared/fs.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const PLAN: JoinField = {
  fps: 30,
  frames: 60,
  chunks: [
    { index: 0, from_frame: 0, to_frame: 30, start_frame: 0, segment: 0 },
    { index: 1, from_frame: 30, to_frame: 60, start_frame: 0, segment: 0 },
  ],
  audio: true,
};
const copy = async (src: string, dst: string) => writeFile(dst, await readFile(src));
const visible = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();

async function claimed(t: Parameters<typeof rootWithTasks>[0]) {
  const layout = await rootWithTasks(t, 0);
  await mkdir(layout.task(ID));
  await writeMetadata(layout.task(ID), { ...colorMeta(ID), attempts: 0 });
  await writeFile(join(layout.task(ID), 'logo.png'), 'png');
  assert.equal(await claimNext(layout, 'n1'), ID);
  const lease = await acquireLease(layout, ID, testConfig().health, () => {});
  t.after(() => lease.release());
  return { layout, lease, meta: { ...(await readMetadata(layout.processingTask(ID))), attempts: 1 } };
}

test('a split publishes every chunk task with the task\'s files, parks the task (attempt given back) and publishes the join when the artifacts are all there', async (t) => {
  const { layout, lease, meta } = await claimed(t);
  const published = await parkForChunks(layout, ID, 'n1', lease, meta, PLAN);
  const ids = planArtifacts(ID, PLAN).map(artifactTaskId);
  assert.deepEqual(published, ids);
  assert.deepEqual(await visible(layout.tasks), [...ids].sort());
  for (const id of ids) {
    assert.deepEqual(await visible(layout.task(id)), ['logo.png', 'metadata.json']);
    const m = await readMetadata(layout.task(id));
    assert.equal(m.schema_version, 3);
    assert.equal(m.chunk!.of, ID);
    assert.equal(m.attempts, 0);
  }
  const parked = await readMetadata(layout.chunkJoin(ID));
  assert.deepEqual(parked.join, PLAN);
  assert.equal(parked.attempts, 0);
  assert.deepEqual(await visible(layout.chunkJoin(ID)), ['logo.png', 'metadata.json'], 'no claim.json');
  assert.deepEqual(await visible(layout.processing), []);
  assert.equal((await chunkedStatus(layout, ID))!.state, 'waiting');

  // Each artifact: claimed, published (copied under a dot-name, renamed), the chunk folder to done/.
  const src = join(layout.root, 'rendered.bin');
  await writeFile(src, 'first');
  const joinedBy: boolean[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = (await claimNext(layout, 'n1'))!;
    assert.ok(ids.includes(id));
    const meta = await readMetadata(layout.processingTask(id));
    const l = await acquireLease(layout, id, testConfig().health, () => {});
    joinedBy.push(await publishChunk(layout, id, 'n1', l, meta.chunk!, src, copy));
    await l.release();
    if (i < ids.length - 1) assert.equal((await chunkedStatus(layout, ID))!.done, joinedBy.length);
  }
  assert.deepEqual(joinedBy, [false, false, true], 'the last artifact published the join');
  assert.deepEqual(await visible(layout.chunkDir(ID)), ['0.mp4', '1.mp4', 'audio.m4a', 'done']);
  assert.deepEqual(await visible(layout.tasks), [ID]);
  assert.equal((await chunkedStatus(layout, ID))!.state, 'joining');
  assert.equal(await publishJoinIfReady(layout, ID), false, 'once');
  assert.deepEqual((await sweepChunks(layout, quietLog)).joins, []);
});

test('a split cut short and done again publishes only what is missing; an artifact published twice keeps the first', async (t) => {
  const { layout, lease, meta } = await claimed(t);
  const ids = planArtifacts(ID, PLAN).map(artifactTaskId);
  // Chunk 0 was published and rendered before the split was cut short; chunk 1 is waiting.
  await mkdir(layout.chunkDir(ID), { recursive: true });
  await writeFile(join(layout.chunkDir(ID), '0.mp4'), 'first');
  await mkdir(layout.task(ids[1]!));
  await writeMetadata(layout.task(ids[1]!), { ...colorMeta(ids[1]!), schema_version: 3, chunk: { of: ID, kind: 'video', range: PLAN.chunks[1]! } });
  assert.deepEqual(await parkForChunks(layout, ID, 'n1', lease, meta, PLAN), [ids[2]], 'only the audio task');
  // Chunk 0 rendered again (its first claim was lost): the first file stays.
  await mkdir(layout.processingTask(ids[0]!));
  await writeFile(join(layout.processingTask(ids[0]!), 'claim.json'), JSON.stringify({ task_id: ids[0], node: 'n1', pid: process.pid, claimed_at: new Date().toISOString() }));
  const l = await acquireLease(layout, ids[0]!, testConfig().health, () => {});
  const src = join(layout.root, 'again.bin');
  await writeFile(src, 'second');
  assert.equal(await publishChunk(layout, ids[0]!, 'n1', l, { of: ID, kind: 'video', range: PLAN.chunks[0]! }, src, copy), false);
  await l.release();
  assert.equal(await readFile(join(layout.chunkDir(ID), '0.mp4'), 'utf8'), 'first');
  assert.deepEqual(await visible(join(layout.chunkDir(ID), 'done')), [ids[0]]);
  // The rest arrive without any worker publishing the join (one killed between its renames): health does.
  await writeFile(join(layout.chunkDir(ID), '1.mp4'), 'x');
  await writeFile(join(layout.chunkDir(ID), 'audio.m4a'), 'x');
  assert.deepEqual((await sweepChunks(layout, quietLog)).joins, [ID]);
  assert.equal((await readMetadata(layout.task(ID))).join!.frames, 60);
});

test('an artifact removed from chunks/<id>/ after its chunk was done: the next split sends that chunk task back to tasks/ from its done folder', async (t) => {
  const { layout, lease, meta } = await claimed(t);
  const ids = planArtifacts(ID, PLAN).map(artifactTaskId);
  await mkdir(join(layout.chunkDir(ID), 'done', ids[0]!), { recursive: true });
  await writeMetadata(layout.chunkDone(ID, ids[0]!), { ...colorMeta(ids[0]!), schema_version: 3, attempts: 2, chunk: { of: ID, kind: 'video', range: PLAN.chunks[0]! } });
  await writeFile(join(layout.chunkDone(ID, ids[0]!), 'report.json'), '{}');
  await writeFile(join(layout.chunkDir(ID), '1.mp4'), 'x');
  await writeFile(join(layout.chunkDir(ID), 'audio.m4a'), 'x');
  assert.deepEqual(await parkForChunks(layout, ID, 'n1', lease, meta, PLAN), [ids[0]]);
  assert.deepEqual(await visible(layout.task(ids[0]!)), ['metadata.json']);
  assert.equal((await readMetadata(layout.task(ids[0]!))).attempts, 0);
});

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
