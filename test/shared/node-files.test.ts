// The files of nodes/ and the task protocol's claim: what the daemons write passes the schema,
// and a bad file is refused naming the field and the value.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Heartbeat } from '../../src/render-worker/heartbeat.js';
import { validate, readJson } from '../../src/shared/json.js';
import { Layout } from '../../src/shared/layout.js';
import { HeartbeatSchema, MainWorkerStatusSchema } from '../../src/shared/node-files.js';
import { ClaimSchema } from '../../src/shared/protocol/files.js';
import { tempDir } from '../helpers.js';

async function heartbeatFile(t: Parameters<typeof tempDir>[0]) {
  const layout = new Layout(await tempDir(t));
  await mkdir(layout.nodes, { recursive: true });
  const hb = new Heartbeat(layout, 'gpu-1', 'libx264', layout.root, 1000);
  hb.current = { task: 't1', stage: 'render', progress: 0.5, since: new Date().toISOString() };
  await hb.beat();
  return { layout, file: await readJson(HeartbeatSchema, layout.heartbeat('gpu-1'), 'IO') };
}

test('the render worker\'s heartbeat passes its schema, at layout.heartbeat(node)', async (t) => {
  const { file } = await heartbeatFile(t);
  assert.equal(file.node, 'gpu-1');
  assert.equal(file.state, 'starting');
  assert.deepEqual(file.current?.stage, 'render');
  assert.equal(file.heartbeat_ms, 1000);
  assert.ok(file.free_disk_bytes && typeof file.free_disk_bytes.root === 'number');
});

test('a failed heartbeat write only loses a beat', async (t) => {
  const layout = new Layout(await tempDir(t));
  await writeFile(layout.nodes, 'not a folder'); // every write fails
  const hb = new Heartbeat(layout, 'gpu-1', 'libx264', layout.root, 1000);
  await hb.beat();
  await hb.stop();
  assert.equal(hb.state, 'stopped');
});

test('a bad heartbeat is refused naming the field and the value', async (t) => {
  const { file } = await heartbeatFile(t);
  const bad: [unknown, RegExp][] = [
    [{ ...file, state: 'sleeping' }, /hb\.json: state: .*got "sleeping"/],
    [{ ...file, current: { ...file.current, progress: 2 } }, /hb\.json: current\.progress: .*got 2/],
    [{ ...file, pid: '12' }, /hb\.json: pid: .*got "12"/],
    [{ ...file, counters: { done: -1 } }, /hb\.json: counters\.done: .*got -1/],
    [{ ...file, metrics: { ...file.metrics, window_s: undefined } }, /hb\.json: metrics\.window_s: .*got nothing/],
    [{ ...file, gpu: 'x' }, /hb\.json: gpu: unknown key/],
  ];
  for (const [value, re] of bad) assert.throws(() => validate(HeartbeatSchema, value, 'hb.json', 'IO'), re);
  // What the main worker's health check adds to a silent node's heartbeat.
  assert.ok(validate(HeartbeatSchema, { ...file, state: 'dead', marked_dead_at: new Date().toISOString() }, 'hb.json', 'IO'));
});

test('main-worker.json: the lock holder, and the voices waiting', () => {
  const ok = { host: 'h', pid: 1, started_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:05Z', totals: { moved: 1 }, waiting: [{ voice: 'scanned/story/c/s/voice/a.mp3', reason: 'no music', since: '2026-01-01T00:00:00Z' }] };
  assert.deepEqual(validate(MainWorkerStatusSchema, ok, 'main-worker.json', 'IO'), ok);
  assert.throws(() => validate(MainWorkerStatusSchema, { ...ok, waiting: [{ voice: 'v', reason: 'r' }] }, 'main-worker.json', 'IO'), /main-worker\.json: waiting\[0\]\.since: .*got nothing/);
  assert.throws(() => validate(MainWorkerStatusSchema, { ...ok, pid: 1.5 }, 'main-worker.json', 'IO'), /main-worker\.json: pid: .*got 1\.5/);
});

test('a bad claim is refused naming the field and the value', () => {
  const claim = { task_id: 't', node: 'gpu-1', pid: 42, claimed_at: '2026-01-01T00:00:00Z' };
  assert.deepEqual(validate(ClaimSchema, claim, 'claim.json', 'IO'), claim);
  assert.throws(() => validate(ClaimSchema, { ...claim, node: '' }, 'claim.json', 'IO'), /claim\.json: node: .*got ""/);
  assert.throws(() => validate(ClaimSchema, { ...claim, lease: 'x' }, 'claim.json', 'IO'), /claim\.json: lease: unknown key/);
});
