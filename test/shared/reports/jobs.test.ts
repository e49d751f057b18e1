// jobsReport: variations by state from the task folders' job field, output paths, waiting
// reasons from nodes/main-worker.json, rejected job files; and the same in statusReport.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { jobsReport } from '../../../src/shared/reports/jobs.js';
import { statusReport } from '../../../src/shared/reports/status.js';
import { Layout } from '../../../src/shared/layout.js';
import { tempDir } from '../../helpers.js';
import { jobTaskId as U, jobsRoot as root } from './fixture.js';

test('jobsReport: each job with its variations by state, outputs, waiting reasons; rejected files', async (t) => {
  const layout = await root(t);
  const r = await jobsReport(layout);
  assert.deepEqual(r.jobs.map((j) => [j.name, j.variations, j.planned, j.queued, j.rendering, j.rendered, j.failed]), [
    ['idle', 2, 0, 0, 0, 0, 0],
    ['other', null, 1, 1, 0, 0, 0],
    ['spring', 3, 3, 0, 1, 1, 1],
  ]);
  const spring = r.jobs.find((j) => j.name === 'spring')!;
  assert.deepEqual(spring.tasks.map((x) => [x.variation, x.state, x.output]), [[0, 'rendered', `output/${U(1)}/final.mp4`], [1, 'rendering', null], [2, 'failed', null]]);
  assert.deepEqual(r.jobs[0]!.waiting, [{ for: 'the job', reason: 'sources[0] (category none) selects no footage in scanned/video/', since: '2026-01-01T00:00:00Z' }]);
  assert.deepEqual(r.rejected, [{ file: 'raw/job/bad.json', message: 'JOB_INVALID: raw/job/bad.json: variatons: unknown key', at: '2026-01-02T00:00:00Z' }]);
  assert.equal((await statusReport(layout)).jobs.jobs.length, 3);
});

test('jobsReport: a job file with "template": "short" lists its one task (metadata short.key job/<name>)', async (t) => {
  const layout = new Layout(await tempDir(t));
  await mkdir(layout.scannedJobs, { recursive: true });
  await writeFile(join(layout.scannedJobs, 'promo short.json'), JSON.stringify({ template: 'short', audio: { id: 'cars/spring/part_0001' } }));
  const id = '5f8fad5b-d9cb-469f-a165-708677289502';
  await mkdir(join(layout.output, id), { recursive: true });
  await writeFile(join(layout.output, id, 'metadata.json'), JSON.stringify({ task_id: id, short: { key: 'job/promo short', audio: 'scanned/narration/cars/spring/part_0001.mp3' } }));
  const r = await jobsReport(layout);
  assert.deepEqual(r.jobs.map((j) => [j.name, j.variations, j.planned, j.rendered, j.tasks[0]?.source]), [['promo short', 1, 1, 1, 'scanned/narration/cars/spring/part_0001.mp3']]);
});
