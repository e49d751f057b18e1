// statusReport reads every file through its schema: what fails it shows as unreadable, and old
// error.json files (no class, no encoder) are still listed.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { statusReport } from '../../../src/shared/reports/status.js';
import { Heartbeat } from '../../../src/render-worker/heartbeat.js';
import { Layout } from '../../../src/shared/layout.js';
import { tempDir } from '../../helpers.js';

const A = '0f8fad5b-d9cb-469f-a165-70867728950e';
const B = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const json = (v: unknown) => JSON.stringify(v);

test('status reads heartbeats, main-worker.json, claims, error.json and reasons through their schemas', async (t) => {
  const layout = new Layout(await tempDir(t));
  for (const d of [layout.nodes, layout.processingTask(A), layout.processingTask(B), layout.failedTask(A), layout.failedTask(B), join(layout.trashInvalid, 'video', 'c')]) await mkdir(d, { recursive: true });
  const hb = new Heartbeat(layout, 'gpu-1', 'libx264', layout.root, 1000);
  hb.state = 'idle';
  await hb.beat();
  await writeFile(layout.heartbeat('broken'), json({ node: 'broken', state: 'idle' }));
  await writeFile(layout.mainWorkerStatus, json({ host: 'h', pid: 7, started_at: '2026-01-01T00:00:00Z', waiting: [{ voice: 'v.mp3', reason: 'no music', since: '2026-01-01T00:00:00Z' }] }));
  await mkdir(layout.mainWorkerLock);
  await writeFile(join(layout.processingTask(A), 'claim.json'), json({ task_id: A, node: 'gpu-1', pid: 42, claimed_at: '2026-01-01T00:00:00Z' }));
  await writeFile(join(layout.processingTask(B), 'claim.json'), json({ task_id: B, node: 'gpu-1', pid: 'x' }));
  // Written by an older version: no class, no encoder, a retired flag.
  await writeFile(join(layout.failedTask(A), 'error.json'), json({ task_id: A, code: 'TOO_MANY_ATTEMPTS', stage: 'claim', message: 'gone', attempts: 3, node: null, failed_at: '2026-01-02T00:00:00Z', transient: false }));
  await writeFile(join(layout.failedTask(B), 'error.json'), json({ task_id: B, code: 5 }));
  await writeFile(join(layout.trashInvalid, 'video', 'c', 'a.mp4.reason.json'), json({ code: 'TOO_SHORT', message: 'short', raw_path: 'raw/video/c/a.mp4', rejected_at: '2026-01-03T00:00:00Z', probe: null, details: {} }));
  await writeFile(join(layout.trashInvalid, 'video', 'c', 'b.mp4.reason.json'), '{ not json');

  const r = await statusReport(layout, 10, 60_000);
  assert.deepEqual(r.nodes.map((n) => [n.node, n.alive, n.encoder]), [['gpu-1', true, 'libx264']], 'the corrupt heartbeat is skipped');
  assert.deepEqual(r.main_worker && [r.main_worker.host, r.main_worker.pid, r.main_worker.lock_fresh], ['h', 7, true]);
  assert.deepEqual(r.waiting, [{ voice: 'v.mp3', reason: 'no music', since: '2026-01-01T00:00:00Z' }]);
  assert.deepEqual(
    r.processing.sort((a, b) => a.task.localeCompare(b.task)),
    [
      { task: A, node: 'gpu-1', pid: 42, claimed_at: '2026-01-01T00:00:00Z' },
      { task: B, node: null, pid: null, claimed_at: null },
    ],
  );
  assert.deepEqual(r.recent_failures, [
    { task: A, code: 'TOO_MANY_ATTEMPTS', stage: 'claim', message: 'gone', at: '2026-01-02T00:00:00Z' },
    { task: B, code: '?', stage: '?', message: '', at: '' },
  ]);
  const rejects = r.recent_rejects.sort((a, b) => a.raw_path.localeCompare(b.raw_path));
  assert.deepEqual(rejects[0], { raw_path: 'raw/video/c/a.mp4', code: 'TOO_SHORT', message: 'short', at: '2026-01-03T00:00:00Z' });
  assert.equal(rejects[1]?.raw_path, 'trash/invalid/video/c/b.mp4.reason.json');
  assert.equal(rejects[1]?.code, '?');
});
