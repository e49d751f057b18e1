// From processing/ back to tasks/: a worker's own hand-back (shutdown: the attempt is given
// back), and the hand-back of this node's claims whose process is gone (the attempt counts).
// The main worker's recovery of other nodes' stale claims is in recover.ts; all of them end in
// returnToTasks.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Layout } from '../layout.js';
import { TASK_FILES, type TaskMetadata } from '../task.js';
import { taskIds } from './claim.js';
import { breakLease, type Lease } from './lease.js';
import { readClaim, writeMetadata } from './task-files.js';

/**
 * processing/<id> back to tasks/<id>, without what only its claim had: claim.json and any
 * final.mp4 (attempts are the caller's to set).
 */
export async function returnToTasks(layout: Layout, id: string): Promise<void> {
  const dir = layout.processingTask(id);
  await rm(join(dir, TASK_FILES.claim), { force: true });
  await rm(join(dir, 'final.mp4'), { force: true });
  await rm(join(dir, 'poster.jpg'), { force: true });
  await rename(dir, layout.task(id));
}

/**
 * Gives back a task this worker could not even read as its own version (TASK_NEWER_VERSION):
 * metadata.json untouched (an old worker must not rewrite a newer file), no attempt counted.
 */
export async function handBackUnread(layout: Layout, id: string, lease: Lease): Promise<void> {
  try {
    await returnToTasks(layout, id);
  } finally {
    await lease.release();
  }
}

/** Returns a claimed task to tasks/ with its attempts as before the claim (a cancel is not a failure). */
export async function handBack(layout: Layout, id: string, meta: TaskMetadata, lease: Lease): Promise<void> {
  await writeMetadata(layout.processingTask(id), { ...meta, attempts: Math.max(0, meta.attempts - 1) });
  // The lease goes last: released first, the old claim.json would make the task look stale to
  // a recoverer in between. A claimer that comes first retries taking the lease meanwhile.
  try {
    await returnToTasks(layout, id);
  } finally {
    await lease.release();
  }
}

/**
 * Claims of this node whose process is gone (a worker killed with SIGKILL, a power cut): the
 * tasks go back to tasks/, their attempt counted. Claims of other nodes are left alone: their
 * processes cannot be seen from here; the main worker recovers those once their lease is stale.
 */
export async function handBackDeadClaims(layout: Layout, node: string, alive: (pid: number) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const id of await taskIds(layout.processing)) {
    const claim = await readClaim(layout.processingTask(id));
    // No readable claim: being claimed right now, or not ours to judge.
    if (!claim || claim.node !== node || claim.pid === process.pid || alive(claim.pid)) continue;
    // Its lease cannot be refreshed any more: remove it now rather than wait for it to go stale.
    await breakLease(layout, id);
    try {
      await returnToTasks(layout, id);
      out.push(id);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return out;
}
