// Operations: a render node killed with SIGKILL is marked dead and its task recovered by the
// main worker; retry and requeue by hand.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { FIXTURES } from '../media.js';
import { fakeFfmpeg } from '../fake-ffmpeg.js';
import { exists } from '../../src/shared/fs.js';
import { CLI, cleanEnv, cli, tempDir, visible, waitUntil } from '../helpers.js';

const ENV = {
  CLIPMILL_INGEST_STABLE_MS: '0',
  CLIPMILL_INGEST_SCAN_INTERVAL_MS: '200',
  CLIPMILL_RENDER_RESOLUTION: '160x90',
  CLIPMILL_RENDER_ENCODERS: 'libx264',
  CLIPMILL_DISK_MIN_FREE_MB: '0',
  CLIPMILL_HEALTH_HEARTBEAT_MS: '200',
  CLIPMILL_HEALTH_NODE_TIMEOUT_MS: '1500',
  CLIPMILL_HEALTH_CHECK_INTERVAL_MS: '300',
  CLIPMILL_HEALTH_LEASE_UPDATE_MS: '1000',
  CLIPMILL_HEALTH_LEASE_STALE_MS: '5000',
};

async function rootWithTask(dir: string): Promise<{ root: string; id: string }> {
  const root = join(dir, 'root');
  await cli(['init', root]);
  for (const d of ['raw/video/c', 'raw/music/c', 'raw/story/c/s/voice']) await mkdir(join(root, d), { recursive: true });
  await FIXTURES.clip(join(root, 'raw/video/c/a.mp4'), 1.5);
  await FIXTURES.musicMp3(join(root, 'raw/music/c/m.mp3'));
  await FIXTURES.voice(join(root, 'raw/story/c/s/voice/chapter_0001.mp3'), 1.2);
  assert.equal((await cli(['main-worker', '--once', '--root', root], ENV)).exitCode, 0);
  const [id] = await visible(join(root, 'tasks'));
  return { root, id: id! };
}


test('a render node killed with SIGKILL: marked dead, its task recovered by the main worker and rendered by another node', async (t) => {
  const dir = await tempDir(t);
  const { root, id } = await rootWithTask(dir);
  const slow = await fakeFfmpeg(dir, 'slow');
  const doomed = execa(CLI, ['render-worker', '--root', root], { env: cleanEnv({ ...ENV, FFMPEG_PATH: slow, CLIPMILL_NODE_ID: 'doomed' }), extendEnv: false, reject: false });
  await waitUntil('the doomed worker to hold the task\'s lease', () => exists(join(root, 'processing', `.${id}.lease.lock`)));
  doomed.kill('SIGKILL');
  await doomed;
  assert.deepEqual(await visible(join(root, 'processing')), [id]);
  const main = execa(CLI, ['main-worker', '--root', root], { env: cleanEnv(ENV), extendEnv: false, reject: false });
  t.after(() => main.kill('SIGKILL'));
  // The main worker marks the node dead and takes its task back (lease stale after 5 s).
  for (let i = 0; i < 200 && !(await visible(join(root, 'tasks'))).includes(id); i++) await sleep(100);
  assert.deepEqual(await visible(join(root, 'tasks')), [id], 'recovered to tasks/');
  const meta = JSON.parse(await readFile(join(root, 'tasks', id, 'metadata.json'), 'utf8')) as { attempts: number };
  assert.equal(meta.attempts, 1, 'the dead claim used an attempt');
  const hb = JSON.parse(await readFile(join(root, 'nodes', 'doomed.json'), 'utf8')) as { state: string; marked_dead_at?: string };
  assert.equal(hb.state, 'dead');
  assert.ok(hb.marked_dead_at);
  const r = await cli(['render-worker', '--once', '--root', root], { ...ENV, CLIPMILL_NODE_ID: 'healthy' });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(await visible(join(root, 'output')), [id]);
  const report = JSON.parse(await readFile(join(root, 'output', id, 'report.json'), 'utf8')) as { attempts: number; node: string };
  assert.deepEqual([report.attempts, report.node], [2, 'healthy']);
  main.kill('SIGTERM');
  await main;
});

test('retry moves a failed task back with attempts reset; requeue refuses a live claim unless forced', async (t) => {
  const dir = await tempDir(t);
  const { root, id } = await rootWithTask(dir);
  const failing = await fakeFfmpeg(dir, { exitCode: 1, stderr: 'boom' });
  assert.equal((await cli(['render-worker', '--once', '--root', root], { ...ENV, FFMPEG_PATH: failing })).exitCode, 1);
  assert.deepEqual(await visible(join(root, 'trash/failed')), [id]);
  const error = JSON.parse(await readFile(join(root, 'trash/failed', id, 'error.json'), 'utf8')) as { code: string; class: string; stage: string };
  assert.deepEqual([error.code, error.class, error.stage], ['RENDER_FAILED', 'fatal', 'render']);
  const retried = await cli(['retry', '--root', root, '--all-failed'], ENV);
  assert.equal(retried.exitCode, 0, retried.stderr);
  assert.equal(retried.stdout.trim(), id);
  const meta = JSON.parse(await readFile(join(root, 'tasks', id, 'metadata.json'), 'utf8')) as { attempts: number };
  assert.equal(meta.attempts, 0);
  assert.equal((await cli(['retry', '--root', root, id], ENV)).exitCode, 2, 'not in trash/failed any more');

  // A live claim: requeue refuses, --force takes it back.
  const slow = await fakeFfmpeg(dir, 'slow', { name: 'slow' });
  const worker = execa(CLI, ['render-worker', '--root', root], { env: cleanEnv({ ...ENV, FFMPEG_PATH: slow }), extendEnv: false, reject: false });
  t.after(() => worker.kill('SIGKILL'));
  await waitUntil('the worker to hold the task\'s lease', () => exists(join(root, 'processing', `.${id}.lease.lock`)));
  worker.kill('SIGKILL');
  await worker;
  const refused = await cli(['requeue', '--root', root, id], ENV);
  assert.equal(refused.exitCode, 1);
  assert.match(refused.stderr, /its lease is fresh/);
  const forced = await cli(['requeue', '--root', root, id, '--force'], ENV);
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.deepEqual(await visible(join(root, 'tasks')), [id]);
  const done = await cli(['render-worker', '--once', '--root', root], ENV);
  assert.equal(done.exitCode, 0, done.stderr);
  assert.deepEqual(await visible(join(root, 'output')), [id]);
});
