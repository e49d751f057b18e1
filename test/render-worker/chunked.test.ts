// Chunked rendering through the task protocol, with real tiny media (docs/chunks.md): a long
// task claimed is split into chunk tasks and waits in chunks/<id>/join/; the chunks and the
// audio are claimed and rendered like any task; the join is published when the last one is
// done, claimed, verified at its seams and published to output/<id>/final.mp4. A chunk whose
// ffmpeg crashes once is retried alone.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runPipeline } from '../../src/render-worker/pipeline.js';
import { encoderSpec } from '../../src/shared/media/encoders.js';
import { binaries, writeScript } from '../helpers.js';
import { chunkedStatus } from '../../src/shared/protocol/chunks.js';
import { readMetadata } from '../../src/shared/protocol/task-files.js';
import { chunkTaskId } from '../../src/shared/timeline/chunks.js';
import { probeSeams } from '../../src/shared/media/seams.js';
import { workerEnv } from './env.js';
import { LONG_ID, LONG_TIMELINE, publishLongTask } from './chunked.js';
import { chunkInputs } from '../../src/render-worker/chunked.js';
import { timelineFiles } from '../../src/shared/timeline/schema.js';
import type { ChunkField } from '../../src/shared/task.js';

const ARTIFACTS = ['0.mp4', '1.mp4', '2.mp4', 'audio.m4a'];

test('a long task: split by the worker that claims it, its chunks and audio rendered (libx264 on a node whose encoder is another), joined and published as one final; status counts the chunks', async (t) => {
  const env = await workerEnv(t, 0, { render: { chunkSeconds: 1, prefetch: 0 } });
  // The encoder rule: every chunk of every task is libx264, whatever the node chose for whole
  // renders (this node's would be NVENC, which this machine may not even have).
  env.encoder = encoderSpec('h264_nvenc', env.config);
  await publishLongTask(env.layout);
  const totals = await runPipeline(env, new AbortController().signal, true);
  assert.equal(totals.split, 1);
  assert.equal(totals.done, 5, 'three chunks, the audio and the join');
  assert.equal(totals.failed, 0);
  const out = env.layout.outputTask(LONG_ID);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { checks: { name: string; ok: boolean }[] };
  assert.deepEqual(report.checks.filter((c) => !c.ok), []);
  assert.deepEqual(report.checks.map((c) => c.name).filter((n) => /frame_count|timestamps|keyframes|samples/.test(n)), ['frame_count', 'video_timestamps', 'keyframes', 'audio_samples', 'audio_timestamps']);
  const seams = await probeSeams((await binaries()).ffprobe.path, join(out, 'final.mp4'));
  assert.equal(seams.video.frames, 90);
  assert.equal(seams.audio!.samples, 3 * 48000);
  // The artifacts stay in chunks/<id>/ with the chunk tasks' folders; nothing left in tasks/ or processing/.
  assert.deepEqual((await readdir(env.layout.chunkDir(LONG_ID))).filter((n) => !n.startsWith('.')).sort(), [...ARTIFACTS, 'done'].sort());
  assert.equal((await readdir(join(env.layout.chunkDir(LONG_ID), 'done'))).length, 4);
  assert.deepEqual(await readdir(env.layout.tasks).then((n) => n.filter((x) => !x.startsWith('.'))), []);
  assert.deepEqual(await readdir(env.layout.processing).then((n) => n.filter((x) => !x.startsWith('.'))), []);
  // The final's metadata: schema 3 with the plan, the split's attempt given back, the join's counted.
  const meta = await readMetadata(out);
  assert.equal(meta.schema_version, 3);
  assert.deepEqual(meta.join!.chunks.map((c) => [c.from_frame, c.to_frame]), [[0, 30], [30, 60], [60, 90]]);
  assert.equal(meta.attempts, 1);
  for (const name of await readdir(join(env.layout.chunkDir(LONG_ID), 'done'))) {
    const r = JSON.parse(await readFile(join(env.layout.chunkDir(LONG_ID), 'done', name, 'report.json'), 'utf8')) as { encoder: string; checks: { ok: boolean }[] };
    assert.equal(r.encoder, 'libx264');
    assert.ok(r.checks.every((c) => c.ok));
  }
  const st = await chunkedStatus(env.layout, LONG_ID);
  assert.deepEqual({ state: st!.state, done: st!.done, total: st!.total }, { state: 'done', done: 4, total: 4 });
});

test('a chunk whose ffmpeg crashes once is retried alone; the others render once; the task is still joined', async (t) => {
  const env = await workerEnv(t, 0, { render: { chunkSeconds: 1, prefetch: 0 }, tasks: { retryBaseMs: 0, retryMaxMs: 0 } });
  await publishLongTask(env.layout);
  const real = env.bins.ffmpeg.path;
  const marker = join(env.layout.root, 'crashed-once');
  const calls = join(env.layout.root, 'calls.log');
  // Chunk 1 (frames 30-59) is the one whose trim starts at its 30th frame: its render starts at frame 0.
  const wrapper = await writeScript(join(env.layout.root, 'ffmpeg-crash-once'), [
    `case "$*" in *filter_complex*) echo "$*" | grep -o 'trim=start_frame=[0-9]*' >> '${calls}';; esac`,
    `case "$*" in *trim=start_frame=30:*) if [ ! -e '${marker}' ]; then : > '${marker}'; kill -SEGV $$; fi;; esac`,
    `exec '${real}' "$@"`,
  ].join('\n'));
  env.bins = { ...env.bins, ffmpeg: { ...env.bins.ffmpeg, path: wrapper } };
  const totals = await runPipeline(env, new AbortController().signal, true);
  assert.equal(totals.requeued, 1, 'the crash sent chunk 1 back to tasks/');
  assert.equal(totals.done, 5);
  const chunkCalls = (await readFile(calls, 'utf8')).trim().split('\n').sort();
  assert.deepEqual(chunkCalls, ['trim=start_frame=0', 'trim=start_frame=24', 'trim=start_frame=30', 'trim=start_frame=30'], 'chunk 1 rendered twice, the others once (chunk 2 renders from frame 36: 24 frames of pre-roll)');
  const done = (id: string) => readMetadata(env.layout.chunkDone(LONG_ID, id));
  assert.equal((await done(chunkTaskId(LONG_ID, 1))).attempts, 2);
  assert.equal((await done(chunkTaskId(LONG_ID, 0))).attempts, 1);
  assert.ok((await readdir(env.layout.outputTask(LONG_ID))).includes('final.mp4'));
});

test('a chunk task downloads only what its artifact reads: the audio its tracks; a video chunk its segments and the layers', () => {
  const files = new Map(timelineFiles(LONG_TIMELINE).map((f) => [f, `/root/${f}`]));
  const keys = (c: ChunkField) => [...chunkInputs({ timeline: LONG_TIMELINE, files }, c).files.keys()].sort();
  assert.deepEqual(keys({ of: LONG_ID, kind: 'audio' }), ['a440-3s.wav', 'b1000.wav']);
  // Frames 0-29 (and the two after) lie in the still: no clip.
  assert.deepEqual(keys({ of: LONG_ID, kind: 'video', range: { index: 0, from_frame: 0, to_frame: 30, start_frame: 0, segment: 0 } }), ['red.png']);
  assert.deepEqual(keys({ of: LONG_ID, kind: 'video', range: { index: 2, from_frame: 60, to_frame: 90, start_frame: 36, segment: 1 } }), ['colors.mp4', 'red.png']);
});
