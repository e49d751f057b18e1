// Stage 3: final.mp4 (and its poster.jpg) copied from scratch into the task folder under a temporary name (retried
// with backoff; a hard link when scratch is on the root's file system), report.json beside it, then the task
// published to output/ by the protocol.
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../shared/errors.js';
import { fsyncPath, tempPathFor } from '../shared/fs.js';
import { writeJson } from '../shared/json.js';
import type { Logger } from '../shared/log.js';
import { assertOwnClaim, publishOutput } from '../shared/protocol/complete.js';
import { ReportSchema, type Report } from '../shared/protocol/files.js';
import { RetryPolicy } from '../shared/retry.js';
import { writeCaptionFiles } from './captions.js';
import { stageError, type Job, type WorkerEnv } from './job.js';
import { uploadChunk } from './chunked.js';
import { retireChunkDir } from '../shared/protocol/chunks.js';

/** Uploads to the shared root: 3 tries, waiting 0.5 s then 1 s (a share that hiccups). */
export const UPLOAD_RETRY = new RetryPolicy({ tries: 3, baseMs: 500, factor: 2 });

/** Copies `src` to `dst` under a temporary name, then renames it: a reader never sees a partial file. */
async function upload(env: WorkerEnv, src: string, dst: string, log: Logger, signal: AbortSignal): Promise<void> {
  try {
    await UPLOAD_RETRY.run(
      async () => {
        const tmp = tempPathFor(dst);
        try {
          await rm(dst, { force: true });
          await env.copy(src, tmp, signal);
          await fsyncPath(tmp);
          await rename(tmp, dst);
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
      },
      {
        signal,
        // Every failure of the copy is the share's (the file is ours, just rendered and verified).
        shouldRetry: () => true,
        onRetry: (r) => log.warn(`Upload of ${dst} failed (${errorMessage(r.error)}); retry ${r.attempt + 1}/${UPLOAD_RETRY.tries} in ${r.delayMs} ms`),
      },
    );
  } catch (err) {
    if (signal.aborted) throw err;
    throw stageError('UPLOAD_FAILED', 'upload', `upload failed ${UPLOAD_RETRY.tries} times: ${errorMessage(err)}`, { cause: err });
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Uploads the verified output, writes report.json and publishes the task folder to output/. */
export async function uploadJob(env: WorkerEnv, job: Job): Promise<void> {
  const meta = job.meta!;
  // A chunk's artifact goes to chunks/<of>/ (docs/chunks.md), with the same retries as a final.
  if (meta.chunk) return uploadChunk(env, job, (src, dst, signal) => UPLOAD_RETRY.run(() => env.copy(src, dst, signal), { ...(signal ? { signal } : {}), shouldRetry: () => true }));
  // Lost while it rendered: write nothing into a folder that is someone else's now.
  await assertOwnClaim(env.layout, job.id, env.node, job.lease);
  const u = performance.now();
  const final = join(job.dir, 'final.mp4');
  await upload(env, job.inputs!.output, final, job.log, job.lease.signal);
  if (job.poster) await upload(env, job.poster, join(job.dir, 'poster.jpg'), job.log, job.lease.signal);
  await writeCaptionFiles(job.inputs!.timeline, job.inputs!.paths, job.dir);
  job.timings.upload = (performance.now() - u) / 1000;
  const report = taskReport(env, job, (await stat(final)).size, meta.voice_duration);
  await writeJson(ReportSchema, join(job.dir, 'report.json'), report);
  await publishOutput(env.layout, job.id, env.node, job.lease);
  // A joined task's artifacts are kept, out of the way (docs/chunks.md); the health check does it if this fails.
  if (job.join) {
    await retireChunkDir(env.layout, job.id).then(
      (moved) => moved && job.log.info(`Task ${job.id}: chunks/${job.id}/ moved to trash/chunks/`),
      (err: unknown) => job.log.warn({ err }, `Task ${job.id}: could not move chunks/${job.id}/ to trash/chunks/: ${errorMessage(err)}; the main worker's health check will`),
    );
  }
  // The planner's fallbacks are said again where the render is reported (they are in report.json too).
  for (const n of meta.notes ?? []) job.log.warn({ code: n.code }, `Task ${job.id}: ${n.message}`);
  job.log.info(
    { encoder: job.encoderUsed, render_s: report.timings_s.render, realtime: report.realtime_factor },
    `Rendered task ${job.id} → output/${job.id}/final.mp4 (${job.encoderUsed}, ${report.timings_s.render} s, ${report.realtime_factor}x realtime)`,
  );
}

/** report.json of a task rendered by this worker (a final, or a chunk's artifact: `seconds` of output rendered in timings.render). */
export function taskReport(env: WorkerEnv, job: Job, outputBytes: number, seconds: number): Report {
  const meta = job.meta!;
  const t = job.timings;
  return {
    task_id: job.id,
    node: env.node,
    finished_at: new Date().toISOString(),
    attempts: meta.attempts,
    encoder: job.encoderUsed,
    encoder_fallback: job.fallback,
    ffmpeg: env.bins.ffmpeg.version,
    voice_duration: meta.voice_duration,
    output_bytes: outputBytes,
    timings_s: { download: round(t.download), render: round(t.render), verify: round(t.verify), upload: round(t.upload), total: round((performance.now() - job.started) / 1000) },
    realtime_factor: round(seconds / Math.max(t.render, 0.001)),
    checks: job.verification!.checks,
    reduced: job.reduced ?? null,
    preview: job.preview ?? false,
    ...(meta.notes?.length ? { notes: meta.notes } : {}),
  };
}
