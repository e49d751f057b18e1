// Render workers as child processes: racing workers, a hung ffmpeg, SIGTERM mid-render.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { FIXTURES } from '../media.js';
import { fakeFfmpeg } from '../fake-ffmpeg.js';
import { CLI, cleanEnv, cli, tempDir, visible, waitUntil } from '../helpers.js';

const ENV = { CLIPMILL_INGEST_STABLE_MS: '0', CLIPMILL_RENDER_RESOLUTION: '160x90', CLIPMILL_RENDER_ENCODERS: 'libx264', CLIPMILL_DISK_MIN_FREE_MB: '0' };

/** A root with `n` published tasks (voices of 1.2 s over one clip). */
async function rootWithTasks(dir: string, n: number): Promise<string> {
  const root = join(dir, 'root');
  await cli(['init', root]);
  for (const d of ['raw/video/c', 'raw/music/c']) await mkdir(join(root, d), { recursive: true });
  await FIXTURES.clip(join(root, 'raw/video/c/a.mp4'), 1.5);
  await FIXTURES.musicMp3(join(root, 'raw/music/c/m.mp3'));
  await FIXTURES.voice(join(dir, 'v.mp3'), 1.2);
  for (let i = 1; i <= n; i++) {
    await mkdir(join(root, `raw/story/c/s${i}/voice`), { recursive: true });
    await copyFile(join(dir, 'v.mp3'), join(root, `raw/story/c/s${i}/voice/chapter_0001.mp3`));
  }
  const r = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal((await visible(join(root, 'tasks'))).length, n);
  return root;
}

test('two render workers racing over 20 tasks render each exactly once', async (t) => {
  const dir = await tempDir(t);
  const root = await rootWithTasks(dir, 20);
  const [a, b] = await Promise.all(['n1', 'n2'].map((node) => cli(['render-worker', '--once', '--root', root], { ...ENV, CLIPMILL_NODE_ID: node }, { timeout: 240_000 })));
  assert.equal(a!.exitCode, 0, a!.stderr);
  assert.equal(b!.exitCode, 0, b!.stderr);
  const rendered = [...a!.stderr.matchAll(/Rendered task (\S+)/g), ...b!.stderr.matchAll(/Rendered task (\S+)/g)].map((m) => m[1]);
  assert.equal(rendered.length, 20);
  assert.equal(new Set(rendered).size, 20, 'no task rendered twice');
  assert.ok(a!.stderr.includes('Rendered task') && b!.stderr.includes('Rendered task'), 'both workers took part');
  assert.equal((await visible(join(root, 'output'))).length, 20);
  assert.deepEqual(await visible(join(root, 'processing')), []);
  assert.deepEqual(await readdir(join(root, 'processing')), [], 'no lease left behind');
  for (const id of await visible(join(root, 'output'))) {
    const report = JSON.parse(await readFile(join(root, 'output', id, 'report.json'), 'utf8')) as { checks: { ok: boolean }[] };
    assert.ok(report.checks.every((c) => c.ok));
  }
});

test('an ffmpeg that hangs is killed as stalled; the task fails with its stderr', async (t) => {
  const dir = await tempDir(t);
  const root = await rootWithTasks(dir, 1);
  const fake = await fakeFfmpeg(dir, 'hang');
  const t0 = Date.now();
  // One attempt: a stall is recoverable and would otherwise be retried with backoff (test/render-worker/queue.test.ts).
  const r = await cli(['render-worker', '--once', '--root', root], { ...ENV, FFMPEG_PATH: fake, CLIPMILL_RENDER_STALL_TIMEOUT_MS: '1000', CLIPMILL_TASKS_MAX_ATTEMPTS: '1' });
  assert.ok(Date.now() - t0 < 30_000);
  assert.equal(r.exitCode, 1);
  const [id] = await visible(join(root, 'trash/failed'));
  const error = JSON.parse(await readFile(join(root, 'trash/failed', id!, 'error.json'), 'utf8')) as { code: string; stage: string };
  assert.deepEqual([error.code, error.stage], ['RENDER_STALLED', 'render']);
  assert.match(await readFile(join(root, 'trash/failed', id!, 'stderr.log'), 'utf8'), /waiting forever/);
});

test('SIGTERM mid-render: past the grace the task, and the one downloaded ahead, are handed back, attempts unchanged, exit 0', async (t) => {
  const dir = await tempDir(t);
  const root = await rootWithTasks(dir, 2);
  // A slow ffmpeg: reports progress, never finishes.
  const fake = await fakeFfmpeg(dir, 'slow');
  const sub = execa(CLI, ['render-worker', '--root', root], { env: cleanEnv({ ...ENV, FFMPEG_PATH: fake, CLIPMILL_RENDER_SHUTDOWN_GRACE_MS: '500' }), extendEnv: false, reject: false });
  await new Promise<void>((resolve) => sub.stderr?.on('data', (c: Buffer) => c.toString().includes('Rendering task') && resolve()));
  sub.kill('SIGTERM');
  const r = await sub;
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /handed back to tasks\//);
  const ids = await visible(join(root, 'tasks'));
  assert.equal(ids.length, 2, r.stderr);
  for (const id of ids) {
    const meta = JSON.parse(await readFile(join(root, 'tasks', id, 'metadata.json'), 'utf8')) as { attempts: number };
    assert.equal(meta.attempts, 0);
    assert.equal((await readdir(join(root, 'tasks', id))).includes('claim.json'), false);
  }
  assert.deepEqual(await readdir(join(root, 'processing')), []);
});

test('SIGTERM mid-render within the grace: the render finishes and is published, exit 0', async (t) => {
  const dir = await tempDir(t);
  const root = await rootWithTasks(dir, 1);
  const sub = execa(CLI, ['render-worker', '--root', root], { env: cleanEnv({ ...ENV, CLIPMILL_RENDER_SHUTDOWN_GRACE_MS: '60000' }), extendEnv: false, reject: false });
  await new Promise<void>((resolve) => sub.stderr?.on('data', (c: Buffer) => c.toString().includes('Rendering task') && resolve()));
  sub.kill('SIGTERM');
  const r = await sub;
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /Rendered task/);
  assert.equal((await visible(join(root, 'output'))).length, 1);
  assert.deepEqual(await visible(join(root, 'tasks')), []);
});

test('a schema 1 task (no timeline) without music renders the voice alone, verified', async (t) => {
  const dir = await tempDir(t);
  const root = await rootWithTasks(dir, 1);
  const [id] = await visible(join(root, 'tasks'));
  const metaPath = join(root, 'tasks', id!, 'metadata.json');
  const meta = JSON.parse(await readFile(metaPath, 'utf8')) as Record<string, unknown>;
  await import('node:fs/promises').then(async (fs) => {
    // As a worker of the previous version wrote it: no timeline.
    const { timeline: _timeline, ...v1 } = meta;
    await fs.writeFile(metaPath, JSON.stringify({ ...v1, schema_version: 1, music_file: null, music_source: null, music_duration: null }));
    await fs.rm(join(root, 'tasks', id!, 'music.mp3'));
  });
  const r = await cli(['render-worker', '--once', '--root', root], ENV);
  assert.equal(r.exitCode, 0, r.stderr);
  const report = JSON.parse(await readFile(join(root, 'output', id!, 'report.json'), 'utf8')) as { checks: { name: string; ok: boolean }[] };
  assert.ok(report.checks.every((c) => c.ok));
});

test('heartbeat: nodes/<node>.json shows the task being rendered and its progress; status lists the node', async (t) => {
  const dir = await tempDir(t);
  const root = await rootWithTasks(dir, 1);
  const fake = await fakeFfmpeg(dir, 'slow');
  const sub = execa(CLI, ['render-worker', '--root', root], { env: cleanEnv({ ...ENV, FFMPEG_PATH: fake, CLIPMILL_NODE_ID: 'gpu0', CLIPMILL_HEALTH_HEARTBEAT_MS: '200', CLIPMILL_RENDER_SHUTDOWN_GRACE_MS: '0' }), extendEnv: false, reject: false });
  t.after(() => sub.kill('SIGKILL'));
  await new Promise<void>((resolve) => sub.stderr?.on('data', (c: Buffer) => c.toString().includes('Rendering task') && resolve()));
  // The render's preparation (probing the clips) comes before ffmpeg's first progress line.
  type Hb = { state: string; current: { stage: string; progress: number; task: string } | null; encoder: string; metrics: { render_utilization: number } };
  const hb = await waitUntil('a heartbeat with render progress', async () => {
    const h = JSON.parse(await readFile(join(root, 'nodes/gpu0.json'), 'utf8').catch(() => 'null')) as Hb | null;
    return h?.current && h.current.progress > 0 && h.metrics.render_utilization > 0 ? { ...h, current: h.current } : null;
  });
  assert.equal(hb.state, 'working');
  assert.equal(hb.current.stage, 'render');
  assert.ok(hb.current.progress > 0, `progress ${hb.current.progress}`);
  assert.ok(hb.metrics.render_utilization > 0);
  const st = await cli(['status', '--root', root]);
  assert.match(st.stdout, new RegExp(`render nodes \\(1\\):\\n {2}gpu0: alive, render ${hb.current.task} \\d+%, ${hb.encoder}`));
  sub.kill('SIGTERM');
  assert.equal((await sub).exitCode, 0);
  const after = JSON.parse(await readFile(join(root, 'nodes/gpu0.json'), 'utf8')) as { state: string };
  assert.equal(after.state, 'stopped');
  assert.match((await cli(['status', '--root', root])).stdout, /gpu0: DEAD or stopped/);
});
