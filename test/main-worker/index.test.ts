import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import type { ingestFile } from '../../src/main-worker/ingest/index.js';
import { MainWorker } from '../../src/main-worker/index.js';
import { exists } from '../../src/shared/fs.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { tempDir, testConfig } from '../helpers.js';

/** A root with two raw files and a worker whose ingest waits for `release()`. */
async function setup(t: { after(fn: () => Promise<void> | void): void }) {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  await mkdir(join(layout.raw, 'video', 'c'), { recursive: true });
  for (const n of ['a.mp4', 'b.mp4']) await writeFile(join(layout.raw, 'video', 'c', n), 'not really a video');
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const config = testConfig({ ingest: { stableMs: 0, concurrency: 1 } });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const taken: string[] = [];
  const ingest: typeof ingestFile = async (_ctx, file) => {
    taken.push(file.rel);
    await gate;
    return { status: 'skipped', reason: 'stub' };
  };
  const worker = new MainWorker({ config, layout, log, bins: null as never }, undefined, { ingest });
  return { root, layout, lines, worker, taken, release };
}

async function settled(p: Promise<unknown>, ms = 50): Promise<boolean> {
  return Promise.race([p.then(() => true, () => true), sleep(ms).then(() => false)]);
}

test('close() returns the same promise twice and drains: a running and a queued job finish first', async (t) => {
  const s = await setup(t);
  await s.worker.start();
  assert.equal(await exists(s.layout.mainWorkerLock), true, 'the root is locked');
  await s.worker.scan();
  await sleep(10);
  assert.deepEqual(s.taken, ['video/c/a.mp4'], 'one at a time (ingest.concurrency 1): b.mp4 is queued');
  const first = s.worker.close();
  const second = s.worker.close();
  assert.equal(first, second);
  assert.equal(await settled(first), false, 'close waits for the jobs');
  assert.equal(await exists(s.layout.mainWorkerLock), true, 'the lock is held while jobs run');
  s.release();
  await first;
  assert.deepEqual(s.taken, ['video/c/a.mp4', 'video/c/b.mp4'], 'the queued job ran too');
  assert.equal(await exists(s.layout.mainWorkerLock), false, 'the root lock is released');
  assert.deepEqual(s.worker.queueDepths(), { ingest: 0, convert: 0, crawl: 0, plan: 0, narrate: 0 });
  // Closed: no new work.
  await s.worker.scan();
  assert.equal(s.taken.length, 2);
  await assert.rejects(s.worker.start(), /closed/);
  assert.equal(s.worker.close(), first);
});

test('close() runs every clean-up even when one throws, then throws that error', async (t) => {
  const s = await setup(t);
  s.release();
  await s.worker.start();
  (s.worker as unknown as { ingest: { closeAgent(): Promise<void> } }).ingest.closeAgent = async () => {
    throw new Error('the crawler would not close');
  };
  await assert.rejects(s.worker.close(), /the crawler would not close/);
  assert.equal(await exists(s.layout.mainWorkerLock), false, 'the root lock is released all the same');
});

test('the daemon stops when close() is called, without an abort', async (t) => {
  const s = await setup(t);
  s.release();
  const running = s.worker.run(new AbortController().signal);
  const end = Date.now() + 10_000;
  while (!s.lines.join('').includes('Main worker watching') && Date.now() < end) await sleep(10);
  await s.worker.close();
  await running;
  assert.match(s.lines.join(''), /Main worker stopped/);
  assert.equal(await exists(s.layout.mainWorkerLock), false);
});
