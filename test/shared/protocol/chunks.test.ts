// The protocol of chunked tasks, without rendering (files stand in for the artifacts): a split
// publishes each chunk task once and parks the task; splitting again publishes only what is
// missing; an artifact published twice keeps the first; the join moves to tasks/ only when
// every artifact is there, once, whoever sees it first.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { chunkedStatus, parkForChunks, planArtifacts, publishChunk, publishJoinIfReady, artifactTaskId } from '../../../src/shared/protocol/chunks.js';
import { sweepChunks } from '../../../src/shared/protocol/chunk-sweep.js';
import { quietLog } from './fixture.js';
import { acquireLease } from '../../../src/shared/protocol/lease.js';
import { readMetadata, writeMetadata } from '../../../src/shared/protocol/task-files.js';
import { testConfig } from '../../helpers.js';
import { colorMeta } from '../../render-worker/color-task.js';

import { claimed, copy, ID, PLAN, visible } from './chunk-fixture.js';

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
  assert.equal(await claimNext(layout, 'n1', undefined, undefined, true), null, 'a chunk task is never claimed ahead (render.prefetch)');

  // Each artifact: claimed, published (copied under a dot-name, renamed), the chunk folder to done/.
  const src = join(layout.root, 'rendered.bin');
  await writeFile(src, 'first');
  const joinedBy: boolean[] = [];
  const order: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = (await claimNext(layout, 'n1'))!;
    order.push(id);
    const meta = await readMetadata(layout.processingTask(id));
    const l = await acquireLease(layout, id, testConfig().health, () => {});
    joinedBy.push(await publishChunk(layout, id, 'n1', l, meta.chunk!, src, copy));
    await l.release();
    if (i < ids.length - 1) assert.equal((await chunkedStatus(layout, ID))!.done, joinedBy.length);
  }
  assert.deepEqual(joinedBy, [false, false, true], 'the last artifact published the join');
  // The longest render first (chunk 1 renders its 30 frames of pre-roll too), the audio last (queue.ts chunkRank).
  assert.deepEqual(order, [ids[1], ids[0], ids[2]]);
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
