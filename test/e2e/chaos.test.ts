// Chaos, bounded in time: a main worker and three render workers on one root render a batch
// while render workers are killed with SIGKILL and restarted at random moments. At the end
// every task is in output/ exactly once or in trash/failed/ with a reason, processing/ is
// empty, and nothing that entered raw/ is lost.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { createRng } from '../../src/shared/rng.js';
import { FIXTURES } from '../media.js';
import { CLI, cleanEnv, cli, tempDir, visible } from '../helpers.js';

const TASKS = 12;
const ENV = {
  CLIPMILL_INGEST_STABLE_MS: '200',
  CLIPMILL_INGEST_SCAN_INTERVAL_MS: '300',
  CLIPMILL_RENDER_RESOLUTION: '160x90',
  CLIPMILL_RENDER_ENCODERS: 'libx264',
  CLIPMILL_RENDER_POLL_INTERVAL_MS: '200',
  CLIPMILL_DISK_MIN_FREE_MB: '0',
  CLIPMILL_HEALTH_HEARTBEAT_MS: '300',
  CLIPMILL_HEALTH_NODE_TIMEOUT_MS: '2000',
  CLIPMILL_HEALTH_CHECK_INTERVAL_MS: '500',
  CLIPMILL_HEALTH_LEASE_UPDATE_MS: '1000',
  CLIPMILL_HEALTH_LEASE_STALE_MS: '5000',
  CLIPMILL_TASKS_MAX_ATTEMPTS: '10',
  // Slow renders (about a second each), so that kills land on work in flight.
  CLIPMILL_RENDER_ENCODER_ARGS: JSON.stringify({ libx264: ['-preset', 'veryslow', '-crf', '20'] }),
};

test('chaos: render workers killed and restarted at random; every task rendered once or failed with a reason', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  const stage = join(dir, 'stage');
  await mkdir(stage);
  await FIXTURES.clip(join(stage, 'a.mp4'), 2);
  await FIXTURES.clip(join(stage, 'b.mp4'), 1.5);
  await FIXTURES.musicMp3(join(stage, 'm.mp3'));
  await FIXTURES.voice(join(stage, 'v.mp3'), 3);
  const raw: string[] = [];
  const drop = async (from: string, to: string) => {
    await mkdir(join(root, to, '..'), { recursive: true });
    await copyFile(join(stage, from), join(root, to));
    raw.push(to);
  };
  await drop('a.mp4', 'raw/video/c/a.mp4');
  await drop('b.mp4', 'raw/video/c/b.mp4');
  await drop('m.mp3', 'raw/music/c/m.mp3');
  for (let i = 1; i <= TASKS; i++) await drop('v.mp3', `raw/story/c/s${i}/voice/chapter_0001.mp3`);

  const procs = new Set<ResultPromise>();
  let logs = '';
  const start = (args: string[], env: Record<string, string>) => {
    const p = execa(CLI, args, { env: cleanEnv({ ...ENV, ...env }), extendEnv: false, reject: false });
    p.stderr?.on('data', (c: Buffer) => (logs += c.toString()));
    procs.add(p);
    void p.finally(() => procs.delete(p));
    return p;
  };
  t.after(() => {
    for (const p of procs) p.kill('SIGKILL');
  });
  const main = start(['main-worker', '--root', root], {});
  const workers: ResultPromise[] = ['n1', 'n2', 'n3'].map((n) => start(['render-worker', '--root', root], { CLIPMILL_NODE_ID: n }));

  // Kill a random render worker at a random moment and restart it, for 12 s.
  const rng = createRng(7);
  const until = Date.now() + 12_000;
  let kills = 0;
  while (Date.now() < until) {
    await sleep(400 + rng() * 1200);
    const k = Math.floor(rng() * 3);
    workers[k]!.kill('SIGKILL');
    await workers[k];
    kills++;
    workers[k] = start(['render-worker', '--root', root], { CLIPMILL_NODE_ID: `n${k + 1}` });
  }
  // Then let the farm finish (recoveries of stale leases included), bounded.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const done = (await visible(join(root, 'output'))).length + (await visible(join(root, 'trash/failed'))).length;
    if (done >= TASKS && (await visible(join(root, 'processing'))).length === 0) break;
    assert.ok(Date.now() < deadline, `the farm did not finish: ${done} of ${TASKS} tasks done`);
    await sleep(300);
  }
  for (const w of workers) w.kill('SIGTERM');
  main.kill('SIGTERM');
  await Promise.all([...workers, main]);
  assert.ok(kills >= 5);
  // The kills landed on work in flight: tasks came back by the restarted worker's hand-back
  // of its dead claims, or by the main worker's recovery of stale leases.
  const recoveries = (logs.match(/was claimed by a worker of n\d that is gone|Recovered task/g) ?? []).length;
  assert.ok(recoveries >= 1, 'at least one task was taken back from a killed worker');

  const outputs = await visible(join(root, 'output'));
  const failed = await visible(join(root, 'trash/failed'));
  const ids = [...outputs, ...failed.map((f) => f.split('.')[0]!)];
  assert.equal(new Set(ids).size, TASKS, `each task exactly once: ${outputs.length} rendered, ${failed.length} failed`);
  assert.equal(ids.length, TASKS);
  for (const id of outputs) {
    const report = JSON.parse(await readFile(join(root, 'output', id, 'report.json'), 'utf8')) as { checks: { ok: boolean }[] };
    assert.ok(report.checks.every((c) => c.ok), `${id} verified`);
  }
  for (const f of failed) {
    const error = JSON.parse(await readFile(join(root, 'trash/failed', f, 'error.json'), 'utf8')) as { code: string; message: string };
    assert.ok(error.code && error.message, `${f} has a reason`);
  }
  assert.deepEqual(await visible(join(root, 'processing')), []);
  assert.deepEqual(await visible(join(root, 'tasks')), []);
  // Nothing from raw/ is lost: every file is in scanned/ (the two clips as they were, the
  // music as its original plus the normalized copy, the voices).
  assert.deepEqual(await visible(join(root, 'raw/video/c')), []);
  assert.equal((await readdir(join(root, 'scanned/video/c/mp4_w160_h90'))).length, 2);
  assert.equal((await visible(join(root, 'scanned/music/c/original'))).filter((n) => !n.endsWith('.json')).length, 1);
  for (let i = 1; i <= TASKS; i++) assert.deepEqual(await visible(join(root, `scanned/story/c/s${i}/voice`)), ['chapter_0001.mp3']);
});
