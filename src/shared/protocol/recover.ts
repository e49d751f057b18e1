// Recovery of stale claims (DESIGN invariant 4), run by the main worker's health check and by
// `clipmill requeue`: a task in processing/ whose lease is stale is taken back under that
// task's own lease, to tasks/ with its attempt counted, or to trash/failed/ with
// TOO_MANY_ATTEMPTS once tasks.maxAttempts is spent.
import { ClipmillError, errorMessage } from '../errors.js';
import { exists } from '../fs.js';
import { readJsonOrNull } from '../json.js';
import type { Layout } from '../layout.js';
import type { Logger } from '../log.js';
import { TASK_FILES } from '../task.js';
import { join } from 'node:path';
import { z } from 'zod';
import { attemptsUsedByDeadClaim, mayAttempt } from './attempts.js';
import type { Claim } from './files.js';
import { taskIds } from './claim.js';
import { failTask } from './fail.js';
import { returnToTasks } from './hand-back.js';
import { claimIsStale, takeStaleLease } from './lease.js';
import { readClaim, writeMetadata, readMetadata } from './task-files.js';

export type Recovery = 'requeued' | 'failed' | 'skipped';

function sameClaim(a: Claim | null, b: Claim | null): boolean {
  return a === b || (a !== null && b !== null && a.node === b.node && a.pid === b.pid && a.claimed_at === b.claimed_at);
}

// What recovery needs of a metadata.json that may be from any schema version, or damaged: the
// attempts, when they can be read. A damaged one is still recovered (and fails when claimed).
const AttemptsOnly = z.looseObject({ attempts: z.number().int().min(0) });

/**
 * Takes a stale task back. Under the task's own lease, so that two recoverers, or a worker
 * coming back to life, cannot both act; 'skipped' when the lease is alive after all.
 */
export async function recoverTask(layout: Layout, id: string, opts: { maxAttempts: number; leaseStaleMs: number; why: string; log: Logger }): Promise<Recovery> {
  const dir = layout.processingTask(id);
  // The claim judged stale; under the lease it must still be the same one, else the task was
  // handed back and claimed again meanwhile, and is not ours to move.
  const judged = await readClaim(dir).catch(() => null);
  const release = await takeStaleLease(layout, id, opts.leaseStaleMs);
  if (!release) return 'skipped';
  try {
    if (!(await exists(dir))) return 'skipped';
    const claim = await readClaim(dir);
    if (!sameClaim(judged, claim)) return 'skipped';
    const recorded = (await readJsonOrNull(AttemptsOnly, join(dir, TASK_FILES.metadata)))?.attempts ?? 0;
    const attempts = attemptsUsedByDeadClaim(recorded);
    const who = claim ? `node ${claim.node} (pid ${claim.pid})` : 'an unknown worker';
    if (!mayAttempt(attempts, opts.maxAttempts)) {
      const error = new ClipmillError('TOO_MANY_ATTEMPTS', `${who} stopped working on it (${opts.why}) at attempt ${attempts} of tasks.maxAttempts (${opts.maxAttempts})`);
      const dest = await failTask(layout, id, dir, { error, stage: 'claim', attempts, node: claim?.node ?? null, encoder: null });
      opts.log.error({ task: id, code: error.code }, `Task ${id} failed: ${error.message} → ${layout.rel(dest)}/`);
      return 'failed';
    }
    if (recorded !== attempts) {
      const meta = await readMetadata(dir).catch(() => null);
      if (meta) await writeMetadata(dir, { ...meta, attempts });
    }
    await returnToTasks(layout, id);
    opts.log.warn({ task: id }, `Recovered task ${id} from ${who} (${opts.why}): back to tasks/ (attempt ${attempts} of ${opts.maxAttempts} used)`);
    return 'requeued';
  } finally {
    await release();
  }
}

/** Every task in processing/ whose lease is stale, recovered; returns the ids by outcome. */
export async function recoverStaleClaims(layout: Layout, opts: { maxAttempts: number; leaseStaleMs: number; log: Logger; now?: number }): Promise<{ recovered: string[]; failed: string[] }> {
  const out = { recovered: [] as string[], failed: [] as string[] };
  for (const id of await taskIds(layout.processing)) {
    if (!(await claimIsStale(layout, id, opts.leaseStaleMs, opts.now))) continue;
    const r = await recoverTask(layout, id, { ...opts, why: `lease stale for more than ${opts.leaseStaleMs / 1000} s` }).catch((err: unknown) => {
      opts.log.error({ task: id, err }, `Could not recover task ${id}: ${errorMessage(err)}`);
      return 'skipped' as const;
    });
    if (r === 'requeued') out.recovered.push(id);
    else if (r === 'failed') out.failed.push(id);
  }
  return out;
}
