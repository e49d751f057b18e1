// The Prometheus endpoints (metrics.port 0: a free port, logged).
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES } from '../media.js';
import { cli, startCli, tempDir, waitUntil, walk } from '../helpers.js';


test('each daemon serves its metrics: ingest counters by outcome and reason, queue depths, render gauges', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  await mkdir(join(root, 'raw/video/c'), { recursive: true });
  await FIXTURES.clip(join(root, 'raw/video/c/good.mp4'), 1);
  await writeFile(join(root, 'raw/video/c/bad.mp4'), 'not a video');
  const env = { CLIPMILL_INGEST_STABLE_MS: '100', CLIPMILL_METRICS_PORT: '0', CLIPMILL_RENDER_ENCODERS: 'libx264', CLIPMILL_DISK_MIN_FREE_MB: '0', CLIPMILL_RENDER_POLL_INTERVAL_MS: '200' };
  const main = startCli(['main-worker', '--root', root], env);
  t.after(() => main.sub.kill('SIGKILL'));
  // The port (0: any free one) is known only from the daemon's announcement of its URL.
  const [, mainUrl] = await main.waitFor(/Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/);
  // Both files dealt with: the good one filed, the bad one rejected.
  await waitUntil('good.mp4 filed and bad.mp4 rejected', async () => (await walk(join(root, 'scanned/video/c'))).filter((p) => p.endsWith('.mp4')).length === 1 && (await walk(join(root, 'trash/invalid/video/c'))).length === 2);
  assert.equal((JSON.parse(await readFile(join(root, 'trash/invalid/video/c/bad.mp4.reason.json'), 'utf8')) as { code: string }).code, 'PROBE_FAILED');
  // The counters follow the files by a moment (a directory fsync after the rename).
  const counted = [/clipmill_ingest_files_total\{outcome="moved",daemon="main_worker",node="[^"]+"\} 1\n/, /clipmill_ingest_rejects_total\{code="PROBE_FAILED",daemon="main_worker",node="[^"]+"\} 1\n/];
  const text = await waitUntil('the ingest counters at 1 moved, 1 rejected', async () => {
    const now = await (await fetch(mainUrl!)).text();
    return counted.every((re) => re.test(now)) ? now : null;
  }, 5000);
  assert.match(text, /clipmill_queue_depth\{queue="ingest",daemon="main_worker",node="[^"]+"\} 0/);
  assert.match(text, /clipmill_voices_waiting\{daemon="main_worker",node="[^"]+"\} 0/);
  assert.equal((await fetch(mainUrl!.replace('/metrics', '/other'))).status, 404);
  main.sub.kill('SIGTERM');
  await main.sub;

  const render = startCli(['render-worker', '--root', root], { ...env, CLIPMILL_NODE_ID: 'gpu7' });
  t.after(() => render.sub.kill('SIGKILL'));
  const [, renderUrl] = await render.waitFor(/Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/);
  const r = await (await fetch(renderUrl!)).text();
  for (const name of ['clipmill_render_utilization_percent', 'clipmill_task_throughput_per_hour', 'clipmill_render_progress_ratio']) assert.match(r, new RegExp(`${name}\\{daemon="render_worker",node="gpu7"\\} 0`));
  assert.match(r, /clipmill_render_tasks_total\{outcome="done",daemon="render_worker",node="gpu7"\} 0/);
  render.sub.kill('SIGTERM');
  assert.equal((await render.sub).exitCode, 0);
});
