// The lease on a claimed task (DESIGN invariant 4): a proper-lockfile lock whose folder is
// layout.leaseLock(id) (processing/.<id>.lease.lock, made atomically with mkdir, its mtime
// refreshed every health.leaseUpdateMs). A lease not refreshed for health.leaseStaleMs is stale:
// its worker is gone, and the task may be recovered. A worker that loses its lease (the lock
// was taken from it) stops working on the task at once.
import fs from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Layout } from '../layout.js';
import { TASK_FILES } from '../task.js';

export interface LeaseTiming {
  leaseUpdateMs: number;
  leaseStaleMs: number;
}

export interface Lease {
  /** Aborted when the lease is lost. */
  signal: AbortSignal;
  /** Idempotent; a lost lease is not released (it is someone else's now). */
  release(): Promise<void>;
  /**
   * Stops refreshing the lease without removing its lock folder: for a task whose claim was
   * found to be someone else's. The folder may already be the new owner's lease (taken after
   * ours went stale), which a release would delete; if it is still ours, it goes stale and the
   * task is recovered.
   */
  abandon(): Promise<void>;
}

const lockOptions = (layout: Layout, id: string) => ({ realpath: false, lockfilePath: layout.leaseLock(id) });

export async function acquireLease(layout: Layout, id: string, timing: LeaseTiming, onLost: (err: Error) => void): Promise<Lease> {
  const lost = new AbortController();
  const release = await lockfile.lock(layout.leaseTarget(id), {
    ...lockOptions(layout, id),
    update: timing.leaseUpdateMs,
    stale: timing.leaseStaleMs,
    // A worker that just handed this task back may still be releasing its lease.
    retries: { retries: 5, minTimeout: 100, maxTimeout: 500 },
    onCompromised: (err) => {
      lost.abort(err);
      onLost(err);
    },
  });
  let released = false;
  return {
    signal: lost.signal,
    release: async () => {
      if (released || lost.signal.aborted) return;
      released = true;
      await release().catch(() => {});
    },
    abandon: async () => {
      if (released || lost.signal.aborted) return;
      released = true;
      // proper-lockfile's unlock stops the refresh, then removes the folder through options.fs:
      // an rmdir that does nothing keeps whatever lock folder is there.
      const keep = { ...fs, rmdir: (_p: string, cb: (err: null) => void) => cb(null) };
      await lockfile.unlock(layout.leaseTarget(id), { ...lockOptions(layout, id), fs: keep }).catch(() => {});
    },
  };
}

/**
 * Takes the lease of a task whose own lease is stale (or absent): the recoverer's guard, so that two recoverers, or a worker coming back to life, cannot both act.
 * Null when the lease is alive after all.
 */
export async function takeStaleLease(layout: Layout, id: string, staleMs: number): Promise<(() => Promise<void>) | null> {
  try {
    // proper-lockfile refreshes every lock it holds (here every staleMs / 2); losing this one
    // (a hand-back, a forced requeue meanwhile) must not throw out of a timer and kill the process.
    const release = await lockfile.lock(layout.leaseTarget(id), { ...lockOptions(layout, id), stale: staleMs, retries: 0, onCompromised: () => {} });
    return () => release().catch(() => {});
  } catch {
    return null;
  }
}

/** Removes a lease whose holder is known to be gone (proper-lockfile's unlock only releases the caller's own). */
export async function breakLease(layout: Layout, id: string): Promise<void> {
  await rm(layout.leaseLock(id), { recursive: true, force: true });
}

/** How long since `path` changed: its mtime, or its ctime (which a rename sets) when `since` is 'ctime'. */
async function age(path: string, now: number, since: 'mtime' | 'ctime' = 'mtime'): Promise<number | null> {
  try {
    const s = await stat(path);
    return now - (since === 'ctime' ? s.ctimeMs : s.mtimeMs);
  } catch {
    return null;
  }
}

/**
 * Whether the task's claim is stale: its lease not refreshed for `staleMs`, or, for a task
 * claimed but never leased (the worker died in between), its claim (or folder) that old.
 */
export async function claimIsStale(layout: Layout, id: string, staleMs: number, now = Date.now()): Promise<boolean> {
  const lease = await age(layout.leaseLock(id), now);
  if (lease !== null) return lease > staleMs;
  // The folder's ctime, not its mtime: the claim's rename sets the former, so a task published
  // long ago is not taken for stale in the instant between the rename and claim.json.
  const claim = (await age(join(layout.processingTask(id), TASK_FILES.claim), now)) ?? (await age(layout.processingTask(id), now, 'ctime'));
  return claim !== null && claim > staleMs;
}
