// `clipmill requeue`: the main worker's recovery of one task, on demand.
import { rm } from 'node:fs/promises';
import type { Config } from '../shared/config.js';
import { exists } from '../shared/fs.js';
import type { Layout } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';
import { leaseTarget } from '../render-worker/lease.js';
import { claimIsStale, recoverTask } from './health.js';

export async function checkHealthForRequeue(layout: Layout, config: Config, id: string, log: Logger, force: boolean): Promise<'requeued' | 'failed' | string> {
  if (!(await exists(layout.processingTask(id)))) return `no task ${id} in processing/`;
  if (!(await claimIsStale(layout, id, config.health.leaseStaleMs))) {
    if (!force) return `its lease is fresh: a worker is still on it (use --force only if you know that worker is dead)`;
    await rm(`${leaseTarget(layout, id)}.lock`, { recursive: true, force: true });
  }
  const r = await recoverTask(layout, config, id, log, force ? 'requeued by hand with --force' : 'requeued by hand');
  return r === 'skipped' ? 'its lease was refreshed meanwhile: a worker is still on it' : r;
}
