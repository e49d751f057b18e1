// A render node killed (SIGKILL) in the middle of a chunk: the chunk task stays in processing/
// with the dead worker's claim; the main worker's health check recovers it like any task once
// its lease is stale; another node renders it and the rest, and the task is joined. The kill
// point is deterministic: the fake ffmpeg of the first node hangs on chunk 1 only, and the
// test waits for it to be there. `clipmill status` shows the task as one line meanwhile.
import assert from 'node:assert/strict';
import { readdir, readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Heartbeat } from '../../src/render-worker/heartbeat.js';
import { plainCopy } from '../../src/render-worker/download.js';
import { runPipeline } from '../../src/render-worker/pipeline.js';
import { checkHealth } from '../../src/main-worker/health.js';
import { initRoot } from '../../src/cli/commands/init.js';
import { statusReport } from '../../src/shared/reports/status.js';
import { Layout } from '../../src/shared/layout.js';
import { encoderSpec } from '../../src/shared/media/encoders.js';
import { probeSeams } from '../../src/shared/media/seams.js';
import { readMetadata } from '../../src/shared/protocol/task-files.js';
import { retiredChunkDir } from '../../src/shared/protocol/chunks.js';
import { chunkTaskId } from '../../src/shared/timeline/chunks.js';
import { binaries, startCli, tempDir, testConfig, waitUntil, writeScript } from '../helpers.js';
import { quietLog } from '../shared/protocol/fixture.js';
import { LONG_ID, publishLongTask } from '../render-worker/chunked.js';

test('a node killed mid-chunk: the chunk is recovered from its stale lease, rendered by another node, and the task joined', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  await publishLongTask(layout);
  const bins = await binaries();
  const hung = join(dir, 'hung.pid');
  // Node n1's ffmpeg: chunk 1 (its trim starts at the chunk's 30th frame) hangs, after saying so; the rest is real.
  const ffmpeg = await writeScript(join(dir, 'ffmpeg'), [`case "$*" in *trim=start_frame=30:*) echo $$ > '${hung}'; exec sleep 600;; esac`, `exec '${bins.ffmpeg.path}' "$@"`].join('\n'));
  const env = { CLIPMILL_NODE_ID: 'n1', FFMPEG_PATH: ffmpeg, CLIPMILL_RENDER_CHUNK_SECONDS: '1', CLIPMILL_RENDER_ENCODERS: 'libx264', CLIPMILL_RENDER_PREFETCH: '0', CLIPMILL_DISK_MIN_FREE_MB: '0', CLIPMILL_RENDER_POLL_INTERVAL_MS: '100', CLIPMILL_HEALTH_LEASE_UPDATE_MS: '1000' };
  const worker = startCli(['render-worker', '--root', root], env);
  // Whatever happens below: the worker and the hung `sleep` (its own process) are not left running.
  const killHung = async () => {
    const pid = Number((await readFile(hung, 'utf8').catch(() => '')).trim());
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  };
  t.after(async () => {
    worker.sub.kill('SIGKILL');
    await killHung();
  });
  const chunk1 = chunkTaskId(LONG_ID, 1);
  // A generous limit (a loaded machine): n1 renders up to three artifacts of a 3 s, 160x90 video before chunk 1.
  await waitUntil('node n1 to reach chunk 1 (its fake ffmpeg writes hung.pid there)', async () => (await readFile(hung, 'utf8').catch(() => '')).trim(), 180_000).catch((err: unknown) => {
    throw new Error(`${String(err)}; the worker's log:\n${worker.log()}`);
  });
  // While chunk 1 renders: the task is one line of status, its chunks counted as they are in chunks/<id>/ (chunk 1's not among them).
  const during = (await statusReport(layout)).chunked;
  const present = (await readdir(layout.chunkDir(LONG_ID))).filter((n) => /^(\d+\.mp4|audio\.m4a)$/.test(n));
  assert.ok(!present.includes('1.mp4'));
  assert.equal(during.length, 1);
  assert.equal(during[0]!.task, LONG_ID);
  assert.equal(during[0]!.state, 'waiting');
  assert.equal(during[0]!.chunks_total, 4);
  assert.equal(during[0]!.chunks_done, present.length, `the artifacts there: ${present.join(', ') || 'none'}`);
  worker.sub.kill('SIGKILL');
  await worker.sub.catch(() => {});
  await killHung();
  const claim = JSON.parse(await readFile(join(layout.processingTask(chunk1), 'claim.json'), 'utf8')) as { node: string };
  assert.equal(claim.node, 'n1', 'the dead node still holds chunk 1');

  // The main worker's health check once the lease has gone stale: nothing refreshes a dead
  // worker's lease, so its age is set to what health.leaseStaleMs and a minute would leave.
  const config = testConfig({ render: { chunkSeconds: 1, prefetch: 0, scratchDir: join(dir, 'scratch') }, disk: { minFreeMb: 0 }, tasks: { retryBaseMs: 0 } });
  const past = new Date(Date.now() - config.health.leaseStaleMs - 60_000);
  await utimes(layout.leaseLock(chunk1), past, past);
  const health = await checkHealth(layout, config, quietLog);
  assert.deepEqual(health.recovered, [chunk1], 'chunk 1 back to tasks/, like any task of a dead node');

  // Node n2 renders what is left and joins.
  const scratch = join(dir, 'scratch', 'n2-1');
  const totals = await runPipeline({ config, layout, log: quietLog, bins, encoder: encoderSpec('libx264', config), node: 'n2', heartbeat: new Heartbeat(layout, 'n2', 'libx264', scratch, 60_000), scratch, copy: plainCopy, skip: new Set() }, new AbortController().signal, true);
  assert.equal(totals.failed, 0);
  const final = join(layout.outputTask(LONG_ID), 'final.mp4');
  const seams = await probeSeams(bins.ffprobe.path, final);
  assert.equal(seams.video.frames, 90);
  assert.deepEqual(seams.video.gaps, []);
  assert.equal((await readMetadata(join(retiredChunkDir(layout, LONG_ID), 'done', chunk1))).attempts, 2, 'the dead claim counted as an attempt');
  assert.deepEqual((await statusReport(layout)).chunked, [], 'nothing chunked left unfinished');
});
