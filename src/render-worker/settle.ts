// After an error at any stage, the task leaves this worker one of four ways: abandoned (the
// lease or the claim was lost: another party owns it, leave it exactly as it is), handed back
// (shutting down, or a task written by a newer clipmill: whatever broke is not the task's
// fault), requeued (a recoverable or resource failure with attempts left: back to tasks/ with
// backoff, shared/protocol/backoff.ts) or failed into trash/failed/.
import { rm } from 'node:fs/promises';
import { errorMessage, isClipmillError } from '../shared/errors.js';
import { requeueAfterFailure, shouldRequeue } from '../shared/protocol/backoff.js';
import { failJoin } from '../shared/protocol/chunks.js';
import { asTaskError, failTask } from '../shared/protocol/fail.js';
import { handBack, handBackUnread } from '../shared/protocol/hand-back.js';
import type { Job, TaskOutcome, WorkerEnv } from './job.js';

export async function settle(env: WorkerEnv, job: Job, err: unknown): Promise<TaskOutcome> {
  try {
    if (job.lease.signal.aborted || isClipmillError(err, 'CLAIM_LOST')) {
      // Not released: the lock folder may be the new owner's lease by now.
      await job.lease.abandon();
      job.log.error({ code: 'CLAIM_LOST' }, `Task ${job.id} abandoned: ${isClipmillError(err, 'CLAIM_LOST') ? err.message : 'the lease was lost'}, so another party owns it now`);
      return 'abandoned';
    }
    if (isClipmillError(err, 'TASK_NEWER_VERSION')) {
      // Not this task's fault, nor this node's: it needs an upgraded worker. Not claimed again by this one.
      env.skip.add(job.id);
      await handBackUnread(env.layout, job.id, job.lease).catch((e: unknown) => job.log.error({ err: e }, `Could not hand task ${job.id} back: ${errorMessage(e)}`));
      job.log.warn({ code: err.code }, `Task ${job.id} handed back to tasks/: ${err.message}; upgrade clipmill on this node to render it`);
      return 'handed_back';
    }
    if (job.signal.aborted && job.meta) {
      await handBack(env.layout, job.id, job.meta, job.lease).catch((e: unknown) => job.log.error({ err: e }, `Could not hand task ${job.id} back: ${errorMessage(e)}`));
      // Why it stops here: a shutdown, or this worker's circuit breaker opening (a reason string).
      job.log.warn(`Task ${job.id} handed back to tasks/ (${typeof job.signal.reason === 'string' ? job.signal.reason : 'shutting down'})`);
      return 'handed_back';
    }
    const error = asTaskError(err);
    const { tasks } = env.config;
    const stage = String(error.details.stage ?? 'publish');
    // Routed by class (docs/errors.md): recoverable and resource failures go back to tasks/
    // with backoff while attempts are left; fatal ones, and the last attempt's, to trash/failed.
    if (shouldRequeue(error, job.meta, tasks.maxAttempts)) {
      try {
        const next = await requeueAfterFailure(env.layout, job.id, job.meta, job.lease, error, env.node, tasks);
        job.log.warn(
          { code: error.code, class: error.errorClass, stage },
          `Task ${job.id} failed at ${stage} (${error.code}, ${error.errorClass}): ${error.message}; back to tasks/, not before ${next.not_before} (attempt ${job.meta.attempts} of ${tasks.maxAttempts} used)${error.errorClass === 'resource' ? `; ${env.node} leaves it to other nodes until ${next.avoid_nodes?.at(-1)?.until}` : ''}`,
        );
        env.onSettled?.(job, 'requeued', error);
        return 'requeued';
      } catch (moveErr) {
        job.log.error({ err: moveErr }, `Task ${job.id} failed (${error.code}: ${error.message}) and could not be put back in tasks/: ${errorMessage(moveErr)}`);
      }
    }
    const attempts = job.meta?.attempts ?? (typeof error.details.attempts === 'number' ? error.details.attempts : null);
    try {
      const dest = await failTask(env.layout, job.id, job.dir, { error, attempts, node: env.node, encoder: job.encoderUsed });
      job.log.error({ code: error.code, stage }, `Task ${job.id} failed at ${stage} (${error.code}): ${error.message} → ${env.layout.rel(dest)}/`);
      // A chunk failed for good: the task waiting for it fails with it (docs/chunks.md), else it would wait forever.
      const of = job.meta?.chunk?.of;
      if (of) {
        const joined = await failJoin(env.layout, of, job.id, `${error.code}: ${error.message}`).catch((e: unknown) => {
          job.log.error({ err: e }, `Could not fail task ${of}, whose chunk task ${job.id} failed: ${errorMessage(e)}; the main worker's health check will`);
          return null;
        });
        if (joined) job.log.error({ code: 'CHUNK_FAILED', task: of }, `Task ${of} failed with its chunk task ${job.id} → ${env.layout.rel(joined)}/`);
      }
    } catch (moveErr) {
      job.log.error({ err: moveErr }, `Task ${job.id} failed (${error.code}: ${error.message}) and could not be moved to trash/failed: ${errorMessage(moveErr)}`);
    }
    env.onSettled?.(job, 'failed', error);
    return 'failed';
  } finally {
    await cleanup(env, job);
  }
}

/** Whatever the outcome: the heartbeat forgets the task, the lease is released, scratch removed. */
export async function cleanup(env: WorkerEnv, job: Job): Promise<void> {
  if (env.heartbeat.current?.task === job.id) env.heartbeat.current = null;
  await job.lease.release();
  // A scratch folder that cannot be removed (a failing local disk) must not stop the worker.
  await rm(job.scratch, { recursive: true, force: true }).catch((err: unknown) => job.log.warn({ err }, `Could not remove ${job.scratch}: ${errorMessage(err)}`));
}
