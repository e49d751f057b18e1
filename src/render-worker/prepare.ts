// Stage 1 of a claimed task: the lease, the attempt counted in metadata.json, the inputs
// checked, and their download to local scratch (spec §7), so that the render reads local disk.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../shared/errors.js';
import { startAttempt } from '../shared/protocol/attempts.js';
import { reducedQuality } from '../shared/protocol/backoff.js';
import { assertOwnClaim } from '../shared/protocol/complete.js';
import { acquireLease, type Lease } from '../shared/protocol/lease.js';
import { downloadInputs, resolveInputs } from './download.js';
import { atStage, showStage, stageError, type Job, type TaskOutcome, type WorkerEnv } from './job.js';
import { settle } from './settle.js';
import { chunkInputs, chunkRole, resolveJoinInputs, retirePublishedChunk, splitJob } from './chunked.js';

/** Leases, counts the attempt and downloads a task just claimed; a Job ready to render, or how it ended. */
export async function prepare(env: WorkerEnv, id: string, stop?: AbortSignal): Promise<Job | TaskOutcome> {
  const { layout, config } = env;
  const log = env.log.child({ task: id });
  let lease: Lease;
  try {
    lease = await acquireLease(layout, id, config.health, (err) => log.error({ err }, `Lost the lease on task ${id} (${err.message}); stopping work on it`));
  } catch (err) {
    // Someone else holds a lease on this id although the claim rename was ours: leave it.
    log.error({ err }, `Could not take the lease on task ${id}: ${errorMessage(err)}; leaving it`);
    return 'abandoned';
  }
  const job: Job = {
    id,
    log,
    dir: layout.processingTask(id),
    scratch: join(env.scratch, id),
    lease,
    signal: stop ? AbortSignal.any([stop, lease.signal]) : lease.signal,
    meta: null,
    started: performance.now(),
    inputs: null,
    encoderUsed: env.encoder.name,
    fallback: null,
    verification: null,
    timings: { download: 0, render: 0, verify: 0, upload: 0 },
    claimedAt: Date.now(),
    reduced: null,
  };
  try {
    // The claim may have been recovered and taken between the rename and the lease.
    await assertOwnClaim(layout, id, env.node, lease);
    job.meta = await startAttempt(job.dir, config.tasks.maxAttempts).catch((err: unknown) => {
      throw atStage(err, 'claim');
    });
    const meta = job.meta;
    // Task files are untrusted: every input must be a regular file inside scanned/ or the task folder.
    let sources = await resolveInputs(layout, job.dir, meta);
    // A long task is split into chunk tasks, or joined once they are done (docs/chunks.md).
    const role = await chunkRole(env, meta, sources.timeline);
    if (role.role === 'split') {
      await splitJob(env, job, role.plan);
      return 'split';
    }
    if (role.role === 'published') {
      await retirePublishedChunk(env, job);
      return 'done';
    }
    if (role.role === 'chunk') sources = chunkInputs(sources, meta.chunk!);
    if (role.role === 'join') {
      job.join = role.plan;
      sources = await resolveJoinInputs(env, id, sources.timeline, role.plan, sources.files);
    }
    // The last attempt after a memory failure renders a draft (DESIGN §1 Quality); the report
    // says so. Not a chunk or a join: every chunk of a task must be the same size to join.
    job.reduced = role.role === 'whole' ? reducedQuality(meta, sources.timeline, config.tasks.maxAttempts) : null;
    if (job.reduced) {
      sources.timeline = { ...sources.timeline, output: { ...sources.timeline.output, quality: 'draft' } };
      log.warn(`Task ${id}: rendering at draft quality (${job.reduced.reason})`);
    }
    await rm(job.scratch, { recursive: true, force: true });
    const t = performance.now();
    try {
      showStage(env, id, 'download');
      job.inputs = (await downloadInputs(sources, job.scratch, env.copy, job.signal)).inputs;
    } catch (err) {
      if (job.signal.aborted) throw err;
      throw stageError('IO', 'download', `could not copy the inputs to ${job.scratch}: ${errorMessage(err)}`, { cause: err });
    }
    job.timings.download = (performance.now() - t) / 1000;
    return job;
  } catch (err) {
    return settle(env, job, err);
  }
}
