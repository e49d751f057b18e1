import assert from 'node:assert/strict';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { uploadJob } from '../../src/render-worker/upload.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { claimNext } from '../../src/shared/protocol/claim.js';
import { readMetadata } from '../../src/shared/protocol/task-files.js';
import { visible } from '../helpers.js';
import { jobFor, workerEnv } from './env.js';
import { voiceOverTimeline } from '../../src/shared/timeline/from-metadata.js';

async function renderedJob(t: Parameters<typeof workerEnv>[0], copy?: (src: string, dst: string) => Promise<void>) {
  const base = await workerEnv(t, 1);
  const env = copy ? { ...base, copy } : base;
  const id = (await claimNext(env.layout, env.node))!;
  const job = await jobFor(env, id);
  job.meta = { ...(await readMetadata(job.dir)), attempts: 1 };
  await mkdir(env.scratch, { recursive: true });
  job.inputs = { timeline: voiceOverTimeline(job.meta!), paths: new Map(), output: join(env.scratch, 'final.mp4') };
  await writeFile(job.inputs!.output, 'rendered bytes');
  job.verification = { ok: true, checks: [{ name: 'duration', ok: true, expected: '2.000 s', actual: '2.000 s' }] };
  job.timings.render = 1;
  t.after(() => job.lease.release());
  return { env, job, id };
}

test('uploadJob: final.mp4 and a schema-valid report.json, then output/<id> in one rename', async (t) => {
  const { env, job, id } = await renderedJob(t);
  await uploadJob(env, job);
  assert.deepEqual(await visible(env.layout.processing), []);
  const files = await readdir(env.layout.outputTask(id));
  assert.ok(files.includes('final.mp4') && files.includes('report.json'), files.join());
  assert.equal(await readFile(join(env.layout.outputTask(id), 'final.mp4'), 'utf8'), 'rendered bytes');
  const report = JSON.parse(await readFile(join(env.layout.outputTask(id), 'report.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual([report.task_id, report.node, report.attempts, report.encoder, report.output_bytes], [id, 'n1', 1, 'libx264', 14]);
});

test('uploadJob: a copy that keeps failing is UPLOAD_FAILED after 3 tries; nothing is published', async (t) => {
  let tries = 0;
  const { env, job } = await renderedJob(t, async () => {
    tries++;
    throw new Error('EIO: i/o error');
  });
  await assert.rejects(uploadJob(env, job), (e: unknown) => isClipmillError(e, 'UPLOAD_FAILED') && e.details.stage === 'upload');
  assert.equal(tries, 3);
  assert.deepEqual(await visible(env.layout.output), []);
});

test("uploadJob: the planner's notes (metadata.json notes) are copied into report.json; without notes the report has none", async (t) => {
  const { env, job, id } = await renderedJob(t);
  const notes = [{ code: 'BEATS_FALLBACK', message: 'scanned/music/c/mp3/8.0_x.mp3 has no usable beats: shots cut at fixed lengths of about 3 s' }];
  job.meta = { ...job.meta!, notes };
  await uploadJob(env, job);
  const report = JSON.parse(await readFile(join(env.layout.outputTask(id), 'report.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(report.notes, notes);
  const plain = await renderedJob(t);
  await uploadJob(plain.env, plain.job);
  const r2 = JSON.parse(await readFile(join(plain.env.layout.outputTask(plain.id), 'report.json'), 'utf8')) as Record<string, unknown>;
  assert.equal('notes' in r2, false);
});
