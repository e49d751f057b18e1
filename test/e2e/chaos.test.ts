// Chaos, bounded in time: a main worker and three render workers on one root render a batch
// while render workers are killed with SIGKILL and restarted. One kill always lands on a
// worker in the middle of a render, holding its claim (so a task must be taken back from a
// dead worker); the others land at random moments. At the end every task is in output/
// exactly once (verified) or in trash/failed/ with a reason, the taken-back task was finished
// by another worker, processing/ and tasks/ are empty, and every raw file is in scanned/.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { createRng } from '../../src/shared/rng.js';
import { fakeFfmpeg } from '../fake-ffmpeg.js';
import { FIXTURES } from '../media.js';
import { assertKeptOnce, CLI, cleanEnv, cli, sha256, tempDir, visible, waitUntil, walk } from '../helpers.js';

const TASKS = 12;
const RANDOM_KILLS = 5;
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
};

interface Claim {
  node: string;
  pid: number;
}

const readJson = async <T>(path: string): Promise<T | null> => JSON.parse(await readFile(path, 'utf8').catch(() => 'null')) as T | null;

test('chaos: render workers killed mid-render and at random; every task rendered once or failed with a reason', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  const stage = join(dir, 'stage');
  await mkdir(stage);
  await FIXTURES.clip(join(stage, 'a.mp4'), 2);
  await FIXTURES.clip(join(stage, 'b.mp4'), 1.5);
  await FIXTURES.musicMp3(join(stage, 'm.mp3'));
  await FIXTURES.voice(join(stage, 'v.mp3'), 3);
  const raw = new Map<string, string>();
  const drop = async (from: string, to: string) => {
    await mkdir(join(root, to, '..'), { recursive: true });
    await copyFile(join(stage, from), join(root, to));
    raw.set(to, await sha256(join(stage, from)));
  };
  await drop('a.mp4', 'raw/video/c/a.mp4');
  await drop('b.mp4', 'raw/video/c/b.mp4');
  await drop('m.mp3', 'raw/music/c/m.mp3');
  const voices: string[] = [];
  for (let i = 1; i <= TASKS; i++) {
    await drop('v.mp3', `raw/story/c/s${i}/voice/chapter_0001.mp3`);
    voices.push(`scanned/story/c/s${i}/voice/chapter_0001.mp3`);
  }
  // Render workers run the real ffmpeg half a second after a render starts: every render holds
  // its claim for at least that long, on a fast machine too, so kills land on work in flight.
  const ffmpeg = await fakeFfmpeg(dir, { slowReal: 0.5 });

  const procs = new Set<ResultPromise>();
  let logs = ''; // for the failure messages only
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
  const startWorker = (k: number) => start(['render-worker', '--root', root], { CLIPMILL_NODE_ID: `n${k + 1}`, FFMPEG_PATH: ffmpeg });
  const main = start(['main-worker', '--root', root], {});
  const workers: ResultPromise[] = [0, 1, 2].map(startWorker);
  const kill = async (k: number) => {
    workers[k]!.kill('SIGKILL');
    await workers[k];
  };

  // 1. A worker killed while it renders, holding the claim: wait until a worker's heartbeat
  // shows it rendering a task whose claim.json names its pid, then SIGKILL that pid. It could
  // still have published in the moment between (then try again); what counts is a claim left
  // in processing/ by a dead process, which only a take-back can move on.
  const held = await (async () => {
    for (;;) {
      const found = await waitUntil('a worker rendering a task it has claimed', async () => {
        for (const [k, w] of workers.entries()) {
          const hb = await readJson<{ pid: number; current: { task: string; stage: string } | null }>(join(root, `nodes/n${k + 1}.json`));
          if (!hb || hb.pid !== w.pid || hb.current?.stage !== 'render') continue;
          const claim = await readJson<Claim>(join(root, 'processing', hb.current.task, 'claim.json'));
          if (claim?.pid === w.pid) return { k, id: hb.current.task, pid: w.pid };
        }
        return null;
      }, 60_000);
      await kill(found.k);
      const left = await readJson<Claim>(join(root, 'processing', found.id, 'claim.json'));
      workers[found.k] = startWorker(found.k);
      if (left?.pid === found.pid) return found;
    }
  })();

  // 2. Random kills and restarts (seeded), each a moment after the last.
  const rng = createRng(7);
  for (let i = 0; i < RANDOM_KILLS; i++) {
    await sleep(300 + rng() * 600);
    const k = Math.floor(rng() * 3);
    await kill(k);
    workers[k] = startWorker(k);
  }

  // 3. Let the farm finish (recoveries of stale leases included), bounded.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const done = (await visible(join(root, 'output'))).length + (await visible(join(root, 'trash/failed'))).length;
    if (done >= TASKS && (await visible(join(root, 'processing'))).length === 0 && (await visible(join(root, 'tasks'))).length === 0) break;
    assert.ok(Date.now() < deadline, `the farm did not finish: ${done} of ${TASKS} tasks done; the log ends:\n${logs.slice(-4000)}`);
    await sleep(300);
  }
  for (const w of workers) w.kill('SIGTERM');
  main.kill('SIGTERM');
  await Promise.all([...workers, main]);

  // Every task exactly once: one per voice, each rendered and verified or failed with a reason.
  const outputs = await visible(join(root, 'output'));
  const failed = await visible(join(root, 'trash/failed'));
  const ids = [...outputs, ...failed.map((f) => f.split('.')[0]!)];
  assert.equal(new Set(ids).size, TASKS, `each task exactly once: ${outputs.length} rendered, ${failed.length} failed`);
  assert.equal(ids.length, TASKS);
  const sources: string[] = [];
  for (const id of outputs) {
    const report = JSON.parse(await readFile(join(root, 'output', id, 'report.json'), 'utf8')) as { checks: { ok: boolean }[] };
    assert.ok(report.checks.length > 0 && report.checks.every((c) => c.ok), `${id} verified`);
    sources.push((JSON.parse(await readFile(join(root, 'output', id, 'metadata.json'), 'utf8')) as { voice_source: string }).voice_source);
  }
  for (const f of failed) {
    const error = JSON.parse(await readFile(join(root, 'trash/failed', f, 'error.json'), 'utf8')) as { code: string; message: string };
    assert.ok(error.code && error.message, `${f} has a reason`);
    sources.push((JSON.parse(await readFile(join(root, 'trash/failed', f, 'metadata.json'), 'utf8')) as { voice_source: string }).voice_source);
  }
  assert.deepEqual(sources.sort(), [...voices].sort(), 'one task per voice');

  // The task held by the killed worker was taken back and finished by another process (its
  // attempt counted), or failed with its reason.
  if (outputs.includes(held.id)) {
    const claim = JSON.parse(await readFile(join(root, 'output', held.id, 'claim.json'), 'utf8')) as Claim;
    assert.notEqual(claim.pid, held.pid, 'published by another worker than the killed one');
    const report = JSON.parse(await readFile(join(root, 'output', held.id, 'report.json'), 'utf8')) as { attempts: number };
    assert.ok(report.attempts >= 2, `the killed render counted as an attempt: ${report.attempts}`);
  } else {
    assert.ok(failed.some((f) => f.startsWith(held.id)), `${held.id} is in output/ or trash/failed/`);
  }

  assert.deepEqual(await visible(join(root, 'processing')), []);
  assert.deepEqual(await visible(join(root, 'tasks')), []);
  // Nothing from raw/ is lost: every raw file's bytes are in scanned/ exactly once (the two
  // clips as they were, the music's original beside its normalized copy, the twelve voices).
  assert.deepEqual(await walk(join(root, 'raw')), []);
  assert.deepEqual(await walk(join(root, 'trash/invalid')), []);
  await assertKeptOnce(raw, (await walk(join(root, 'scanned'))).filter((p) => !p.endsWith('.source.json')));
  assert.equal((await visible(join(root, 'scanned/video/c/mp4_w160_h90'))).filter((n) => n.endsWith('.mp4')).length, 2);
  assert.equal((await visible(join(root, 'scanned/music/c/mp3'))).filter((n) => n.endsWith('.mp3')).length, 1, 'the music normalized once');
});
