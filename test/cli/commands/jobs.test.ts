// clipmill jobs: variations by state from the task folders' job field, output paths, waiting
// reasons from nodes/main-worker.json, rejected job files; and the same in clipmill status.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatJobs, jobsReport } from '../../../src/cli/commands/jobs.js';
import { statusReport } from '../../../src/cli/commands/status.js';
import { runInProcess } from '../in-process.js';
import { Layout } from '../../../src/shared/layout.js';
import { tempDir } from '../../helpers.js';

const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const json = (v: unknown) => JSON.stringify(v);

async function root(t: Parameters<typeof tempDir>[0]) {
  const layout = new Layout(await tempDir(t));
  await mkdir(layout.raw, { recursive: true });
  await mkdir(layout.scannedJobs, { recursive: true });
  await writeFile(join(layout.scannedJobs, 'spring.json'), json({ variations: 3, sources: [{ category: 'promo' }] }));
  await writeFile(join(layout.scannedJobs, 'idle.json'), json({ variations: 2, sources: [{ category: 'none' }] }));
  const task = async (dir: string, n: number, variation: number, job = 'spring') => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'metadata.json'), json({ task_id: U(n), job: { name: job, source_path: 'scanned/video/promo/a.mp4', variation } }));
  };
  await task(layout.outputTask(U(1)), 1, 0);
  await task(layout.processingTask(U(2)), 2, 1);
  await task(layout.failedTask(U(3)), 3, 2);
  await task(layout.task(U(4)), 4, 0, 'other');
  // A voice-over task: not a job's.
  await mkdir(layout.task(U(5)), { recursive: true });
  await writeFile(join(layout.task(U(5)), 'metadata.json'), json({ task_id: U(5), voice_source: 'v.mp3', variation: 0 }));
  await mkdir(layout.nodes, { recursive: true });
  await writeFile(layout.mainWorkerStatus, json({ host: 'h', pid: 1, started_at: '2026-01-01T00:00:00Z', waiting_jobs: [{ job: 'idle', reason: 'sources[0] (category none) selects no footage in scanned/video/', since: '2026-01-01T00:00:00Z' }] }));
  await mkdir(join(layout.trashInvalid, 'job'), { recursive: true });
  await writeFile(join(layout.trashInvalid, 'job', 'bad.json.reason.json'), json({ code: 'JOB_INVALID', message: 'raw/job/bad.json: variatons: unknown key', raw_path: 'raw/job/bad.json', rejected_at: '2026-01-02T00:00:00Z', probe: null, details: {} }));
  return layout;
}

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
  const text = formatJobs(r).join('\n');
  assert.match(text, /spring: 3 variation\(s\) per source; planned 3, queued 0, rendering 1, rendered 1, failed 1/);
  assert.match(text, /waiting \(the job\): sources\[0\]/);
  assert.match(text, new RegExp(`scanned/video/promo/a\\.mp4 #1: rendered output/${U(1)}/final\\.mp4`));
  assert.equal((await statusReport(layout)).jobs.jobs.length, 3);
});

test('clipmill jobs --json and status show the jobs', async (t) => {
  const layout = await root(t);
  const json = await runInProcess(['jobs', '--root', layout.root, '--json']);
  assert.equal(json.exitCode, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { jobs: unknown[] }).jobs.length, 3);
  const status = await runInProcess(['status', '--root', layout.root]);
  assert.equal(status.exitCode, 0, status.stderr);
  assert.match(status.stdout, /jobs \(3\):\n {2}idle: 2 variation/);
  const help = await runInProcess(['jobs', '--help']);
  assert.match(help.stdout, /Examples:\n {2}clipmill jobs --root/);
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
