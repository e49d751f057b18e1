// `clipmill requeue`: the recovery of one task in processing/, on demand: when its lease is
// stale, or by force when the operator knows its worker is dead.
import { exists } from '../fs.js';
import type { Layout } from '../layout.js';
import type { Logger } from '../log.js';
import { breakLease, claimIsStale } from './lease.js';
import { recoverTask } from './recover.js';

export type RequeueResult = { ok: 'requeued' | 'failed' } | { refused: string };

export async function requeueTask(layout: Layout, id: string, opts: { maxAttempts: number; leaseStaleMs: number; log: Logger; force: boolean }): Promise<RequeueResult> {
  if (!(await exists(layout.processingTask(id)))) return { refused: `no task ${id} in processing/` };
  if (!(await claimIsStale(layout, id, opts.leaseStaleMs))) {
    if (!opts.force) return { refused: 'its lease is fresh: a worker is still on it (use --force only if you know that worker is dead)' };
    await breakLease(layout, id);
  }
  const r = await recoverTask(layout, id, { ...opts, why: opts.force ? 'requeued by hand with --force' : 'requeued by hand' });
  return r === 'skipped' ? { refused: 'its lease was refreshed meanwhile: a worker is still on it' } : { ok: r };
}
