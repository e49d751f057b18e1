import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyTotals } from '../../src/main-worker/metrics.js';
import { StatusFile } from '../../src/main-worker/status-file.js';
import { readJson } from '../../src/shared/json.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { MainWorkerStatusSchema } from '../../src/shared/node-files.js';
import { tempDir } from '../helpers.js';

function capture() {
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  return { lines, log };
}

test('nodes/main-worker.json: who holds the root, the totals and the waiting voices, through its schema', async (t) => {
  const root = await tempDir(t);
  await mkdir(join(root, 'nodes'));
  const layout = new Layout(root);
  const { log } = capture();
  const status = new StatusFile(layout, log, '2030-01-01T00:00:00.000Z');
  const totals = { ...emptyTotals(), moved: 3, waiting: 1 };
  const waiting = [{ voice: 'scanned/story/c/s/voice/chapter_0001.mp3', reason: 'no footage in category c', since: '2030-01-01T00:00:01.000Z' }];
  await status.write(totals, waiting);
  const file = await readJson(MainWorkerStatusSchema, layout.mainWorkerStatus, 'IO');
  assert.equal(file.host, hostname());
  assert.equal(file.pid, process.pid);
  assert.equal(file.started_at, '2030-01-01T00:00:00.000Z');
  assert.ok(file.updated_at && Date.parse(file.updated_at) > 0);
  assert.deepEqual(file.totals, totals);
  assert.deepEqual(file.waiting, waiting);
  // The file holds a copy: later counting does not change what content() returned.
  const content = status.content(totals, waiting, new Date(0));
  totals.moved++;
  assert.equal(content.totals?.moved, 3);
  assert.equal(content.updated_at, '1970-01-01T00:00:00.000Z');
});

test('a status that cannot be written is logged, not thrown', async (t) => {
  const root = await tempDir(t);
  await writeFile(join(root, 'nodes'), 'not a folder');
  const { lines, log } = capture();
  await new StatusFile(new Layout(root), log).write(emptyTotals(), []);
  assert.match(lines.join(''), /Could not write nodes\/main-worker\.json/);
});

test('nodes/main-worker.json lists the waiting jobs (absent when none)', async (t) => {
  const root = await tempDir(t);
  await mkdir(join(root, 'nodes'));
  const layout = new Layout(root);
  const status = new StatusFile(layout, capture().log);
  await status.write(emptyTotals(), []);
  assert.equal((await readJson(MainWorkerStatusSchema, layout.mainWorkerStatus, 'IO')).waiting_jobs, undefined);
  const jobs = [{ voice: 'spring (source scanned/video/p/mp4_w160_h90/1.0_x.mp4)', reason: 'parts[1]: no narration part 2 in scanned/narration/c/s/', since: '2030-01-01T00:00:01.000Z' }];
  await status.write(emptyTotals(), [], jobs);
  assert.deepEqual((await readJson(MainWorkerStatusSchema, layout.mainWorkerStatus, 'IO')).waiting_jobs, [{ job: jobs[0]!.voice, reason: jobs[0]!.reason, since: jobs[0]!.since }]);
});
