// The render worker's side of the queue, in process over tiny colour tasks (no input files):
// each failure class routed (fake ffmpegs), the last attempt after a memory failure rendered
// as a draft, the circuit breaker opening and giving attempts back.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DeepPartial, Config } from '../../src/shared/config.js';
import { RenderWorker } from '../../src/render-worker/index.js';
import { readMetadata } from '../../src/shared/protocol/task-files.js';
import type { TaskMetadata } from '../../src/shared/task.js';
import { TimelineSchema } from '../../src/shared/timeline/schema.js';
import { colorMeta } from './color-task.js';
import { fakeFfmpeg, type FakeBehaviour } from '../fake-ffmpeg.js';
import { tempDir, visible } from '../helpers.js';
import { ID, writeTaskFolder } from '../shared/protocol/fixture.js';
import { workerEnv } from './env.js';

async function setup(t: Parameters<typeof tempDir>[0], tasks: Partial<TaskMetadata>[], behaviour: FakeBehaviour | null, over: DeepPartial<Config> = {}) {
  const env = await workerEnv(t, 0, { tasks: { retryBaseMs: 20, retryMaxMs: 100, ...over.tasks }, render: { ...over.render }, health: over.health ?? {} });
  for (const [i, m] of tasks.entries()) {
    await writeTaskFolder(env.layout.task(ID(i + 1)), ID(i + 1));
    await writeFile(join(env.layout.task(ID(i + 1)), 'metadata.json'), JSON.stringify(colorMeta(ID(i + 1), m)));
  }
  if (behaviour) env.bins = { ...env.bins, ffmpeg: { ...env.bins.ffmpeg, path: await fakeFfmpeg(await tempDir(t), behaviour) } };
  return env;
}

const errorOf = async (dir: string) => JSON.parse(await readFile(join(dir, 'error.json'), 'utf8')) as { code: string; class: string; attempts: number };

test('recoverable (ENOSPC in ffmpeg\'s stderr): back to tasks/ with backoff, retried by --once, trash/failed after tasks.maxAttempts', async (t) => {
  const env = await setup(t, [{}], { exitCode: 1, stderr: 'av_interleaved_write_frame(): No space left on device' });
  const totals = await new RenderWorker(env).runOnce();
  assert.deepEqual([totals.requeued, totals.failed, totals.done], [2, 1, 0]);
  const e = await errorOf(env.layout.failedTask(ID(1)));
  assert.deepEqual([e.code, e.class, e.attempts], ['IO', 'recoverable', 3]);
  const meta = await readMetadata(env.layout.failedTask(ID(1)));
  assert.equal(meta.last_failure?.code, 'IO');
  assert.equal(meta.avoid_nodes, undefined, 'a full disk is not a memory failure: no node avoided');
});

test('fatal (ffmpeg exits with an error): trash/failed at once, no retry', async (t) => {
  const env = await setup(t, [{}], 'fail');
  const totals = await new RenderWorker(env).runOnce();
  assert.deepEqual([totals.requeued, totals.failed], [0, 1]);
  const e = await errorOf(env.layout.failedTask(ID(1)));
  assert.deepEqual([e.code, e.class, e.attempts], ['RENDER_FAILED', 'fatal', 1]);
});

test('resource (ffmpeg killed by SIGKILL): back to tasks/, left to other nodes; the last attempt renders a draft and the report says so', async (t) => {
  const env = await setup(t, [{}], { dies: 'KILL' });
  const totals = await new RenderWorker(env).runOnce();
  assert.deepEqual([totals.requeued, totals.failed], [1, 0], '--once does not wait for a task left to other nodes');
  const meta = await readMetadata(env.layout.task(ID(1)));
  assert.deepEqual([meta.attempts, meta.last_failure?.code, meta.last_failure?.class, meta.avoid_nodes?.[0]?.node], [1, 'OUT_OF_MEMORY', 'resource', 'n1']);
  assert.ok(Date.parse(meta.avoid_nodes![0]!.until) - Date.now() > 500_000, 'for tasks.resourceAvoidMs');

  // Another node, real ffmpeg, at the task's last attempt: a draft.
  await writeFile(join(env.layout.task(ID(1)), 'metadata.json'), JSON.stringify({ ...meta, attempts: 2 }));
  const other = await setup(t, [], null);
  const worker = new RenderWorker({ ...env, bins: other.bins, node: 'n2' });
  assert.equal((await worker.runOnce()).done, 1);
  const report = JSON.parse(await readFile(join(env.layout.outputTask(ID(1)), 'report.json'), 'utf8')) as { node: string; attempts: number; reduced: { quality: { from: string; to: string }; reason: string } | null };
  assert.deepEqual([report.node, report.attempts, report.reduced?.quality], ['n2', 3, { from: 'normal', to: 'draft' }]);
  assert.match(report.reduced!.reason, /OUT_OF_MEMORY on n1/);
});

test('circuit breaker: after render.breakerFailures crashes in a row it opens, hands back what it downloaded ahead, and gives the attempts back', async (t) => {
  const env = await setup(t, [{}, {}, {}, {}, {}], { dies: 'SEGV' }, { render: { breakerFailures: 3 }, tasks: { retryBaseMs: 60_000, retryMaxMs: 60_000 } });
  const worker = new RenderWorker(env);
  const totals = await worker.runOnce();
  assert.equal(totals.breakerOpen, true);
  assert.equal(totals.requeued, 3);
  assert.deepEqual(await visible(env.layout.tasks), [1, 2, 3, 4, 5].map(ID), 'every task back in tasks/');
  for (const id of [1, 2, 3, 4, 5].map(ID)) {
    const meta = await readMetadata(env.layout.task(id));
    assert.equal(meta.attempts, 0, `${id}: its attempt given back`);
    assert.equal(meta.not_before, undefined, `${id}: no backoff: the node was broken, not the task`);
  }
  const hb = JSON.parse(await readFile(env.layout.heartbeat('n1'), 'utf8')) as { breaker: string; counters: { requeued: number } };
  assert.equal(hb.breaker, 'open');
});

/** The mean luma of a JPEG's centre pixel region (0-255). */
async function luma(jpeg: string): Promise<number> {
  const { execa } = await import('execa');
  const { binaries } = await import('../helpers.js');
  const r = await execa((await binaries()).ffmpeg.path, ['-v', 'error', '-i', jpeg, '-vf', 'crop=4:4,format=gray', '-f', 'rawvideo', '-'], { encoding: 'buffer' });
  const px = [...Buffer.from(r.stdout)];
  return px.reduce((a, b) => a + b, 0) / px.length;
}

test('previews: a draft published to previews/<id>/ (preview.mp4 + poster.jpg at a third) before the final; every final gets its poster.jpg', async (t) => {
  // 3 s: black until 0.9 s, then white: a frame at a third (1 s) is white.
  const timeline = TimelineSchema.parse({ output: { width: 960, height: 540, fps: 30, duration: 3 }, video: [{ type: 'color', color: 'black', duration: 0.9 }, { type: 'color', color: 'white', duration: 2.1 }] });
  const env = await setup(t, [{ preview: true, timeline }, { timeline }], null);
  const totals = await new RenderWorker(env).runOnce();
  assert.equal(totals.done, 2);
  const { probe } = await import('../../src/shared/media/probe.js');
  const preview = env.layout.previewTask(ID(1));
  assert.deepEqual(await visible(preview), ['poster.jpg', 'preview.mp4']);
  const p = await probe(env.bins.ffprobe.path, join(preview, 'preview.mp4'));
  assert.deepEqual([p.video?.width, p.video?.height], [854, 480], 'a draft: 480 pixels on the short side');
  const f = await probe(env.bins.ffprobe.path, join(env.layout.outputTask(ID(1)), 'final.mp4'));
  assert.deepEqual([f.video?.width, f.video?.height], [960, 540]);
  for (const poster of [join(preview, 'poster.jpg'), join(env.layout.outputTask(ID(1)), 'poster.jpg'), join(env.layout.outputTask(ID(2)), 'poster.jpg')]) {
    assert.ok((await luma(poster)) > 200, `${poster}: the frame at a third (white)`);
  }
  const report = (id: string) => readFile(join(env.layout.outputTask(id), 'report.json'), 'utf8').then((x) => JSON.parse(x) as { preview: boolean });
  assert.equal((await report(ID(1))).preview, true);
  assert.equal((await report(ID(2))).preview, false, 'no preview without render.preview or the task\'s own');
  assert.deepEqual(await visible(env.layout.previews), [ID(1)]);
});
