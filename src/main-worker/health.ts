// Farm health, run by the main worker (DESIGN invariant 4): render nodes whose heartbeat is
// older than health.nodeTimeoutMs are marked dead, and every task in processing/ whose lease
// has gone stale is recovered: back to tasks/ (its attempt counted), or to trash/failed/
// once tasks.maxAttempts is spent. Each recovery is logged.
import { readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Config } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { exists, firstFreePath, writeJsonAtomic } from '../shared/fs.js';
import { UUID_RE, type Layout } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';
import { TASK_FILES } from '../shared/task.js';
import { leaseTarget } from '../render-worker/lease.js';
import { returnToTasks } from '../render-worker/claim.js';

export interface HealthReport {
  deadNodes: string[];
  recovered: string[];
  failed: string[];
}

async function age(path: string, now: number): Promise<number | null> {
  try {
    return now - (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Whether the task's claim is stale: its lease not refreshed for LEASE_STALE_MS, or, for a
 * task claimed but never leased (the worker died in between), its claim (or folder) that old.
 */
export async function claimIsStale(layout: Layout, id: string, staleMs: number, now = Date.now()): Promise<boolean> {
  const lease = await age(`${leaseTarget(layout, id)}.lock`, now);
  if (lease !== null) return lease > staleMs;
  const claim = (await age(join(layout.processingTask(id), TASK_FILES.claim), now)) ?? (await age(layout.processingTask(id), now));
  return claim !== null && claim > staleMs;
}

/**
 * Takes a stale task back: under the task's own lease (so that two recoverers, or a worker
 * coming back to life, cannot both act), to tasks/ or, after maxAttempts, to trash/failed/.
 */
export async function recoverTask(layout: Layout, config: Config, id: string, log: Logger, why: string): Promise<'requeued' | 'failed' | 'skipped'> {
  let release: (() => Promise<void>) | null = null;
  try {
    release = await lockfile.lock(leaseTarget(layout, id), { realpath: false, stale: config.health.leaseStaleMs, retries: 0 });
  } catch {
    return 'skipped'; // the lease is alive after all (refreshed meanwhile)
  }
  try {
    const dir = layout.processingTask(id);
    if (!(await exists(dir))) return 'skipped';
    const claim = JSON.parse(await readFile(join(dir, TASK_FILES.claim), 'utf8').catch(() => '{}')) as { node?: string; pid?: number };
    const metaPath = join(dir, TASK_FILES.metadata);
    const meta = JSON.parse(await readFile(metaPath, 'utf8').catch(() => '{}')) as { attempts?: number };
    // The claim counted an attempt when the worker got as far as writing it; one that died
    // before that still used one.
    const attempts = Math.max(1, meta.attempts ?? 0);
    const who = claim.node ? `node ${claim.node} (pid ${claim.pid})` : 'an unknown worker';
    if (attempts >= config.tasks.maxAttempts) {
      await writeJsonAtomic(join(dir, 'error.json'), {
        task_id: id,
        code: 'TOO_MANY_ATTEMPTS',
        stage: 'claim',
        message: `${who} stopped working on it (${why}) at attempt ${attempts} of tasks.maxAttempts (${config.tasks.maxAttempts})`,
        attempts,
        node: claim.node ?? null,
        failed_at: new Date().toISOString(),
      });
      const dest = await firstFreePath(layout.failedTask(id));
      await rename(dir, dest);
      log.error({ task: id }, `Task ${id} failed: ${who} stopped working on it (${why}) at attempt ${attempts} of ${config.tasks.maxAttempts} → ${layout.rel(dest)}/`);
      return 'failed';
    }
    if (meta.attempts !== attempts) await writeJsonAtomic(metaPath, { ...meta, attempts });
    await returnToTasks(layout, id);
    log.warn({ task: id }, `Recovered task ${id} from ${who} (${why}): back to tasks/ (attempt ${attempts} of ${config.tasks.maxAttempts} used)`);
    return 'requeued';
  } finally {
    await release?.().catch(() => {});
  }
}

export async function checkHealth(layout: Layout, config: Config, log: Logger, now = Date.now()): Promise<HealthReport> {
  const report: HealthReport = { deadNodes: [], recovered: [], failed: [] };
  for (const name of (await readdir(layout.nodes).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && n !== 'main-worker.json' && !n.startsWith('.'))) {
    const path = join(layout.nodes, name);
    try {
      const hb = JSON.parse(await readFile(path, 'utf8')) as { node?: string; state?: string; updated_at?: string };
      if (hb.state === 'stopped' || hb.state === 'dead' || !hb.updated_at) continue;
      const silent = now - Date.parse(hb.updated_at);
      if (silent > config.health.nodeTimeoutMs) {
        await writeJsonAtomic(path, { ...hb, state: 'dead', marked_dead_at: new Date(now).toISOString() });
        report.deadNodes.push(hb.node ?? name.slice(0, -5));
        log.warn(`Node ${hb.node ?? name} is dead: no heartbeat for ${Math.round(silent / 1000)} s (health.nodeTimeoutMs ${config.health.nodeTimeoutMs})`);
      }
    } catch (err) {
      log.debug({ err }, `Unreadable heartbeat ${name}: ${errorMessage(err)}`);
    }
  }
  for (const id of (await readdir(layout.processing).catch(() => [] as string[])).filter((n) => UUID_RE.test(n))) {
    if (!(await claimIsStale(layout, id, config.health.leaseStaleMs, now))) continue;
    const r = await recoverTask(layout, config, id, log, `lease stale for more than ${config.health.leaseStaleMs / 1000} s`).catch((err: unknown) => {
      log.error({ task: id, err }, `Could not recover task ${id}: ${errorMessage(err)}`);
      return 'skipped' as const;
    });
    if (r === 'requeued') report.recovered.push(id);
    else if (r === 'failed') report.failed.push(id);
  }
  return report;
}
