import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderJob } from '../../src/render-worker/render.js';
import { voiceOverTimeline } from '../../src/shared/timeline/from-metadata.js';
import { TimelineSchema, timelineFiles } from '../../src/shared/timeline/schema.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { claimNext } from '../../src/shared/protocol/claim.js';
import { readMetadata } from '../../src/shared/protocol/task-files.js';
import { writeScript } from '../helpers.js';
import { jobFor, workerEnv } from './env.js';

async function jobWithFakeFfmpeg(t: Parameters<typeof workerEnv>[0], body: string) {
  const env = await workerEnv(t, 1);
  const ffmpeg = await writeScript(join(env.layout.root, 'ffmpeg'), body);
  const id = (await claimNext(env.layout, env.node))!;
  const job = await jobFor(env, id);
  job.meta = await readMetadata(job.dir);
  // The fake ffmpeg reads nothing: a colour instead of clips and no audio (files that would be probed), and a
  // local name for every other file.
  const timeline = TimelineSchema.parse({ ...voiceOverTimeline(job.meta), video: [{ type: 'color', color: 'black', duration: job.meta.voice_duration }], audio: [] });
  job.inputs = { timeline, paths: new Map(timelineFiles(timeline).map((f, i) => [f, join(env.scratch, `in/${i}`)])), output: join(env.scratch, 'final.mp4') };
  t.after(() => job.lease.release());
  return { env: { ...env, bins: { ...env.bins, ffmpeg: { ...env.bins.ffmpeg, path: ffmpeg } } }, job };
}

test('renderJob: a full disk reported only in ffmpeg\'s stderr is the machine\'s (IO, recoverable), not RENDER_FAILED', async (t) => {
  const { env, job } = await jobWithFakeFfmpeg(t, 'echo "[mp4 @ 0x55] Error writing trailer of final.mp4: No space left on device" >&2; exit 1');
  await assert.rejects(renderJob(env, job), (e: unknown) => isClipmillError(e, 'IO') && e.errorClass === 'recoverable' && e.details.errno === 'ENOSPC' && e.details.stage === 'render' && /No space left/.test(String(e.details.stderr)));
});

test('renderJob: a plain ffmpeg failure is RENDER_FAILED with the last stderr line; an output that does not verify is VERIFY_FAILED', async (t) => {
  const failing = await jobWithFakeFfmpeg(t, 'echo "Invalid data found when processing input" >&2; exit 1');
  await assert.rejects(renderJob(failing.env, failing.job), (e: unknown) => isClipmillError(e, 'RENDER_FAILED') && /exit code 1\): Invalid data found/.test(e.message));
  // ffmpeg "succeeds" but writes no file: verification refuses to publish it.
  const silent = await jobWithFakeFfmpeg(t, 'exit 0');
  await assert.rejects(renderJob(silent.env, silent.job), (e: unknown) => isClipmillError(e, 'VERIFY_FAILED') && e.details.stage === 'verify');
});
