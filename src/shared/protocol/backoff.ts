// A failed render routed by its class (docs/errors.md): a recoverable or resource failure sends
// the task back to tasks/ with `not_before` set by exponential backoff (tasks.retryBaseMs,
// doubled per attempt used, capped at tasks.retryMaxMs) and the failure recorded in
// `last_failure`; a resource failure also tells the node that failed it to leave it to the
// others for tasks.resourceAvoidMs (`avoid_nodes`), and the task's last attempt renders at draft
// quality (see reducedQuality). The caller sends fatal failures, and tasks with no attempt left,
// to trash/failed through fail.ts instead.
import type { ClipmillError } from '../errors.js';
import type { Layout } from '../layout.js';
import { RetryPolicy } from '../retry.js';
import type { TaskMetadata } from '../task.js';
import type { Timeline } from '../timeline/schema.js';
import { mayAttempt } from './attempts.js';
import { returnToTasks } from './hand-back.js';
import type { Lease } from './lease.js';
import { writeMetadata } from './task-files.js';

export interface BackoffSettings {
  retryBaseMs: number;
  retryMaxMs: number;
  resourceAvoidMs: number;
  maxAttempts: number;
}

/** The wait before a task that has used `attempts` attempts (all failed) may be claimed again: 1, 2, 4, 8 s ... capped. */
export function backoffDelay(attempts: number, s: Pick<BackoffSettings, 'retryBaseMs' | 'retryMaxMs'>): number {
  return new RetryPolicy({ tries: Number.POSITIVE_INFINITY, baseMs: s.retryBaseMs, maxMs: s.retryMaxMs }).delay(Math.max(1, attempts));
}

/** Whether a failure of this class sends the task back to tasks/ (rather than to trash/failed). */
export function shouldRequeue(error: ClipmillError, meta: TaskMetadata | null, maxAttempts: number): meta is TaskMetadata {
  return meta !== null && error.errorClass !== 'fatal' && mayAttempt(meta.attempts, maxAttempts);
}

/** The metadata a failed task goes back to tasks/ with (pure: `now` in ms). */
export function afterFailure(meta: TaskMetadata, error: ClipmillError, node: string, s: BackoffSettings, now: number): TaskMetadata {
  const avoid = (meta.avoid_nodes ?? []).filter((a) => a.node !== node && Date.parse(a.until) > now);
  if (error.errorClass === 'resource') avoid.push({ node, until: new Date(now + s.resourceAvoidMs).toISOString() });
  const { avoid_nodes: _a, ...rest } = meta;
  return {
    ...rest,
    ...(avoid.length ? { avoid_nodes: avoid } : {}),
    not_before: new Date(now + backoffDelay(meta.attempts, s)).toISOString(),
    last_failure: { code: error.code, class: error.errorClass, message: error.message.slice(0, 2000), node, at: new Date(now).toISOString() },
  };
}

/** processing/<id> back to tasks/<id> after a failure worth another attempt; returns the metadata it went back with. */
export async function requeueAfterFailure(layout: Layout, id: string, meta: TaskMetadata, lease: Lease, error: ClipmillError, node: string, s: BackoffSettings, now = Date.now()): Promise<TaskMetadata> {
  const next = afterFailure(meta, error, node, s, now);
  await writeMetadata(layout.processingTask(id), next);
  try {
    await returnToTasks(layout, id);
  } finally {
    await lease.release();
  }
  return next;
}

/** What a render reduced to fit (report.json's `reduced`): null when nothing was. */
export interface Reduction {
  quality: { from: Timeline['output']['quality']; to: 'draft' };
  reason: string;
}

/**
 * DESIGN §1 Quality: a task whose last failure was for memory (class resource) renders its last
 * attempt at draft quality. Any other failure (a full disk, ENOSPC included, is recoverable)
 * never lowers it.
 */
export function reducedQuality(meta: TaskMetadata, timeline: Timeline, maxAttempts: number): Reduction | null {
  if (meta.attempts < maxAttempts || meta.last_failure?.class !== 'resource' || timeline.output.quality === 'draft') return null;
  return {
    quality: { from: timeline.output.quality, to: 'draft' },
    reason: `last attempt (${meta.attempts} of ${maxAttempts}) after ${meta.last_failure.code} on ${meta.last_failure.node}: ${meta.last_failure.message}`,
  };
}
