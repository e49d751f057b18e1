import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { RenderWorker } from '../../src/render-worker/index.js';
import { exists } from '../../src/shared/fs.js';
import { workerEnv } from './env.js';

test('RenderWorker.close(): idempotent (the same promise twice), stops the daemon loop, which writes its last heartbeat', async (t) => {
  const env = await workerEnv(t, 0, { render: { pollIntervalMs: 50 } });
  const worker = new RenderWorker(env);
  const running = worker.run(new AbortController().signal);
  await new Promise((r) => setTimeout(r, 150));
  const first = worker.close();
  assert.equal(worker.close(), first);
  await first;
  await running;
  const hb = JSON.parse(await readFile(env.layout.heartbeat('n1'), 'utf8')) as { state: string };
  assert.equal(hb.state, 'stopped');
  assert.equal(await exists(worker.scratch), false, 'its own scratch folder is removed');
});
