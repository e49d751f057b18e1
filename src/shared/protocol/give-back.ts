// The circuit breaker's amends (the queue issue): when a render worker's breaker opens, the
// attempts its run of failures charged are given back to those tasks, since the node was
// broken, not the tasks. A task of the run waiting in tasks/ is taken through the claim rename
// (so that no worker claims it while its metadata.json changes), its attempts lowered, its
// backoff and last failure cleared, and renamed back. A task the run sent to trash/failed/
// (a fatal verdict, or its attempts spent) goes back to tasks/ the same way as `clipmill retry`,
// with only this run's attempts given back. A task elsewhere (claimed by another node now,
// published) is left as it is. A fatal verdict is taken back once only (`breaker_returns`):
// a task that really is bad would otherwise travel from node to node, opening each one's
// breaker and being brought back every cooldown, forever.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { exists } from '../fs.js';
import { readJsonOrNull } from '../json.js';
import type { Layout } from '../layout.js';
import { TASK_FILES, type TaskMetadata } from '../task.js';
import { returnToTasks } from './hand-back.js';
import { latestFailures } from './retry.js';
import { readMetadata, writeClaim, writeMetadata } from './task-files.js';

export interface GivenBack {
  id: string;
  from: 'tasks' | 'trash/failed';
  attempts: number;
}

function amended(meta: TaskMetadata, charged: number): TaskMetadata {
  const { not_before: _n, last_failure: _l, ...rest } = meta;
  return { ...rest, attempts: Math.max(0, meta.attempts - charged) };
}

const FailedBy = z.looseObject({ node: z.string().nullable().optional(), failed_at: z.string().optional(), class: z.string().optional() });

/**
 * Gives back `charged` attempts (task id -> attempts its run charged) of tasks failed by `node`
 * since `since` (ms). Returns what it changed.
 */
export async function giveBackAttempts(layout: Layout, node: string, charged: ReadonlyMap<string, number>, since: number): Promise<GivenBack[]> {
  const out: GivenBack[] = [];
  for (const [id, n] of charged) {
    if (await exists(layout.task(id))) {
      try {
        await rename(layout.task(id), layout.processingTask(id));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') continue; // claimed meanwhile: its own now
        throw err;
      }
      const dir = layout.processingTask(id);
      try {
        await writeClaim(dir, { task_id: id, node, pid: process.pid, claimed_at: new Date().toISOString() });
        const meta = amended(await readMetadata(dir), n);
        await writeMetadata(dir, meta);
        out.push({ id, from: 'tasks', attempts: meta.attempts });
      } finally {
        await returnToTasks(layout, id);
      }
      continue;
    }
    const [name] = await latestFailures(layout, [id]).catch(() => [] as string[]);
    if (!name) continue;
    const from = join(layout.trashFailed, name);
    const error = await readJsonOrNull(FailedBy, join(from, 'error.json'));
    if (error?.node !== node || !(Date.parse(error.failed_at ?? '') >= since)) continue;
    if (await exists(layout.processingTask(id)) || await exists(layout.outputTask(id))) continue;
    const failed = await readMetadata(from);
    const fatal = error.class === 'fatal';
    if (fatal && (failed.breaker_returns ?? 0) >= 1) continue;
    const meta = { ...amended(failed, n), ...(fatal ? { breaker_returns: (failed.breaker_returns ?? 0) + 1 } : {}) };
    await writeMetadata(from, meta);
    for (const f of ['error.json', 'stderr.log', TASK_FILES.claim, 'final.mp4', 'poster.jpg', 'report.json']) await rm(join(from, f), { force: true });
    try {
      await rename(from, layout.task(id));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') continue;
      throw err;
    }
    out.push({ id, from: 'trash/failed', attempts: meta.attempts });
  }
  return out;
}
