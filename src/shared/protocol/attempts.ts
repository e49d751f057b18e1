// The one attempts rule. A claim counts an attempt (metadata.json `attempts` + 1) before any
// work; a task that has used tasks.maxAttempts attempts gets no further one: its next claim,
// or the recovery of its last one, sends it to trash/failed with TOO_MANY_ATTEMPTS.
// A hand-back (shutdown) gives the attempt back; a recovery of a dead worker's claim keeps it.
import { ClipmillError } from '../errors.js';
import type { TaskMetadata } from '../task.js';
import { readMetadata, writeMetadata } from './task-files.js';

/** Whether a task that has used `used` attempts may be tried again. */
export function mayAttempt(used: number, maxAttempts: number): boolean {
  return used < maxAttempts;
}

/** The attempts a task has used when its worker died: the claim counted one when it got that far; one that died before still used one. */
export function attemptsUsedByDeadClaim(recorded: number): number {
  return Math.max(1, recorded);
}

/**
 * Counts the attempt a claim makes: metadata.json's attempts + 1, written before any work.
 * Throws TASK_INVALID for unreadable metadata, TOO_MANY_ATTEMPTS (with `meta` in its details)
 * when the task had no attempt left; the caller fails the task with either.
 */
export async function startAttempt(dir: string, maxAttempts: number): Promise<TaskMetadata> {
  const before = await readMetadata(dir);
  const meta = { ...before, attempts: before.attempts + 1 };
  await writeMetadata(dir, meta);
  if (!mayAttempt(before.attempts, maxAttempts)) {
    throw new ClipmillError('TOO_MANY_ATTEMPTS', `attempt ${meta.attempts} exceeds tasks.maxAttempts (${maxAttempts})`, { details: { stage: 'claim', attempts: meta.attempts } });
  }
  return meta;
}
