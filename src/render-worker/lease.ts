// The lease on a claimed task (DESIGN invariant 4): a proper-lockfile lock on
// processing/.<id>.lease (a folder created atomically, its mtime refreshed every
// health.leaseUpdateMs). It lives beside the task folder, not in it, so that publishing (the
// rename of the folder) does not carry it along. A lease not refreshed for health.leaseStaleMs is stale:
// its worker is gone, and the task may be recovered. A worker that loses its lease (the lock
// was taken from it) stops working on the task at once.
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Layout } from '../shared/layout.js';

export function leaseTarget(layout: Layout, id: string): string {
  return join(layout.processing, `.${id}.lease`);
}

export interface Lease {
  /** Aborted when the lease is lost. */
  signal: AbortSignal;
  release(): Promise<void>;
}

export async function acquireLease(layout: Layout, id: string, timing: { leaseUpdateMs: number; leaseStaleMs: number }, onLost: (err: Error) => void): Promise<Lease> {
  const lost = new AbortController();
  const release = await lockfile.lock(leaseTarget(layout, id), {
    realpath: false,
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
  };
}
