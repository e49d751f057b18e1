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
import { chunkedStatus, joinField, parkForChunks, retiredChunkDir } from '../../src/shared/protocol/chunks.js';
import { claimNext } from '../../src/shared/protocol/claim.js';
import { acquireLease } from '../../src/shared/protocol/lease.js';
import { prepare } from '../../src/render-worker/prepare.js';
import { chunkEncoderArgv } from '../../src/shared/timeline/compile-chunk.js';
import { planChunks } from '../../src/shared/timeline/chunks.js';
import { testConfig } from '../helpers.js';
import { writeFile } from 'node:fs/promises';
import { writeMetadata } from '../../src/shared/protocol/task-files.js';
import { exists } from '../../src/shared/fs.js';
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
  // render.prefetch as by default (1): chunk tasks are never claimed ahead, so each is claimed when the one before is done.
  const env = await workerEnv(t, 0, { render: { chunkSeconds: 1, prefetch: 1 } });
  // The encoder rule: every chunk of every task is libx264, whatever the node chose for whole
  // renders (this node's would be NVENC, which this machine may not even have).
  env.encoder = encoderSpec('h264_nvenc', env.config);
  await publishLongTask(env.layout);
  const calls = join(env.layout.root, 'calls.log');
  const wrapper = await writeScript(join(env.layout.root, 'ffmpeg-log'), [`case "$*" in *filter_complex*) echo "$*" >> '${calls}';; esac`, `exec '${env.bins.ffmpeg.path}' "$@"`].join('\n'));
  env.bins = { ...env.bins, ffmpeg: { ...env.bins.ffmpeg, path: wrapper } };
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
  // Every chunk's encoder: libx264 with the stitchable, closed-GOP arguments (the audio task encodes no video).
  const videoCalls = (await readFile(calls, 'utf8')).trim().split('\n').filter((l) => l.includes('-c:v'));
  assert.equal(videoCalls.length, 3);
  for (const c of videoCalls) {
    assert.match(c, / -c:v libx264 /);
    assert.match(c, /-x264-params \S*stitchable=1/);
    assert.match(c, /-flags \+cgop/);
  }
  // Published: the artifacts and the chunk tasks' folders moved from chunks/<id>/ to trash/chunks/<id>/; nothing left in tasks/ or processing/.
  assert.deepEqual(await readdir(env.layout.chunks), []);
  assert.deepEqual((await readdir(retiredChunkDir(env.layout, LONG_ID))).filter((n) => !n.startsWith('.')).sort(), [...ARTIFACTS, 'done'].sort());
  assert.equal((await readdir(join(retiredChunkDir(env.layout, LONG_ID), 'done'))).length, 4);
  assert.deepEqual(await readdir(env.layout.tasks).then((n) => n.filter((x) => !x.startsWith('.'))), []);
  assert.deepEqual(await readdir(env.layout.processing).then((n) => n.filter((x) => !x.startsWith('.'))), []);
  // The final's metadata: schema 3 with the plan, the split's attempt given back, the join's counted.
  const meta = await readMetadata(out);
  assert.equal(meta.schema_version, 3);
  assert.deepEqual(meta.join!.chunks.map((c) => [c.from_frame, c.to_frame]), [[0, 30], [30, 60], [60, 90]]);
  assert.equal(meta.attempts, 1);
  for (const name of await readdir(join(retiredChunkDir(env.layout, LONG_ID), 'done'))) {
    const r = JSON.parse(await readFile(join(retiredChunkDir(env.layout, LONG_ID), 'done', name, 'report.json'), 'utf8')) as { encoder: string; encoder_fallback: unknown; checks: { ok: boolean }[] };
    const m = await readMetadata(join(retiredChunkDir(env.layout, LONG_ID), 'done', name));
    assert.equal(r.encoder, m.chunk!.kind === 'audio' ? 'aac' : 'libx264');
    assert.equal(r.encoder_fallback, null, 'libx264 from the start, not a fallback from NVENC');
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
  const done = (id: string) => readMetadata(join(retiredChunkDir(env.layout, LONG_ID), 'done', id));
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

/** Claims the long task as node `node` and splits it with `plan` (what a worker of that node does). */
async function splitAs(env: Awaited<ReturnType<typeof workerEnv>>, node: string, encoderArgs: string[]) {
  assert.equal(await claimNext(env.layout, node), LONG_ID);
  const lease = await acquireLease(env.layout, LONG_ID, env.config.health, () => {});
  const config = testConfig({ render: { encoderArgs: { libx264: encoderArgs } } });
  const plan = joinField(planChunks(LONG_TIMELINE, 1)!, chunkEncoderArgv(encoderSpec('libx264', config), LONG_TIMELINE.output.quality));
  await parkForChunks(env.layout, LONG_ID, node, lease, { ...(await readMetadata(env.layout.processingTask(LONG_ID))), attempts: 1 }, plan);
  await lease.release();
  return plan;
}

test('the encoder rule across nodes: chunks are encoded with the arguments recorded at the split, not the rendering node\'s; chunks encoded otherwise are refused before the concat and moved aside', async (t) => {
  // This node's libx264 settings make High profile streams (CABAC, 8x8 transforms); those of the node that split the task (nA) Constrained Baseline.
  const env = await workerEnv(t, 0, { render: { chunkSeconds: 1, prefetch: 0, encoderArgs: { libx264: ['-preset', 'veryfast', '-crf', '30'] } } });
  await publishLongTask(env.layout);
  const plan = await splitAs(env, 'nA', ['-preset', 'ultrafast', '-crf', '30']);
  assert.ok(plan.encoder_argv!.includes('ultrafast'));
  // Chunk 1's task as a split by an older worker left it (no arguments recorded): encoded with this node's.
  const odd = chunkTaskId(LONG_ID, 1);
  const m = await readMetadata(env.layout.task(odd));
  delete m.chunk!.encoder_argv;
  await writeMetadata(env.layout.task(odd), m);
  const totals = await runPipeline(env, new AbortController().signal, true);
  assert.equal(totals.done, 4, 'the three chunks and the audio');
  assert.equal(totals.failed, 1, 'the join');
  const ffprobe = env.bins.ffprobe.path;
  const { probeStreamParams } = await import('../../src/shared/media/seams.js');
  const done = join(env.layout.chunkDir(LONG_ID), 'done');
  assert.equal((await probeStreamParams(ffprobe, join(env.layout.chunkDir(LONG_ID), '0.mp4'))).profile, 'Constrained Baseline', 'the split\'s arguments, not this node\'s High');
  assert.equal((await probeStreamParams(ffprobe, join(env.layout.chunkDir(LONG_ID), '2.mp4'))).profile, 'Constrained Baseline');
  assert.equal((await readdir(done)).length, 4);
  const error = JSON.parse(await readFile(join(env.layout.failedTask(LONG_ID), 'error.json'), 'utf8')) as { code: string; message: string };
  assert.equal(error.code, 'VERIFY_FAILED');
  assert.match(error.message, new RegExp(`chunks/${LONG_ID}/1\\.mp4: profile High, not Constrained Baseline`));
  assert.equal(await exists(join(env.layout.outputTask(LONG_ID), 'final.mp4')), false);
  // The odd chunk moved aside (not deleted): a retry renders it again from its done folder.
  assert.equal(await exists(join(env.layout.chunkDir(LONG_ID), '1.mp4')), false);
  const rejected = (await readdir(retiredChunkDir(env.layout, LONG_ID))).filter((n) => n.startsWith('rejected-'));
  assert.equal(rejected.length, 1);
  assert.deepEqual(await readdir(join(retiredChunkDir(env.layout, LONG_ID), rejected[0]!)), ['1.mp4']);
});

test('a chunk task whose artifact is already in chunks/<id>/ (its worker killed between the two renames) is moved to done/ without rendering', async (t) => {
  const env = await workerEnv(t, 0, { render: { chunkSeconds: 1, prefetch: 0 } });
  await publishLongTask(env.layout);
  await splitAs(env, 'nA', ['-preset', 'ultrafast']);
  const cid = chunkTaskId(LONG_ID, 0);
  await writeFile(join(env.layout.chunkDir(LONG_ID), '0.mp4'), 'published before the kill');
  // Claimed (by whatever order claimNext picks) until chunk 0's task is the one claimed.
  let id: string | null;
  while ((id = await claimNext(env.layout, 'n1')) && id !== cid);
  assert.equal(id, cid);
  assert.equal(await prepare(env, cid), 'done');
  assert.equal(await exists(env.layout.processingTask(cid)), false);
  assert.equal(await exists(join(env.layout.chunkDone(LONG_ID, cid), 'metadata.json')), true);
  assert.equal(await readFile(join(env.layout.chunkDir(LONG_ID), '0.mp4'), 'utf8'), 'published before the kill', 'not rendered again');
});
